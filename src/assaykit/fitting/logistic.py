"""One-site competition formulas: the four-parameter logistic and "One site - Fit Ki", with their guesses.

Each formula is written the way GraphPad Prism documents it, with X = log10(molar concentration) for
competition binding. The functions take ``x`` first and the parameters as keyword arguments with numeric
defaults, like lmfit's ``lineshapes``, so the same function serves the lmfit path and any batched engine.
Each has its analytic Jacobian; :func:`guess_competition` and :func:`guess_competition_batch` give the
data-driven starting values of a sigmoid on log concentration. The
:class:`~assaykit.fitting.fit_types.CurveModel` objects that bundle them (``LOGISTIC4``, ``ONE_SITE``,
``FIT_KI``) are in :mod:`assaykit.fitting.models`; this module imports nothing of the fitting engine but
:mod:`assaykit.fitting.distributions`.

The logistic is evaluated as ``scipy.special.expit`` of the exponent times ln 10, which equals
``1 / (1 + 10**z)`` but neither overflows nor loses precision far from the midpoint.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from assaykit.fitting.distributions import expit

LN10 = float(np.log(10.0))


def logistic4(
    x: np.ndarray,
    top: float = 100.0,
    bottom: float = 0.0,
    log_ic50: float = -8.0,
    hill_slope: float = -1.0,
) -> np.ndarray:
    """Four-parameter logistic on log concentration, in GraphPad Prism's form.

    ``Y = Bottom + (Top - Bottom) / (1 + 10**((LogIC50 - X) * HillSlope))``

    With a negative Hill slope the curve falls from Top (low X) to Bottom (high X), as a competition
    binding curve does. With ``hill_slope = -1`` it is Prism's "One site - Fit logIC50".

    Parameters
    ----------
    x
        log10 of the molar concentration of the competitor.
    top, bottom
        Plateaus at low and high concentration, in the units of the data.
    log_ic50
        log10 of the molar concentration that gives a response half-way between Top and Bottom.
    hill_slope
        Steepness; negative for a falling curve.

    Returns
    -------
    numpy.ndarray
        The model at each ``x``.

    Notes
    -----
    Source: GraphPad Prism 8 Curve Fitting Guide, "Equation: log(inhibitor) vs. response -- Variable
    slope" and "One site - Fit logIC50" (reg_classic_1competition.htm), which states the one-site model is
    "identical to the sigmoid dose-response curve with HILLSLOPE = -1.0".
    """
    s = expit(-(log_ic50 - np.asarray(x, dtype=float)) * hill_slope * LN10)
    return bottom + (top - bottom) * s


def _logistic4_jacobian(
    x: np.ndarray, top: float, bottom: float, log_ic50: float, hill_slope: float
) -> dict[str, np.ndarray]:
    """Partial derivatives of :func:`logistic4` with respect to each parameter."""
    x = np.asarray(x, dtype=float)
    s = expit(-(log_ic50 - x) * hill_slope * LN10)
    # d s / d z with z = (LogIC50 - X) * HillSlope is -ln10 * s * (1 - s)
    ds = -LN10 * s * (1.0 - s) * (top - bottom)
    return {
        "top": s,
        "bottom": 1.0 - s,
        "log_ic50": ds * hill_slope,
        "hill_slope": ds * (log_ic50 - x),
    }


def cheng_prusoff_shift(radioligand_nM: float, kd_nM: float) -> float:  # noqa: N803 - unit in name
    """Return ``log10(1 + [L]/Kd)``, the shift from log Ki to log IC50 in the Cheng-Prusoff equation.

    Notes
    -----
    Cheng Y, Prusoff WH (1973) Biochem Pharmacol 22:3099-3108: ``Ki = IC50 / (1 + [L]/Kd)``, so
    ``logIC50 = logKi + log10(1 + [L]/Kd)``.
    """
    return float(np.log10(1.0 + radioligand_nM / kd_nM))


def one_site_fit_ki(
    x: np.ndarray,
    top: float = 100.0,
    bottom: float = 0.0,
    log_ki: float = -8.0,
    radioligand_nM: float = 1.0,  # noqa: N803 - the unit is part of the name
    kd_nM: float = 1.0,  # noqa: N803
) -> np.ndarray:
    """One-site competition with Ki as the fitted parameter (Prism "One site - Fit Ki").

    ``logEC50 = log(10^logKi * (1 + RadioligandNM/HotKdNM))``
    ``Y = Bottom + (Top - Bottom) / (1 + 10^(X - LogEC50))``

    Parameters
    ----------
    x
        log10 of the molar concentration of the competitor.
    top, bottom
        Plateaus, in the units of the data.
    log_ki
        log10 of the competitor's equilibrium dissociation constant (M).
    radioligand_nM, kd_nM
        The radioligand's concentration in the assay and its Kd, both nM (constants, not fitted).

    Returns
    -------
    numpy.ndarray
        The model at each ``x``.

    Notes
    -----
    Source: GraphPad Prism 7 Curve Fitting Guide, "Equation: One site - Fit Ki"
    (reg_one_site_competition_ki.htm). This is the Cheng-Prusoff equation inside the model, so log Ki gets
    its own standard error and confidence interval.
    """
    shift = cheng_prusoff_shift(radioligand_nM, kd_nM)
    return logistic4(x, top, bottom, log_ki + shift, -1.0)


def _one_site_fit_ki_jacobian(
    x: np.ndarray,
    top: float,
    bottom: float,
    log_ki: float,
    radioligand_nM: float,  # noqa: N803
    kd_nM: float,  # noqa: N803
) -> dict[str, np.ndarray]:
    shift = cheng_prusoff_shift(radioligand_nM, kd_nM)
    jac = _logistic4_jacobian(x, top, bottom, log_ki + shift, -1.0)
    return {"top": jac["top"], "bottom": jac["bottom"], "log_ki": jac["log_ic50"]}


def guess_competition(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Data-driven starting values for a sigmoid on log concentration (one curve).

    Top and Bottom are the mean responses at the lowest and highest concentration; log IC50 is where the
    concentration means cross half-way between them (linear interpolation), else the median of the tested
    concentrations; the Hill slope is -1 for a falling curve and +1 for a rising one. This is
    :func:`guess_competition_batch` for a single curve.
    """
    x = np.asarray(x, dtype=float).reshape(1, -1)
    y = np.asarray(y, dtype=float).reshape(1, -1)
    guess = guess_competition_batch(x, y, np.ones(x.shape, bool), constants)
    return {name: float(value[0]) for name, value in guess.items()}


