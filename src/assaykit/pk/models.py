"""Compartment models of plasma concentration after one dose: plain numpy functions of time.

Written as :mod:`assaykit.fitting` keeps its formulas (and lmfit its ``lineshapes``): time ``t`` first, the
parameters as keyword arguments with numeric defaults, broadcastable, no state. Rates are per hour when ``t``
is in hours; concentrations are in the units of ``dose / volume``, or of the amplitudes ``a`` and ``b``.

- :func:`one_compartment_iv`: ``C = D/V exp(-k t)``;
- :func:`two_compartment_iv`: ``C = A exp(-alpha t) + B exp(-beta t)`` (macro-constants);
- :func:`one_compartment_oral`: the Bateman function, first-order absorption and elimination, optional lag;
- :func:`two_compartment_oral`: ``C = A exp(-alpha t') + B exp(-beta t') - (A + B) exp(-ka t')``,
  ``t' = t - tlag``;
- :func:`two_compartment_macro` and :func:`two_compartment_micro` convert between the micro-constants
  (``V1``, ``k10``, ``k12``, ``k21``, ``ka``) of the compartment equations and those macro-constants.

Sources: Gibaldi M, Perrier D (1982) *Pharmacokinetics*, 2nd ed., Marcel Dekker, ch. 1 (one-compartment),
ch. 2 (multicompartment models, IV and oral); Rowland M, Tozer TN (2011) *Clinical
Pharmacokinetics and Pharmacodynamics*, 4th ed., ch. 19 and appendix E; Gabrielsson J, Weiner D (2016)
*Pharmacokinetic and Pharmacodynamic Data Analysis*, 5th ed., section 2.8 (models PK1-PK4).
"""

from __future__ import annotations

import numpy as np


def _tau(t: np.ndarray, tlag: float) -> np.ndarray:
    """Time since absorption started: ``max(t - tlag, 0)``."""
    return np.maximum(np.asarray(t, dtype=float) - tlag, 0.0)


def bateman_kernel(k: float, ka: float, tau: np.ndarray) -> np.ndarray:
    """``(exp(-k tau) - exp(-ka tau)) / (ka - k)``, without cancellation when ``ka`` is close to ``k``.

    The kernel is symmetric in ``k`` and ``ka``; with ``m = min(k, ka)`` and ``x = |ka - k| tau`` it equals
    ``tau exp(-m tau) (1 - exp(-x)) / x``, whose limit at ``ka = k`` is ``tau exp(-k tau)``.
    """
    tau = np.asarray(tau, dtype=float)
    m = min(k, ka)
    x = abs(ka - k) * tau
    safe = np.where(x > 0, x, 1.0)
    phi = np.where(x > 0, -np.expm1(-safe) / safe, 1.0)
    return tau * np.exp(-m * tau) * phi


def one_compartment_iv(t: np.ndarray, dose: float = 1.0, v: float = 1.0, k: float = 0.1) -> np.ndarray:
    """One-compartment model, IV bolus: ``C(t) = (D / V) exp(-k t)``.

    Parameters
    ----------
    t
        Time after the dose.
    dose
        Dose ``D``.
    v
        Volume of distribution ``V``.
    k
        First-order elimination rate constant (per unit of ``t``).

    Returns
    -------
    numpy.ndarray
        Concentration at each ``t``.

    Notes
    -----
    Gibaldi & Perrier (1982) ch. 1; Rowland & Tozer (2011) ch. 3; Gabrielsson & Weiner (2016) model PK1.
    """
    return dose / v * np.exp(-k * np.asarray(t, dtype=float))


def two_compartment_iv(
    t: np.ndarray, a: float = 1.0, alpha: float = 1.0, b: float = 0.1, beta: float = 0.1
) -> np.ndarray:
    """Two-compartment model, IV bolus (biexponential): ``C(t) = A exp(-alpha t) + B exp(-beta t)``.

    Parameters
    ----------
    t
        Time after the dose.
    a, alpha
        Amplitude and rate constant of the distribution (fast) phase.
    b, beta
        Amplitude and rate constant of the elimination (slow, terminal) phase.

    Returns
    -------
    numpy.ndarray
        Concentration at each ``t``.

    Notes
    -----
    Gibaldi & Perrier (1982) ch. 2, with ``A = D (alpha - k21) / (V1 (alpha - beta))`` and
    ``B = D (k21 - beta) / (V1 (alpha - beta))`` (see :func:`two_compartment_macro`);
    Gabrielsson & Weiner (2016) model PK2. R's ``SSbiexp`` is this function with ``lrc = log(rate)``.
    """
    t = np.asarray(t, dtype=float)
    return a * np.exp(-alpha * t) + b * np.exp(-beta * t)


