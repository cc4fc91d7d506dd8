"""The one curve-fitting engine: least squares with lmfit, statistics as GraphPad Prism reports them.

The optimisation is lmfit's Levenberg-Marquardt (MINPACK ``leastsq``) on the plain formula, with the
model's analytic Jacobian (:mod:`assaykit.fitting.least_squares`); :func:`fit_curve` tries several starting
points, iterates Poisson weights and, on request, computes profile-likelihood limits
(:mod:`assaykit.fitting.profile_likelihood`). The standard errors, confidence intervals and parameter
dependencies are then computed from that Jacobian at the best fit, exactly as Prism defines them:

- ``SE(P_i) = sqrt(SS/DF * Cov_ii)`` with ``Cov = (J^T W J)^-1`` and ``DF = n - free parameters``;
- asymptotic CI: ``P_i +/- t(level, DF) * SE(P_i)``;
- profile-likelihood CI: the values of ``P_i`` where the best SS with ``P_i`` held fixed reaches
  ``SS * (1 + F(level; 1, DF) / DF)``, searched within the model's ``profile_span``;
- dependency: ``1 - 1 / (Cov_ii * (Cov^-1)_ii)``; a fit is "ambiguous" above 0.9999.

Sources: GraphPad FAQ 1792 "How does Prism compute the standard errors and confidence intervals of the
best-fit parameters"; GraphPad Curve Fitting Guide, "Confidence tab" (profile likelihood) and "Dependency
and covariance" (reg_diagnostics_tab_4_2.htm); Motulsky & Christopoulos (2004) *Fitting Models to Biological
Data using Linear and Nonlinear Regression*, Oxford UP, ch. 17 and 18.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from assaykit.fitting.distributions import t_quantile
from assaykit.fitting.fit_types import CurveFit, CurveFitError, CurveModel
from assaykit.fitting.fitset import covariance_and_dependency
from assaykit.fitting.least_squares import information_matrix, least_squares
from assaykit.fitting.profile_likelihood import profile_interval

__all__ = ["fit_curve"]


def _starts(model: CurveModel, x: np.ndarray, guess: Mapping[str, float]) -> list[dict]:
    """List starting points: the data-driven guess, then the potency at the ends and middle of the range."""
    starts = [dict(guess)]
    if model.starts is not None:
        return starts + [dict(guess, **s) for s in model.starts(x, guess)]
    lo, hi = float(np.min(x)), float(np.max(x))
    for pos in (lo + 0.25 * (hi - lo), 0.5 * (lo + hi), lo + 0.75 * (hi - lo)):
        alt = dict(guess)
        alt[model.potency] = pos + guess[model.potency] - guess.get("log_ic50", guess[model.potency])
        starts.append(alt)
    return starts


def fit_curve(
    model: CurveModel,
    x: np.ndarray,
    y: np.ndarray,
    *,
    fixed: Mapping[str, float] | None = None,
    constants: Mapping[str, float] | None = None,
    data: Mapping[str, np.ndarray] | None = None,
    weights: np.ndarray | str | None = None,
    ci: str = "asymptotic",
    level: float = 0.95,
) -> CurveFit:
    """Fit one curve by least squares and compute Prism-style standard errors and confidence intervals.

    Parameters
    ----------
    model
        The model to fit, e.g. ``COMPETITION_MODELS["4pl"]``.
    x, y
        The points; every replicate is its own point (Prism's default), not the means.
    fixed
        Parameters to hold constant, besides those the model fixes itself (e.g. ``{"bottom": 212.0}``).
    constants
        The model's experimental constants (e.g. ``{"radioligand_nM": 1, "kd_nM": 1.5}`` for ``fit-ki``).
    data
        The per-point arrays the model takes besides ``x`` (``model.data_columns``), one value per point.
    weights
        Optional weights ``w_i``; the fit minimises ``sum(w_i * (y_i - f(x_i))**2)``. ``"poisson"`` weights
        each point by ``1/Y`` of the curve, as Prism does for radioactive counts: the first fit is unweighted,
        then the weights are recomputed from the fitted curve and the fit repeated until the weighted SS
        stops changing (GraphPad Curve Fitting Guide, "Practical details of weighting";
        Motulsky & Christopoulos 2004, ch. 14).
    ci
        ``"asymptotic"`` (symmetric, from the standard error and t) or ``"profile"`` (profile likelihood
        for the model's potency parameter; the others stay asymptotic).
    level
        Confidence level, 0 < level < 1.

    Returns
    -------
    CurveFit
        Best-fit values, standard errors, intervals and goodness of fit. A fit that did not converge is
        returned with ``converged=False`` and its message, not raised.

    Raises
    ------
    CurveFitError
        When there are fewer distinct x values than free parameters, no degrees of freedom, non-finite
        data, or missing or invalid constants.
    ValueError
        For programming errors: unknown parameter names, ``ci`` or ``level`` out of range.
    """
    if isinstance(weights, str):
        if weights != "poisson":
            raise ValueError(f"weights must be an array, None or 'poisson', not {weights!r}")
        return _fit_poisson(model, x, y, fixed=fixed, constants=constants, data=data, ci=ci, level=level)
    if ci not in ("asymptotic", "profile"):
        raise ValueError(f"ci must be 'asymptotic' or 'profile', not {ci!r}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, not {level!r}")
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and y differ in length ({x.size} and {y.size})")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise CurveFitError("the data contain missing or non-finite values")
    w = None if weights is None else np.asarray(weights, dtype=float).ravel()
    if w is not None and (w.shape != x.shape or np.any(~np.isfinite(w)) or np.any(w <= 0)):
        raise CurveFitError("weights must be positive and finite, one per point")

    consts = {name: float(value) for name, value in (constants or {}).items()}
    missing = [name for name in model.constants if name not in consts]
    if missing:
        raise CurveFitError(f"model '{model.name}' needs the constant(s) {', '.join(missing)}")
    bad = [name for name in model.constants if not (math.isfinite(consts[name]) and consts[name] > 0)]
    if bad:
        raise CurveFitError(f"constant(s) {', '.join(bad)} must be positive numbers")
    consts = {name: consts[name] for name in model.constants}
    arrays = _data_arrays(model, data, x.shape)

    fixed_all = {**model.fixed, **{k: float(v) for k, v in (fixed or {}).items()}}
    unknown = sorted(set(fixed_all) - set(model.param_names))
    if unknown:
        raise ValueError(f"model '{model.name}' has no parameter(s) {', '.join(unknown)}")
    if not all(math.isfinite(v) for v in fixed_all.values()):
        raise CurveFitError("a fixed parameter value is not a finite number")
    free = tuple(name for name in model.param_names if name not in fixed_all)

    n = x.size
    distinct = np.unique(x).size
    if distinct < len(free):
        raise CurveFitError(
            f"{distinct} distinct concentration(s) cannot determine {len(free)} free parameters"
        )
    df = n - len(free)
    if df < 1:
        raise CurveFitError(f"{n} points leave no degrees of freedom for {len(free)} free parameters")

    extra = {**consts, **arrays}
    guess = model.guess(x, y, extra)
    guess.update(fixed_all)
    sqrt_w = None if w is None else np.sqrt(w)

    starts = _starts(model, x, guess)
    best = least_squares(model, x, y, sqrt_w, starts[0], free, extra)
    nfev = best[4]
    for start in starts[1:]:
        if best[2]:
            break
        attempt = least_squares(model, x, y, sqrt_w, start, free, extra)
        nfev += attempt[4]
        if attempt[2] or attempt[1] < best[1]:
            best = attempt
    values, ss, converged, message, _ = best
    if not converged:
        resid = y - model.func(x, **values, **extra)
        ss = float(np.sum((resid**2) * (1.0 if w is None else w)))

    k = len(free)
    if converged and k:
        cov_unscaled, dep = covariance_and_dependency(information_matrix(model, x, w, values, free, extra))
    else:
        cov_unscaled, dep = np.full((k, k), np.nan), np.full(k, np.nan)
    cov = cov_unscaled * (ss / df)
    se = np.sqrt(np.diag(cov)) if k else np.array([])
    t_crit = float(t_quantile(level, df))
    stderr = {name: float(se[i]) for i, name in enumerate(free)}
    cis = {
        name: (values[name] - t_crit * stderr[name], values[name] + t_crit * stderr[name]) for name in free
    }
    if ci == "profile" and converged and model.potency in free:
        potency = model.potency
        span = None if model.profile_span is None else model.profile_span(values[potency])
        cis[potency] = profile_interval(
            model, x, y, w, values, ss, df, free, extra, potency, stderr[potency], level, span=span
        )

    y_mean = np.average(y, weights=w)
    ss_total = float(np.sum((y - y_mean) ** 2 * (1.0 if w is None else w)))
    r_squared = 1.0 - ss / ss_total if ss_total > 0 else math.nan
    for name in model.param_names:
        stderr.setdefault(name, math.nan)
    return CurveFit(
        model=model,
        values=values,
        stderr=stderr,
        ci=cis,
        ci_method=ci,
        level=level,
        free=free,
        constants=consts,
        covariance=cov,
        dependency={name: float(dep[i]) for i, name in enumerate(free)},
        n_points=n,
        df=df,
        ss=ss,
        r_squared=r_squared,
        sy_x=math.sqrt(ss / df),
        converged=converged,
        message=message,
        nfev=nfev,
        data=arrays or None,
        weights=w,
    )


def _data_arrays(model: CurveModel, data: Mapping[str, np.ndarray] | None, shape: tuple[int, ...]) -> dict:
    """Check the per-point arrays a model takes: every one given, one value per point, finite."""
    given = dict(data or {})
    unknown = sorted(set(given) - set(model.data_columns))
    if unknown:
        raise ValueError(f"model '{model.name}' takes no data column(s) {', '.join(unknown)}")
    missing = [name for name in model.data_columns if name not in given]
    if missing:
        raise CurveFitError(f"model '{model.name}' needs the per-point data {', '.join(missing)}")
    arrays = {}
    for name in model.data_columns:
        values = np.asarray(given[name], dtype=float).ravel()
        if values.shape != shape or not np.all(np.isfinite(values)):
            raise CurveFitError(f"'{name}' must be a finite number for every point")
        arrays[name] = values
    return arrays


def _fit_poisson(
    model: CurveModel,
    x: np.ndarray,
    y: np.ndarray,
    *,
    fixed: Mapping[str, float] | None,
    constants: Mapping[str, float] | None,
    data: Mapping[str, np.ndarray] | None,
    ci: str,
    level: float,
    max_rounds: int = 50,
) -> CurveFit:
    """Fit with Poisson weights ``1/Y(curve)``, recomputed until the weighted SS settles (Prism's method)."""
    options = {"fixed": fixed, "constants": constants, "data": data, "level": level}
    fit = fit_curve(model, x, y, ci="asymptotic", **options)
    previous = math.inf
    for _ in range(max_rounds):
        if not fit.converged:
            raise CurveFitError(f"Poisson weights need a converged fit to weight by; {fit.message}")
        curve = fit.predict(np.asarray(x, dtype=float), **(fit.data or {}))
        if not (np.all(np.isfinite(curve)) and np.all(curve > 0)):
            raise CurveFitError("Poisson weights need a fitted curve above zero at every point")
        fit = fit_curve(model, x, y, weights=1.0 / curve, ci="asymptotic", **options)
        if abs(fit.ss - previous) <= 1e-10 * max(fit.ss, 1e-300):
            break
        previous = fit.ss
    if ci == "profile":
        fit = fit_curve(model, x, y, weights=fit.weights, ci="profile", **options)
    return fit
