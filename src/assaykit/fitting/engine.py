"""The one curve-fitting engine: least squares with lmfit, statistics as GraphPad Prism reports them.

The optimisation is lmfit's Levenberg-Marquardt (MINPACK ``leastsq``) on the plain formula, with the
model's analytic Jacobian. The standard errors, confidence intervals and parameter dependencies are then
computed from that Jacobian at the best fit, exactly as Prism defines them:

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

__all__ = ["fit_curve", "profile_interval"]

_TOLERANCES = {"xtol": 1e-12, "ftol": 1e-12}
_MAX_NFEV = 4000


def _least_squares(
    model: CurveModel,
    x: np.ndarray,
    y: np.ndarray,
    sqrt_w: np.ndarray | None,
    start: Mapping[str, float],
    free: tuple[str, ...],
    constants: Mapping[str, float],
) -> tuple[dict[str, float], float, bool, str, int]:
    """Minimise the (weighted) SS over ``free`` from ``start``; return values, SS, success, message, nfev.

    lmfit's Levenberg-Marquardt (MINPACK ``lmder``) is given the model's analytic Jacobian: with
    MINPACK's forward-difference Jacobian the iteration stops up to ~1e-6 log units short of the minimum.
    """
    import lmfit  # imported here: it is slow to import and the batch engine does not need it

    values = {name: float(start[name]) for name in model.param_names}
    fixed = {name: v for name, v in values.items() if name not in free}

    def residual(params: lmfit.Parameters) -> np.ndarray:
        resid = model.func(x, **params.valuesdict(), **fixed, **constants) - y
        return resid if sqrt_w is None else resid * sqrt_w

    def jacobian(params: lmfit.Parameters) -> np.ndarray:
        jac = _jacobian_matrix(model, x, {**params.valuesdict(), **fixed}, free, constants)
        return jac if sqrt_w is None else jac * sqrt_w[:, None]

    if not free:  # nothing to fit: evaluate
        resid = residual(lmfit.Parameters())
        return values, float(resid @ resid), True, "no free parameters", 1
    params = lmfit.Parameters()
    for name in free:
        params.add(name, value=values[name])
    try:
        result = lmfit.minimize(
            residual,
            params,
            method="leastsq",
            nan_policy="raise",
            calc_covar=False,
            max_nfev=_MAX_NFEV,
            Dfun=jacobian,
            col_deriv=0,
            **_TOLERANCES,
        )
    except (ValueError, FloatingPointError, ArithmeticError) as exc:
        return values, math.inf, False, f"optimiser failed: {exc}", 0
    best = {**fixed, **{name: float(result.params[name].value) for name in free}}
    best = {name: best[name] for name in model.param_names}
    ok = bool(result.success) and all(math.isfinite(v) for v in best.values())
    ss = float(np.sum(result.residual**2)) if ok else math.inf
    return best, ss, ok, str(result.message), int(result.nfev)


def _jacobian_matrix(
    model: CurveModel,
    x: np.ndarray,
    values: Mapping[str, float],
    free: tuple[str, ...],
    constants: Mapping[str, float],
) -> np.ndarray:
    """Return the model's analytic Jacobian at ``values`` as an (n points, n free) matrix."""
    jac_all = model.jacobian(x, **values, **constants)
    return np.column_stack([np.broadcast_to(jac_all[name], x.shape) for name in free])


def _information(
    model: CurveModel,
    x: np.ndarray,
    w: np.ndarray | None,
    values: Mapping[str, float],
    free: tuple[str, ...],
    constants: Mapping[str, float],
) -> np.ndarray:
    """Return ``J^T W J`` over the free parameters at ``values``."""
    jac = _jacobian_matrix(model, x, values, free, constants)
    if w is not None:
        return jac.T @ (jac * w[:, None])
    return jac.T @ jac


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
    best = _least_squares(model, x, y, sqrt_w, starts[0], free, extra)
    nfev = best[4]
    for start in starts[1:]:
        if best[2]:
            break
        attempt = _least_squares(model, x, y, sqrt_w, start, free, extra)
        nfev += attempt[4]
        if attempt[2] or attempt[1] < best[1]:
            best = attempt
    values, ss, converged, message, _ = best
    if not converged:
        resid = y - model.func(x, **values, **extra)
        ss = float(np.sum((resid**2) * (1.0 if w is None else w)))

    k = len(free)
    if converged and k:
        cov_unscaled, dep = covariance_and_dependency(_information(model, x, w, values, free, extra))
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
            fitted, ss_v, ok, _, _ = _least_squares(model, x, y, sqrt_w, trial, others, constants)
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
