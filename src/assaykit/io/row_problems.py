"""Problems found row by row in a table, reported as one error: the first, and the other rows that have one.

The readers of tables of tubes and samples (:mod:`assaykit.io.saturation`, :mod:`assaykit.io.pk`) check
every cell before raising, so that a user who fixes the first problem learns of the others at once.
"""

from __future__ import annotations

from pathlib import Path

from assaykit.errors import AssayInputError

__all__ = ["RowProblems"]


class RowProblems:
    """Collect cell problems so that the error names the first and lists the other rows.

    Parameters
    ----------
    path
        The file, named by the error.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self.found: list[tuple[int, str, str | None]] = []

    def add(self, row: int, message: str, column: str | None) -> None:
        """Note a problem in one row (and column)."""
        self.found.append((row, message, column))

    def raise_first(self) -> None:
        """Raise the first problem noted, listing the other rows with problems; nothing if none."""
        if not self.found:
            return
        row, message, column = self.found[0]
        others = sorted({r for r, _, _ in self.found[1:] if r != row})
        if others:
            listed = ", ".join(map(str, others[:10])) + (", ..." if len(others) > 10 else "")
            message += f" (other rows with problems: {listed})"
        raise AssayInputError(message, path=self.path, row=row, column=column)
