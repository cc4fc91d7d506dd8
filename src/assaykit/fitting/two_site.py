"""Two-site competition: GraphPad Prism's "Two sites - Fit logIC50" and "Two sites - Fit Ki".

The formulas, their analytic Jacobians, a starting guess that finds both sites, and :func:`order_sites`,
which puts a fit's sites in Prism's order (recomputing a profile interval with the engine). The
:class:`~assaykit.fitting.fit_types.CurveModel` objects that bundle the formulas (``TWO_SITE``,
``TWO_SITE_KI``) live in :mod:`assaykit.fitting.models`; this module imports nothing from it, so that it can
be imported there.

"Hi" is the high-affinity site, the one with the lower IC50 (Ki). The equation is symmetric: swapping the two
sites and replacing ``fraction_hi`` by ``1 - fraction_hi`` gives the same curve, so the optimiser may return
the sites in either order; :func:`sites_reversed` and :func:`swap_sites` restore Prism's order after a fit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from assaykit.fitting.distributions import expit, t_quantile
from assaykit.fitting.fit_types import CurveFit
from assaykit.fitting.profile_likelihood import profile_interval

LN10 = math.log(10.0)

#: Spacing (log units) of the grid of site positions searched by :func:`guess_two_site`.
GRID_STEP = 0.25


def _site(x: np.ndarray, log_ic50: float) -> np.ndarray:
    """Fraction of one site still bound by the radioligand: ``1 / (1 + 10^(X - LogIC50))``."""
    return expit((log_ic50 - np.asarray(x, dtype=float)) * LN10)


def two_site(
    x: np.ndarray,
    top: float = 100.0,
    bottom: float = 0.0,
    log_ic50_hi: float = -9.0,
    log_ic50_lo: float = -7.0,
    fraction_hi: float = 0.5,
) -> np.ndarray:
    """Two-site competition on log concentration (Prism "Two sites - Fit logIC50").

    ``Span = Top - Bottom``
    ``Y = Bottom + Span*FractionHi/(1 + 10^(X - LogIC50Hi)) + Span*(1 - FractionHi)/(1 + 10^(X - LogIC50Lo))``

    Parameters
    ----------
    x
        log10 of the molar concentration of the competitor.
    top, bottom
        Plateaus at low and high concentration, in the units of the data.
    log_ic50_hi, log_ic50_lo
        log10 molar IC50 of the high- and low-affinity site; each site has a Hill slope of -1.
    fraction_hi
        Fraction of the specific binding that is to the high-affinity site.

    Returns
    -------
    numpy.ndarray
        The model at each ``x``.

    Notes
    -----
    Source: GraphPad Prism 5 help, "Equation: Two sites - Fit logIC50" (reg_competition_two_sites_ic50.htm);
    Motulsky & Christopoulos (2004) *Fitting Models to Biological Data*, ch. 45.
    """
    span = top - bottom
    return bottom + span * (fraction_hi * _site(x, log_ic50_hi) + (1.0 - fraction_hi) * _site(x, log_ic50_lo))


def _two_site_jacobian(
    x: np.ndarray, top: float, bottom: float, log_ic50_hi: float, log_ic50_lo: float, fraction_hi: float
) -> dict[str, np.ndarray]:
    """Partial derivatives of :func:`two_site`; with ``s = 1/(1+10^(X-L))``, ``ds/dL = ln10 s (1-s)``."""
    s_hi, s_lo = _site(x, log_ic50_hi), _site(x, log_ic50_lo)
    span = top - bottom
    bound = fraction_hi * s_hi + (1.0 - fraction_hi) * s_lo
    return {
        "top": bound,
        "bottom": 1.0 - bound,
        "log_ic50_hi": span * fraction_hi * LN10 * s_hi * (1.0 - s_hi),
        "log_ic50_lo": span * (1.0 - fraction_hi) * LN10 * s_lo * (1.0 - s_lo),
        "fraction_hi": span * (s_hi - s_lo),
    }


def hot_shift(radioligand_nM: float, kd_nM: float) -> float:  # noqa: N803 - the unit is part of the name
    """Return ``log10(1 + [L]/Kd)``: log IC50 minus log Ki at one site (Cheng & Prusoff 1973)."""
    return math.log10(1.0 + radioligand_nM / kd_nM)


def two_site_fit_ki(
    x: np.ndarray,
    top: float = 100.0,
    bottom: float = 0.0,
    log_ki_hi: float = -9.0,
    log_ki_lo: float = -7.0,
    fraction_hi: float = 0.5,
    radioligand_nM: float = 1.0,  # noqa: N803 - the unit is part of the name
    kd_nM: float = 1.0,  # noqa: N803
    kd_lo_nM: float = 1.0,  # noqa: N803
) -> np.ndarray:
    """Two-site competition with each site's Ki fitted (Prism "Two sites - Fit Ki").

    ``logEC50Hi = log(10^logKiHi * (1 + HotNM/HotKdNMHi))``
    ``logEC50Lo = log(10^logKiLo * (1 + HotNM/HotKdNMLo))``
    then :func:`two_site` with those midpoints.

    Parameters
    ----------
    x
        log10 of the molar concentration of the competitor.
    top, bottom, fraction_hi
        As in :func:`two_site`.
    log_ki_hi, log_ki_lo
        log10 molar Ki of the competitor at the high- and low-affinity site.
    radioligand_nM
        The radioligand's concentration in the assay (nM; Prism's HotNM).
    kd_nM, kd_lo_nM
        The radioligand's Kd (nM) at the site the competitor binds with high affinity (Prism's HotKdNMHi) and
        at its low-affinity site (HotKdNMLo). When the radioligand does not tell the two sites apart, give the
        same value twice.

    Returns
    -------
    numpy.ndarray
        The model at each ``x``.

    Notes
    -----
    Source: GraphPad Prism 8 Curve Fitting Guide, "Equation: Two sites - Fit Ki"
    (reg_competition_two_sites_ki.htm). Cheng-Prusoff is applied to each site inside the model, so each log
    Ki gets its own standard error and confidence interval.
    """
    shift_hi, shift_lo = hot_shift(radioligand_nM, kd_nM), hot_shift(radioligand_nM, kd_lo_nM)
    return two_site(x, top, bottom, log_ki_hi + shift_hi, log_ki_lo + shift_lo, fraction_hi)


def _two_site_fit_ki_jacobian(
    x: np.ndarray,
    top: float,
    bottom: float,
    log_ki_hi: float,
    log_ki_lo: float,
    fraction_hi: float,
    radioligand_nM: float,  # noqa: N803
    kd_nM: float,  # noqa: N803
    kd_lo_nM: float,  # noqa: N803
) -> dict[str, np.ndarray]:
    shift_hi, shift_lo = hot_shift(radioligand_nM, kd_nM), hot_shift(radioligand_nM, kd_lo_nM)
    jac = _two_site_jacobian(x, top, bottom, log_ki_hi + shift_hi, log_ki_lo + shift_lo, fraction_hi)
    return {
        "top": jac["top"],
        "bottom": jac["bottom"],
        "log_ki_hi": jac["log_ic50_hi"],
        "log_ki_lo": jac["log_ic50_lo"],
        "fraction_hi": jac["fraction_hi"],
    }


def _grid_candidates(x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """Return starting points from a grid of site positions, one per kind of two-site curve.

    For fixed midpoints the model ``Bottom + A_hi s_hi + A_lo s_lo`` is linear in its three amplitudes, so
    each pair of positions is solved exactly by linear least squares (variable projection). The grid spans
    the tested range plus one log unit each side in ``GRID_STEP`` steps. Two-site curves have distinct local
    minima (a minor high-affinity site, or a minor low-affinity one; sites close together or far apart), so
    the best pair is kept from each class (fraction of high-affinity sites below or above one half, sites
    closer or further than 1.5 log units), as ``[top, bottom, log IC50 hi, log IC50 lo, fraction hi]``.
    """
    lo, hi = float(np.min(x)) - 1.0, float(np.max(x)) + 1.0
    grid = np.arange(lo, hi + GRID_STEP / 2, GRID_STEP)
    s = _site(x[None, :], grid[:, None])  # (grid, points)
    i, j = np.triu_indices(grid.size, k=1)  # every pair with the high-affinity site left of the other
    ones = np.ones((i.size, x.size))
    design = np.stack([ones, s[i], s[j]], axis=2)  # (pairs, points, 3)
    normal = np.einsum("kpa,kpb->kab", design, design)
    rhs = np.einsum("kpa,p->ka", design, y)
    # Tiny ridge: two adjacent columns are nearly collinear; this keeps every 3x3 system solvable.
    scale = np.einsum("kaa->ka", normal).max(axis=1)[:, None, None]
    coef = np.linalg.solve(normal + 1e-12 * scale * np.eye(3), rhs[..., None])[..., 0]
    ss = np.sum((np.einsum("kpa,ka->kp", design, coef) - y) ** 2, axis=1)
    span = coef[:, 1] + coef[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(span != 0, coef[:, 1] / span, 0.5)
    gap = grid[j] - grid[i]
    candidates = []
    for in_class in (
        (fraction < 0.5) & (gap <= 1.5),
        (fraction < 0.5) & (gap > 1.5),
        (fraction >= 0.5) & (gap <= 1.5),
        (fraction >= 0.5) & (gap > 1.5),
    ):
        if in_class.any():
            k = int(np.flatnonzero(in_class)[np.argmin(ss[in_class])])
            b = coef[k, 0]
            candidates.append(np.array([b + span[k], b, grid[i[k]], grid[j[k]], fraction[k]]))
    return candidates


def _polish(x: np.ndarray, y: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, float]:
    """Refine a starting point by unweighted least squares; return it and its SS (inf if that fails)."""

    def residual(p: np.ndarray) -> np.ndarray:
        return two_site(x, *p) - y

    def jacobian(p: np.ndarray) -> np.ndarray:
        parts = _two_site_jacobian(x, *p)
        names = ("top", "bottom", "log_ic50_hi", "log_ic50_lo", "fraction_hi")
        return np.column_stack([np.broadcast_to(parts[n], x.shape) for n in names])

    from scipy import optimize  # imported here: slow to import

    try:
        result = optimize.least_squares(residual, start, jac=jacobian, method="lm", max_nfev=200)
    except (ValueError, FloatingPointError):
        return start, math.inf
    if not np.all(np.isfinite(result.x)):
        return start, math.inf
    return result.x, float(result.fun @ result.fun)


def guess_two_site(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Data-driven starting values that find both sites.

    The best grid pair of each kind of two-site curve (:func:`_grid_candidates`) is refined by least squares
    and the refinement with the smallest sum of squares is the guess, with the sites in Prism's order; the
    fitting engine then starts inside the basin of the global minimum. With the Cheng-Prusoff constants the
    log Ki of each site is its log IC50 minus ``log10(1 + [L]/Kd)`` of that site.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    candidates = _grid_candidates(x, y)
    polished = [_polish(x, y, start) for start in candidates]
    best, ss = min(polished, key=lambda item: item[1])
    if not math.isfinite(ss):  # nothing refined: the best grid pair itself
        best = candidates[0]
    guess = dict(
        zip(("top", "bottom", "log_ic50_hi", "log_ic50_lo", "fraction_hi"), map(float, best), strict=True)
    )
    if guess["log_ic50_hi"] > guess["log_ic50_lo"]:
        guess = swap_sites(guess)
    if constants and {"radioligand_nM", "kd_nM"} <= set(constants):
        kd_lo = constants.get("kd_lo_nM", constants["kd_nM"])
        guess["log_ki_hi"] = guess["log_ic50_hi"] - hot_shift(constants["radioligand_nM"], constants["kd_nM"])
        guess["log_ki_lo"] = guess["log_ic50_lo"] - hot_shift(constants["radioligand_nM"], kd_lo)
    return guess


def two_site_starts(x: np.ndarray, guess: Mapping[str, float]) -> list[dict[str, float]]:
    """Return further starting points, tried when the guess does not converge.

    The sites moved apart and together, and the fraction at a quarter and three quarters.
    """
    names = ("log_ki_hi", "log_ki_lo") if "log_ki_hi" in guess else ("log_ic50_hi", "log_ic50_lo")
    hi, lo = guess[names[0]], guess[names[1]]
    starts = []
    for d_hi, d_lo, fraction in ((-0.5, 0.5, 0.5), (0.25, -0.25, 0.5), (0.0, 0.0, 0.25), (0.0, 0.0, 0.75)):
        starts.append({names[0]: hi + d_hi, names[1]: lo + d_lo, "fraction_hi": fraction})
    return starts


def sites_reversed(values: Mapping[str, float], constants: Mapping[str, float] | None = None) -> bool:
    """Whether a two-site fit came out with its low-affinity site labelled "hi" and may be relabelled.

    Swapping the two sites together with ``fraction_hi -> 1 - fraction_hi`` leaves the curve unchanged, except
    in "Two sites - Fit Ki" with a different radioligand Kd at each site: there each site is tied to its Kd
    (``kd_nM`` for "hi", ``kd_lo_nM`` for "lo") and the labels are never swapped.
    """
    names = ("log_ki_hi", "log_ki_lo") if "log_ki_hi" in values else ("log_ic50_hi", "log_ic50_lo")
    if constants and constants.get("kd_lo_nM", constants.get("kd_nM")) != constants.get("kd_nM"):
        return False
    return bool(values[names[0]] > values[names[1]])


def swap_sites(values: Mapping[str, float]) -> dict[str, float]:
    """Return the same curve with the two sites' labels exchanged (``fraction_hi -> 1 - fraction_hi``)."""
    names = ("log_ki_hi", "log_ki_lo") if "log_ki_hi" in values else ("log_ic50_hi", "log_ic50_lo")
    out = dict(values)
    out[names[0]], out[names[1]] = values[names[1]], values[names[0]]
    out["fraction_hi"] = 1.0 - values["fraction_hi"]
    return out


