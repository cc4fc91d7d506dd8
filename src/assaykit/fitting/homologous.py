"""Homologous competition: a radioligand displaced by its unlabelled self (Prism "One site - Homologous").

The formula, its analytic Jacobian, a starting guess and further starting points. The
:class:`~assaykit.fitting.fit_types.CurveModel` that bundles them (``HOMOLOGOUS``) lives in
:mod:`assaykit.fitting.models`; this module imports nothing from it.

The hot (labelled) ligand concentration is a per-point data array, ``hot_nM``, so that curves run at two or
more hot concentrations are fitted together with one shared log Kd, Bmax and Bottom: Prism's advice, since
one hot concentration defines Kd only when it is not far above Kd.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

LN10 = math.log(10.0)


def _terms(x: np.ndarray, log_kd: float, hot_nM: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
    """Return ``Hot/D`` and ``Kd/D`` with ``D = Hot + Cold + Kd`` (all nM), computed without overflow."""
    x = np.asarray(x, dtype=float)
    hot = np.asarray(hot_nM, dtype=float)
    # Divide through by the largest of the three terms so that nothing overflows far from the data.
    logs = np.stack(np.broadcast_arrays(np.log10(hot), x + 9.0, np.full(x.shape, log_kd + 9.0)))
    top = logs.max(axis=0)
    hot_r, cold_r, kd_r = 10.0 ** (logs - top)
    denominator = hot_r + cold_r + kd_r
    return hot_r / denominator, kd_r / denominator


def homologous(
    x: np.ndarray,
    log_kd: float = -9.0,
    bmax: float = 1000.0,
    bottom: float = 0.0,
    hot_nM: np.ndarray | float = 1.0,  # noqa: N803 - the unit is part of the name
) -> np.ndarray:
    """Homologous competition binding, one site (Prism "One site - Homologous").

    ``ColdNM = 10^(X + 9)``; ``KdNM = 10^(logKd + 9)``;
    ``Y = Bmax * HotnM / (HotnM + ColdNM + KdNM) + Bottom``

    Parameters
    ----------
    x
        log10 of the molar concentration of the unlabelled ligand.
    log_kd
        log10 of the ligand's molar Kd (the same for the labelled and unlabelled forms).
    bmax
        Maximal specific binding, in the units of the data.
    bottom
        Nonspecific binding (Prism's Bottom/NS), in the units of the data.
    hot_nM
        The labelled ligand's concentration at each point, nM (one value or one per point).

    Returns
    -------
    numpy.ndarray
        The model at each ``x``.

    Notes
    -----
    Source: GraphPad Prism 7 Curve Fitting Guide, "Equation: One site - Homologous"
    (reg_homologous_one_site_two_conc.htm), which fits two or more hot concentrations globally with shared
    log Kd, Bmax and NS; DeBlasi, O'Reilly & Motulsky (1989) Trends Pharmacol Sci 10:227-229. The model
    assumes the labelled and unlabelled ligand have the same affinity and no ligand depletion. Its midpoint
    is ``IC50 = Kd + Hot``.
    """
    hot_frac, _ = _terms(x, log_kd, hot_nM)
    return bmax * hot_frac + bottom


def _homologous_jacobian(
    x: np.ndarray,
    log_kd: float,
    bmax: float,
    bottom: float,
    hot_nM: np.ndarray | float,  # noqa: N803
) -> dict[str, np.ndarray]:
    """Return the partial derivatives of :func:`homologous`.

    ``dY/dlogKd = -Bmax (Hot/D)(Kd/D) ln10``, ``dY/dBmax = Hot/D``, ``dY/dBottom = 1``.
    """
    hot_frac, kd_frac = _terms(x, log_kd, hot_nM)
    return {
        "log_kd": -bmax * hot_frac * kd_frac * LN10,
        "bmax": hot_frac,
        "bottom": np.ones_like(hot_frac),
    }


def guess_homologous(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, np.ndarray] | None = None
) -> dict[str, float]:
    """Return starting values from the points at the lowest hot concentration.

    Bottom is the mean response at the highest cold concentration and the top plateau the mean at the
    lowest; where the concentration means cross half-way between them is the IC50, and ``IC50 = Kd + Hot``
    gives Kd (at least 5% of the IC50 when Hot is about the IC50 or above it); Bmax follows from the top
    plateau, ``Top - Bottom = Bmax Hot / (Hot + Kd)``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    hot = np.broadcast_to(np.asarray((constants or {}).get("hot_nM", 1.0), dtype=float), x.shape)
    h = float(hot.min())
    sel = hot == h
    if np.unique(x[sel]).size < 2:  # too few concentrations at one hot level: use every point
        sel = np.ones(x.shape, dtype=bool)
        h = float(np.median(hot))
    levels = np.unique(x[sel])
    means = np.array([y[sel][x[sel] == level].mean() for level in levels])
    top, bottom = float(means[0]), float(means[-1])
    half = 0.5 * (top + bottom)
    log_ic50 = float(np.median(levels))
    above = means >= half
    crossing = np.flatnonzero(above[:-1] & ~above[1:])
    if crossing.size:
        i = int(crossing[0])
        y0, y1 = means[i], means[i + 1]
        frac = 0.5 if y1 == y0 else (half - y0) / (y1 - y0)
        log_ic50 = float(levels[i] + frac * (levels[i + 1] - levels[i]))
    ic50_nM = 10.0 ** (log_ic50 + 9.0)  # noqa: N806
    kd_nM = max(ic50_nM - h, 0.05 * ic50_nM)  # noqa: N806
    return {"log_kd": math.log10(kd_nM) - 9.0, "bmax": (top - bottom) * (h + kd_nM) / h, "bottom": bottom}


def homologous_starts(x: np.ndarray, guess: Mapping[str, float]) -> list[dict[str, float]]:
    """Return further starting points, tried when the guess does not converge.

    log Kd one and two log units off, with Bmax scaled up to keep the top plateau near the guess.
    """
    starts = []
    for step in (-1.0, 1.0, -2.0, 2.0):
        starts.append({"log_kd": guess["log_kd"] + step, "bmax": guess["bmax"] * 10.0 ** max(step, 0.0)})
    return starts
