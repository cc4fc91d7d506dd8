"""Adjustment of p-values for multiple tests: Holm (family-wise error) and Benjamini-Hochberg (FDR).

Shared by every part of assaykit that makes many tests: the group comparisons of a study (Holm) and the
activity calls of a binding screen (Benjamini-Hochberg).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["bh_qvalues", "holm"]


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) of a family of tests.

    Parameters
    ----------
    p
        p-values; NaN marks a test not made (left out of the family and NaN in the result).

    Returns
    -------
    numpy.ndarray
        ``q_(i) = min over j >= i of min(1, m p_(j) / j)`` for the p-values sorted ascending, ``m`` the number
        of tests: calling every test with ``q <= alpha`` keeps the expected share of false calls among the
        calls at most ``alpha`` for independent (or positively dependent) tests. The same numbers as R's
        ``p.adjust(p, "BH")``.

    References
    ----------
    Benjamini Y, Hochberg Y (1995) Controlling the false discovery rate: a practical and powerful approach
    to multiple testing. J R Stat Soc B 57:289-300. Benjamini Y, Yekutieli D (2001) Ann Stat 29:1165-1188
    (positive dependence).
    """
    p = np.asarray(p, dtype=float)
    q = np.full(p.shape, np.nan)
    tested = np.flatnonzero(np.isfinite(p))
    m = tested.size
    if m == 0:
        return q
    order = tested[np.argsort(p[tested], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return q


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values (family-wise error rate).

    Sort the m p-values, p(1) <= ... <= p(m). The adjusted value of the i-th smallest is
    ``max over j <= i of min(1, (m - j + 1) * p(j))``: each p-value is multiplied by the number of hypotheses
    not yet rejected, and the running maximum keeps the adjusted values in the order of the raw ones.
    Holm, S. (1979) A simple sequentially rejective multiple test procedure. Scand J Stat 6:65-70. It is
    R's ``p.adjust(method = "holm")`` and statsmodels' ``multipletests(method="holm")``.

    Parameters
    ----------
    p_values
        The raw p-values of one family. NaN entries (comparisons not made) are left NaN and do not count
        towards m.

    Returns
    -------
    numpy.ndarray
        The adjusted p-values, in the input order.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    known = ~np.isnan(p)
    m = int(known.sum())
    if m == 0:
        return out
    values = p[known]
    order = np.argsort(values, kind="stable")
    stepped = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * values[order]))
    adjusted = np.empty(m)
    adjusted[order] = stepped
    out[known] = adjusted
    return out
