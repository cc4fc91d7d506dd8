"""Quality flags of non-compartmental analysis: each a short code a user can filter on, documented here.

A profile's ``flags`` cell is the codes that apply, joined by ``;`` (empty when the analysis looks sound).

=============================  ===============================================================================
code                           meaning
=============================  ===============================================================================
``not_analysed: <why>``        the profile could not be analysed at all (no measurable concentration); its
                               numbers are empty
``lambda_z_too_few_points``    fewer than ``min_points`` positive samples after Tmax (PKNCA
                               ``min.hl.points``): no lambda_z, so no half-life, AUC0-inf, CL or Vz
``lambda_z_not_declining``     no candidate terminal fit falls (lambda_z > 0) with an adjusted R^2 near the
                               best: the tail does not decline log-linearly
``lambda_z_r2adj_low``         the adjusted R^2 of the terminal fit is below ``min_r2adj`` (default 0.9)
``lambda_z_span_short``        the terminal points span fewer than ``min_span_ratio`` half-lives (default 2;
                               PKNCA ``min.span.ratio``): the half-life is poorly determined
``auc_extrap_high``            more than ``max_extrap_pct`` % (default 20 %) of AUC0-inf is extrapolated past
                               Tlast (the EMA and FDA bioequivalence guidances' limit)
``tmax_at_last_sample``        the highest concentration is the last measurable one: no terminal phase was
                               sampled
``cmax_at_first_sample``       extravascular dose with the highest concentration at the first sample: the
                               absorption phase was missed (or the dose was intravascular)
``blq_between_measurable``     a BLQ sample lies between two measurable concentrations (left out as missing
                               by default)
``dose_missing``               the subject has no dose: CL, Vz and Cmax/Dose are empty
=============================  ===============================================================================

The rows of the compartment fits (``--compartmental``) carry their own codes, joined by semicolons, each with
its reason after a colon:

=============================  ===============================================================================
code                           meaning
=============================  ===============================================================================
``not_fitted: <why>``          the model could not be fitted to this profile (too few points, no dose for a
                               one-compartment model, a numerical failure)
``not_converged``              the least-squares search stopped before converging
``ambiguous``                  the parameters are not all identifiable from these points (a singular or
                               near-singular covariance)
``negative_amplitude``         a two-compartment fit with an exponential term of amplitude <= 0: not a
                               two-compartment profile
``flip_flop``                  absorption slower than elimination or distribution: the half-lives may be
                               swapped
``tlag_negative``              the fitted lag time is before the dose
``tlag_late``                  the fitted lag time is after the first measurable concentration
``half_life_beyond_data``      a half-life more than 10 times the sampling span: the data cannot define it
``weights``                    zero concentrations were left out of a 1/y or 1/y^2 weighted fit
``units``                      the dose and concentration units do not convert to litres: no CL or V
=============================  ===============================================================================
"""

from __future__ import annotations

__all__ = ["COMPARTMENT_FLAG_MEANINGS", "FLAG_CODES", "FLAG_MEANINGS", "join_codes"]

#: Each code of the table above in one plain sentence, for reports (:func:`assaykit.flag_text.explain_flags`).
FLAG_MEANINGS: dict[str, str] = {
    "not_analysed": (
        "The profile could not be analysed at all (no measurable concentration); its numbers are empty."
    ),
    "lambda_z_too_few_points": (
        "Too few positive samples after Tmax to estimate the terminal rate constant, so the half-life, "
        "AUC0-inf, clearance and volume are empty."
    ),
    "lambda_z_not_declining": (
        "No terminal fit with a falling slope was found: the last concentrations do not decline "
        "log-linearly, so the half-life and everything extrapolated from it are empty."
    ),
    "lambda_z_r2adj_low": (
        "The terminal log-linear fit is poor (adjusted R-squared below the threshold): treat the half-life "
        "and AUC0-inf with caution."
    ),
    "lambda_z_span_short": (
        "The terminal points span fewer half-lives than asked for, so the half-life is poorly determined."
    ),
    "auc_extrap_high": (
        "More of AUC0-inf than the allowed percentage was extrapolated beyond the last sample: AUC0-inf, "
        "clearance and volume rest on the extrapolation."
    ),
    "tmax_at_last_sample": (
        "The highest concentration is the last measurable one: sampling stopped before the terminal phase."
    ),
    "cmax_at_first_sample": (
        "The highest concentration came at the first sample of an extravascular dose: the absorption phase "
        "was missed, or the dose reached the blood directly."
    ),
    "blq_between_measurable": (
        "A sample below the limit of quantification lies between measurable ones; check it (it was treated "
        "as the BLQ rules say)."
    ),
    "dose_missing": "The subject has no dose, so clearance, volume and Cmax/Dose are empty.",
}

#: The compartment fits' codes (the second table above), in one plain sentence each.
COMPARTMENT_FLAG_MEANINGS: dict[str, str] = {
    "not_fitted": "The compartment model could not be fitted to this profile; its row is empty.",
    "not_converged": "The least-squares search stopped before it converged: do not use these estimates.",
    "ambiguous": (
        "The parameters are not all identifiable from these points, so their standard errors are "
        "unreliable; a simpler model usually describes the data as well."
    ),
    "negative_amplitude": (
        "An exponential term has a negative amplitude: the curve is not a two-compartment profile."
    ),
    "flip_flop": (
        "Absorption is slower than elimination or distribution, so the fitted half-lives may belong to "
        "the other process."
    ),
    "tlag_negative": "The fitted lag time falls before the dose.",
    "tlag_late": "The fitted lag time falls after the first measurable concentration.",
    "half_life_beyond_data": (
        "A half-life exceeds ten times the sampling span: the data cannot define it, and the model has "
        "too many phases for them."
    ),
    "weights": "Zero concentrations were left out of the weighted fit (1/y weights need y > 0).",
    "units": "The dose and concentration units do not convert to litres, so clearance and volume are empty.",
}

#: The codes in their listed order.
FLAG_CODES: tuple[str, ...] = tuple(FLAG_MEANINGS)


def join_codes(codes: list[str]) -> str:
    """Join flag codes into one ``flags`` cell in the order of :data:`FLAG_CODES` (details kept)."""
    order = {code: i for i, code in enumerate(FLAG_CODES)}
    return ";".join(sorted(codes, key=lambda code: order.get(code.partition(":")[0], len(order))))
