"""Descriptive statistics of each group for each endpoint."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Columns of :func:`describe_groups`.
SUMMARY_COLUMNS = (
    "endpoint",
    "group",
    "n",
    "n_missing",
    "mean",
    "sd",
    "sem",
    "median",
    "q1",
    "q3",
    "iqr",
    "min",
    "max",
)

#: The quartile rules of :func:`describe`: numpy's ``method`` for each.
QUARTILE_METHODS = {"type7": "linear", "prism": "weibull"}


def describe(values: np.ndarray, *, quartiles: str = "type7") -> dict[str, float]:
    """Describe one group: n, mean, SD, SEM, median, quartiles, IQR, range.

    ``sd`` is the sample standard deviation (divisor n - 1), ``sem = sd / sqrt(n)``. With ``quartiles=
    "type7"`` (the default) the quartiles ``q1`` and ``q3`` interpolate linearly between order statistics at
    ``p (n - 1) + 1`` (Hyndman & Fan 1996, Am Stat 50:361-365, type 7: numpy's default, R's ``quantile()``
    default, Excel's QUARTILE.INC). With ``quartiles="prism"`` they are taken at rank ``p (n + 1)`` (type 6:
    R's ``quantile(type = 6)``, numpy's ``method="weibull"``), which is how GraphPad Prism 5 and later
    computes quartiles (GraphPad knowledgebase article 501, "How Prism computes percentiles"); it gives wider
    quartiles in small groups and is clamped to the minimum and maximum. ``iqr = q3 - q1``; the median is
    the same under both rules.

    Parameters
    ----------
    values
        The group's values; NaN entries are counted as missing and left out.
    quartiles
        ``"type7"`` or ``"prism"`` (type 6).

    Returns
    -------
    dict
        ``n, n_missing, mean, sd, sem, median, q1, q3, iqr, min, max``; NaN where undefined (everything with
        no value; ``sd`` and ``sem`` with one).
    """
    if quartiles not in QUARTILE_METHODS:
        raise ValueError(f"quartiles must be one of {', '.join(QUARTILE_METHODS)}, got {quartiles!r}")
    x = np.asarray(values, dtype=float)
    present = x[~np.isnan(x)]
    n = int(present.size)
    out: dict[str, float] = {"n": n, "n_missing": int(x.size - n)}
    if n == 0:
        return out | dict.fromkeys(SUMMARY_COLUMNS[4:], math.nan)
    sd = float(present.std(ddof=1)) if n > 1 else math.nan
    q1, median, q3 = (
        float(q) for q in np.percentile(present, [25.0, 50.0, 75.0], method=QUARTILE_METHODS[quartiles])
    )
    return out | {
        "mean": float(present.mean()),
        "sd": sd,
        "sem": sd / math.sqrt(n),
        "median": median,
        "q1": q1,
        "q3": q3,
        "iqr": q3 - q1,
        "min": float(present.min()),
        "max": float(present.max()),
    }


def describe_groups(
    data: pd.DataFrame,
    endpoints: Sequence[str],
    *,
    group: str = "group",
    groups: Sequence[str] | None = None,
    quartiles: str = "type7",
) -> pd.DataFrame:
    """Describe every group for every endpoint: one row per endpoint x group.

    Parameters
    ----------
    data
        One row per animal, with the ``group`` column and numeric endpoint columns (NaN = no value).
    endpoints
        The endpoint columns.
    group
        The column holding each animal's group.
    groups
        The groups, in the order wanted; their order of first appearance in ``data`` when None. A group
        with no animal gets a row with n = 0.
    quartiles
        The quartile rule, ``"type7"`` (default) or ``"prism"`` (see :func:`describe`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS` (see :func:`describe`), endpoints in the order given.
    """
    order = list(pd.unique(data[group])) if groups is None else list(groups)
    labels = data[group].to_numpy()
    rows = []
    for endpoint in endpoints:
        values = pd.to_numeric(data[endpoint], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        for name in order:
            rows.append(
                {"endpoint": endpoint, "group": name, **describe(values[labels == name], quartiles=quartiles)}
            )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
