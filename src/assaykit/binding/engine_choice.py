"""Which batch-engine fits ``engine="auto"`` keeps for a small job: those the lmfit path would reproduce.

A small job (fewer curves than :data:`assaykit.binding.fit_loop.BATCH_MIN_CURVES`) is fitted by the batch
engine like a screen, so that it needs neither lmfit nor scipy (about half a second of imports, most of a
small job's time). Its results must still be the ones the one-curve lmfit path gives, and they are wherever
the fit is *well posed*: the batch fit converged, it is not ambiguous (Prism's rule: covariance singular or
a dependency above 0.9999), the standard error of log IC50 is at most
:data:`~assaykit.binding.flags.MAX_LOG_IC50_SE` and the IC50 lies within the tested concentrations. Such a
curve has one clear minimum of the sum of squares next to its data, and both engines, started from the same
data-driven guess with the same MINPACK convergence tests, stop there: log IC50 within 1e-6, SEs within
1e-4 relative, the same flags.

A curve that is not well posed (no displacement, an IC50 near or beyond the highest concentration, too few
or too noisy points) has a sum of squares that is flat along some direction. The two optimisers then stop at
different points of that valley, with sums of squares equal to ~1e-11 relative and log IC50 differing by
anything up to tens of log units, and so with different flags (``ambiguous`` or ``log_ic50_se_gt_0.5`` on
one and not the other). On 2,400 simulated small curves of every kind (steep, shallow, few points, flat,
partial, beyond the range, noisy; free and fixed plateaus, one-site, fit-ki, Poisson weights), fitted before
the batch engine bounded its parameters, about half of the ill-posed ones differed and none of the
well-posed ones did. Those curves, and any the batch engine stopped at its limits or did not converge on,
are therefore refitted one at a time by the lmfit path (which tries several starting points), as before;
only then is lmfit imported. Curves called inactive are fitted by neither engine.
``tests/binding/test_engine_choice.py`` holds the comparison.

Large jobs keep every converged batch fit: a screen is fitted by the batch engine (the results table says
which curves are ill posed in ``flags``), and refitting its many inactive curves one at a time would cost the
seconds per curve the batch engine exists to avoid.
"""

from __future__ import annotations

import numpy as np

from assaykit.binding.flags import MAX_LOG_IC50_SE
from assaykit.fitting.fitset import FitSet
from assaykit.fitting.logistic import cheng_prusoff_shift

__all__ = ["well_posed"]


def _log_ic50(fits: FitSet) -> np.ndarray:
    """Log IC50 of each fit: the fitted value, or for ``fit-ki`` log Ki plus the Cheng-Prusoff shift."""
    if "log_ic50" in fits.model.param_names:
        return fits.value("log_ic50")
    shift = cheng_prusoff_shift(fits.constants["radioligand_nM"], fits.constants["kd_nM"])
    return fits.value(fits.model.potency) + shift


def well_posed(fits: FitSet, x_lo: np.ndarray, x_hi: np.ndarray) -> np.ndarray:
    """Return which batch fits are well posed, so that the lmfit path would give the same result.

    Parameters
    ----------
    fits
        Batch-engine fits of a one-site model (``4pl``, ``one-site`` or ``fit-ki``), one row per curve.
    x_lo, x_hi
        Lowest and highest tested log10 molar concentration of each curve.

    Returns
    -------
    numpy.ndarray
        True where the fit converged, is not ambiguous, has ``SE(log IC50) <= MAX_LOG_IC50_SE`` and its log
        IC50 in ``[x_lo, x_hi]`` (the checks behind the ``ambiguous``, ``log_ic50_se_gt_0.5`` and
        ``ic50_outside_range`` flags of :mod:`assaykit.binding.flags`); see the module docstring for why.
    """
    log_ic50 = _log_ic50(fits)
    se = fits.se(fits.model.potency)  # log IC50 and log Ki share their SE (a constant shift)
    with np.errstate(invalid="ignore"):
        return (
            fits.converged
            & ~fits.ambiguous
            & (se <= MAX_LOG_IC50_SE)
            & (x_lo <= log_ic50)
            & (log_ic50 <= x_hi)
        )
