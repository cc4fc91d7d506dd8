"""Primary and secondary endpoints: the multiplicity adjustment across endpoints.

A study names one primary endpoint (``open_time_pct``); its comparisons with the control are tested as
they stand (adjusted over the groups only). The other endpoints are secondary, and their p-values are
adjusted once more, across the secondary endpoints, so that the chance of any false claim among all the
secondary comparisons stays at alpha (strong control of the family-wise error rate).

The rule (``holm``, the default) is Holm's procedure applied to endpoints, with the within-endpoint
adjustment (Dunnett, Dunn, ...) kept inside each endpoint. It is the closed test (Marcus, Peritz & Gabriel
1976, Biometrika 63:655-660) whose local test of an intersection of hypotheses over the endpoints E(J) is
Bonferroni across those endpoints and the single-step within-endpoint test inside each: reject when some
endpoint e in E(J) has ``min_g p_adj(e, g) <= alpha / |E(J)|``. Its adjusted p-value of comparison (e, g)
is the maximum, over the sets S of other endpoints, of ``(|S| + 1) min(p_adj(e, g), min over e' in S of
max_g' p_adj(e', g'))`` (the intersection that spares (e, g) longest takes from each other endpoint its
least significant comparison), which is Holm's adjusted value of ``p_adj(e, g)`` in the list ``p_adj(e,
g)``, ``max_g' p_adj(e', g')`` for every other secondary endpoint e' (Holm 1979, Scand J Stat 6:65-70).
With one treated group it is Holm's procedure over the endpoints' p-values. ``bonferroni`` multiplies each
adjusted p-value by the number of secondary endpoints; ``none`` leaves them as they are (say so in a
paper: the secondary endpoints are then exploratory).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assaykit.multiplicity import holm

#: ``role`` of the comparisons of the primary endpoint, and of the others.
PRIMARY, SECONDARY = "primary", "secondary"


def adjust_across_endpoints(
    comparisons: pd.DataFrame, primary: str | None, method: str = "holm"
) -> tuple[pd.Series, pd.Series]:
    """Say which comparisons are primary or secondary, and adjust the secondary ones across endpoints.

    Parameters
    ----------
    comparisons
        One row per endpoint x group with ``endpoint`` and ``p_adjusted`` (the p-value adjusted over the
        groups of its endpoint; NaN for a comparison not made).
    primary
        The primary endpoint; None when the study names none (then every role is empty and the
        across-endpoint p equals ``p_adjusted``).
    method
        ``"holm"``, ``"bonferroni"`` or ``"none"``.

    Returns
    -------
    role : pandas.Series
        ``"primary"``, ``"secondary"`` or empty, aligned with ``comparisons``.
    p_adjusted_endpoints : pandas.Series
        ``p_adjusted`` for the primary endpoint's comparisons, adjusted across the secondary endpoints for
        the others (see the module docstring); NaN where ``p_adjusted`` is NaN.
    """
    if method not in ("holm", "bonferroni", "none"):
        raise ValueError(f"method must be holm, bonferroni or none, got {method!r}")
    p = comparisons["p_adjusted"].to_numpy(dtype=float)
    endpoints = comparisons["endpoint"].astype(str).to_numpy()
    if primary is None:
        return (
            pd.Series("", index=comparisons.index, dtype=object),
            pd.Series(p, index=comparisons.index),
        )
    secondary = endpoints != primary
    role = pd.Series(np.where(secondary, SECONDARY, PRIMARY), index=comparisons.index, dtype=object)
    out = p.copy()
    tested = secondary & np.isfinite(p)
    family = list(dict.fromkeys(endpoints[tested]))
    if method == "none" or not family:
        return role, pd.Series(out, index=comparisons.index)
    least = {e: float(np.max(p[tested & (endpoints == e)])) for e in family}
    for i in np.flatnonzero(tested):
        if method == "bonferroni":
            out[i] = min(1.0, len(family) * p[i])
            continue
        values = [p[i], *(least[e] for e in family if e != endpoints[i])]
        out[i] = holm(values)[0]
    return role, pd.Series(out, index=comparisons.index)
