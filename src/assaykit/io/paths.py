"""What a path is, for the checks on a run's outputs: resolved, the same file, read-only, a usable folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def resolve(path: Path) -> Path:
    """Return the absolute path, symlinks and ``..`` resolved as far as the path exists."""
    return Path(os.path.realpath(path))


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same resolved path, or the same inode (a hard link)."""
    if resolve(a) == resolve(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def read_only(path: Path) -> bool:
    """Whether ``path`` may not be written: no access for this user, or no write bit for anyone.

    The mode bits are read too because the superuser passes every access check: a file or folder marked
    read-only (``chmod a-w``) is taken as the user's wish to keep it, whoever runs the command.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not os.access(path, os.W_OK) or not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def folder_problem(folder: Path) -> str | None:
    """Why files cannot be made in ``folder`` (which must exist), or None."""
    if not folder.exists():
        parts = [folder, *folder.parents]
        blocker = next((p for p in reversed(parts) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            return f"{blocker} is a file, not a folder"
        return f"the folder {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is a file, not a folder"
    if read_only(folder) or not os.access(folder, os.X_OK):
        return f"the folder {folder} is read-only"
    return None


def nearest_existing(folder: Path) -> Path:
    """``folder`` or its nearest ancestor that exists (as a file or folder)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate
    return Path(".")
