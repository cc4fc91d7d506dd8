"""Simulate a competition-binding screen with known actives: for benchmarks, tests and power planning.

A screen is mostly compounds that do not displace the radioligand: their tubes scatter around the plate's
TOTAL. Some displace only at the top of the tested range (IC50 near or beyond the highest concentration)
and a few are potent. :func:`simulate_screen` draws such a screen and says which curve is which, so that
an analysis's activity calls can be checked against the truth (false-discovery proportion, power).

The counts follow the competition sigmoid (Prism's "log(inhibitor) vs. response -- Variable slope"),
``Y = Bottom + (Top - Bottom) / (1 + 10**((LogIC50 - X) * HillSlope))``, with proportional Gaussian noise
(pipetting, membrane amount) and then Poisson counting noise, as in ``examples/binding/make_counts.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SimulatedScreen", "simulate_screen"]


@dataclass(frozen=True)
class SimulatedScreen:
    """A simulated screen and its truth.

    Attributes
    ----------
    counts
        Long table ``plate, compound, replicate, conc_nM, cpm`` with each plate's TOTAL and NSB tubes
        (``conc_nM`` empty) before its compounds: what :func:`assaykit.io.counts.read_counts` reads.
    truth
        One row per compound: ``compound, plate, kind`` (``inactive``, ``partial`` or ``active``),
        ``log_ic50`` (log10 M; NaN for inactive compounds) and ``hill_slope``.
    """

    counts: pd.DataFrame
    truth: pd.DataFrame


def simulate_screen(
    n_curves: int,
    *,
    inactive: float = 0.8,
    partial: float = 0.1,
    log_conc_M: np.ndarray | None = None,  # noqa: N803 - the unit is part of the name
    replicates: int = 3,
    top: float = 3000.0,
    bottom: float = 250.0,
    cv: float = 0.05,
    per_plate: int = 30,
    controls: int = 4,
    seed: int | None = 0,
) -> SimulatedScreen:
    """Draw a screen of ``n_curves`` compounds, each on one plate, with known actives.

    Parameters
    ----------
    n_curves
        Number of compounds (curves).
    inactive, partial
        Fractions of compounds that do not displace at all, and that displace only at the top of the range
        (log IC50 uniform from half a log unit below the top concentration to one above it); the rest are
        active (log IC50 uniform over the middle of the range, 1.5 log units in from either end).
    log_conc_M
        Tested concentrations, log10 M; default 11 in half-log steps from 10 pM to 100 uM.
    replicates
        Tubes per concentration.
    top, bottom
        Mean total binding and NSB, in cpm (1-minute counts).
    cv
        Proportional Gaussian noise of every tube (then Poisson counting noise on top).
    per_plate
        Compounds per plate; each plate gets ``controls`` TOTAL and ``controls`` NSB tubes.
    controls
        TOTAL and NSB tubes per plate.
    seed
        Random seed (the same seed gives the same screen).

    Returns
    -------
    SimulatedScreen
        The counts table and the truth.
    """
    if n_curves < 1 or not 0 <= inactive <= 1 or not 0 <= partial <= 1 - inactive:
        raise ValueError("need n_curves >= 1 and fractions inactive, partial in [0, 1] summing to <= 1")
    rng = np.random.default_rng(seed)
    log_c = np.arange(-11.0, -5.9, 0.5) if log_conc_M is None else np.asarray(log_conc_M, dtype=float)
    x = np.repeat(log_c, replicates)
    n_inactive = round(n_curves * inactive)
    n_partial = round(n_curves * partial)
    kind = np.array(["inactive"] * n_inactive + ["partial"] * n_partial + ["active"] * n_curves, dtype=object)
    kind = rng.permutation(kind[:n_curves])
    lo, hi = log_c.min(), log_c.max()
    log_ic50 = np.where(
        kind == "active",
        rng.uniform(lo + 1.5, hi - 1.5, n_curves),
        np.where(kind == "partial", rng.uniform(hi - 0.5, hi + 1.0, n_curves), np.nan),
    )
    hill = rng.uniform(-1.3, -0.8, n_curves)
    with np.errstate(invalid="ignore"):
        mean = bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50[:, None] - x[None, :]) * hill[:, None]))
    mean = np.where(kind[:, None] == "inactive", top, mean)
    cpm = rng.poisson(mean * rng.normal(1.0, cv, mean.shape).clip(0.2))
    plate = (np.arange(n_curves) // per_plate + 1).astype(str).astype(object)
    names = np.array([f"cmpd{i:0{max(5, len(str(n_curves - 1)))}d}" for i in range(n_curves)], dtype=object)
    curves = pd.DataFrame(
        {
            "plate": np.repeat(plate, x.size),
            "compound": np.repeat(names, x.size),
            "replicate": np.tile(np.tile(np.arange(1, replicates + 1), log_c.size), n_curves),
            "conc_nM": np.tile(np.round(10 ** (x + 9), 6), n_curves),
            "cpm": cpm.ravel(),
        }
    )
    plates = pd.unique(plate)
    tubes = rng.normal(1.0, cv, (plates.size, 2 * controls)).clip(0.2)
    tubes *= np.r_[np.full(controls, top), np.full(controls, bottom)]
    control_rows = pd.DataFrame(
        {
            "plate": np.repeat(plates, 2 * controls),
            "compound": np.tile(["TOTAL"] * controls + ["NSB"] * controls, plates.size),
            "replicate": np.tile(np.r_[np.arange(1, controls + 1), np.arange(1, controls + 1)], plates.size),
            "conc_nM": np.nan,
            "cpm": rng.poisson(tubes).ravel(),
        }
    )
    order = np.argsort(np.r_[np.repeat(np.arange(plates.size), 2 * controls), np.repeat(
        np.arange(n_curves) // per_plate, x.size)], kind="stable")  # fmt: skip
    counts = pd.concat([control_rows, curves], ignore_index=True).iloc[order].reset_index(drop=True)
    truth = pd.DataFrame(
        {"compound": names, "plate": plate, "kind": kind, "log_ic50": log_ic50, "hill_slope": hill}
    )
    return SimulatedScreen(counts=counts, truth=truth)
