"""The terminal rate constant lambda_z: log-linear regression on the tail, points chosen by adjusted R^2.

The rule of PKNCA's ``pk.calc.half.life`` (Denney et al., PKNCA; Gabrielsson & Weiner 2016, section
2.8.4 "Strategies for estimation of lambda-z"), which is Phoenix WinNonlin's "best fit":

1. Candidates are the samples after Tmax (Tmax itself excluded: PKNCA ``allow.tmax.in.half.life =
   FALSE``) with a positive concentration (zeros and BLQ are never fitted).
2. ``ln(C) = a - lambda_z t`` is fitted by least squares to the last ``n`` candidates for every
   ``n = min_points ... all`` (PKNCA ``min.hl.points = 3``).
3. Adjusted R^2 is ``1 - (1 - R^2) (n - 1) / (n - 2)`` (PKNCA ``adj.r.squared``). Among the fits with
   ``lambda_z > 0`` whose adjusted R^2 exceeds the largest adjusted R^2 of all fits minus the tolerance
   (PKNCA ``adj.r.squared.factor = 1e-4``), the one with the most points is chosen. The largest is taken
   over every fit, rising ones too, exactly as PKNCA does.

Points chosen by hand are fitted as they are, with no selection (PKNCA ``manually.selected.points``).
The span ratio is ``(last - first time used) / half-life`` (PKNCA ``span.ratio``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["LambdaZFit", "fit_lambda_z", "fit_log_linear"]


@dataclass(frozen=True)
class LambdaZFit:
    """A terminal-phase fit.

    Attributes
    ----------
    lambda_z
        Terminal rate constant (1/h), NaN when none was found.
    intercept
        ``a`` of ``ln(C) = a - lambda_z t`` (natural log of the concentration unit).
    r2, r2adj
        R^2 and adjusted R^2 of the fit.
    used
        Boolean mask over the input samples: the points fitted.
    reason
        Why there is no fit (``"too_few_points"`` or ``"not_declining"``), else ``""``.
    """

    lambda_z: float
    intercept: float
    r2: float
    r2adj: float
    used: np.ndarray
    reason: str = ""

    @property
    def n_points(self) -> int:
        """Number of points used."""
        return int(self.used.sum())

    @property
    def half_life(self) -> float:
        """``ln 2 / lambda_z`` (h)."""
        return math.log(2.0) / self.lambda_z if self.lambda_z > 0 else math.nan


def fit_log_linear(time: np.ndarray, conc: np.ndarray) -> tuple[float, float, float, float]:
    """Fit ``ln(C) = a - lambda_z t`` by least squares.

    Parameters
    ----------
    time, conc
        At least two points, concentrations positive.

    Returns
    -------
    tuple
        ``(lambda_z, a, R^2, adjusted R^2)``; adjusted R^2 is NaN for two points, R^2 NaN when every
        concentration is equal.
    """
    x = np.asarray(time, dtype=float)
    y = np.log(np.asarray(conc, dtype=float))
    n = len(x)
    dx, dy = x - x.mean(), y - y.mean()
    sxx, sxy, syy = float(dx @ dx), float(dx @ dy), float(dy @ dy)
    slope = sxy / sxx
    intercept = float(y.mean() - slope * x.mean())
    rss = float(((dy - slope * dx) ** 2).sum())
    r2 = 1.0 - rss / syy if syy > 0 else math.nan
    r2adj = 1.0 - (1.0 - r2) * (n - 1) / (n - 2) if n > 2 else math.nan
    return -slope, intercept, r2, r2adj


def _none(n: int, reason: str) -> LambdaZFit:
    return LambdaZFit(math.nan, math.nan, math.nan, math.nan, np.zeros(n, dtype=bool), reason)


def fit_lambda_z(
    time: np.ndarray,
    conc: np.ndarray,
    tmax: float,
    *,
    min_points: int = 3,
    tolerance: float = 1e-4,
    exclude: np.ndarray | None = None,
    manual: np.ndarray | None = None,
) -> LambdaZFit:
    """Choose the terminal points and fit lambda_z by the rule of the module docstring.

    Parameters
    ----------
    time, conc
        The profile's samples in time order (NaN concentrations are never used).
    tmax
        Time of Cmax; only later samples are candidates.
    min_points
        Fewest points a candidate fit may have (PKNCA ``min.hl.points``).
    tolerance
        Adjusted R^2 tolerance (PKNCA ``adj.r.squared.factor``).
    exclude
        True for samples never to be used.
    manual
        True for the samples to fit exactly, with no selection (they need positive concentrations); None
        (or no True) selects automatically.

    Returns
    -------
    LambdaZFit
        The chosen fit, or one with NaNs and ``reason`` set.
    """
    t = np.asarray(time, dtype=float)
    c = np.asarray(conc, dtype=float)
    n = len(t)
    usable = c > 0
    if exclude is not None:
        usable &= ~np.asarray(exclude, dtype=bool)
    if manual is not None and np.asarray(manual, dtype=bool).any():
        chosen = np.asarray(manual, dtype=bool) & usable
        if chosen.sum() < 2:
            return _none(n, "too_few_points")
        lz, a, r2, r2adj = fit_log_linear(t[chosen], c[chosen])
        return LambdaZFit(lz, a, r2, r2adj, chosen) if lz > 0 else _none(n, "not_declining")
    candidates = np.flatnonzero(usable & (t > tmax))
    if len(candidates) < min_points:
        return _none(n, "too_few_points")
    fits = []
    for k in range(min_points, len(candidates) + 1):
        tail = candidates[-k:]
        fits.append((k, tail, *fit_log_linear(t[tail], c[tail])))
    best = max((f[5] for f in fits if not math.isnan(f[5])), default=math.nan)
    eligible = [f for f in fits if f[2] > 0 and f[5] > best - tolerance]
    if not eligible:
        return _none(n, "not_declining")
    k, tail, lz, a, r2, r2adj = max(eligible, key=lambda f: f[0])
    used = np.zeros(n, dtype=bool)
    used[tail] = True
    return LambdaZFit(lz, a, r2, r2adj, used)
