"""Give freed heap memory back to the operating system after a big file has been parsed block by block.

Parsing a screen in blocks allocates and frees many arrays of a few megabytes. glibc's ``malloc`` keeps
such freed blocks in the process's heap (below its ``mmap`` threshold, at most 32 MB): after reading a
100,000-curve screen the process held 257 MB for a 127 MB counts table, 139 MB after ``malloc_trim(0)``.
(At a million curves the big arrays are mapped and unmapped whole, so it matters less there.)
``malloc_trim(0)`` returns those pages; Dask's workers do the same
(``distributed`` documents it under "Memory not released back to the OS"). Elsewhere (macOS, Windows,
musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache

__all__ = ["trim_heap"]


@cache
def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def trim_heap() -> bool:
    """Return freed heap pages to the operating system (glibc ``malloc_trim(0)``).

    Returns
    -------
    bool
        Whether memory was returned (False where the C library has no ``malloc_trim``).
    """
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
