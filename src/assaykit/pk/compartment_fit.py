"""One- and two-compartment fits of one subject's profile.

:func:`fit_compartments` fits a model of :mod:`assaykit.pk.models` to one concentration-time profile with
the project's fitting engine (:func:`assaykit.fitting.fit_curve`: lmfit's Levenberg-Marquardt on the plain
formula in log rate constants, :mod:`assaykit.pk.fit_models`), and reports every parameter on both scales
with its standard error and confidence interval, the half-lives, AUC0-inf, clearance and volumes.
:mod:`assaykit.pk.compartmental` compares the fits and tabulates them for every subject.

Standard errors and intervals:

- fitted parameters: ``SE = sqrt(SS/DF (J^T W J)^-1)``, CI ``estimate +/- t(level, DF) SE`` on the fitting
  scale (the log of a rate constant or volume; amplitudes and the lag time are linear), as R's ``nls``
  and GraphPad Prism compute them;
- a rate ``r = exp(log_r)``, a half-life ``ln 2 / r`` and every derived positive quantity ``q`` (AUC, CL,
  V): SE by the delta method, ``SE(q) = sqrt(g^T Cov g)`` with ``g`` the gradient of ``q`` in the fitted
  parameters (central differences), and the CI ``exp(ln q +/- t SE(q)/q)``: the interval of ``ln q``,
  transformed. For a half-life this is ``ln 2`` over the rate's interval (Motulsky & Christopoulos 2004,
  ch. 18; Gabrielsson & Weiner 2016, section 3.6).

Information criteria use the Gaussian log-likelihood of the weighted least-squares fit, as R's
``logLik.nls``: ``-2 lnL = N (ln 2 pi + 1 - ln N + ln SS) - sum(ln w)``, ``AIC = -2 lnL + 2K`` with ``K`` the
fitted parameters plus one for the residual variance, ``AICc = AIC + 2K(K + 1)/(N - K - 1)`` and
``BIC = -2 lnL + K ln N``. ``AIC`` equals R's ``AIC(nls_fit)``; it differs from Prism's
(:func:`assaykit.fitting.aicc`) by the constant ``N (ln 2 pi + 1) - sum(ln w)``, the same for both models
of one profile, so differences of AICc are Prism's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np

from assaykit.errors import AssayInputError
from assaykit.fitting import CurveFit, CurveFitError, fit_curve
from assaykit.fitting.distributions import t_quantile
from assaykit.pk.fit_models import FIT_MODELS
from assaykit.pk.quantities import QUANTITIES

__all__ = ["CompartmentFit", "Estimate", "fit_compartments"]

ROUTES = ("iv-bolus", "extravascular")
WEIGHTS = {"none": 0, "1/y": 1, "1/y2": 2}


class Estimate(NamedTuple):
    """A value with its standard error and confidence limits (NaN when not estimable)."""

    value: float
    se: float
    ci_lo: float
    ci_hi: float


@dataclass(frozen=True)
class CompartmentFit:
    """A compartment model fitted to one profile.

    Attributes
    ----------
    model, route
        ``"1cmt"`` or ``"2cmt"``; ``"iv-bolus"`` or ``"extravascular"``.
    lag, weights, level, dose
        The options of the fit, and the dose (None when unknown).
    params
        Fitted parameters on their fitting scale (``log_k``, ``a``, ``tlag``, ...) and rate constants and
        volumes on the natural scale (``k``, ``alpha``, ``v_f``, ...), name -> :class:`Estimate`.
    half_lives
        ``alpha`` and ``beta`` (2cmt: distribution and elimination), ``elimination`` (1cmt) and
        ``absorption`` (extravascular): ``ln 2 / rate``, in the unit of time.
    derived
        ``auc_inf``; with a dose ``cl`` and ``v`` (1cmt), ``v1``, ``vss``, ``vz`` (2cmt IV) or ``cl_f``,
        ``v_f``, ``vz_f`` (extravascular), in dose / concentration units; ``c0``, ``tmax``, ``cmax`` where
        defined; micro-constants ``k10``, ``k12``, ``k21`` for a 2cmt IV bolus.
    n, n_params, df
        Points fitted, fitted parameters, ``n - n_params``.
    sse, aic, aicc, bic
        (Weighted) residual sum of squares and information criteria (module docstring).
    converged
        Whether the optimiser converged.
    flags
        Caveats, e.g. ``"flip_flop: ka < k ..."``, ``"ambiguous: ..."``.
    curve_fit
        The engine's :class:`~assaykit.fitting.CurveFit` (fitting-scale values, covariance).
    time, conc
        The points fitted.
    """

    model: str
    route: str
    lag: bool
    weights: str
    level: float
    dose: float | None
    params: dict[str, Estimate]
    half_lives: dict[str, Estimate]
    derived: dict[str, Estimate]
    n: int
    n_params: int
    df: int
    sse: float
    aic: float
    aicc: float
    bic: float
    converged: bool
    flags: tuple[str, ...]
    curve_fit: CurveFit = field(repr=False)
    time: np.ndarray = field(repr=False)
    conc: np.ndarray = field(repr=False)

    def predict(self, t: np.ndarray) -> np.ndarray:
        """Return the fitted concentration at times ``t``."""
        return self.curve_fit.predict(np.asarray(t, dtype=float))


def _points(time_h: np.ndarray, conc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Check a profile and drop the points without a concentration."""
    t = np.asarray(time_h, dtype=float).ravel()
    c = np.asarray(conc, dtype=float).ravel()
    if t.shape != c.shape:
        raise AssayInputError(f"time and concentration differ in length ({t.size} and {c.size})")
    keep = ~np.isnan(c)
    t, c = t[keep], c[keep]
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise AssayInputError("times must be finite and not before the dose (time 0)", column="time_h")
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise AssayInputError("concentrations must be finite and not negative", column="conc")
    if not np.any(c > 0):
        raise AssayInputError("no concentration above zero: nothing to fit", column="conc")
    order = np.argsort(t, kind="stable")
    return t[order], c[order]


