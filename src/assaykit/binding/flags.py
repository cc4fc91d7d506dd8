"""Quality flags for competition fits: each a short code a user can filter on, documented here.

A curve's ``flags`` cell is the codes that apply, joined by ``;`` (empty when the fit looks sound).

===========================  =================================================================================
code                         meaning
===========================  =================================================================================
``not_fitted: <why>``        the curve could not be fitted at all (e.g. fewer distinct concentrations than
                             free parameters), or must not be (its plate's TOTAL mean is not above its NSB
                             mean, a plateau is fixed at a control the plate lacks, its concentrations are
                             implausible: :mod:`assaykit.binding.checks`); its numbers are empty
``no_displacement``          the curve was called inactive: no significant fall (its q-value above ``--fdr``;
                             :mod:`assaykit.binding.activity`); not fitted, estimates empty, ``ic50_above_nM``
                             the highest tested concentration
``weak_displacement``        called inactive: a significant fall, but smaller than ``--min-displacement`` % of
                             the specific window; not fitted, as for ``no_displacement``
``not_converged: <why>``     the optimiser did not converge, or was stopped as its log IC50, Hill slope or a
                             plateau ran beyond the limits (``stopped: ...``: no minimum where the numbers
                             mean anything); the estimate columns are empty
``ambiguous``                a parameter's dependency exceeds 0.9999 or the covariance is singular: the data
                             do not define every parameter (Prism's "ambiguous" fit; GraphPad Curve Fitting
                             Guide, "Ambiguous fits")
``ic50_outside_range``       the IC50 lies outside the tested concentrations, so it is an extrapolation
                             (GraphPad Curve Fitting Guide, "Check that EC50 values are within the range of
                             your data")
``log_ic50_se_gt_0.5``       SE(log IC50) above 0.5 log unit (Motulsky, curvefit.com "one kind of receptor":
                             "The SE of the logIC50 should be less than 0.5 log unit")
``bottom_vs_nsb``            fitted Bottom differs from the plate's mean NSB by more than 10% of the specific
                             window and significantly (two-sided t test at 1% with the SEs of Bottom and of
                             the NSB mean): Top or Bottom poorly defined, or NSB tubes off; consider
                             ``--bottom nsb``
``hill_slope_out_of_range``  Hill slope outside -1.5..-0.5: may indicate more than one site, negative
                             cooperativity or a non-equilibrium assay (Motulsky & Christopoulos 2004, ch. 42)
``ic50_ci_open``             a profile-likelihood limit of log IC50 was not reached within 12 log units
``fraction_hi_outside_0_1``  two sites: the fitted fraction of high-affinity sites is below 0 or above 1, so
                             the two-site model does not describe the data (compare it with one site)
``kd_ci_open``               homologous: a profile-likelihood limit of log Kd was not reached within 12 log
                             units
``log_kd_se_gt_0.5``         homologous: SE(log Kd) above 0.5 log unit; the hot concentration may be far above
                             Kd (Prism advises a second, lower hot concentration)
``outliers_excluded``        ROUT (``--outliers rout``) removed ``n_outliers`` tubes before the final fit
``rout_not_converged``       ROUT's robust fit did not settle; its outlier verdicts rest on the last iterate
``signal_outside_controls``  the curve's median tube lies more than two specific windows above the plate's
                             TOTAL mean or below its NSB mean: the tubes may belong to another plate or
                             counting (see :mod:`assaykit.binding.checks`)
===========================  =================================================================================

For two-site fits the IC50 checks (``ic50_outside_range``, ``log_ic50_se_gt_0.5``, ``ic50_ci_open``) apply to
each site and a flag is raised if either site fails.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assaykit.fitting.distributions import t_quantile
from assaykit.fitting.fitset import FitSet

#: Largest acceptable SE of log IC50 (log units).
MAX_LOG_IC50_SE = 0.5
#: Acceptable Hill slope range for a single site at equilibrium.
HILL_RANGE = (-1.5, -0.5)
#: Largest acceptable ``|Bottom - NSB|`` as a fraction of the specific window.
MAX_BOTTOM_NSB_FRACTION = 0.10
#: Two-sided level of the test of Bottom against NSB (``bottom_vs_nsb``).
BOTTOM_NSB_ALPHA = 0.01

#: Each code of the table above in one plain sentence, for reports (:func:`assaykit.methods.explain_flags`).
FLAG_MEANINGS: dict[str, str] = {
    "not_fitted": (
        "The curve was not fitted (too few concentrations, or controls or concentrations that forbid it); "
        "its estimates are empty."
    ),
    "no_displacement": (
        "The compound did not displace the radioligand significantly at the chosen FDR, so it was called "
        "inactive and not fitted; its IC50 lies above the highest concentration tested."
    ),
    "weak_displacement": (
        "The fall was significant but smaller than the minimum displacement asked for, so the compound was "
        "called inactive and not fitted."
    ),
    "not_converged": (
        "The fit did not converge, or was stopped as its estimates ran beyond meaningful limits; do not "
        "report its numbers."
    ),
    "ambiguous": (
        "The data do not define every parameter (a dependency above 0.9999): the estimates are unreliable."
    ),
    "ic50_outside_range": "The IC50 lies outside the concentrations tested, so it is an extrapolation.",
    "log_ic50_se_gt_0.5": (
        "The standard error of log IC50 is above 0.5 log unit: the potency is poorly determined."
    ),
    "bottom_vs_nsb": (
        "The fitted Bottom differs clearly from the plate's NSB: a plateau is poorly defined or the NSB "
        "tubes are off; consider fixing Bottom at NSB."
    ),
    "hill_slope_out_of_range": (
        "The Hill slope lies outside -1.5 to -0.5, which may mean more than one site, cooperativity or an "
        "assay not at equilibrium."
    ),
    "ic50_ci_open": (
        "A profile-likelihood limit of log IC50 was not reached within 12 log units: the interval is open."
    ),
    "fraction_hi_outside_0_1": (
        "The fitted fraction of high-affinity sites is below 0 or above 1: the two-site model does not "
        "describe these data."
    ),
    "kd_ci_open": (
        "A profile-likelihood limit of log Kd was not reached within 12 log units: the interval is open."
    ),
    "log_kd_se_gt_0.5": (
        "The standard error of log Kd is above 0.5 log unit; the hot concentration may be far above Kd."
    ),
    "outliers_excluded": "ROUT removed outlying tubes before the final fit (see n_outliers).",
    "rout_not_converged": "ROUT's robust fit did not settle, so its outlier calls rest on its last iterate.",
    "signal_outside_controls": (
        "The curve's tubes lie far outside the plate's TOTAL-NSB window: they may belong to another plate "
        "or counting."
    ),
}

#: One IC50 (or Kd) per site: ``(log value, SE, (CI low, CI high))``, each an array with one value per curve.
Site = tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]


def join_flags(n: int, checks: Sequence[tuple[str, np.ndarray]]) -> np.ndarray:
    """Join the codes whose masks are true into one ``;``-separated string per curve.

    Parameters
    ----------
    n
        Number of curves.
    checks
        ``(code, mask)`` pairs in the order the codes are listed.

    Returns
    -------
    numpy.ndarray
        Object array of ``n`` strings (empty where no code applies).
    """
    out = np.full(n, "", dtype=object)
    for code, mask in checks:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            out[mask] = np.where(out[mask] == "", code, out[mask] + (";" + code))
    return out


def _bottom_vs_nsb(
    fits: FitSet,
    total_mean: np.ndarray,
    nsb_mean: np.ndarray,
    nsb_se: tuple[np.ndarray | None, np.ndarray | None] | None,
) -> np.ndarray:
    """``bottom_vs_nsb``: a free Bottom off the plate's NSB by more than 10% of the window, and beyond its SE.

    The difference must be both large (:data:`MAX_BOTTOM_NSB_FRACTION` of the specific window) and
    significant: ``|Bottom - NSB| > t(0.995, df) sqrt(SE(Bottom)^2 + SE(NSB mean)^2)`` (a two-sided test
    at :data:`BOTTOM_NSB_ALPHA`, ``df`` by Welch-Satterthwaite from the fit's DF and the NSB tubes' n - 1:
    Welch 1947 Biometrika 34:28-35), so that a Bottom that merely scatters with the fit's own uncertainty, as
    it does for correctly specified curves with noisy tubes, is not flagged. A plate without either
    control (or a window that is not positive) skips the check.
    """
    window = total_mean - nsb_mean
    bottom = fits.value("bottom")
    se_n, n_nsb = (None, None) if nsb_se is None else nsb_se
    se_n = np.zeros(len(fits)) if se_n is None else np.nan_to_num(np.asarray(se_n, dtype=float))
    df_n = np.full(len(fits), np.inf) if n_nsb is None else np.asarray(n_nsb, dtype=float) - 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.abs(bottom - nsb_mean)
        se_b = fits.se("bottom")
        se = np.sqrt(se_b**2 + se_n**2)
        # Welch-Satterthwaite: the NSB mean of a few tubes has few degrees of freedom
        df = se**4 / (se_b**4 / fits.df + np.where(se_n > 0, se_n**4 / df_n, 0.0))
        critical = t_quantile(1.0 - BOTTOM_NSB_ALPHA, np.minimum(np.floor(df), 2000))
        beyond = ~(gap <= critical * se)  # a NaN SE cannot clear it
        off = (gap > MAX_BOTTOM_NSB_FRACTION * window) & beyond
        return ("bottom" in fits.free) & (window > 0) & off


def _finish(fits: FitSet, checks: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """Join the checks of converged fits; a fit that did not converge gets only ``not_converged: why``."""
    good = fits.converged
    flags = join_flags(len(fits), [(code, mask & good) for code, mask in checks])
    for i in np.flatnonzero(~good):
        flags[i] = f"not_converged: {fits.message[i]}"
    return flags


def site_flags(
    fits: FitSet,
    sites: Sequence[Site],
    x_range: tuple[np.ndarray, np.ndarray],
    total_mean: np.ndarray,
    nsb_mean: np.ndarray,
    nsb_se: tuple[np.ndarray | None, np.ndarray | None] | None = None,
) -> np.ndarray:
    """Return the flags of one- or two-site competition fits, one ``;``-joined string per curve.

    Parameters
    ----------
    fits
        The curve fits.
    sites
        ``(log IC50, SE, (CI low, CI high))`` of each site, arrays with one value per curve: one site for
        the one-site models (for ``fit-ki``, log IC50 derived from log Ki), two for two sites.
    x_range
        Lowest and highest tested log10 concentration of each curve.
    total_mean, nsb_mean
        Each curve's plate mean total and NSB signal (NaN when absent: the Bottom check is then skipped).
    nsb_se
        SE of each plate's NSB mean and its number of NSB tubes (None or NaN: the SE taken as 0 in the
        Bottom test).

    Returns
    -------
    numpy.ndarray
        The codes of the module docstring in their listed order; an IC50 check is raised once when any
        site fails it.
    """
    with np.errstate(invalid="ignore"):
        outside = np.zeros(len(fits), bool)
        wide = np.zeros(len(fits), bool)
        open_ci = np.zeros(len(fits), bool)
        for log, se, (low, high) in sites:
            outside |= np.isfinite(log) & ~((x_range[0] <= log) & (log <= x_range[1]))
            wide |= se > MAX_LOG_IC50_SE  # a NaN SE comes with a singular (ambiguous) fit
            open_ci |= ~(np.isfinite(low) & np.isfinite(high))
        hill = fits.value("hill_slope")
        fraction = fits.value("fraction_hi")
        checks = [
            ("ambiguous", fits.ambiguous),
            ("ic50_outside_range", outside),
            ("log_ic50_se_gt_0.5", wide),
            ("bottom_vs_nsb", _bottom_vs_nsb(fits, total_mean, nsb_mean, nsb_se)),
            (
                "hill_slope_out_of_range",
                ("hill_slope" in fits.free) & ~((HILL_RANGE[0] <= hill) & (hill <= HILL_RANGE[1])),
            ),
            (
                "fraction_hi_outside_0_1",
                ("fraction_hi" in fits.free) & ~((fraction >= 0.0) & (fraction <= 1.0)),
            ),
            ("ic50_ci_open", (fits.ci_method == "profile") & open_ci),
        ]
    return _finish(fits, checks)


def homologous_flags(
    fits: FitSet,
    total_mean: np.ndarray,
    nsb_mean: np.ndarray,
    nsb_se: tuple[np.ndarray | None, np.ndarray | None] | None = None,
) -> np.ndarray:
    """Return the flags of homologous competition fits, one ``;``-joined string per curve.

    Parameters
    ----------
    fits
        Fits of the ``homologous`` model.
    total_mean, nsb_mean
        Each curve's plate mean total and NSB signal; NaN skips the Bottom check (as it should be when the
        curve mixes hot concentrations, whose NSB differ).

    Returns
    -------
    numpy.ndarray
        The codes that apply, in their listed order.
    """
    low, high = fits.interval("log_kd")
    with np.errstate(invalid="ignore"):
        checks = [
            ("ambiguous", fits.ambiguous),
            ("log_kd_se_gt_0.5", fits.se("log_kd") > MAX_LOG_IC50_SE),
            ("bottom_vs_nsb", _bottom_vs_nsb(fits, total_mean, nsb_mean, nsb_se)),
            ("kd_ci_open", (fits.ci_method == "profile") & ~(np.isfinite(low) & np.isfinite(high))),
        ]
    return _finish(fits, checks)
