"""Profile-likelihood confidence limits of one parameter, as GraphPad Prism computes them.

:func:`profile_interval` holds the parameter at values walking out from the best fit, refits the other free
parameters (:func:`~assaykit.fitting.least_squares.least_squares`) and finds where the best sum of squares
crosses Prism's F threshold. :func:`~assaykit.fitting.engine.fit_curve` calls it for a model's potency
with ``ci="profile"``; :func:`~assaykit.fitting.two_site.order_sites` after relabelling the sites.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from assaykit.fitting.fit_types import CurveModel
from assaykit.fitting.least_squares import least_squares


def profile_interval(
    model: CurveModel,
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray | None,
    values: Mapping[str, float],
    ss: float,
    df: int,
    free: tuple[str, ...],
    constants: Mapping[str, float],
    name: str,
    stderr: float,
    level: float = 0.95,
    max_distance: float = 12.0,
    span: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """Profile-likelihood confidence limits of one parameter.

    The limits are where the best SS with ``name`` held fixed (the other free parameters refitted) rises to
    ``SS * (1 + F(level; 1, DF) / DF)``, Prism's threshold for profile intervals (the same F criterion as
    ``lmfit.conf_interval``).

    Parameters
    ----------
    model, x, y, w, values, ss, df, free, constants
        The data, weights and best fit, as in :func:`fit_curve`.
    name
        The parameter to profile (a free parameter).
    stderr
        Its asymptotic standard error, used as the first search step.
    level
        Confidence level.
    max_distance
        How far from the best fit to search (in the parameter's units) before calling a side open, when
        ``span`` is None.
    span
        ``(low, high)``: the values the search may reach instead of ``best +/- max_distance`` (a model's
        ``profile_span``; e.g. a positive range that scales with a linear Kd). On each side the first step
        is the standard error, kept between 1/12000 and 1/12 of the distance to that side's edge
        (1e-3 to 1 log unit for the default span), and doubles until the threshold or the edge is reached.

    Returns
    -------
    tuple of float
        ``(low, high)``; ``-inf`` or ``inf`` on a side whose profile stays below the threshold up to the edge
        of the span (or that has no room to search); NaN on a side where no reliable crossing could be
        located.

    Notes
    -----
    Source: GraphPad Curve Fitting Guide, "Confidence tab" (profile likelihood, Prism 7 and later);
    Venzon & Moolgavkar (1988) Appl Stat 37:87-94; Motulsky & Christopoulos (2004) ch. 17.
    """
    from scipy import optimize, special  # imported here: slow to import, and only profiles need them

    target = ss * (1.0 + float(special.fdtri(1.0, df, level)) / df)
    others = tuple(p for p in free if p != name)
    sqrt_w = None if w is None else np.sqrt(w)

    def constrained_ss(v: float, starts: list[dict[str, float]]) -> tuple[float, dict[str, float]]:
        """Best SS with ``name`` fixed at ``v``: the lowest refit over the given starts (deterministic)."""
        best_ss, best_values = math.inf, dict(values)
        for start in starts:
            trial = {**start, name: v}
            fitted, ss_v, ok, _, _ = least_squares(model, x, y, sqrt_w, trial, others, constants)
            if ok and ss_v < best_ss:
                best_ss, best_values = ss_v, fitted
        return best_ss, best_values

    best = values[name]
    edges = span if span is not None else (best - max_distance, best + max_distance)
    step = stderr if math.isfinite(stderr) and stderr > 0 else 0.1
    limits = []
    for sign, reach in ((-1.0, best - edges[0]), (1.0, edges[1] - best)):
        if not reach > 0:  # the best fit is at or beyond this edge of the span: nothing to search
            limits.append(sign * math.inf)
            continue
        # Walk outwards, warm-starting each probe from the previous one, until the threshold is crossed.
        inner, inner_values, outer = best, dict(values), math.nan
        distance = min(max(step, reach / 12000.0), reach / 12.0)
        while True:
            v = best + sign * min(distance, reach)
            ss_v, fitted = constrained_ss(v, [inner_values, dict(values)])
            if ss_v > target:
                outer = v
                break
            inner, inner_values = v, fitted
            if distance >= reach:
                break
            distance *= 2.0
        if math.isnan(outer):
            limits.append(sign * math.inf)
            continue
        # During the root search the starts are fixed, so the function brentq sees is a function of v.
        starts = [inner_values, dict(values)]
        lo, hi = sorted((inner, outer))
        try:
            limits.append(
                optimize.brentq(lambda v, st=starts: constrained_ss(v, st)[0] - target, lo, hi, xtol=1e-8)
            )
        except ValueError:  # the constrained SS is not monotone inside the bracket: no reliable limit
            limits.append(math.nan)
    return limits[0], limits[1]
