"""The two special functions every fit needs, in numpy alone: the logistic and Student's t quantile.

``scipy.special`` takes about half a second to import on a small machine, longer than fitting a thousand
curves with the batch engine; these two functions keep it out of the common path. Everything rarer (F
distribution, profile likelihood, ROUT) imports scipy where it is used.
"""

# Kept over scipy.special (benchmarks/review_copies.md): binding runs import no scipy.

from __future__ import annotations

import math

import numpy as np

#: Largest degrees of freedom computed with the closed form; above it scipy is used.
_MAX_CLOSED_FORM_DF = 2000


def expit(z: np.ndarray | float) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-z))``, without overflow for any ``z``.

    With ``e = exp(-|z|)`` (never above 1), the function is ``1 / (1 + e)`` for ``z >= 0`` and
    ``e / (1 + e)`` for ``z < 0``: the same value, and full relative precision in both tails, like
    ``scipy.special.expit`` (within 4e-16 of it).
    """
    z = np.asarray(z, dtype=float)
    scalar = z.ndim == 0
    z = np.atleast_1d(z)
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    out = np.where(z >= 0.0, 1.0, e)
    e += 1.0
    np.divide(out, e, out=out)
    return out[0] if scalar else out


def _central_probability(t: float, df: int) -> float:
    """``P(|T| < t)`` for Student's t with integer ``df``, in closed form.

    Abramowitz & Stegun (1964) *Handbook of Mathematical Functions*, 26.7.3 (odd ``df``) and 26.7.4 (even
    ``df``), with ``theta = arctan(t / sqrt(df))``:

    - odd: ``(2/pi) (theta + sin(theta) cos(theta) (1 + 2/3 cos^2 + 2*4/(3*5) cos^4 + ...))``, the series
      ending at ``cos^(df-3)`` (``2 theta / pi`` for ``df = 1``);
    - even: ``sin(theta) (1 + 1/2 cos^2 + 1*3/(2*4) cos^4 + ...)``, ending at ``cos^(df-2)``.
    """
    theta = math.atan(t / math.sqrt(df))
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    total, term = 0.0, 1.0
    if df % 2:
        for j in range((df - 1) // 2):
            total += term
            term *= c2 * (2 * j + 2) / (2 * j + 3)
        return 2.0 / math.pi * (theta + s * math.cos(theta) * total) if df > 1 else 2.0 * theta / math.pi
    for j in range(df // 2):
        total += term
        term *= c2 * (2 * j + 1) / (2 * j + 2)
    return s * total


def _density(t: float, df: int) -> float:
    """Student's t density with ``df`` degrees of freedom."""
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))


def _t_quantile_one(level: float, df: int) -> float:
    """Solve ``P(|T| < t) = level`` for ``t``: bisection to a bracket, then Newton's method."""
    lo, hi = 0.0, 1.0
    while _central_probability(hi, df) < level:
        lo, hi = hi, 2.0 * hi
    t = 0.5 * (lo + hi)
    for _ in range(200):
        error = _central_probability(t, df) - level
        if error > 0:
            hi = t
        else:
            lo = t
        newton = t - error / (2.0 * _density(t, df))
        t_next = newton if lo < newton < hi else 0.5 * (lo + hi)
        if abs(t_next - t) <= 4e-16 * t:
            return t_next
        t = t_next
    return t


def t_quantile(level: float, df: np.ndarray | float) -> np.ndarray:
    """Two-sided critical value of Student's t, ``t.ppf(0.5 + level/2, df)``, for each ``df``.

    Parameters
    ----------
    level
        Confidence level, 0 < level < 1.
    df
        Degrees of freedom (a number or an array); NaN or non-positive gives NaN.

    Returns
    -------
    numpy.ndarray
        The critical values, shaped like ``df``.

    Notes
    -----
    For integer ``df`` up to 2000 the quantile solves the closed-form distribution function of Abramowitz &
    Stegun 26.7.3-4 (see :func:`_central_probability`), to about 1e-12 relative; other ``df`` use
    ``scipy.special.stdtrit``, the function behind ``scipy.stats.t.ppf``.
    """
    df = np.asarray(df, dtype=float)
    out = np.full(df.shape, np.nan)
    for value in np.unique(df[np.isfinite(df) & (df > 0)]):
        if value == int(value) and value <= _MAX_CLOSED_FORM_DF:
            out[df == value] = _t_quantile_one(level, int(value))
        else:
            from scipy import special  # imported here: slow to import, and rarely needed

            out[df == value] = special.stdtrit(value, 0.5 + level / 2.0)
    return out