def guess_competition_batch(
    x: np.ndarray, y: np.ndarray, mask: np.ndarray, constants: Mapping[str, float] | None = None
) -> dict[str, np.ndarray]:
    """:func:`guess_competition` for many curves at once.

    Parameters
    ----------
    x, y
        ``(C, N)`` points, one curve per row.
    mask
        ``(C, N)`` True for real points (rows may be padded); every row needs at least one.
    constants
        The model's constants; with ``radioligand_nM`` and ``kd_nM`` a ``log_ki`` guess is added.

    Returns
    -------
    dict of numpy.ndarray
        ``top``, ``bottom``, ``log_ic50``, ``hill_slope`` (and ``log_ki``), one value per curve.
    """
    c, n = x.shape
    order = np.argsort(np.where(mask, x, np.inf), axis=1, kind="stable")
    xs = np.take_along_axis(np.where(mask, x, np.inf), order, axis=1)
    ys = np.take_along_axis(np.where(mask, y, 0.0), order, axis=1)
    valid = np.take_along_axis(mask, order, axis=1)
    new_level = np.ones((c, n), bool)
    new_level[:, 1:] = xs[:, 1:] != xs[:, :-1]
    level = np.cumsum(new_level, axis=1) - 1  # level index of each point within its curve
    n_levels = np.where(valid, level, -1).max(axis=1) + 1
    flat = (np.arange(c)[:, None] * n + level)[valid]
    sums = np.bincount(flat, weights=ys[valid], minlength=c * n).reshape(c, n)
    counts = np.bincount(flat, minlength=c * n).reshape(c, n)
    levels = np.full(c * n, np.nan)
    levels[flat] = xs[valid]
    levels = levels.reshape(c, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts  # NaN beyond each curve's last level
    rows = np.arange(c)
    last = n_levels - 1
    top, bottom = means[:, 0], means[rows, last]
    half = 0.5 * (top + bottom)
    falling = top >= bottom
    log_ic50 = 0.5 * (levels[rows, (n_levels - 1) // 2] + levels[rows, n_levels // 2])  # median level
    with np.errstate(invalid="ignore"):
        above = np.where(falling[:, None], means >= half[:, None], means <= half[:, None])
    crossing = above[:, :-1] & ~above[:, 1:] & (np.arange(n - 1)[None, :] < last[:, None])
    has = crossing.any(axis=1)
    i = np.argmax(crossing, axis=1)
    j = np.minimum(i + 1, n - 1)
    y0, y1 = means[rows, i], means[rows, j]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(y1 == y0, 0.5, (half - y0) / (y1 - y0))
    crossed = levels[rows, i] + frac * (levels[rows, j] - levels[rows, i])
    log_ic50 = np.where(has, crossed, log_ic50)
    guess = {"top": top, "bottom": bottom, "log_ic50": log_ic50, "hill_slope": np.where(falling, -1.0, 1.0)}
    if constants and "radioligand_nM" in constants and "kd_nM" in constants:
        guess["log_ki"] = log_ic50 - cheng_prusoff_shift(constants["radioligand_nM"], constants["kd_nM"])
    return guess
