"""Quality flags for saturation fits: each a short code a user can filter on, documented here.

A data set's ``flags`` cell is the codes that apply, joined by ``;`` (empty when the fit looks sound).

=========================  ===============================================================================
code                       meaning
=========================  ===============================================================================
``not_fitted: <why>``      the data set could not be fitted (e.g. no total tubes); its numbers are empty
``not_converged: <why>``   the optimiser did not converge; do not report the numbers
``ambiguous``              a parameter's dependency exceeds 0.9999 or the covariance is singular (Prism's
                           "ambiguous"; typical of a two-site fit to one-site data)
``negative_bmax``          a Bmax (either site's, for two sites) is <= 0: the model does not describe the data
``bmax_extrapolated``      the highest concentration is below 10 x Kd (the largest Kd for two sites)
``kd_outside_range``       a Kd lies outside the tested concentrations
``kd_ci_open``             a profile-likelihood limit of Kd was not reached
``depletion``              more than 10% of the added radioligand is bound at some concentration (see
                           :mod:`assaykit.saturation.units`)
=========================  ===============================================================================

``bmax_extrapolated``: at 10 x Kd, 91% of the sites are occupied (``X/(Kd + X)``); below it the
plateau is not reached and Bmax and Kd become correlated (GraphPad Curve Fitting Guide, "binding
potential", https://graphpad.com/guides/prism/latest/curve-fitting/reg_binding_potential.htm).
"""

from __future__ import annotations

import math

from assaykit.fitting import CurveFit
from assaykit.saturation.units import MAX_FRACTION_BOUND

#: ``bmax_extrapolated`` when the highest concentration is below this multiple of Kd (X/(Kd+X) < 91%).
SATURATING_MULTIPLE = 10.0

#: Each code of the table above in one plain sentence, for reports (:func:`assaykit.methods.explain_flags`).
FLAG_MEANINGS: dict[str, str] = {
    "not_fitted": (
        "The data set was not fitted (e.g. no total tubes, or NSB not below total); its numbers are empty."
    ),
    "not_converged": "The fit did not converge; do not report its numbers.",
    "ambiguous": (
        "The data do not define every parameter (a dependency above 0.9999): the estimates are unreliable."
    ),
    "negative_bmax": "A fitted Bmax is zero or negative: the model does not describe the data.",
    "bmax_extrapolated": (
        "The highest concentration is below 10 times Kd, so the plateau was not reached and Bmax is "
        "extrapolated."
    ),
    "kd_outside_range": "Kd lies outside the concentrations tested, so it is an extrapolation.",
    "kd_ci_open": "A profile-likelihood limit of Kd was not reached: the interval is open.",
    "depletion": (
        "More than 10% of the added radioligand was bound at some concentration, so free ligand is below "
        "added and Kd is overestimated."
    ),
}

_TWO_SITE = ("kd_hi_nM", "kd_lo_nM")


def saturation_flags(fit: CurveFit, x_range: tuple[float, float], fraction_bound: float) -> list[str]:
    """Return the quality flag codes of one saturation fit.

    Parameters
    ----------
    fit
        The data set's fit.
    x_range
        The lowest and highest concentration fitted, nM.
    fraction_bound
        The largest fraction of the added radioligand found bound (NaN when not known).

    Returns
    -------
    list of str
        The codes that apply, in the order of the table above (``not_converged`` alone).
    """
    if not fit.converged:
        return [f"not_converged: {fit.message}"]
    flags = []
    if fit.ambiguous:
        flags.append("ambiguous")
    if any(value <= 0 for name, value in fit.values.items() if name.startswith("bmax")):
        flags.append("negative_bmax")
    kds = [fit.values[n] for n in (_TWO_SITE if "kd_hi_nM" in fit.values else ("kd_nM",))]
    largest = max(kds)
    if math.isfinite(largest) and x_range[1] < SATURATING_MULTIPLE * largest:
        flags.append("bmax_extrapolated")
    if any(not (x_range[0] <= kd <= x_range[1]) for kd in kds):
        flags.append("kd_outside_range")
    if fit.ci_method == "profile":
        potency = fit.model.potency
        if potency in fit.ci and any(math.isinf(v) for v in fit.ci[potency]):
            flags.append("kd_ci_open")
    if fraction_bound > MAX_FRACTION_BOUND:
        flags.append("depletion")
    return flags