def _loglik_terms(ss: float, n: int, w: np.ndarray | None) -> float:
    """``-2 ln L`` of a (weighted) least-squares fit at its maximum (R's ``logLik.nls``)."""
    log_w = 0.0 if w is None else float(np.sum(np.log(w)))
    return n * (math.log(2.0 * math.pi) + 1.0 - math.log(n) + math.log(ss)) - log_w


def _delta(
    func: Callable[[Mapping[str, float]], float],
    values: Mapping[str, float],
    free: tuple[str, ...],
    cov: np.ndarray,
) -> tuple[float, float]:
    """Value of ``func`` at ``values`` and its delta-method SE, with a central-difference gradient."""
    try:
        value = float(func(values))
    except (OverflowError, ZeroDivisionError):  # a fit run off to an extreme rate: no value to report
        return math.nan, math.nan
    if not math.isfinite(value) or np.isnan(cov).any():
        return value, math.nan
    grad = np.zeros(len(free))
    for i, name in enumerate(free):
        h = 1e-6 * max(abs(values[name]), math.sqrt(cov[i, i]), 1e-12)
        up, down = dict(values), dict(values)
        up[name] += h
        down[name] -= h
        try:
            grad[i] = (func(up) - func(down)) / (2.0 * h)
        except (OverflowError, ZeroDivisionError):
            return value, math.nan
    return value, float(math.sqrt(max(grad @ cov @ grad, 0.0)))


def _canonical(fit: CurveFit) -> tuple[dict[str, float], tuple[str, ...], np.ndarray]:
    """Values, free names and covariance, with the faster exponential named alpha (swapped if needed)."""
    values, free, cov = dict(fit.values), fit.free, fit.covariance
    if "log_alpha" in values and values["log_alpha"] < values["log_beta"]:
        swap = {"a": "b", "b": "a", "log_alpha": "log_beta", "log_beta": "log_alpha"}
        values = {name: values[swap.get(name, name)] for name in values}
        order = [free.index(swap.get(name, name)) for name in free]
        cov = cov[np.ix_(order, order)]
    return values, free, cov


