"""Starting values of the saturation models: a grid over Kd, linear least squares for the rest.

On a grid over Kd (and for two sites over both Kds) each model of
:mod:`assaykit.fitting.saturation_models.formulas` is linear in every other parameter, so each grid point's
best Bmax, NS and Background are one linear least-squares solve; the grid point with the smallest sum of
squares is the guess (``guess_*``). The ``starts_*`` functions give the further starting points the engine
tries when the guess does not converge.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

_GRID_POINTS = 41  # Kd values tried for the guess, log-spaced over the data range widened 10-fold each way
_MIN_SITE_RATIO = 4.0  # two-site guesses: KdLo / KdHi at least this


def _kd_grid(x: np.ndarray) -> np.ndarray:
    """Kd values to try: log-spaced from a tenth of the lowest to ten times the highest concentration."""
    positive = x[np.isfinite(x) & (x > 0)]
    if not positive.size:
        return np.array([1.0])
    return np.geomspace(positive.min() / 10.0, positive.max() * 10.0, _GRID_POINTS)


def _best_linear(columns: list[np.ndarray], y: np.ndarray) -> tuple[float, np.ndarray]:
    """Least-squares coefficients of ``y`` on ``columns``; return (SS, coefficients)."""
    design = np.column_stack(columns)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return float(resid @ resid), coef


def _nonspecific_columns(x: np.ndarray, total_model: bool) -> list[np.ndarray]:
    return [x, np.ones_like(x)] if total_model else []


def _indicator(constants: Mapping[str, object] | None, x: np.ndarray) -> np.ndarray:
    value = (constants or {}).get("is_total", 1.0)
    return np.broadcast_to(np.asarray(value, dtype=float), x.shape)


def _guess_one_site(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None, total_model: bool
) -> dict[str, float]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    total = _indicator(constants, x)
    best: tuple[float, float, np.ndarray] | None = None
    for kd in _kd_grid(x):
        ss, coef = _best_linear([total * x / (kd + x), *_nonspecific_columns(x, total_model)], y)
        if best is None or ss < best[0]:
            best = (ss, float(kd), coef)
    assert best is not None
    _, kd, coef = best
    guess = {"bmax": float(coef[0]), "kd_nM": kd}
    if total_model:
        guess.update(ns_slope=float(coef[1]), background=float(coef[2]))
    return guess


def _guess_two_site(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None, total_model: bool
) -> dict[str, float]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    total = _indicator(constants, x)
    grid = _kd_grid(x)[::2]
    best: tuple[float, float, float, np.ndarray] | None = None
    for i, kd_hi in enumerate(grid):
        for kd_lo in grid[i + 1 :]:
            if kd_lo < _MIN_SITE_RATIO * kd_hi:
                continue
            columns = [
                total * x / (kd_hi + x),
                total * x / (kd_lo + x),
                *_nonspecific_columns(x, total_model),
            ]
            ss, coef = _best_linear(columns, y)
            if best is None or ss < best[0]:
                best = (ss, float(kd_hi), float(kd_lo), coef)
    if best is None:  # a single concentration: no pair to try
        one = _guess_one_site(x, y, constants, total_model)
        guess = {"bmax_hi": one["bmax"] / 2, "kd_hi_nM": one["kd_nM"] / 3}
        guess.update(bmax_lo=one["bmax"] / 2, kd_lo_nM=one["kd_nM"] * 3)
        if total_model:
            guess.update(ns_slope=one["ns_slope"], background=one["background"])
        return guess
    _, kd_hi, kd_lo, coef = best
    guess = {"bmax_hi": float(coef[0]), "kd_hi_nM": kd_hi, "bmax_lo": float(coef[1]), "kd_lo_nM": kd_lo}
    if total_model:
        guess.update(ns_slope=float(coef[2]), background=float(coef[3]))
    return guess


def guess_one_site(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None = None
) -> dict[str, float]:
    """Return starting values for one-site specific binding: the best Bmax for each Kd on a grid.

    The guess is the grid point with the smallest sum of squares.

    Returns
    -------
    dict
        ``bmax`` and ``kd_nM``.
    """
    return _guess_one_site(x, y, constants, total_model=False)


def guess_hill(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None = None
) -> dict[str, float]:
    """Return starting values for specific binding with a Hill slope: the one-site guess, ``hill = 1``.

    Returns
    -------
    dict
        ``bmax``, ``kd_nM`` and ``hill``.
    """
    return {**_guess_one_site(x, y, constants, total_model=False), "hill": 1.0}


def guess_two_site(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None = None
) -> dict[str, float]:
    """Return starting values for two sites: the best pair of Kds (KdLo >= 4 KdHi) on a grid.

    Returns
    -------
    dict
        ``bmax_hi``, ``kd_hi_nM``, ``bmax_lo`` and ``kd_lo_nM``.
    """
    return _guess_two_site(x, y, constants, total_model=False)


def guess_one_site_total(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None = None
) -> dict[str, float]:
    """Return starting values for the global one-site model.

    For each Kd on a grid, Bmax, NS and Background follow by linear least squares over every tube; the
    guess is the grid point with the smallest sum of squares.

    Parameters
    ----------
    x, y
        Concentrations (nM) and signals of every tube.
    constants
        Holds ``is_total`` (1 for total tubes, 0 for nonspecific ones).

    Returns
    -------
    dict
        ``bmax``, ``kd_nM``, ``ns_slope`` and ``background``.
    """
    return _guess_one_site(x, y, constants, total_model=True)


def guess_two_site_total(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None = None
) -> dict[str, float]:
    """Return starting values for the global two-site model: :func:`guess_two_site` plus NS, Background.

    Returns
    -------
    dict
        ``bmax_hi``, ``kd_hi_nM``, ``bmax_lo``, ``kd_lo_nM``, ``ns_slope`` and ``background``.
    """
    return _guess_two_site(x, y, constants, total_model=True)


def _positions(x: np.ndarray) -> list[float]:
    """Return Kd values spread over the tested range.

    They are a quarter, half and three quarters of the way on a log scale, and three times the top.
    """
    positive = np.asarray(x, dtype=float)
    positive = positive[np.isfinite(positive) & (positive > 0)]
    if not positive.size:
        return [1.0]
    lo, hi = float(np.log(positive.min())), float(np.log(positive.max()))
    return [float(np.exp(lo + f * (hi - lo))) for f in (0.25, 0.5, 0.75)] + [3.0 * float(np.exp(hi))]


def starts_one_site(x: np.ndarray, guess: Mapping[str, float]) -> list[dict[str, float]]:
    """Further starting points for one-site models: Kd across the tested range (the rest from the guess)."""
    return [{"kd_nM": kd} for kd in _positions(x)]


def starts_hill(x: np.ndarray, guess: Mapping[str, float]) -> list[dict[str, float]]:
    """Further starting points for the Hill model: Kd across the range, with Hill slopes 1, 0.5 and 2."""
    return [{"kd_nM": kd, "hill": h} for h in (1.0, 0.5, 2.0) for kd in _positions(x)]


def starts_two_site(x: np.ndarray, guess: Mapping[str, float]) -> list[dict[str, float]]:
    """Further starting points for two-site models: pairs of Kds a decade apart across the tested range."""
    return [{"kd_hi_nM": kd / 3.0, "kd_lo_nM": kd * 3.0} for kd in _positions(x)]
