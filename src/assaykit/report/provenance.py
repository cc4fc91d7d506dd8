"""The provenance block of a report: assaykit's version, the command line, the inputs' SHA-256, the date."""

from __future__ import annotations

import datetime as dt
import hashlib
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from assaykit.errors import AssayInputError
from assaykit.report.document import Provenance

__all__ = ["command_line", "file_sha256", "provenance"]

_CHUNK = 1 << 20


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 of a file's bytes, in hex.

    Raises
    ------
    AssayInputError
        When the file cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise AssayInputError(f"cannot read it for the report ({exc.strerror or exc})", path=path) from exc
    return digest.hexdigest()


def command_line(argv: Sequence[str] | None = None) -> str:
    """Return the command line as a shell would take it back, ``assaykit`` for the program.

    Parameters
    ----------
    argv
        The arguments, program first; default :data:`sys.argv`. A program run as ``python -m assaykit``
        (``.../assaykit/__main__.py``) is written ``python -m assaykit``, any other by its file name.
    """
    argv = list(sys.argv if argv is None else argv)
    if not argv:
        return "assaykit"
    program = Path(argv[0])
    if program.name == "__main__.py" and program.parent.name == "assaykit":
        head = ["python", "-m", "assaykit"]
    else:
        head = [program.name or "assaykit"]
    return shlex.join([*head, *argv[1:]])


def _files(path: Path) -> list[Path]:
    """Return the files of an input: itself, or every file under a folder (pose files), sorted."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    return [path]


def provenance(
    inputs: Sequence[str | Path],
    *,
    command: str | None = None,
    study: str | Path | None = None,
) -> Provenance:
    """Record where a report comes from.

    Parameters
    ----------
    inputs
        The input files, as named on the command line (a folder stands for every file in it). Repeated
        files are listed once.
    command
        The command line; default the one this process was started with (:func:`command_line`).
    study
        The study file, whose text the provenance keeps (and whose SHA-256 it lists first).

    Returns
    -------
    Provenance

    Raises
    ------
    AssayInputError
        When an input or the study file cannot be read.
    """
    from assaykit import __version__

    named: dict[str, str] = {}
    text = None
    if study is not None:
        try:
            text = Path(study).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AssayInputError(f"cannot read the study file ({exc})", path=study) from exc
        named[str(study)] = file_sha256(study)
    for given in inputs:
        for path in _files(Path(given)):
            name = str(path)
            if name not in named:
                named[name] = file_sha256(path)
    created = dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")
    return Provenance(
        version=__version__,
        command=command_line() if command is None else command,
        created=created,
        inputs=list(named.items()),
        study=text,
    )
