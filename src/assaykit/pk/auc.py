"""Areas under the concentration-time curve (AUC) and its first moment (AUMC), whole and partial.

Two methods, as PKNCA (``auc.method``) and Phoenix WinNonlin compute them (Gabrielsson & Weiner,
*Pharmacokinetic and Pharmacodynamic Data Analysis*, 5th ed. 2016, section 2.8.2; PKNCA vignette "AUC
calculation with PKNCA"):

``"linear"``
    The linear trapezoidal rule on every interval: ``AUC = (C1 + C2) / 2 * dt`` and, for the moment,
    ``AUMC = (t1 C1 + t2 C2) / 2 * dt`` (the trapezoid of t*C, as PKNCA ``pk.calc.aumc`` and WinNonlin).
``"linear-up-log-down"``
    Linear while the concentration rises or stays level, log-linear where it falls between two positive
    values: ``AUC = (C1 - C2) dt / ln(C1/C2)`` and
    ``AUMC = dt (t1 C1 - t2 C2) / ln(C1/C2) + dt^2 (C1 - C2) / ln(C1/C2)^2`` (the exact integrals of an
    exponential decline). A fall to 0 is linear.

Past Tlast the curve is the terminal exponential ``Clast exp(-lambda_z (t - Tlast))`` (PKNCA
``interp.extrap.conc`` with ``auc.type = "AUCinf"``); before the first sample it is 0 (``conc.origin``).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "AUC_METHODS",
    "auc_segments",
    "aumc_segments",
    "interpolate_conc",
    "log_segments",
    "partial_auc",
]

#: The accepted ``auc_method`` values.
AUC_METHODS = ("linear", "linear-up-log-down")


def log_segments(conc: np.ndarray, method: str) -> np.ndarray:
    """Return, per interval, True where the log-linear rule applies (a fall between two positive values).

    Parameters
    ----------
    conc
        Concentrations at consecutive times (no NaN).
    method
        One of :data:`AUC_METHODS`.
    """
    if method not in AUC_METHODS:
        raise ValueError(f"auc_method must be one of {AUC_METHODS}, not {method!r}")
    c1, c2 = conc[:-1], conc[1:]
    if method == "linear":
        return np.zeros(len(c1), dtype=bool)
    return (c2 < c1) & (c2 > 0)


def auc_segments(time: np.ndarray, conc: np.ndarray, method: str = "linear") -> np.ndarray:
    """Return the area of each interval between consecutive samples.

    Parameters
    ----------
    time, conc
        Times (increasing) and concentrations, no NaN.
    method
        ``"linear"`` or ``"linear-up-log-down"`` (see the module docstring).

    Returns
    -------
    numpy.ndarray
        ``len(time) - 1`` areas; their sum is the AUC over the samples.
    """
    t = np.asarray(time, dtype=float)
    c = np.asarray(conc, dtype=float)
    dt = np.diff(t)
    area = (c[:-1] + c[1:]) / 2.0 * dt
    log = log_segments(c, method)
    if log.any():
        c1, c2 = c[:-1][log], c[1:][log]
        area[log] = (c1 - c2) * dt[log] / np.log(c1 / c2)
    return area


def aumc_segments(time: np.ndarray, conc: np.ndarray, method: str = "linear") -> np.ndarray:
    """Return the area under t*C of each interval (the first moment), by the rules of the module docstring."""
    t = np.asarray(time, dtype=float)
    c = np.asarray(conc, dtype=float)
    dt = np.diff(t)
    moment = (t[:-1] * c[:-1] + t[1:] * c[1:]) / 2.0 * dt
    log = log_segments(c, method)
    if log.any():
        t1, t2, c1, c2, d = t[:-1][log], t[1:][log], c[:-1][log], c[1:][log], dt[log]
        ratio = np.log(c1 / c2)
        moment[log] = d * (t1 * c1 - t2 * c2) / ratio + d**2 * (c1 - c2) / ratio**2
    return moment


def interpolate_conc(time: np.ndarray, conc: np.ndarray, at: float, method: str = "linear") -> float:
    """Return the concentration at ``at`` between the first and last sample (PKNCA ``interpolate.conc``).

    Linear interpolation, or log-linear on an interval the method integrates log-linearly; 0 before the
    first sample (PKNCA ``conc.origin = 0``).
    """
    t = np.asarray(time, dtype=float)
    c = np.asarray(conc, dtype=float)
    if at < t[0]:
        return 0.0
    i = int(np.searchsorted(t, at, side="right")) - 1
    if t[i] == at or i >= len(t) - 1:
        return float(c[i])
    t1, t2, c1, c2 = t[i], t[i + 1], c[i], c[i + 1]
    fraction = (at - t1) / (t2 - t1)
    if log_segments(np.array([c1, c2]), method)[0]:
        return float(c1 * math.exp(math.log(c2 / c1) * fraction))
    return float(c1 + (c2 - c1) * fraction)


def partial_auc(
    time: np.ndarray,
    conc: np.ndarray,
    start: float,
    end: float,
    method: str = "linear",
    lambda_z: float = math.nan,
) -> float:
    """Return the AUC from ``start`` to ``end`` hours (PKNCA ``aucint.inf.obs``).

    Concentrations at the interval's ends are interpolated (:func:`interpolate_conc`) when not sampled;
    beyond the last sample the terminal exponential from the last concentration is integrated
    analytically: ``Clast / lambda_z (exp(-lambda_z (a - Tlast)) - exp(-lambda_z (b - Tlast)))``.

    Parameters
    ----------
    time, conc
        The samples AUClast is computed from: increasing times, from the dose to Tlast (the last positive
        concentration), no NaN.
    start, end
        The interval in hours, ``0 <= start < end``.
    method
        One of :data:`AUC_METHODS`.
    lambda_z
        Terminal rate constant (1/h); NaN makes an interval that ends past Tlast NaN.

    Returns
    -------
    float
        The partial area.
    """
    t = np.asarray(time, dtype=float)
    c = np.asarray(conc, dtype=float)
    tlast, clast = t[-1], c[-1]
    total = 0.0
    b = min(end, tlast)
    if b > start:
        inside = (t > start) & (t < b)
        tt = np.concatenate([[start], t[inside], [b]])
        cc = np.concatenate(
            [[interpolate_conc(t, c, start, method)], c[inside], [interpolate_conc(t, c, b, method)]]
        )
        total += float(auc_segments(tt, cc, method).sum())
    if end > tlast:
        if not (lambda_z > 0):
            return math.nan
        a = max(start, tlast)
        total += clast / lambda_z * (math.exp(-lambda_z * (a - tlast)) - math.exp(-lambda_z * (end - tlast)))
    return total