def fit_compartments(
    time_h: np.ndarray,
    conc: np.ndarray,
    *,
    dose: float | None,
    route: Literal["iv-bolus", "extravascular"],
    model: Literal["1cmt", "2cmt"],
    lag: bool = False,
    weights: Literal["none", "1/y", "1/y2"] = "none",
    level: float = 0.95,
) -> CompartmentFit:
    """Fit a one- or two-compartment model to one subject's concentration-time profile.

    Parameters
    ----------
    time_h
        Sampling times after the dose, in hours.
    conc
        Concentrations (NaN: not used, e.g. BLQ). Zero concentrations are fitted, as ``nls`` fits them.
    dose
        The dose, or None when unknown: the one-compartment models need it (their volume is a parameter);
        the two-compartment models, in macro-constants, are fitted without it but then report no CL or V.
    route
        ``"iv-bolus"`` or ``"extravascular"`` (first-order absorption).
    model
        ``"1cmt"`` or ``"2cmt"``.
    lag
        Fit a lag time before absorption starts (extravascular only).
    weights
        ``"none"`` (ordinary least squares), ``"1/y"`` or ``"1/y2"`` (weights from the observed
        concentrations; zero concentrations cannot be weighted and are left out, with a flag).
    level
        Confidence level of the intervals.

    Returns
    -------
    CompartmentFit
        The fit; a fit that did not converge is returned with ``converged=False`` and a flag.

    Raises
    ------
    AssayInputError
        For an unknown route, model or weighting, a lag with an IV bolus, negative or non-finite values, no
        concentration above zero, a missing dose where the model needs one, or too few points to leave a
        degree of freedom.
    """
    if route not in ROUTES:
        raise AssayInputError(
            f"route must be one of {', '.join(ROUTES)} for a compartmental fit, not {route!r}"
        )
    if model not in ("1cmt", "2cmt"):
        raise AssayInputError(f"model must be '1cmt' or '2cmt', not {model!r}")
    if weights not in WEIGHTS:
        raise AssayInputError(f"weights must be one of {', '.join(WEIGHTS)}, not {weights!r}")
    if lag and route != "extravascular":
        raise AssayInputError("a lag time applies to extravascular doses only")
    t, c = _points(time_h, conc)
    flags: list[str] = []
    w = None
    if WEIGHTS[weights]:
        zero = c <= 0
        if zero.any():
            flags.append(f"weights: {int(zero.sum())} zero concentration(s) left out of the {weights} fit")
            t, c = t[~zero], c[~zero]
        w = c ** -float(WEIGHTS[weights])
    dose_ok = dose is not None and math.isfinite(dose) and dose > 0
    if model == "1cmt" and not dose_ok:
        raise AssayInputError(f"the 1cmt {route} model needs a positive dose, and the dose is {dose!r}")
    curve_model = FIT_MODELS[(model, route)]
    fixed = {"tlag": 0.0} if "tlag" in curve_model.param_names and not lag else {}
    n_free = len(curve_model.param_names) - len(fixed)
    if t.size < n_free + 1:
        raise AssayInputError(
            f"{t.size} points cannot fit the {n_free} parameters of the {model} {route} model "
            "with a degree of freedom left"
        )
    constants = {"dose": float(dose)} if "dose" in curve_model.constants else {}  # type: ignore[arg-type]
    try:
        fit = fit_curve(curve_model, t, c, fixed=fixed, constants=constants, weights=w, level=level)
    except CurveFitError as exc:
        raise AssayInputError(f"the {model} {route} model cannot be fitted: {exc}") from exc
    values, free, cov = _canonical(fit)
    t_crit = float(t_quantile(level, fit.df))
    wanted = QUANTITIES[(model, route)]
    params, half_lives, derived = {}, {}, {}
    extra = {"dose": float(dose) if dose_ok else math.nan}  # type: ignore[arg-type]
    for name, (kind, scale, func) in wanted.items():
        if name == "tlag" and not lag:
            continue
        value, se = _delta(lambda v, f=func: f({**v, **extra}), values, free, cov)
        if not math.isfinite(value):
            continue
        if scale == "log" and value > 0:
            half = t_crit * se / value
            ci = (value * math.exp(-half), value * math.exp(half))
        else:
            ci = (value - t_crit * se, value + t_crit * se)
        target = {"param": params, "half_life": half_lives, "derived": derived}[kind]
        target[name.removeprefix("half_life_")] = Estimate(value, se, *ci)
    if not fit.converged:
        flags.append(f"not_converged: {fit.message}")
    elif fit.ambiguous:
        flags.append("ambiguous: the parameters are not all identifiable from these points")
    flags += _model_flags(values, t, c, lag)
    span = float(t.max() - t.min())
    beyond = [name for name, est in half_lives.items() if est.value > 10.0 * span]
    if span > 0 and beyond:  # a rate near zero: the data cannot tell the phase from a constant
        flags.append(
            f"half_life_beyond_data: the {' and '.join(beyond)} half-life exceeds 10 times the sampling span "
            f"({span:g} h), which the data cannot define"
        )
    n, k = fit.n_points, len(fit.free)
    m2ll = _loglik_terms(fit.ss, n, w) if fit.ss > 0 else -math.inf
    aic = m2ll + 2.0 * (k + 1)
    aicc = aic + 2.0 * (k + 1) * (k + 2) / (n - k - 2) if n - k - 2 > 0 else math.nan
    return CompartmentFit(
        model=model,
        route=route,
        lag=lag,
        weights=weights,
        level=level,
        dose=float(dose) if dose_ok else None,  # type: ignore[arg-type]
        params=params,
        half_lives=half_lives,
        derived=derived,
        n=n,
        n_params=k,
        df=fit.df,
        sse=fit.ss,
        aic=aic,
        aicc=aicc,
        bic=m2ll + (k + 1) * math.log(n),
        converged=fit.converged,
        flags=tuple(flags),
        curve_fit=fit,
        time=t,
        conc=c,
    )


def _model_flags(values: Mapping[str, float], t: np.ndarray, c: np.ndarray, lag: bool) -> list[str]:
    """Flag the fitted values: negative amplitudes, flip-flop, a lag time outside the samples."""
    flags = []
    if "a" in values and min(values["a"], values["b"]) <= 0:
        flags.append("negative_amplitude: A or B <= 0, the biexponential is not a two-compartment profile")
    if "log_k" in values and "log_ka" in values and values["log_ka"] < values["log_k"]:
        flags.append("flip_flop: ka < k, absorption is slower than elimination (half-lives may be swapped)")
    if "log_alpha" in values and "log_ka" in values and values["log_ka"] < values["log_alpha"]:
        flags.append("flip_flop: ka < alpha, absorption is slower than distribution")
    if lag:
        first = float(t[np.argmax(c > 0)])
        if values["tlag"] < 0:
            flags.append("tlag_negative: the fitted lag time is before the dose")
        elif values["tlag"] >= first:
            flags.append("tlag_late: the fitted lag time is after the first measurable concentration")
    return flags
