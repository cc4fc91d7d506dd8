"""The compartment models as the fitting engine fits them: log rate constants, Jacobians, starting values.

Each :class:`~assaykit.fitting.fit_types.CurveModel` here wraps a formula of :mod:`assaykit.pk.models` in
the parameters that fit stably: rate constants and volumes as natural logarithms (``log_k = ln k``), as R's
self-starting models ``SSbiexp`` and ``SSfol`` use ``lrc = log(rate)``, so that every rate stays positive
without bounds; amplitudes and the lag time stay linear. Each has its analytic Jacobian (the engine's
Levenberg-Marquardt needs one to reach the minimum to ~1e-10) and a data-driven starting guess by curve
stripping (the method of residuals; Gibaldi & Perrier 1982, ch. 1 and appendix C):

1. the terminal phase: a log-linear regression of the last three (or more) measurable points after Cmax
   gives the slowest rate (``k`` or ``beta``) and its intercept;
2. two compartments: the earlier points after Cmax minus that terminal line leave residuals whose
   log-linear regression gives ``alpha`` and ``A``;
3. oral: the fitted disposition curve minus the absorption-phase points (up to Cmax) gives ``ka``;
4. a lag time starts half-way between the last zero concentration and the first measurable one.

Where a step has too few positive residuals it falls back to a fixed multiple of the slower rate (``alpha =
5 beta``, ``ka = 5 k``), and the engine tries swapped and scaled starts when the first fit does not converge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from assaykit.fitting.fit_types import CurveModel
from assaykit.pk.models import bateman_kernel, one_compartment_iv, one_compartment_oral, two_compartment_oral


def _tau(t: np.ndarray, tlag: float) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(t, dtype=float)
    return np.maximum(t - tlag, 0.0), t > tlag


def one_iv(t: np.ndarray, log_v: float = 0.0, log_k: float = -2.0, dose: float = 1.0) -> np.ndarray:
    """:func:`~assaykit.pk.models.one_compartment_iv` with ``log_v = ln V`` and ``log_k = ln k``."""
    return one_compartment_iv(t, dose, math.exp(log_v), math.exp(log_k))


def _one_iv_jacobian(t: np.ndarray, log_v: float, log_k: float, dose: float) -> dict[str, np.ndarray]:
    c = one_iv(t, log_v, log_k, dose)
    return {"log_v": -c, "log_k": -math.exp(log_k) * np.asarray(t, dtype=float) * c}


def two_iv(
    t: np.ndarray, a: float = 1.0, log_alpha: float = 0.0, b: float = 0.1, log_beta: float = -2.0
) -> np.ndarray:
    """Evaluate the biexponential with ``log_alpha = ln alpha``, ``log_beta = ln beta`` (R's ``SSbiexp``)."""
    t = np.asarray(t, dtype=float)
    return a * np.exp(-math.exp(log_alpha) * t) + b * np.exp(-math.exp(log_beta) * t)


def _two_iv_jacobian(t: np.ndarray, a: float, log_alpha: float, b: float, log_beta: float) -> dict:
    t = np.asarray(t, dtype=float)
    alpha, beta = math.exp(log_alpha), math.exp(log_beta)
    ea, eb = np.exp(-alpha * t), np.exp(-beta * t)
    return {"a": ea, "log_alpha": -a * alpha * t * ea, "b": eb, "log_beta": -b * beta * t * eb}


def one_oral(
    t: np.ndarray,
    log_ka: float = 0.0,
    log_k: float = -2.0,
    log_v_f: float = 0.0,
    tlag: float = 0.0,
    dose: float = 1.0,
) -> np.ndarray:
    """:func:`~assaykit.pk.models.one_compartment_oral` with log rate constants and ``log_v_f = ln(V/F)``."""
    return one_compartment_oral(t, dose, math.exp(log_v_f), math.exp(log_ka), math.exp(log_k), tlag)


def _psi(x: np.ndarray) -> np.ndarray:
    """``-(exp(-x) - 1 + x) / x^2`` for ``x >= 0``, by its series near 0."""
    safe = np.where(x > 1e-2, x, 1.0)
    series = -(0.5 - x / 6.0 + x**2 / 24.0 - x**3 / 120.0 + x**4 / 720.0)
    return np.where(x > 1e-2, -(np.expm1(-safe) + safe) / safe**2, series)


def _omega(x: np.ndarray) -> np.ndarray:
    """``(1 - exp(-x) - x exp(-x)) / x^2`` for ``x >= 0``, by its series near 0."""
    safe = np.where(x > 1e-2, x, 1.0)
    series = 0.5 - x / 3.0 + x**2 / 8.0 - x**3 / 30.0 + x**4 / 144.0
    return np.where(x > 1e-2, (-np.expm1(-safe) - safe * np.exp(-safe)) / safe**2, series)


def _one_oral_jacobian(
    t: np.ndarray, log_ka: float, log_k: float, log_v_f: float, tlag: float, dose: float
) -> dict[str, np.ndarray]:
    ka, k, scale = math.exp(log_ka), math.exp(log_k), dose / math.exp(log_v_f)
    tau, after = _tau(t, tlag)
    g = bateman_kernel(k, ka, tau)
    x = abs(ka - k) * tau
    slow = tau**2 * np.exp(-min(k, ka) * tau)
    d_slow, d_fast = slow * _psi(x), -slow * _omega(x)  # dg/d(smaller rate), dg/d(larger rate)
    dg_dk, dg_dka = (d_slow, d_fast) if k <= ka else (d_fast, d_slow)
    dg_dtau = np.exp(-k * tau) - ka * g
    return {
        "log_ka": ka * scale * (g + ka * dg_dka),
        "log_k": k * scale * ka * dg_dk,
        "log_v_f": -scale * ka * g,
        "tlag": np.where(after, -scale * ka * dg_dtau, 0.0),
    }


def two_oral(
    t: np.ndarray,
    a: float = 1.0,
    log_alpha: float = 0.0,
    b: float = 0.1,
    log_beta: float = -2.0,
    log_ka: float = 1.0,
    tlag: float = 0.0,
) -> np.ndarray:
    """:func:`~assaykit.pk.models.two_compartment_oral` with log rate constants."""
    return two_compartment_oral(t, a, math.exp(log_alpha), b, math.exp(log_beta), math.exp(log_ka), tlag)


def _two_oral_jacobian(
    t: np.ndarray, a: float, log_alpha: float, b: float, log_beta: float, log_ka: float, tlag: float
) -> dict[str, np.ndarray]:
    alpha, beta, ka = math.exp(log_alpha), math.exp(log_beta), math.exp(log_ka)
    tau, after = _tau(t, tlag)
    ea, eb, ek = np.exp(-alpha * tau), np.exp(-beta * tau), np.exp(-ka * tau)
    dc_dtau = -a * alpha * ea - b * beta * eb + (a + b) * ka * ek
    return {
        "a": ea - ek,
        "log_alpha": -a * alpha * tau * ea,
        "b": eb - ek,
        "log_beta": -b * beta * tau * eb,
        "log_ka": (a + b) * ka * tau * ek,
        "tlag": np.where(after, -dc_dtau, 0.0),
    }


def _loglinear(t: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    """``(rate, intercept)`` of ``ln c = ln intercept - rate t`` by least squares (NaN when undetermined)."""
    keep = c > 0
    if keep.sum() < 2 or np.ptp(t[keep]) == 0:
        return math.nan, math.nan
    slope, icept = np.polyfit(t[keep], np.log(c[keep]), 1)
    return float(-slope), float(math.exp(icept))


def _stripping(t: np.ndarray, y: np.ndarray, lagged: bool) -> dict[str, float]:
    """Curve stripping: terminal rate and intercept, distribution phase, absorption rate, lag time."""
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    positive = np.flatnonzero(y > 0)
    i_max = int(np.argmax(y))
    zeros_before = np.flatnonzero((y <= 0) & (t < t[positive[0]]))
    tlag = 0.5 * (t[zeros_before[-1]] + t[positive[0]]) if lagged and zeros_before.size else 0.0
    tau = t - tlag
    post = positive[positive >= i_max]
    n_term = max(3, post.size // 2) if post.size >= 3 else post.size
    term = post[-n_term:] if n_term >= 2 else positive[-2:]
    beta, b = _loglinear(tau[term], y[term])
    span = max(float(np.ptp(t)), 1e-9)
    if not (math.isfinite(beta) and beta > 0):
        beta, b = math.log(2.0) / span, float(y[positive[-1]] * math.exp(math.log(2.0) / span * tau[-1]))
    early = np.setdiff1d(post, term)
    resid = y[early] - b * np.exp(-beta * tau[early])
    alpha, a = _loglinear(tau[early], resid)
    if not (math.isfinite(alpha) and alpha > 1.5 * beta):
        alpha, a = 5.0 * beta, max(float(y[i_max] - b * math.exp(-beta * tau[i_max])), 0.1 * b)
    rising = np.flatnonzero((np.arange(t.size) <= i_max) & (tau > 0))
    disposition = b * np.exp(-beta * tau[rising])
    ka, _ = _loglinear(tau[rising], disposition - y[rising])
    ka_two, _ = _loglinear(tau[rising], disposition + a * np.exp(-alpha * tau[rising]) - y[rising])
    return {"beta": beta, "b": b, "alpha": alpha, "a": a, "ka": ka, "ka_two": ka_two, "tlag": tlag}


def _guess_one_iv(t: np.ndarray, y: np.ndarray, constants: Mapping[str, float]) -> dict[str, float]:
    k, c0 = _loglinear(np.asarray(t, dtype=float), np.asarray(y, dtype=float))
    if not (math.isfinite(k) and k > 0):
        k, c0 = math.log(2.0) / max(float(np.ptp(t)), 1e-9), float(np.max(y))
    return {"log_v": math.log(constants["dose"] / c0), "log_k": math.log(k)}


def _guess_two_iv(t: np.ndarray, y: np.ndarray, constants: Mapping[str, float]) -> dict[str, float]:
    s = _stripping(t, y, lagged=False)
    return {"a": s["a"], "log_alpha": math.log(s["alpha"]), "b": s["b"], "log_beta": math.log(s["beta"])}


def _guess_one_oral(t: np.ndarray, y: np.ndarray, constants: Mapping[str, float]) -> dict[str, float]:
    s = _stripping(t, y, lagged=True)
    k, ka = s["beta"], s["ka"]
    if not (math.isfinite(ka) and ka > 1.2 * k):
        ka = 5.0 * k
    v_f = constants["dose"] * ka / (s["b"] * (ka - k))
    return {"log_ka": math.log(ka), "log_k": math.log(k), "log_v_f": math.log(v_f), "tlag": s["tlag"]}


def _guess_two_oral(t: np.ndarray, y: np.ndarray, constants: Mapping[str, float]) -> dict[str, float]:
    s = _stripping(t, y, lagged=True)
    ka = s["ka_two"]
    if not (math.isfinite(ka) and ka > 1.2 * s["alpha"]):
        ka = 3.0 * s["alpha"]
    return {
        "a": s["a"],
        "log_alpha": math.log(s["alpha"]),
        "b": s["b"],
        "log_beta": math.log(s["beta"]),
        "log_ka": math.log(ka),
        "tlag": s["tlag"],
    }


def _moved(guess: Mapping[str, float], names: tuple[str, ...]) -> list[dict[str, float]]:
    """Alternative starts: each named log rate moved by a factor of 1/4 and 4 (ln 4 = 1.386)."""
    return [{name: guess[name] + step} for name in names for step in (-1.386, 1.386)]


def _starts_one_iv(x: np.ndarray, guess: Mapping[str, float]) -> list[dict[str, float]]:
    return _moved(guess, ("log_k",))


def _starts_two_iv(x: np.ndarray, guess: Mapping[str, float]) -> list[dict[str, float]]:
    return _moved(guess, ("log_alpha", "log_beta"))


def _starts_oral(x: np.ndarray, guess: Mapping[str, float]) -> list[dict[str, float]]:
    return _moved(guess, ("log_ka",) + (("log_alpha",) if "log_alpha" in guess else ("log_k",)))


ONE_IV = CurveModel(
    name="1cmt-iv",
    func=one_iv,
    jacobian=_one_iv_jacobian,
    param_names=("log_v", "log_k"),
    constants=("dose",),
    potency="log_k",
    guess=_guess_one_iv,
    starts=_starts_one_iv,
)
TWO_IV = CurveModel(
    name="2cmt-iv",
    func=two_iv,
    jacobian=_two_iv_jacobian,
    param_names=("a", "log_alpha", "b", "log_beta"),
    potency="log_beta",
    guess=_guess_two_iv,
    starts=_starts_two_iv,
)
ONE_ORAL = CurveModel(
    name="1cmt-extravascular",
    func=one_oral,
    jacobian=_one_oral_jacobian,
    param_names=("log_ka", "log_k", "log_v_f", "tlag"),
    constants=("dose",),
    potency="log_k",
    guess=_guess_one_oral,
    starts=_starts_oral,
)
TWO_ORAL = CurveModel(
    name="2cmt-extravascular",
    func=two_oral,
    jacobian=_two_oral_jacobian,
    param_names=("a", "log_alpha", "b", "log_beta", "log_ka", "tlag"),
    potency="log_beta",
    guess=_guess_two_oral,
    starts=_starts_oral,
)

#: The fitting models by (model, route).
FIT_MODELS: dict[tuple[str, str], CurveModel] = {
    ("1cmt", "iv-bolus"): ONE_IV,
    ("2cmt", "iv-bolus"): TWO_IV,
    ("1cmt", "extravascular"): ONE_ORAL,
    ("2cmt", "extravascular"): TWO_ORAL,
}
