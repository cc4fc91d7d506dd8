"""Curves of unequal length as padded ``(curves, points)`` arrays, the batch engine's input.

A long table (one row per tube) becomes one array row per curve, each curve's points first in its row and
the rest padding, marked by a mask; results computed on the padded arrays go back to the table's rows with
:meth:`PaddedCurves.scatter`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["PaddedCurves", "fittable", "pad_groups"]


@dataclass(frozen=True)
class PaddedCurves:
    """Points of C curves as ``(C, N)`` arrays, each curve's points first in its row (see :func:`pad_groups`).

    Attributes
    ----------
    mask
        True for real points.
    rows
        Position in the input of each real point, -1 in the padding (int32 for inputs of fewer than
        2**31 rows, else intp).
    columns
        The padded input columns, in the order given.
    """

    mask: np.ndarray
    rows: np.ndarray
    columns: tuple[np.ndarray, ...]

    @property
    def n_points(self) -> np.ndarray:
        """Number of points of each curve."""
        return self.mask.sum(axis=1)

    def scatter(self, padded: np.ndarray, size: int, fill: float = math.nan) -> np.ndarray:
        """Put the real entries of a ``(C, N)`` array back in input order (length ``size``)."""
        out = np.full(size, fill)
        out[self.rows[self.mask]] = padded[self.mask]
        return out


def padded_index(size: int) -> type[np.signedinteger]:
    """Return the integer type of positions among ``size`` rows: int32 (half of intp) where it holds them."""
    return np.int32 if size < np.iinfo(np.int32).max else np.intp


def pad_groups(codes: np.ndarray, n_groups: int, *columns: np.ndarray) -> PaddedCurves:
    """Arrange rows of a long table into one padded row per group, keeping each group's row order.

    Parameters
    ----------
    codes
        Group number (0 .. ``n_groups - 1``) of each input row.
    n_groups
        Number of groups; each must have at least one row.
    *columns
        Arrays as long as ``codes`` to pad (padding: each row's first value, so it stays finite).

    Returns
    -------
    PaddedCurves
        The mask, the input row of each entry and the padded columns.
    """
    index = padded_index(codes.size)
    codes = np.asarray(codes)
    counts = np.bincount(codes, minlength=n_groups)
    starts = (np.cumsum(counts) - counts).astype(index)
    if (codes[1:] >= codes[:-1]).all():  # rows already grouped (a file written curve by curve): no sort
        order, group = np.arange(codes.size, dtype=index), codes
    else:
        order = np.argsort(codes, kind="stable").astype(index)
        group = codes[order]
    position = np.arange(codes.size, dtype=index)
    position -= starts[group]
    width = int(counts.max(initial=1))
    rows = np.full((n_groups, width), -1, dtype=index)
    rows[group, position] = order
    del order, group, position  # a million curves' tubes: each temporary is hundreds of MB
    mask = rows >= 0
    filled = np.where(mask, rows, rows[:, :1])
    return PaddedCurves(mask=mask, rows=rows, columns=tuple(np.asarray(c)[filled] for c in columns))


def fittable(x: np.ndarray, mask: np.ndarray, n_free: int) -> np.ndarray:
    """Whether each curve has at least ``n_free`` distinct concentrations and one degree of freedom left."""
    xs = np.where(mask, x, np.inf)
    xs.sort(axis=1)  # in place: a million curves' copy is 264 MB
    distinct = (np.isfinite(xs[:, :1])).sum(axis=1) + (
        (xs[:, 1:] != xs[:, :-1]) & np.isfinite(xs[:, 1:])
    ).sum(axis=1)
    return (distinct >= n_free) & (mask.sum(axis=1) - n_free >= 1)
