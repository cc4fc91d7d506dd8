"""The methods paragraph of a competition-binding run, written from the options it ran with and its results.

Every sentence comes from :attr:`BindingRun.options <assaykit.binding.workflow.BindingRun>` (the resolved
options: preset, command line and defaults merged) and from the analysis (the curves, plates, models and
calls it actually made), so a changed setting changes the paragraph, and nothing is said of a step that
did not run (no Cheng-Prusoff sentence without Ki, no ROUT sentence without ``--outliers rout``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from assaykit.methods import (
    MethodsText,
    Sentence,
    assaykit_version,
    compose,
    count,
    join_words,
    number,
    percent,
    plate_map_sentence,
)

if TYPE_CHECKING:
    from assaykit.binding.workflow import BindingRun

__all__ = ["competition_methods"]

#: What each model is, in words.
MODEL_TEXT = {
    "4pl": "a four-parameter logistic model of log concentration (one site, variable Hill slope)",
    "one-site": 'a one-site competition model (Hill slope fixed at -1; Prism\'s "One site - Fit logIC50")',
    "fit-ki": (
        "a one-site competition model fitted for log Ki, with the Cheng-Prusoff equation inside the model "
        '(Hill slope -1; Prism\'s "One site - Fit Ki")'
    ),
    "two-site": (
        "a two-site competition model (the fraction of high-affinity sites and a log IC50 for each site; "
        'Prism\'s "Two sites - Fit logIC50")'
    ),
    "two-site-ki": (
        "a two-site competition model fitted for each site's log Ki, with the Cheng-Prusoff equation inside "
        'the model (Prism\'s "Two sites - Fit Ki")'
    ),
    "homologous": (
        "the one-site homologous competition model, Y = Bmax [hot]/([hot] + [cold] + Kd) + Bottom, which "
        "fits the radioligand's own Kd and Bmax (Prism's \"One site - Homologous\")"
    ),
}
_MODEL_CITES = {"homologous": ("deblasi1989",)}
#: The parameter each model's profile-likelihood interval is computed for.
_POTENCY = {
    "4pl": "log IC50",
    "one-site": "log IC50",
    "fit-ki": "log Ki",
    "two-site": "the high-affinity site's log IC50",
    "two-site-ki": "the high-affinity site's log Ki",
    "homologous": "log Kd",
}


def _plateau(value: Any, name: str, control: str, unit: str) -> str:
    if isinstance(value, str):
        return f"{name} was fixed at each plate's mean {control.upper()} signal"
    return f"{name} was fixed at {number(value)} {unit}"


def _data_sentence(results: pd.DataFrame, plates: pd.DataFrame, version: str) -> Sentence:
    n_curves = len(results)
    n_compounds = results["compound"].nunique() if n_curves else 0
    n_plates = len(plates)
    return Sentence(
        f"Competition binding was analysed with assaykit {version}: {count(n_curves, 'curve')} "
        f"({count(n_compounds, 'compound')} on {count(n_plates, 'plate')}; a curve is one compound on one "
        "plate, each replicate tube a point)"
    )


def _plate_sentence(plates: pd.DataFrame) -> Sentence | None:
    if "z_prime" not in plates or not np.isfinite(plates["z_prime"].to_numpy(float)).any():
        return None
    return Sentence(
        "Each plate's specific window (mean TOTAL minus mean NSB signal) and Z' factor were computed from "
        "its total and nonspecific binding tubes",
        ("zhang1999",),
    )


def _activity_sentence(opts: dict[str, Any], results: pd.DataFrame) -> Sentence | None:
    if opts["model"] == "homologous" or "activity" not in results:
        return None
    calls = results["activity"].astype(str)
    tested = int(calls.isin(["active", "inactive"]).sum())
    if tested == 0:
        return None
    inactive = int((calls == "inactive").sum())
    fdr, least = float(opts["fdr"]), float(opts["min_displacement_pct"])
    rule = f"a Benjamini-Hochberg q-value of at most {number(fdr)}"
    if least > 0:
        rule += f" and a fall of at least {number(least)}% of the plate's specific window"
    outcome = (
        f"the {count(inactive, 'curve')} called inactive {'was' if inactive == 1 else 'were'} not fitted "
        "(IC50 reported as above the highest concentration tested)"
        if inactive
        else "none was called inactive"
    )
    return Sentence(
        f"Before fitting, each of the {count(tested, 'curve')} was tested for displacement (the best "
        "falling sigmoid against a horizontal line, with a p-value from the simulated null distribution of "
        f"the curve's design); curves with {rule} were called active and fitted, and {outcome} {{cite}}",
        ("benjamini1995", "bayer2023"),
    )


def _fit_sentence(opts: dict[str, Any], results: pd.DataFrame, unit: str) -> Sentence:
    model = str(opts["model"])
    column = results.get("model", pd.Series(dtype=str)).astype(str)
    fitted = [m for m in dict.fromkeys(column) if m in MODEL_TEXT]
    models = fitted or [model]
    described = join_words(MODEL_TEXT[m] for m in models)
    weights = (
        ", weighted by 1/Y of the fitted curve (Poisson weighting, the weights recomputed from the curve "
        "until the weighted sum of squares stopped changing),"
        if opts["weights"] == "poisson"
        else " (unweighted)"
    )
    plateaus = [("Top", "total", opts["top"])] if model != "homologous" else []
    plateaus.append(("Bottom", "nsb", opts["bottom"]))
    free = [name for name, _, value in plateaus if value == "free"]
    parts = [_plateau(value, name, control, unit) for name, control, value in plateaus if value != "free"]
    if free:
        verb = "was a free parameter" if len(free) == 1 else "were free parameters"
        parts.insert(0, f"{join_words(free)} {verb}")
    cites = ("marquardt1963", "motulsky2004", *_MODEL_CITES.get(model, ()))
    return Sentence(
        f"Each curve's tubes ({unit}) were fitted by nonlinear least squares (Levenberg-Marquardt){weights} "
        f"to {described}; {join_words(parts)}",
        cites,
    )


def _outlier_sentence(opts: dict[str, Any], results: pd.DataFrame) -> Sentence | None:
    if opts["outliers"] != "rout":
        return None
    removed = pd.to_numeric(results.get("n_outliers"), errors="coerce")
    n_removed = 0 if removed is None else int(np.nansum(removed.to_numpy(float)))
    return Sentence(
        f"Outliers were identified by ROUT with Q = {number(opts['rout_q'])}% (a robust fit, then a "
        "false-discovery-rate test of its residuals) and excluded before the final fit; "
        f"{count(n_removed, 'tube')} were excluded in all",
        ("motulsky2006",),
    )


def _ci_sentence(opts: dict[str, Any]) -> Sentence:
    level = percent(opts["level"])
    if opts["ci"] == "profile":
        return Sentence(
            f"{level} confidence intervals of {_POTENCY[str(opts['model'])]} were computed by profile "
            "likelihood, those of the other parameters as estimate ± t × SE",
            ("venzon1988",),
        )
    return Sentence(
        f"{level} confidence intervals were asymptotic (estimate ± t × SE, the SE from the covariance "
        "matrix at the best fit), and those of IC50 and Ki were transformed from the log scale",
        ("motulsky2004",),
    )


def _ki_sentence(opts: dict[str, Any], results: pd.DataFrame) -> Sentence | None:
    model = str(opts["model"])
    kd, hot = opts.get("kd_nM"), opts.get("radioligand_nM")
    if model == "homologous":
        return Sentence(
            "Kd and Bmax were estimated from the homologous curves themselves; no Ki was computed"
        )
    if kd is None or hot is None:
        return Sentence(
            "Ki was not computed: the radioligand's Kd and concentration were not given, so IC50 is reported"
        )
    kd_lo = opts.get("kd_lo_nM")
    inputs = f"[L] = {number(hot)} nM and Kd = {number(kd)} nM"
    if model in ("two-site", "two-site-ki"):
        lo = number(kd if kd_lo is None else kd_lo)
        inputs = (
            f"[L] = {number(hot)} nM, Kd = {number(kd)} nM at the high-affinity site and {lo} nM at the low"
        )
    if model in ("fit-ki", "two-site-ki"):
        text = (
            f"Ki was fitted directly, the Cheng-Prusoff equation Ki = IC50/(1 + [L]/Kd) taken with {inputs}"
        )
    else:
        per_site = " for each site" if model == "two-site" else ""
        text = (
            f"Ki was computed{per_site} from IC50 by the Cheng-Prusoff equation, Ki = IC50/(1 + [L]/Kd), "
            f"with {inputs}; its confidence limits are those of IC50 divided by the same factor (Kd taken "
            "as exact)"
        )
    kd_se = opts.get("kd_se_nM")
    if kd_se is not None and model not in ("two-site", "two-site-ki"):
        text += (
            f", and a second interval (the *_total columns) also carries the standard error of Kd "
            f"({number(kd_se)} nM) by the delta method"
        )
    return Sentence(text, ("cheng1973",))


def _compare_sentence(opts: dict[str, Any], comparisons: pd.DataFrame) -> Sentence | None:
    if not opts.get("compare"):
        return None
    n = comparisons[["compound", "plate"]].drop_duplicates().shape[0] if len(comparisons) else 0
    return Sentence(
        f"For each of {count(n, 'curve')}, one site (Hill slope -1) was compared with two sites and with a "
        "free Hill slope on the same points by the extra-sum-of-squares F test (the more complex model "
        "preferred at P < 0.05) and by AICc",
        ("motulsky2004",),
    )


def _potency_sentence(opts: dict[str, Any], potency: pd.DataFrame) -> Sentence | None:
    reference = opts.get("potency_vs")
    if reference is None:
        return None
    return Sentence(
        f"Potency relative to {reference} is the ratio of IC50s of curves on the same plate, with a "
        f"{percent(opts['level'])} confidence interval from SE(log ratio) = sqrt(SE1^2 + SE2^2) and "
        f"Welch-Satterthwaite degrees of freedom ({count(len(potency), 'ratio')})"
    )


def _not_fitted_sentence(results: pd.DataFrame) -> Sentence | None:
    flags = results["flags"].fillna("").astype(str)
    failed = int(flags.str.startswith(("not_fitted", "not_converged")).sum())
    if not failed:
        return None
    return Sentence(
        f"{count(failed, 'curve')} could not be fitted or did not converge "
        f"({'it has' if failed == 1 else 'they have'} no estimates; see the flags)"
    )


def competition_methods(run: BindingRun) -> MethodsText:
    """Write the methods paragraph of a competition-binding run.

    Parameters
    ----------
    run
        A finished run (:func:`assaykit.binding.run_binding`): its ``options`` (the resolved options) and
        its ``analysis`` (the curves, plates, models, activity calls, outliers, comparisons and potency
        ratios it produced).

    Returns
    -------
    MethodsText
        The paragraph (the data, the displacement test, the model and its constraints and weighting,
        outliers, confidence intervals, Ki by Cheng-Prusoff with its inputs, model comparison, relative
        potency, the curves without a fit) and the full citations of the methods it names.
    """
    opts = run.options
    analysis = run.analysis
    results = analysis.results
    unit = str(results.attrs.get("signal_unit", "cpm"))
    version = assaykit_version()
    sentences = [
        _data_sentence(results, analysis.plates, version),
        plate_map_sentence(run.inputs),
        _plate_sentence(analysis.plates),
        _activity_sentence(opts, results),
        _fit_sentence(opts, results, unit),
        _outlier_sentence(opts, results),
        _ci_sentence(opts),
        _ki_sentence(opts, results),
        _compare_sentence(opts, analysis.comparisons),
        _potency_sentence(opts, analysis.potency),
        _not_fitted_sentence(results),
    ]
    return compose(sentences)
