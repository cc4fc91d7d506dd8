"""Which compounds of a screen are active: a displacement test per curve and calls at a chosen FDR.

Every competition curve (all models but ``homologous``) is tested for displacement before it is fitted
(:func:`assaykit.fitting.displacement.displacement_test`: the best falling sigmoid against a horizontal
line, with a p-value from the simulated null distribution of the curve's design). Over the curves of the
run the p-values become Benjamini-Hochberg q-values (:func:`assaykit.multiplicity.bh_qvalues`), and a curve
is called **active** when

- its q-value is at most ``fdr`` (so that the expected share of inactive compounds among the actives is at
  most ``fdr``), and
- its displacement, the fall of the best sigmoid over the tested range as a percentage of its plate's
  specific window (TOTAL - NSB), is at least ``min_displacement_pct``: a tiny but significant fall is not
  called active, as CurveCurator's relevance threshold does for dose-response screens (Bayer et al. 2023
  Nat Commun 14:7902). On a plate without TOTAL or NSB tubes the window is unknown and only the q-value
  decides.

A curve that is not called active is **inactive**: it is not fitted (its estimates are empty, its IC50 is
reported only as above the highest tested concentration, ``ic50_above_nM``) and its flag says why:
``no_displacement`` (q above ``fdr``) or ``weak_displacement`` (significant, but below
``min_displacement_pct``). ``fdr=1`` with ``min_displacement_pct=0`` calls every tested curve active, so
that every curve is fitted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assaykit.binding.curves import Curves
from assaykit.binding.rows import to_nM
from assaykit.fitting.displacement import displacement_test
from assaykit.fitting.padded import fittable
from assaykit.multiplicity import bh_qvalues

__all__ = ["ACTIVITY_DEFAULTS", "Activity", "activity_calls", "add_activity_columns", "inactive_note"]

#: Default FDR of the activity calls, and smallest displacement (% of the specific window) called active.
ACTIVITY_DEFAULTS = {"fdr": 0.05, "min_displacement_pct": 20.0}


@dataclass(frozen=True)
class Activity:
    """The activity columns of the curves of a run (one value per curve, in curve order).

    Attributes
    ----------
    p_value, q_value
        The displacement test's p-value and its Benjamini-Hochberg q-value over the run (NaN: not tested).
    displacement_pct
        Fall of the best grid sigmoid over the tested range, % of the plate's specific window.
    call
        ``"active"``, ``"inactive"`` or ``""`` (not tested: not fittable, homologous).
    why
        The flag of an inactive curve (``no_displacement`` or ``weak_displacement``), else ``""``.
    """

    p_value: np.ndarray
    q_value: np.ndarray
    displacement_pct: np.ndarray
    call: np.ndarray
    why: np.ndarray

    @property
    def inactive(self) -> np.ndarray:
        """Positions of the curves called inactive."""
        return np.flatnonzero(self.call == "inactive")


def activity_calls(
    curves: Curves,
    untested: Iterable[int] = (),
    *,
    n_free: int = 4,
    fdr: float = ACTIVITY_DEFAULTS["fdr"],
    min_displacement_pct: float = ACTIVITY_DEFAULTS["min_displacement_pct"],
) -> Activity:
    """Test every curve for displacement and call it active or inactive.

    Parameters
    ----------
    curves
        The run's curves.
    untested
        Positions of curves not to test (those that must not be fitted, homologous curves).
    n_free
        Free parameters of the model to be fitted: a curve with fewer distinct concentrations, or no
        degree of freedom left, is not tested (it cannot be fitted either, and its row says so). Nor is a
        curve with fewer than four distinct concentrations or five tubes, whatever the model: the test's
        sigmoid has four parameters, so it has no power there; such a curve is fitted as it comes.
    fdr
        False-discovery rate of the calls, in (0, 1].
    min_displacement_pct
        Smallest displacement, % of the specific window, called active (>= 0).

    Returns
    -------
    Activity
        The p- and q-values, displacements and calls, one per curve.
    """
    n = len(curves)
    tested = np.ones(n, bool)
    tested[list(untested)] = False
    x, y = curves.padded.columns[:2]
    tested &= fittable(x, curves.padded.mask, max(n_free, 4))
    test = displacement_test(x[tested], y[tested], curves.padded.mask[tested])
    p = np.full(n, np.nan)
    p[tested] = test.p_value
    q = bh_qvalues(p)
    table = curves.table
    window = table["total_mean"].to_numpy(float) - table["nsb_mean"].to_numpy(float)
    drop = np.full(n, np.nan)
    drop[tested] = test.drop
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(window > 0, 100.0 * drop / window, np.nan)
        significant = q <= fdr
        large = ~(pct < min_displacement_pct)  # NaN (no window): the threshold cannot apply
    done = np.isfinite(p)
    active = done & significant & large
    call = np.where(active, "active", np.where(done, "inactive", "")).astype(object)
    why = np.where(
        done & ~significant, "no_displacement", np.where(done & ~active, "weak_displacement", "")
    ).astype(object)
    return Activity(p_value=p, q_value=q, displacement_pct=pct, call=call, why=why)


def inactive_note(activity: Activity, fdr: float, min_displacement_pct: float) -> list[str]:
    """Return a note saying how many curves were called inactive, and why they are not fitted."""
    n_tested = int((activity.call != "").sum())
    n_inactive = activity.inactive.size
    if not n_inactive:
        return []
    return [
        f"{n_inactive} of {n_tested} curves called inactive (flag no_displacement or weak_displacement: no "
        f"fall of at least {min_displacement_pct:g}% of the specific window at a false-discovery rate of "
        f"{fdr:g}); they are not fitted and their IC50 is only known to lie above the highest tested "
        "concentration (ic50_above_nM); to fit every curve, give --fdr 1 --min-displacement 0"
    ]


def add_activity_columns(results: pd.DataFrame, activity: Activity, x_hi: np.ndarray) -> None:
    """Add the screen's columns to a results table, in place.

    ``activity``, ``p_displacement``, ``q_displacement`` and ``displacement_pct`` are the calls' own;
    ``ic50_above_nM`` is the highest tested concentration (``x_hi``, log10 M, one per curve) of a curve
    whose IC50 is only known to lie above it: one called inactive, and one whose fit was stopped as its log
    IC50 ran beyond the tested range (no estimate) while the curve falls by less than half its window.
    """
    results["activity"] = activity.call
    results["p_displacement"] = activity.p_value
    results["q_displacement"] = activity.q_value
    results["displacement_pct"] = activity.displacement_pct
    runaway = results["flags"].str.startswith("not_converged: stopped").to_numpy(bool)
    above = (activity.call == "inactive") | (runaway & (activity.displacement_pct < 50.0))
    results["ic50_above_nM"] = np.where(above, to_nM(x_hi), np.nan)
