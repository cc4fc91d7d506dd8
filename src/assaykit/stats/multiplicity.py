"""Adjustment of p-values for multiple comparisons."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


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
