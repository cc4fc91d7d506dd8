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
"""

from __future__ import annotations

__all__ = ["FLAG_CODES", "FLAG_MEANINGS", "join_codes"]

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

#: The codes in their listed order.
FLAG_CODES: tuple[str, ...] = tuple(FLAG_MEANINGS)


def join_codes(codes: list[str]) -> str:
    """Join flag codes into one ``flags`` cell in the order of :data:`FLAG_CODES` (details kept)."""
    order = {code: i for i, code in enumerate(FLAG_CODES)}
    return ";".join(sorted(codes, key=lambda code: order.get(code.partition(":")[0], len(order))))
