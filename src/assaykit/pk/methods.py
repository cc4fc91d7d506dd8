"""The methods paragraph of a PK run, written from the options it ran with and what it computed.

Every sentence comes from :attr:`PKRun.options <assaykit.pk.workflow.PKRun>` (defaults, preset and command
line merged) and from the tables (profiles, analytes, flags, compartment fits), so that a changed setting
changes the paragraph and nothing is said of a step that did not run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from assaykit.methods import MethodsText, Sentence, assaykit_version, compose, count, join_words, number

if TYPE_CHECKING:
    from assaykit.pk.workflow import PKRun

__all__ = ["pk_methods"]

_ROUTES = {
    "extravascular": "extravascular (e.g. oral)",
    "iv-bolus": "intravenous bolus",
    "iv-infusion": "intravenous infusion",
}


def _data_sentence(results: pd.DataFrame, version: str) -> Sentence:
    subjects = results["subject"].nunique()
    analytes = sorted(results["analyte"].astype(str).unique())
    groups = [g for g in results.get("group", pd.Series(dtype=str)).astype(str).unique() if g]
    text = (
        f"Concentration-time profiles of {count(subjects, 'subject')} ({join_words(analytes)}"
        + (f"; {count(len(groups), 'group')}" if groups else "")
        + f") were analysed non-compartmentally with assaykit {version}"
    )
    return Sentence(text, ("gabrielsson2016",))


def _blq_sentence(opts: dict[str, Any], lloq: float | None, unit: str) -> Sentence:
    limit = f" ({number(lloq)} {unit})" if lloq else ""
    before = "set to zero" if opts["blq_before"] == "zero" else "treated as missing"
    after = "treated as missing" if opts["blq_after"] == "missing" else "set to zero"
    return Sentence(
        f"Samples below the lower limit of quantification{limit} before the first measurable concentration "
        f"were {before}, and later ones {after}"
    )


def _auc_sentence(opts: dict[str, Any]) -> Sentence:
    method = (
        "the linear trapezoidal rule"
        if opts["auc_method"] == "linear"
        else "the linear-up/log-down trapezoidal rule (linear while concentrations rise, logarithmic while "
        "they fall)"
    )
    text = (
        "Cmax and Tmax were read from the observed concentrations; AUC0-t (to the last measurable "
        f"concentration) and AUMC0-t were computed by {method}, and extrapolated to infinity by "
        "Clast/lambda_z (observed and predicted Clast) and Clast/lambda_z^2 + Tlast Clast/lambda_z; "
        "MRT = AUMC0-inf/AUC0-inf"
    )
    if opts["partial_auc"]:
        spans = [f"{number(a)}-{number(b)} h" for a, b in opts["partial_auc"]]
        text += f"; partial AUCs over {join_words(spans)} interpolate the concentration at each end"
    return Sentence(text)


def _lambda_z_sentence(opts: dict[str, Any], results: pd.DataFrame) -> Sentence:
    manual = opts.get("lambda_z_points") or ()
    text = (
        "The terminal rate constant lambda_z was estimated by least squares on log concentration against "
        f"time over the last points after Cmax: of every tail of at least {int(opts['min_points'])} points, "
        "the one with the highest adjusted R^2 was chosen, and among those within "
        f"{number(opts['r2adj_tolerance'])} of it the one with the most points (the rule of Phoenix "
        "WinNonlin and PKNCA); t1/2 = ln 2/lambda_z"
    )
    if manual:
        text += f"; for {count(len(manual), 'subject')} the points were chosen by hand"
    return Sentence(text, ("denney2015",))


def _clearance_sentence(
    opts: dict[str, Any], results: pd.DataFrame, dose_unit: str | None
) -> Sentence | None:
    if dose_unit is None:
        return None
    routes = sorted(set(results.get("route", pd.Series(dtype=str)).astype(str)) - {""}) or [opts["route"]]
    names = join_words([_ROUTES.get(r, r) for r in routes])
    extravascular = any(r == "extravascular" for r in routes)
    what = (
        "CL/F = Dose/AUC0-inf and Vz/F = CL/F/lambda_z"
        if extravascular
        else "CL = Dose/AUC0-inf and Vz = CL/lambda_z"
    )
    return Sentence(f"With {names} dosing in {dose_unit}, {what}", ("rowland2011",))


def _flag_sentence(opts: dict[str, Any], results: pd.DataFrame) -> Sentence:
    flagged = int((results["flags"].astype(str) != "").sum())
    return Sentence(
        f"Profiles were flagged when lambda_z had an adjusted R^2 below {number(opts['min_r2adj'])}, "
        f"more than {number(opts['max_extrap_pct'])}% of AUC0-inf was extrapolated, or the terminal points "
        f"spanned fewer than {number(opts['min_span_ratio'])} half-lives ({count(flagged, 'profile')} "
        "flagged; see the flags)"
    )


def _summary_sentence(groups: pd.DataFrame) -> Sentence | None:
    if not len(groups):
        return None
    return Sentence(
        "Group summaries give n, arithmetic mean and SD, geometric mean and geometric CV% "
        "(sqrt(exp(s^2) - 1), s the SD of the log values), and median and range; Tmax is summarised by its "
        "median and range only"
    )


def _compartmental_sentence(opts: dict[str, Any], table: pd.DataFrame) -> Sentence | None:
    if opts["compartmental"] == "none" or not len(table):
        return None
    models = {"1": "one-compartment", "2": "two-compartment", "both": "one- and two-compartment"}
    weights = {"none": "unweighted", "1/y": "weighted by 1/y", "1/y2": "weighted by 1/y^2"}[
        opts["cmt_weights"]
    ]
    text = (
        f"{models[opts['compartmental']].capitalize()} models (first-order absorption"
        + (" with a lag time" if opts["lag"] else "")
        + " for extravascular doses, a bolus otherwise) were fitted to each dosed compound's profile by "
        f"{weights} nonlinear least squares (Levenberg-Marquardt), rate constants on the log scale; "
        "half-lives (absorption, distribution, elimination) are ln 2 over the rate constants, with SEs by "
        f"the delta method and {number(100 * opts['level'])}% confidence intervals from those of the log "
        "rates"
    )
    if opts["compartmental"] == "both":
        text += (
            "; one and two compartments were compared by the extra-sum-of-squares F test (two preferred at "
            "P < 0.05) and AICc"
        )
    return Sentence(text, ("gibaldi1982", "marquardt1963", "motulsky2004"))


def pk_methods(run: PKRun) -> MethodsText:
    """Write the methods paragraph of a PK run.

    Parameters
    ----------
    run
        A finished run (:func:`assaykit.pk.workflow.run_pk`).

    Returns
    -------
    MethodsText
        The paragraph (the data, BLQ handling, AUC method and extrapolation, the lambda_z rule, clearance
        and volume, the flags, group summaries, compartment fits) and the full citations it names.
    """
    opts, nca = run.options, run.nca
    results = nca.results
    sentences = [
        _data_sentence(results, assaykit_version()),
        _blq_sentence(opts, run.lloq, nca.conc_unit),
        _auc_sentence(opts),
        _lambda_z_sentence(opts, results),
        _clearance_sentence(opts, results, nca.dose_unit),
        _flag_sentence(opts, results),
        _summary_sentence(run.groups),
        _compartmental_sentence(opts, run.compartmental),
    ]
    return compose(sentences)
