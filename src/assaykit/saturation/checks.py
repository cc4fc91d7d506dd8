"""Implausible saturation input, data set by data set: what keeps a data set from being fitted.

A data set is not fitted (its row says ``not_fitted: <why>`` and a warning names it) when more than half of
its tubes lie outside the plausible concentrations of :data:`assaykit.plausible.PLAUSIBLE_MOLAR`, or when
its nsb tubes are not below its total tubes at most concentrations (:func:`saturation_problem`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assaykit.formatting import sig
from assaykit.plausible import PLAUSIBLE_TEXT, format_molar, outside_plausible


def _count(value: float) -> str:
    """Format a mean count for a message: whole counts from 100 up, else three significant figures."""
    return f"{value:.0f}" if abs(value) >= 100 else sig(value, 3)


def saturation_problem(tubes: pd.DataFrame, unit: str) -> str | None:
    """Return why a saturation data set must not be fitted, or None.

    Parameters
    ----------
    tubes
        The data set's rows of the canonical saturation frame (``kind``, ``conc_nM``, ``signal``).
    unit
        The signal unit, for the message.

    Returns
    -------
    str or None
        - When more than half of its tubes lie outside :data:`~assaykit.plausible.PLAUSIBLE_MOLAR`: its
          concentrations are in another unit than the column says.
        - When its nsb tubes are not below its total tubes (by the means at each concentration that has
          both) at more than half of those concentrations: nonspecific binding is part of total binding, so
          it cannot exceed it; the kind labels are most likely swapped (or there is no specific binding to
          fit). The message quotes both means at the highest such concentration.
    """
    molar = tubes["conc_nM"].to_numpy(float) * 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        outside = outside_plausible(np.log10(molar))
    if 2 * int(outside.sum()) > len(tubes):
        span = f"{format_molar(molar.min())} to {format_molar(molar.max())}"
        return f"its concentrations ({span}) lie outside the plausible {PLAUSIBLE_TEXT}; check their unit"
    means = tubes[tubes["kind"].isin(["total", "nsb"])].groupby(["conc_nM", "kind"])["signal"].mean()
    both = means.unstack("kind").reindex(columns=["total", "nsb"]).dropna()
    if both.empty:
        return None
    not_below = both["nsb"] >= both["total"]
    if 2 * int(not_below.sum()) <= len(both):
        return None
    conc = float(both.index[not_below.to_numpy()].max())
    total, nsb = both.loc[conc, "total"], both.loc[conc, "nsb"]
    return (
        f"its nsb tubes are not below its total tubes at {int(not_below.sum())} of {len(both)} "
        f"concentrations (at {conc:g} nM: total {_count(total)} {unit}, nsb {_count(nsb)} {unit}); are the "
        "kind labels total and nsb swapped?"
    )
