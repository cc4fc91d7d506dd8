"""Checks on the list of input files a run is given, before any of them is read."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from assaykit.errors import AssayInputError


def check_distinct_files(paths: Sequence[str | Path]) -> None:
    """Refuse a file given twice (by the same name, another spelling, a symlink or a hard link).

    Pooling a file with itself doubles every point: standard errors shrink by a factor of about 1.4 and
    nothing in the results shows it, so it is an error, not a warning.

    Parameters
    ----------
    paths
        The input files, in the order given.

    Raises
    ------
    AssayInputError
        Naming the file and the earlier name it repeats.
    """
    seen: dict[str, Path] = {}
    identities: dict[tuple[int, int], Path] = {}
    for path in map(Path, paths):
        resolved = os.path.realpath(path)
        earlier = seen.get(resolved)
        if earlier is None:
            try:
                info = path.stat()
            except OSError:
                info = None
            if info is not None:
                earlier = identities.get((info.st_dev, info.st_ino))
                identities.setdefault((info.st_dev, info.st_ino), path)
        if earlier is not None:
            same = "" if str(earlier) == str(path) else f" (as {earlier})"
            raise AssayInputError(
                f"the file is given twice{same}; its data would be counted twice", path=path
            )
        seen[resolved] = path
