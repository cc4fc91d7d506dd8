"""A pure-ASCII text file read in place: its bytes, memory-mapped, stand in for its text.

In an ASCII file every character is one byte, so the file's text need not be decoded (nor encoded again for
pandas): finding, counting and slicing the bytes answers the same questions about the text. Mapping the
file instead of reading it keeps a large file out of memory.
"""

# Kept (benchmarks/review_copies.md): the 1 GB screen reads at 2.98 GB peak with it, 3.91 GB without.

from __future__ import annotations

import mmap
from pathlib import Path

#: Bytes looked at in one piece when a question needs the whole file.
BLOCK = 1 << 20


class AsciiText:
    """The text of a pure-ASCII file, answered from its bytes (see :meth:`open`).

    It offers the parts of ``str`` that ``read_text_table`` uses: ``len``, slicing (to ``str``), ``in``,
    :meth:`find`, :meth:`count`, :meth:`endswith`, :meth:`splitlines` and :meth:`encode`.
    """

    def __init__(self, data: bytes | mmap.mmap, absent: frozenset[bytes] = frozenset()) -> None:
        self.data = data
        self.absent = absent  # characters known not to occur (one byte each)

    @classmethod
    def open(cls, path: Path) -> AsciiText | None:
        """Map ``path``; None when it is empty, not pure ASCII, holds a NUL, or starts as a zip file does.

        Raises
        ------
        OSError
            When the file cannot be read.
        """
        with path.open("rb") as handle:
            if not path.stat().st_size:
                return None
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        absent = {b"\r", b'"'}  # looked for on the way, as read_text_table asks about them
        for at in range(0, len(data), BLOCK):
            block = data[at : at + BLOCK]
            if not block.isascii() or b"\x00" in block or (at == 0 and block.startswith(b"PK\x03\x04")):
                data.close()
                return None
            absent -= {char for char in absent if char in block}
        _release(data)
        return cls(data, frozenset(absent | {b"\x00"}))

    def close(self) -> None:
        """Unmap the file."""
        if isinstance(self.data, mmap.mmap):
            self.data.close()

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, part: slice) -> str:
        return self.data[part].decode("ascii")

    def __contains__(self, char: str) -> bool:
        return self.find(char) >= 0

    def find(self, sub: str, start: int = 0) -> int:
        """As ``str.find``."""
        if not sub.isascii():
            return -1
        pattern = sub.encode("ascii")
        return -1 if pattern in self.absent else self.data.find(pattern, start)

    def count(self, sub: str, start: int = 0) -> int:
        """As ``str.count``, for a ``sub`` that cannot overlap itself (a newline, say)."""
        if not sub.isascii():
            return 0
        pattern = sub.encode("ascii")
        if pattern in self.absent:
            return 0
        if isinstance(self.data, bytes):
            return self.data.count(pattern, start)
        extra = len(pattern) - 1  # an occurrence starting in a block may end in the next one
        found = sum(
            self.data[at : at + BLOCK + extra].count(pattern) for at in range(start, len(self.data), BLOCK)
        )
        _release(self.data)
        return found

    def endswith(self, suffix: str) -> bool:
        """As ``str.endswith``."""
        end = suffix.encode("ascii")
        return self.data[len(self.data) - len(end) :] == end

    def splitlines(self) -> list[str]:
        """As ``str.splitlines`` (decodes the whole file)."""
        return self.data[:].decode("ascii").splitlines()

    def encode(self, encoding: str) -> bytes:
        """Return the file's bytes: its text in any ASCII-compatible ``encoding`` (a copy)."""
        return self.data[:]


def _release(data: bytes | mmap.mmap) -> None:
    """Let the pages of a mapped file that a scan read go from this process's memory (not from the OS cache).

    Read pages of a file mapping count in the process's resident memory until it is unmapped: a scan of a
    1 GB screen would hold 1 GB while pandas parses it. ``MADV_DONTNEED`` drops them from the mapping;
    they are read again (from the page cache) if asked for.
    """
    if isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        data.madvise(mmap.MADV_DONTNEED)
