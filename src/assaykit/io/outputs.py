"""The files one run writes: checked before any work, staged beside their targets, committed together.

A run of ``assaykit`` may write several outputs (``-o``, ``--points``, ``--plot DIR``, ``--episodes``, ...).
:class:`OutputSet` makes them safe with real files and real mistakes:

* **Checked first.** Every output path is checked when it is added, before any work starts: its folder
  exists (a plot folder may be made, as long as no part of its path is a file), it is not a folder, a
  device or a read-only file, it is not one of the run's input files (resolved paths and
  :func:`os.path.samefile`, so ``./counts.csv``, a symlink and a hard link count), and no two outputs name
  the same file. A problem is an :class:`~assaykit.errors.AssayInputError` that names the option and path.
* **Staged.** Each output is written to a temporary file beside its target (same folder, so the final
  rename is atomic); a write that fails (a full disk, a lost network share) is an ``AssayInputError``
  naming the target.
* **Committed together.** :meth:`OutputSet.commit` renames every staged file into place only when all of
  them were written; if a rename fails, the targets already replaced get their earlier contents back. On
  any failure before or during the commit, none of the targets changes, no temporary file is left behind,
  and a plot folder made for the run is removed again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.paths import folder_problem, nearest_existing, read_only, resolve, same_file
from assaykit.io.writers import TABLE_SUFFIXES, write_table_to


@dataclass(frozen=True)
class _Target:
    """An output the run will write: as the user named it, where it resolves, and the option that named it."""

    path: Path
    resolved: Path
    option: str
    kind: Literal["file", "folder"]


class OutputSet:
    """The outputs of one run: checked when added, staged while the run works, written together at the end.

    Parameters
    ----------
    inputs
        The run's input files (None entries are skipped); an output may not name any of them. More can be
        added with :meth:`add_inputs`.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> outputs = OutputSet()
    >>> results = outputs.add_file(folder / "results.csv", "-o")
    >>> with outputs:
    ...     _ = outputs.table(pd.DataFrame({"a": [1]}), results)
    ...     written = outputs.commit()
    >>> [p.name for p in written]
    ['results.csv']

    Notes
    -----
    Use it as a context manager: leaving the block with an exception (or without :meth:`commit`) discards
    everything staged, so no target changes.
    """

    def __init__(self, inputs: Iterable[str | Path | None] = ()) -> None:
        self._inputs: list[Path] = []
        self._targets: list[_Target] = []
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, target)
        self._made: list[Path] = []  # folders made for the run, parents first
        self.add_inputs(inputs)

    # -- the plan ---------------------------------------------------------------------------------------

    def add_inputs(self, paths: Iterable[str | Path | None]) -> None:
        """Record input files; an input that an output already names is an error.

        Raises
        ------
        AssayInputError
            When an output added earlier names one of these files.
        """
        for path in paths:
            if path is None:
                continue
            path = Path(path)
            self._inputs.append(path)
            for target in self._targets:
                if target.kind == "file" and same_file(target.path, path):
                    raise self._clash_with_input(target.option, target.path, path)

    def add_file(
        self,
        path: str | Path | None,
        option: str,
        *,
        suffixes: tuple[str, ...] | None = TABLE_SUFFIXES,
    ) -> Path | None:
        """Check an output file and add it to the run.

        Parameters
        ----------
        path
            The file; None (option not given) is passed through.
        option
            The option that names it (``"-o"``, ``"--points"``), for messages.
        suffixes
            The extensions the writer understands (lower case), or None for any.

        Returns
        -------
        Path or None
            ``path`` as a Path (None when None was given).

        Raises
        ------
        AssayInputError
            When the extension is unknown, the path is a folder, a device or a read-only file, its folder
            does not exist or is read-only, it is an input file, or another output names the same file.
        """
        if path is None:
            return None
        path = Path(path)
        where = f"{option} {path}"
        if path.is_dir():
            raise AssayInputError(f"{option} names a folder; give a file name", path=path)
        if path.exists() and not path.is_file():
            raise AssayInputError(f"{option} is not a regular file (a device?); give a file name", path=path)
        if suffixes is not None and path.suffix.lower() not in suffixes:
            found = path.suffix or "none"
            raise AssayInputError(
                f"{option}: unknown output format '{found}'; expected one of {', '.join(suffixes)}", path=path
            )
        problem = folder_problem(path.parent if str(path.parent) else Path("."))
        if problem is not None:
            raise AssayInputError(f"cannot write {where}: {problem}")
        self._refuse_kept(path, option)
        self._check_unique(path, option, "file")
        self._targets.append(_Target(path, resolve(path), option, "file"))
        return path

    def add_folder(self, path: str | Path | None, option: str) -> Path | None:
        """Check an output folder (made at the end if it does not exist) and add it to the run.

        Returns
        -------
        Path or None
            ``path`` as a Path (None when None was given).

        Raises
        ------
        AssayInputError
            When the path is a file, a part of it is a file, or the folder (or the nearest existing folder
            above it) is read-only.
        """
        if path is None:
            return None
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise AssayInputError(f"{option} names a file, not a folder", path=path)
        problem = folder_problem(nearest_existing(path))
        if problem is not None:
            raise AssayInputError(f"cannot write {option} {path}: {problem}")
        resolved = resolve(path)
        if any(t.kind == "folder" and t.resolved == resolved for t in self._targets):
            return path  # one folder may take the files of several parts of a run (tracks and groups)
        self._check_unique(path, option, "folder")
        self._targets.append(_Target(path, resolved, option, "folder"))
        return path

    def _check_unique(self, path: Path, option: str, kind: str) -> None:
        resolved = resolve(path)
        for target in self._targets:
            if target.resolved == resolved or (
                kind == target.kind == "file" and path.exists() and same_file(path, target.path)
            ):
                if target.option == option:
                    raise AssayInputError(f"{option} names the same file twice", path=path)
                raise AssayInputError(f"{target.option} and {option} name the same file", path=path)

    def _refuse_kept(self, path: Path, option: str) -> None:
        """Refuse a file that must be kept: one marked read-only, or one of the run's inputs."""
        if path.exists() and read_only(path):
            raise AssayInputError(f"{option}: the file is read-only; it is kept as it is", path=path)
        for source in self._inputs:
            if same_file(path, source):
                raise self._clash_with_input(option, path, source)

    @staticmethod
    def _clash_with_input(option: str, path: Path, source: Path) -> AssayInputError:
        same = "" if str(path) == str(source) else f" ({source})"
        return AssayInputError(
            f"{option} would overwrite an input file{same}; name another output file", path=path
        )

    # -- staging ----------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def stage(self, path: str | Path, *, into: str | None = None) -> Iterator[Path]:
        """Yield a temporary path to write ``path`` to; it is kept for :meth:`commit` if the block succeeds.

        Parameters
        ----------
        path
            A file added with :meth:`add_file`; or, with ``into``, a file in a folder added with
            :meth:`add_folder` (the folder is then made if needed, and the file checked like one added:
            not an input, not another output, not a file written before in this run).
        into
            The option of that folder (``"--plot"``).

        Yields
        ------
        Path
            A temporary file beside ``path``, with the same extension.

        Raises
        ------
        AssayInputError
            When ``path`` is not part of the run, clashes with an input or another output, or cannot be
            written (the OS's reason, e.g. no space left on the device).
        """
        target = self._target_of(Path(path), into)
        folder = target.parent if str(target.parent) else Path(".")
        self._make_folder(folder)
        try:
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".tmp{target.suffix}", dir=folder)
        except OSError as exc:
            raise AssayInputError(f"could not write it ({exc.strerror or exc})", path=target) from exc
        os.close(fd)
        tmp = Path(name)
        try:
            yield tmp
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise AssayInputError(f"could not write it ({exc.strerror or exc})", path=target) from exc
        except AssayInputError as exc:
            tmp.unlink(missing_ok=True)
            if exc.path is not None and exc.path == tmp:  # a writer's message about the temporary file
                raise AssayInputError(exc.reason, path=target) from exc
            raise
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._staged.append((tmp, target))

    def table(self, table: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path) -> Path:
        """Stage a table (or named sheets, for ``.xlsx``) for ``path``, as :func:`.writers.write_table` does.

        Returns
        -------
        Path
            ``path``, to be written at :meth:`commit`.
        """
        path = Path(path)
        with self.stage(path) as tmp:
            write_table_to(table, tmp, path.suffix.lower())
        return path

    def _target_of(self, path: Path, into: str | None) -> Path:
        """Return the file to write for ``path`` (a symlink's target), checked against the run's files."""
        resolved = resolve(path)
        if into is None:
            for target in self._targets:
                if target.kind == "file" and target.resolved == resolved:
                    return resolved if path.is_symlink() else path
            raise AssayInputError("an output that was not checked before the run; this is a bug", path=path)
        folder = resolve(path.parent)
        if not any(t.kind == "folder" and t.option == into and t.resolved == folder for t in self._targets):
            raise AssayInputError(
                f"a file outside the {into} folder checked before the run; this is a bug", path=path
            )
        if path.is_dir() or (path.exists() and not path.is_file()):
            raise AssayInputError(f"{into}: not a regular file; cannot write it", path=path)
        self._refuse_kept(path, into)
        for target in self._targets:
            if target.kind == "file" and target.resolved == resolved:
                raise AssayInputError(f"{into} and {target.option} name the same file", path=path)
        if any(resolve(staged) == resolved for _, staged in self._staged):
            raise AssayInputError(f"{into} would write this file twice", path=path)
        return path

    def _make_folder(self, folder: Path) -> None:
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        for part in reversed(missing):
            try:
                part.mkdir()
            except OSError as exc:
                raise AssayInputError(
                    f"could not make the folder ({exc.strerror or exc})", path=part
                ) from exc
            self._made.append(part)

    # -- the end ----------------------------------------------------------------------------------------

    @property
    def inputs(self) -> list[Path]:
        """The run's input files, in the order they were added (for a report's provenance)."""
        return list(self._inputs)

    @property
    def staged(self) -> list[Path]:
        """The files staged so far, in order (written at :meth:`commit`)."""
        return [target for _, target in self._staged]

    def commit(self) -> list[Path]:
        """Move every staged file into place, all or none.

        Returns
        -------
        list of Path
            The files written, in the order they were staged.

        Raises
        ------
        AssayInputError
            When a file cannot be moved into place; the targets replaced before it get their earlier
            contents back, and nothing staged is left behind.
        """
        umask = os.umask(0)
        os.umask(umask)
        backups: list[tuple[Path, Path | None]] = []  # (target replaced, its earlier contents or None)
        target = self._staged[0][1] if self._staged else Path(".")
        try:
            for tmp, target in self._staged:
                # mkstemp makes a private file (0600): give the result the permissions of a normal new file
                os.chmod(tmp, 0o666 & ~umask)
                backup = self._backup(target) if target.exists() else None
                try:
                    os.replace(tmp, target)
                except OSError:
                    if backup is not None:
                        backup.unlink(missing_ok=True)
                    raise
                backups.append((target, backup))
        except OSError as exc:
            failed = target
            for target, backup in reversed(backups):
                with contextlib.suppress(OSError):
                    if backup is not None:
                        os.replace(backup, target)
                    elif target.exists():
                        target.unlink()
            self.discard()
            raise AssayInputError(f"could not write it ({exc.strerror or exc})", path=failed) from exc
        for _, backup in backups:
            if backup is not None:
                backup.unlink(missing_ok=True)
        written = self.staged
        self._staged, self._made = [], []
        return written

    @staticmethod
    def _backup(target: Path) -> Path:
        """Keep ``target``'s contents in a hidden file beside it (a hard link where the file system can)."""
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".bak", dir=target.parent)
        os.close(fd)
        backup = Path(name)
        backup.unlink()
        try:
            os.link(target, backup)
        except OSError:
            shutil.copy2(target, backup)
        return backup

    def discard(self) -> None:
        """Drop everything staged: no target changes, and folders made for the run are removed if empty."""
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged = []
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._made = []

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


@contextlib.contextmanager
def run_outputs(outputs: OutputSet | None, inputs: Iterable[str | Path | None] = ()) -> Iterator[OutputSet]:
    """Give a job its output set: the caller's (committed by the caller), or a new one committed here.

    A job function (``run_binding``, ``run_tracking``, ...) called from Python owns its outputs: they are
    written when the job succeeds. The command line passes one set to every job of a run (``epm --design``
    runs the endpoints and then the statistics) and commits it once at the end.

    Parameters
    ----------
    outputs
        The caller's set, or None for a new one.
    inputs
        The job's input files, added to the set.

    Yields
    ------
    OutputSet
    """
    if outputs is not None:
        outputs.add_inputs(inputs)
        yield outputs
        return
    with OutputSet(inputs) as own:
        yield own
        own.commit()
