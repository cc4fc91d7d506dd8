"""False-discovery-rate control over many tests: Benjamini-Hochberg q-values.

Shared by every part of assaykit that calls hits among many tests (the activity calls of a binding screen).
"""

from __future__ import annotations

import numpy as np

__all__ = ["bh_qvalues"]


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
