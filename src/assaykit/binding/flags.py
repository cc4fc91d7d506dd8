"""Quality flags for competition fits: each a short code a user can filter on, documented here.

A curve's ``flags`` cell is the codes that apply, joined by ``;`` (empty when the fit looks sound).

========================  ================================================================================
code                      meaning
========================  ================================================================================
``not_fitted: <why>``     the curve could not be fitted at all (e.g. fewer distinct concentrations than free
                          parameters); its numbers are empty
``not_converged: <why>``  the optimiser did not converge; numbers are the last iterate, do not report them
``ambiguous``             a parameter's dependency exceeds 0.9999 or the covariance is singular: the data do
                          not define every parameter (Prism's "ambiguous" fit; GraphPad Curve Fitting Guide,
                          "Ambiguous fits")
``ic50_outside_range``    the IC50 lies outside the tested concentrations, so it is an extrapolation
                          (GraphPad Curve Fitting Guide, "Check that EC50 values are within the range of your
                          data")
``log_ic50_se_gt_0.5``    SE(log IC50) above 0.5 log unit (Motulsky, curvefit.com "one kind of receptor":
                          "The SE of the logIC50 should be less than 0.5 log unit")
``bottom_vs_nsb``         fitted Bottom differs from the plate's mean NSB by more than 10% of the specific
                          window (Top or Bottom poorly defined, or NSB tubes off; consider ``--bottom nsb``)
``hill_slope_out_of_range``  Hill slope outside -1.5..-0.5: may indicate more than one site, negative
                          cooperativity or a non-equilibrium assay (Motulsky & Christopoulos 2004, ch. 42)
``ic50_ci_open``          a profile-likelihood limit of log IC50 was not reached within 12 log units
``fraction_hi_outside_0_1``  two sites: the fitted fraction of high-affinity sites is below 0 or above 1, so
                          the two-site model does not describe the data (compare it with one site)
``kd_ci_open``            homologous: a profile-likelihood limit of log Kd was not reached within 12 log units
``log_kd_se_gt_0.5``      homologous: SE(log Kd) above 0.5 log unit; the hot concentration may be far above
                          Kd (Prism advises a second, lower hot concentration)
``outliers_excluded``     ROUT (``--outliers rout``) removed ``n_outliers`` tubes before the final fit
``rout_not_converged``    ROUT's robust fit did not settle; its outlier verdicts rest on the last iterate
========================  ================================================================================

For two-site fits the IC50 checks (``ic50_outside_range``, ``log_ic50_se_gt_0.5``, ``ic50_ci_open``) apply to
each site and a flag is raised if either site fails.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from assaykit.fitting import CurveFit

#: Largest acceptable SE of log IC50 (log units).
MAX_LOG_IC50_SE = 0.5
#: Acceptable Hill slope range for a single site at equilibrium.
HILL_RANGE = (-1.5, -0.5)
#: Largest acceptable |Bottom - NSB| as a fraction of the specific window.
MAX_BOTTOM_NSB_FRACTION = 0.10


def competition_flags(
    fit: CurveFit,
    log_ic50: float,
    log_ic50_se: float,
    ci: tuple[float, float],
    x_range: tuple[float, float],
    total_mean: float,
    nsb_mean: float,
) -> list[str]:
    """Return the quality flag codes that apply to one competition fit (see the module docstring).

    Parameters
    ----------
    fit
        The curve fit.
    log_ic50, log_ic50_se
        log10 IC50 (M) and its standard error (for ``fit-ki`` derived from log Ki).
    ci
        The confidence limits of log IC50.
    x_range
        Lowest and highest tested log10 concentration.
    total_mean, nsb_mean
        The plate's mean total and NSB signal (NaN when absent: the Bottom check is then skipped).

    Returns
    -------
    list of str
        Flag codes in a stable order.
    """
    return site_flags(fit, [(log_ic50, log_ic50_se, ci)], x_range, total_mean, nsb_mean)


def site_flags(
    fit: CurveFit,
    sites: Sequence[tuple[float, float, tuple[float, float]]],
    x_range: tuple[float, float],
    total_mean: float,
    nsb_mean: float,
) -> list[str]:
    """Return the flag codes of a one- or two-site competition fit.

    Parameters
    ----------
    fit
        The curve fit.
    sites
        ``(log IC50, SE, (CI low, CI high))`` of each site: one for the one-site models, two for two sites.
    x_range, total_mean, nsb_mean
        As for :func:`competition_flags`.

    Returns
    -------
    list of str
        Flag codes in a stable order; an IC50 check is raised once when any site fails it.
    """
    flags: list[str] = []
    if not fit.converged:
        flags.append(f"not_converged: {fit.message}")
        return flags
    if fit.ambiguous:
        flags.append("ambiguous")
    if any(math.isfinite(log) and not (x_range[0] <= log <= x_range[1]) for log, _, _ in sites):
        flags.append("ic50_outside_range")
    if any(se > MAX_LOG_IC50_SE for _, se, _ in sites):  # a NaN SE comes with a singular (ambiguous) fit
        flags.append("log_ic50_se_gt_0.5")
    window = total_mean - nsb_mean  # NaN when the plate lacks either control: the check is skipped
    bottom_off = abs(fit.values["bottom"] - nsb_mean) > MAX_BOTTOM_NSB_FRACTION * window
    if "bottom" in fit.free and window > 0 and bottom_off:
        flags.append("bottom_vs_nsb")
    hill = fit.values.get("hill_slope", -1.0)
    if "hill_slope" in fit.free and not (HILL_RANGE[0] <= hill <= HILL_RANGE[1]):
        flags.append("hill_slope_out_of_range")
    fraction = fit.values.get("fraction_hi", 0.5)
    if "fraction_hi" in fit.free and not (0.0 <= fraction <= 1.0):
        flags.append("fraction_hi_outside_0_1")
    if fit.ci_method == "profile" and not all(math.isfinite(v) for _, _, ci in sites for v in ci):
        flags.append("ic50_ci_open")
    return flags


def homologous_flags(fit: CurveFit, total_mean: float, nsb_mean: float) -> list[str]:
    """Return the flag codes of a homologous competition fit.

    Parameters
    ----------
    fit
        The fit of the ``homologous`` model.
    total_mean, nsb_mean
        The plate's mean total and NSB signal; NaN skips the Bottom check (as it should be when the curve
        mixes hot concentrations, whose NSB differ).

    Returns
    -------
    list of str
        Flag codes in a stable order.
    """
    if not fit.converged:
        return [f"not_converged: {fit.message}"]
    flags = ["ambiguous"] if fit.ambiguous else []
    if fit.stderr["log_kd"] > MAX_LOG_IC50_SE:
        flags.append("log_kd_se_gt_0.5")
    window = total_mean - nsb_mean
    bottom_off = abs(fit.values["bottom"] - nsb_mean) > MAX_BOTTOM_NSB_FRACTION * window
    if "bottom" in fit.free and window > 0 and bottom_off:
        flags.append("bottom_vs_nsb")
    if fit.ci_method == "profile" and not all(math.isfinite(v) for v in fit.ci.get("log_kd", (0.0, 0.0))):
        flags.append("kd_ci_open")
    return flags
