"""Exceptions and warnings raised for users' data, as opposed to bugs."""

from __future__ import annotations

from pathlib import Path


class AssayInputError(ValueError):
    """A user's input is not what assaykit expects.

    The message is one line that names the file, the row or column when known, and what was expected,
    so that the command line can print it as it is and exit with status 2.

    Parameters
    ----------
    message
        What is wrong and what was expected.
    path
        The file the problem is in, if any.
    row
        The 1-based line (CSV/TSV) or sheet row (xlsx) in that file, if the problem is in one row.
    column
        The column the problem is in, if any.
    location
        Where in the file the problem is when that is not a row, e.g. ``"plate 2, well C07"`` for a tube
        of a counter's plate grid; written where the row would be.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        location: str | None = None,
    ) -> None:
        self.reason = message
        self.path = None if path is None else Path(path)
        self.row = row
        self.column = column
        self.location = location
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path is not None:
            where.append(str(self.path))
        if self.location is not None:
            where.append(self.location)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        text = f"{prefix}: {self.reason}" if prefix else self.reason
        return " ".join(text.split())  # always one line

    def with_path(self, path: str | Path) -> AssayInputError:
        """Return the same error with ``path`` filled in when it was not known where it was raised."""
        if self.path is not None:
            return self
        return AssayInputError(
            self.reason, path=path, row=self.row, column=self.column, location=self.location
        )


class FitWarning(UserWarning):
    """A fit finished but a result deserves a second look (the same condition also sets a flag)."""
