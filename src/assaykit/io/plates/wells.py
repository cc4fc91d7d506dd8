"""Well ids, plate sizes and well patterns of 96- and 384-well plates.

A well is named by its row letter (A-H on a 96-well plate, A-P on a 384-well plate) and its 1-based column
(1-12 or 1-24), written ``C07`` (two digits) in every table assaykit writes; ``C7`` and ``c07`` are read
as the same well. Positions are 0-based ``(row, column)`` pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

from assaykit.errors import AssayInputError

#: Rows and columns of each plate size, by the number of wells.
PLATE_SHAPES = {96: (8, 12), 384: (16, 24)}

#: The row letters of the largest plate (a 384-well plate).
ROW_LETTERS = "ABCDEFGHIJKLMNOP"

_WELL = re.compile(r"^\s*([A-Pa-p])\s*0*([1-9]\d?)\s*$")
_PATTERN_TEXT = (
    "a row and * (A*), * and a column (*1 or *01), a well (C7 or C07) or a range of wells (A1:B3), "
    "rows A-P and columns 1-24, separated by commas"
)


def parse_well(text: str) -> tuple[int, int] | None:
    """Return the 0-based ``(row, column)`` of a well id (``C07``, ``C7``, ``c07``), or None if it is none.

    Examples
    --------
    >>> parse_well("C07"), parse_well("p24"), parse_well("Q1"), parse_well("A25")
    ((2, 6), (15, 23), None, None)
    """
    match = _WELL.match(str(text))
    if match is None or int(match.group(2)) > 24:
        return None
    return ROW_LETTERS.index(match.group(1).upper()), int(match.group(2)) - 1


def well_name(row: int, column: int) -> str:
    """Return the id of the well at 0-based ``(row, column)``, e.g. ``(2, 6)`` -> ``"C07"``."""
    return f"{ROW_LETTERS[row]}{column + 1:02d}"


def plate_size(shape: tuple[int, int]) -> int:
    """Return the number of wells of a plate of ``shape`` (rows, columns)."""
    return shape[0] * shape[1]


def compact_wells(positions: Iterable[tuple[int, int]], limit: int = 24) -> str:
    """List wells compactly: runs of a row's adjacent columns as ranges, then the count.

    Examples
    --------
    >>> compact_wells([(0, 0), (0, 11), (7, 0)])
    'A01, A12, H01 (3 wells)'
    >>> compact_wells([(0, c) for c in range(12)] + [(1, 3)])
    'A01-A12, B04 (13 wells)'
    """
    wells = sorted(set(positions))
    parts: list[str] = []
    i = 0
    while i < len(wells):
        j = i
        while j + 1 < len(wells) and wells[j + 1] == (wells[i][0], wells[j][1] + 1):
            j += 1
        first, last = well_name(*wells[i]), well_name(*wells[j])
        parts.append(first if i == j else f"{first}-{last}")
        i = j + 1
    shown = ", ".join(parts[:limit]) + (", ..." if len(parts) > limit else "")
    return f"{shown} ({len(wells)} well{'s' if len(wells) != 1 else ''})"


def parse_well_patterns(text: str) -> tuple[str, ...]:
    """Parse well patterns such as ``"A*,H*,*01,*12"`` into validated, normalised patterns.

    Parameters
    ----------
    text
        Patterns separated by commas (or semicolons or spaces): a row letter and ``*`` (``A*``: the whole
        row), ``*`` and a column number (``*1`` or ``*01``: the whole column), a well (``C7`` or ``C07``)
        or a rectangle of wells (``A1:B3``). Rows A-P and columns 1-24, any case.

    Returns
    -------
    tuple of str
        The patterns, normalised (``A*``, ``*01``, ``C07``, ``A01:B03``), in the order given, each once.

    Raises
    ------
    AssayInputError
        When a pattern is none of these; the one-line message names it and lists what is accepted.

    Examples
    --------
    >>> parse_well_patterns("A*, h*,*1,*12")
    ('A*', 'H*', '*01', '*12')
    >>> parse_well_patterns("b2:c3")
    ('B02:C03',)
    """
    found: list[str] = []
    for token in re.split(r"[,;\s]+", str(text).strip()):
        if not token:
            continue
        pattern = _normalise(token)
        if pattern is None:
            raise AssayInputError(f"bad well pattern '{token}'; expected {_PATTERN_TEXT}")
        found.append(pattern)
    return tuple(dict.fromkeys(found))


def _normalise(token: str) -> str | None:
    row = re.fullmatch(r"([A-Pa-p])\*", token)
    if row:
        return row.group(1).upper() + "*"
    column = re.fullmatch(r"\*0*([1-9]\d?)", token)
    if column:
        return f"*{int(column.group(1)):02d}" if int(column.group(1)) <= 24 else None
    if ":" in token:
        ends = [parse_well(t) for t in token.split(":")]
        if len(ends) != 2 or ends[0] is None or ends[1] is None:
            return None
        return f"{well_name(*ends[0])}:{well_name(*ends[1])}"
    well = parse_well(token)
    return None if well is None else well_name(*well)


def pattern_mask(patterns: Sequence[str], shape: tuple[int, int]) -> np.ndarray:
    """Return a boolean ``shape`` array: True at the wells any of ``patterns`` (normalised) matches."""
    mask = np.zeros(shape, dtype=bool)
    for pattern in patterns:
        if pattern.endswith("*"):
            mask[ROW_LETTERS.index(pattern[0]), :] = True
        elif pattern.startswith("*"):
            column = int(pattern[1:]) - 1
            if column < shape[1]:
                mask[:, column] = True
        else:
            ends = [parse_well(w) for w in pattern.split(":")]
            (r0, c0), (r1, c1) = ends[0], ends[-1]  # type: ignore[misc]
            mask[min(r0, r1) : max(r0, r1) + 1, min(c0, c1) : max(c0, c1) + 1] = True
    return mask