def order_sites(fit: CurveFit, x: np.ndarray, y: np.ndarray) -> CurveFit:
    """Return a two-site fit with its high-affinity site labelled "hi" (the fit itself if it already is).

    The relabelled fit is the same curve: values, standard errors, intervals, covariance and dependencies
    are those of the original under the exchange of the two sites and ``fraction_hi -> 1 - fraction_hi``
    (whose SE is unchanged). The asymptotic intervals are recomputed from them; with ``ci_method="profile"``
    the profile-likelihood interval of the potency (the "hi" site) is recomputed for the site that now
    carries the name.

    Parameters
    ----------
    fit
        A fit of ``two-site`` or ``two-site-ki``.
    x, y
        The points it was fitted to (for the profile interval).

    Returns
    -------
    CurveFit
        The fit with the sites in Prism's order (see :func:`sites_reversed`).
    """
    if not (fit.converged and sites_reversed(fit.values, fit.constants)):
        return fit
    names = ("log_ki_hi", "log_ki_lo") if "log_ki_hi" in fit.values else ("log_ic50_hi", "log_ic50_lo")
    exchange = {names[0]: names[1], names[1]: names[0]}
    values = swap_sites(fit.values)
    stderr = {name: fit.stderr[exchange.get(name, name)] for name in fit.stderr}
    t_crit = float(t_quantile(fit.level, fit.df))
    half = {name: t_crit * stderr[name] for name in fit.ci}
    ci = {name: (values[name] - half[name], values[name] + half[name]) for name in fit.ci}
    # the linear map from old to new free parameters: a permutation, with -1 for fraction_hi
    position = {name: i for i, name in enumerate(fit.free)}
    transform = np.zeros((len(fit.free), len(fit.free)))
    for i, name in enumerate(fit.free):
        transform[i, position[exchange.get(name, name)]] = -1.0 if name == "fraction_hi" else 1.0
    covariance = transform @ fit.covariance @ transform.T
    dependency = {name: fit.dependency[exchange.get(name, name)] for name in fit.dependency}
    potency = fit.model.potency
    if fit.ci_method == "profile" and potency in fit.free:
        extra = {**fit.constants, **(fit.data or {})}
        ci[potency] = profile_interval(
            fit.model, np.asarray(x, float), np.asarray(y, float), fit.weights, values, fit.ss, fit.df,
            fit.free, extra, potency, stderr[potency], fit.level,
        )  # fmt: skip
    return replace(fit, values=values, stderr=stderr, ci=ci, covariance=covariance, dependency=dependency)