def one_compartment_oral(
    t: np.ndarray,
    dose: float = 1.0,
    v_f: float = 1.0,
    ka: float = 1.0,
    k: float = 0.1,
    tlag: float = 0.0,
) -> np.ndarray:
    """One-compartment model with first-order absorption (Bateman function) and an optional lag time.

    ``C(t) = D ka / (V/F (ka - k)) (exp(-k t') - exp(-ka t'))`` with ``t' = max(t - tlag, 0)``; at
    ``ka = k`` it is the limit ``D/(V/F) k t' exp(-k t')``.

    Parameters
    ----------
    t
        Time after the dose.
    dose
        Dose ``D``.
    v_f
        Apparent volume of distribution ``V/F`` (volume over the bioavailable fraction).
    ka
        First-order absorption rate constant.
    k
        First-order elimination rate constant.
    tlag
        Lag time before absorption starts.

    Returns
    -------
    numpy.ndarray
        Concentration at each ``t`` (zero up to ``tlag``).

    Notes
    -----
    Gibaldi & Perrier (1982) ch. 1 (absorption, and the lag time); Rowland & Tozer (2011) ch. 6;
    Gabrielsson & Weiner (2016) model PK3. R's ``SSfol`` is this function with ``lKe = log(k)``,
    ``lKa = log(ka)`` and ``lCl = log(k V/F)``.
    """
    return dose / v_f * ka * bateman_kernel(k, ka, _tau(t, tlag))


def two_compartment_oral(
    t: np.ndarray,
    a: float = 1.0,
    alpha: float = 1.0,
    b: float = 0.1,
    beta: float = 0.1,
    ka: float = 3.0,
    tlag: float = 0.0,
) -> np.ndarray:
    """Two-compartment model with first-order absorption and an optional lag time, in macro-constants.

    ``C(t) = A exp(-alpha t') + B exp(-beta t') - (A + B) exp(-ka t')`` with ``t' = max(t - tlag, 0)``,
    so that ``C = 0`` until absorption starts.

    Parameters
    ----------
    t
        Time after the dose.
    a, alpha
        Amplitude and rate constant of the distribution phase.
    b, beta
        Amplitude and rate constant of the elimination (terminal) phase.
    ka
        First-order absorption rate constant.
    tlag
        Lag time before absorption starts.

    Returns
    -------
    numpy.ndarray
        Concentration at each ``t``.

    Notes
    -----
    Gibaldi & Perrier (1982) ch. 2 (first-order input into a two-compartment model; amplitudes as in
    :func:`two_compartment_macro`); Gabrielsson & Weiner (2016) model PK4.
    """
    tau = _tau(t, tlag)
    return a * np.exp(-alpha * tau) + b * np.exp(-beta * tau) - (a + b) * np.exp(-ka * tau)


def two_compartment_macro(
    dose: float, v1: float, k10: float, k12: float, k21: float, ka: float | None = None
) -> dict[str, float]:
    """Macro-constants ``A, alpha, B, beta`` of a two-compartment model from its micro-constants.

    ``alpha, beta = (s +/- sqrt(s^2 - 4 k21 k10)) / 2`` with ``s = k10 + k12 + k21``. IV bolus:
    ``A = D (alpha - k21) / (V1 (alpha - beta))``, ``B = D (k21 - beta) / (V1 (alpha - beta))``. First-order
    absorption (``ka`` given): ``A = D ka (k21 - alpha) / (V1 (ka - alpha) (beta - alpha))`` and
    ``B = D ka (k21 - beta) / (V1 (ka - beta) (alpha - beta))``, the absorption term being ``-(A + B)``.

    Parameters
    ----------
    dose
        Dose ``D`` (times ``F`` for an extravascular dose).
    v1
        Volume of the central compartment.
    k10, k12, k21
        Elimination rate from the central compartment and transfer rates central -> peripheral and back.
    ka
        Absorption rate constant, or None for an IV bolus.

    Returns
    -------
    dict
        ``{"a", "alpha", "b", "beta"}``, with ``alpha > beta``.

    Notes
    -----
    Gibaldi & Perrier (1982) ch. 2 (IV bolus and first-order input); Rowland & Tozer (2011) appendix E.
    """
    s = k10 + k12 + k21
    root = np.sqrt(s * s - 4.0 * k21 * k10)
    alpha, beta = (s + root) / 2.0, (s - root) / 2.0
    if ka is None:
        a = dose * (alpha - k21) / (v1 * (alpha - beta))
        b = dose * (k21 - beta) / (v1 * (alpha - beta))
    else:
        a = dose * ka * (k21 - alpha) / (v1 * (ka - alpha) * (beta - alpha))
        b = dose * ka * (k21 - beta) / (v1 * (ka - beta) * (alpha - beta))
    return {"a": float(a), "alpha": float(alpha), "b": float(b), "beta": float(beta)}


def two_compartment_micro(a: float, alpha: float, b: float, beta: float) -> dict[str, float]:
    """Micro-constants of a two-compartment IV bolus model from its macro-constants.

    ``k21 = (A beta + B alpha) / (A + B)``, ``k10 = alpha beta / k21``, ``k12 = alpha + beta - k21 - k10``;
    the central volume is ``V1 = D / (A + B)``.

    Parameters
    ----------
    a, alpha, b, beta
        The biexponential's amplitudes and rate constants (:func:`two_compartment_iv`).

    Returns
    -------
    dict
        ``{"k10", "k12", "k21"}``.

    Notes
    -----
    Gibaldi & Perrier (1982) ch. 2; Gabrielsson & Weiner (2016) section 2.8.
    """
    k21 = (a * beta + b * alpha) / (a + b)
    k10 = alpha * beta / k21
    return {"k10": k10, "k12": alpha + beta - k21 - k10, "k21": k21}


#: Every concentration-time formula of this module.
MODELS = (one_compartment_iv, two_compartment_iv, one_compartment_oral, two_compartment_oral)
