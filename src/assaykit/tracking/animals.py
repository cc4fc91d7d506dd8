"""A track table split by animal, and the checks each animal's frames must pass before analysis.

The animals are factorised once; their rows are put one animal after another (in the order the animals
first appear, each animal's rows in file order) so that every later step works on slices of whole arrays.
The checks run on all animals at once, and an animal that fails one gets its own error, as if it had been
checked alone: the first problem of its own frames, in the order the checks are listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tables import SOURCE_ROW
from assaykit.io.tracks import MISSING_TOKENS, TrackTable
from assaykit.tracking.segments import first_and_last


@dataclass(frozen=True)
class AnimalRows:
    """Where each animal's rows are in a track table.

    Attributes
    ----------
    names
        The animals, in the order they first appear.
    order
        The table's row positions, one animal after another (None when the table is already so).
    bounds
        Animal ``k`` is ``bounds[k]:bounds[k + 1]`` of the rows in that order.
    lines
        Each of those rows' line in the file, or None when the table's index is not the source lines.
    """

    names: list[str]
    order: np.ndarray | None
    bounds: np.ndarray
    lines: np.ndarray | None

    def take(self, values: np.ndarray) -> np.ndarray:
        """Put a per-row array of the table in animal order."""
        return values if self.order is None else values[self.order]

    def line(self, at: int) -> int | None:
        """Return the file line of row ``at`` (in animal order), if known."""
        return None if self.lines is None else int(self.lines[at])


def split_animals(table: TrackTable) -> AnimalRows:
    """Find each animal's rows (rows without an animal, NaN, are left out).

    Parameters
    ----------
    table
        The track table.

    Returns
    -------
    AnimalRows
    """
    runs = table.animal_runs()
    order = None
    if runs.one_run_each():  # one animal after another: no row to move
        bounds = np.append(runs.starts, runs.rows)
    else:
        codes = runs.per_row()
        counts = np.bincount(codes[codes >= 0], minlength=len(runs.names))
        bounds = np.concatenate([[0], np.cumsum(counts)])
        order = np.argsort(codes, kind="stable")[len(codes) - int(bounds[-1]) :]  # NaN rows (-1) dropped
    bounds = bounds.astype(np.int64)
    names = runs.names
    index = table.data.index
    lines = index.to_numpy() if index.name == SOURCE_ROW else None
    if lines is not None and order is not None:
        lines = lines[order]
    return AnimalRows([str(name) for name in names], order, bounds, lines)


def time_errors(time_s: np.ndarray, rows: AnimalRows, source: Path) -> dict[int, AssayInputError]:
    """Check that every animal has two frames or more and that its time increases.

    Parameters
    ----------
    time_s
        Frame times (s), in animal order.
    rows
        The animals' rows.
    source
        The file, for messages.

    Returns
    -------
    dict
        The error of each animal that fails, by its position in ``rows.names``.
    """
    lo, hi = rows.bounds[:-1], rows.bounds[1:]
    errors = {}
    for k in np.flatnonzero(hi - lo < 2).tolist():
        errors[k] = AssayInputError("only one frame; a track needs at least two", path=source)
    bad = np.zeros(len(time_s), dtype=bool)
    bad[1:] = ~(np.diff(time_s) > 0)
    bad[lo[lo < len(bad)]] = False  # a track's first frame follows no frame of its own
    first, _ = first_and_last(bad, rows.bounds)
    for k in np.flatnonzero(first >= 0).tolist():
        if k in errors:
            continue
        at = int(first[k])
        row = rows.line(at)
        where = "" if row is not None else f" (frame {at - int(lo[k]) + 1} of the animal)"
        if time_s[at] == time_s[at - 1]:
            reason = (
                f"time does not increase: the stamp {time_s[at]:g} s repeats (the row before has it){where}"
            )
        else:
            reason = f"time does not increase: {time_s[at]:g} s comes after {time_s[at - 1]:g} s{where}"
        errors[k] = AssayInputError(
            f"{reason}; expected one row per frame in time order, each with its own time",
            path=source,
            row=row,
        )
    return errors


def label_codes(
    labels: pd.Series,
    rows: AnimalRows,
    label_kind: Callable[[str], str | None],
    expected: tuple[str, ...],
    source: Path,
) -> tuple[np.ndarray, list[str], list[str], dict[int, AssayInputError]]:
    """Read per-frame zone labels as zone codes, checking them animal by animal.

    Parameters
    ----------
    labels
        The ``zone`` column, in animal order.
    rows
        The animals' rows.
    label_kind
        The assay's reading of a label (lower-case, stripped): a kind, ``"off"``, or None when unknown.
    expected
        The assay's kinds, for messages.
    source
        The file, for messages.

    Returns
    -------
    tuple
        Per frame, the zone code (-1 off the apparatus, -2 no position); the kind and the name (the
        label in lower case) of each code, names in sorted order; and the error of each animal with a
        label that means nothing to the assay: the first such label in sorted order, at its first row.
    """
    text = labels.astype(str).str.strip()
    codes, distinct = pd.factorize(text.str.lower().to_numpy(dtype=str))
    distinct = [str(label) for label in distinct]
    mapping = np.empty(len(distinct), dtype=np.int64)
    names, kinds = [], []
    unknown = np.zeros(len(distinct), dtype=bool)
    for i in sorted(range(len(distinct)), key=distinct.__getitem__):
        label = distinct[i]
        kind = None if label in MISSING_TOKENS else label_kind(label)
        mapping[i] = -2 if label in MISSING_TOKENS else -1 if kind in (None, "off") else len(names)
        unknown[i] = kind is None and label not in MISSING_TOKENS
        if kind not in (None, "off"):
            names.append(label)
            kinds.append(kind)
    errors = _unknown_labels(codes, unknown, distinct, text, rows, expected, source)
    return mapping[codes], kinds, names, errors


def _unknown_labels(
    codes: np.ndarray,
    unknown: np.ndarray,
    distinct: list[str],
    text: pd.Series,
    rows: AnimalRows,
    expected: tuple[str, ...],
    source: Path,
) -> dict[int, AssayInputError]:
    """Return the error of each animal with unknown labels: the first in sorted order, at its first row."""
    at = np.flatnonzero(unknown[codes])
    if not len(at):
        return {}
    rank = np.argsort(np.argsort(np.array(distinct, dtype=object), kind="stable"))  # sorted order of labels
    animal = np.searchsorted(rows.bounds, at, side="right") - 1
    chosen = np.lexsort((at, rank[codes[at]], animal))  # per animal: the first label in order, first row
    first = np.ones(len(chosen), dtype=bool)
    first[1:] = animal[chosen[1:]] != animal[chosen[:-1]]
    errors = {}
    for position in at[chosen[first]].tolist():
        k = int(np.searchsorted(rows.bounds, position, side="right") - 1)
        errors[k] = AssayInputError(
            f"unknown zone label '{text.iloc[position]}'; expected {', '.join(expected)}, off, or empty for "
            "no position",
            path=source,
            row=rows.line(position),
            column="zone",
        )
    return errors
