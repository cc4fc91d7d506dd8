"""Which animal each row of a track table belongs to, held as runs of rows.

A tracking log usually lists one animal's frames, then the next animal's: a few runs of equal ids. Keeping
the runs (rather than an index per row) makes splitting a large table by animal cheap; the index per row is
built only when asked for (rows of several animals interleaved).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class AnimalRuns:
    """The animal of each row of a table, as runs of rows.

    Attributes
    ----------
    starts
        First row of each run (int64, increasing, from 0).
    codes
        Animal of each run: an index into ``names``, -1 for rows without an animal (NaN).
    names
        The animals (object array of str), in the order they first appear.
    rows
        Rows in the table.
    """

    starts: np.ndarray
    codes: np.ndarray
    names: np.ndarray
    rows: int

    def per_row(self) -> np.ndarray:
        """Return each row's animal (int64; -1 for none)."""
        return np.repeat(self.codes, np.diff(np.append(self.starts, self.rows)))

    def one_run_each(self) -> bool:
        """Whether each animal's rows are one run, the animals in order of first appearance."""
        return bool(np.array_equal(self.codes, np.arange(len(self.names))))


def value_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split ``values`` into runs of equal neighbours: the first position of each run, and its value.

    Equal objects that are the same object (as pandas' parser gives equal strings) compare quickly.
    """
    starts = np.concatenate([[0], np.flatnonzero(values[1:] != values[:-1]) + 1]) if len(values) else values
    return np.asarray(starts, dtype=np.int64), values[starts]


def animal_runs(values: np.ndarray, *, text: bool = False) -> AnimalRuns:
    """Find the animal runs of a column of ids (``pd.factorize`` of the ids, done once per run).

    Parameters
    ----------
    values
        The ids, one per row (object array).
    text
        Read every id as text (as ``astype(str)`` does: NaN becomes ``"nan"``), stripped of surrounding
        spaces; otherwise ids are compared as they are and NaN means no animal.

    Returns
    -------
    AnimalRuns
        With adjacent runs of one animal joined.
    """
    starts, run_values = value_runs(values)
    codes, names = pd.factorize(run_values, sort=False)
    if text:
        if len(codes) and codes.min() < 0:  # NaN: read as text
            codes, names = pd.factorize(np.asarray([str(v) for v in run_values], dtype=object), sort=False)
        stripped = np.asarray([str(name).strip() for name in names], dtype=object)
        merged, names = pd.factorize(stripped, sort=False)  # ids that differ only in spaces: one animal
        codes = merged[codes]
    codes = np.asarray(codes, dtype=np.int64)
    keep = np.ones(len(codes), dtype=bool)
    keep[1:] = codes[1:] != codes[:-1]
    return AnimalRuns(starts[keep], codes[keep], np.asarray(names, dtype=object), len(values))
