"""The methods paragraph of a saturation-binding run, written from its options and its results.

The model, the interval method and the unit conversions come from :attr:`SaturationRun.options
<assaykit.saturation.workflow.SaturationRun>` where the run recorded them, and from the results table
otherwise (its ``model`` and ``ci_method`` columns, and the conversion columns it holds); the number of
data sets, tubes and profile intervals actually computed come from the results, so nothing is said of a
step that did not run.
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
    from assaykit.saturation.workflow import SaturationRun

__all__ = ["saturation_methods"]

#: What each model is, in words (X the radioligand concentration, nM).
MODEL_TEXT = {
    "one-site-total": (
        "total and nonspecific binding fitted together as one least-squares problem (Prism's \"One site - "
        'Total and nonspecific binding"): total = Bmax X/(Kd + X) + NS X + Background and nonspecific = '
        "NS X + Background, with NS and Background shared"
    ),
    "two-site-total": (
        "total and nonspecific binding fitted together with two classes of sites (Prism's \"Two sites - "
        'Total and nonspecific binding"): total = BmaxHi X/(KdHi + X) + BmaxLo X/(KdLo + X) + NS X + '
        "Background, with NS and Background shared"
    ),
    "one-site": 'one class of sites, specific = Bmax X/(Kd + X) (Prism\'s "One site - Specific binding")',
    "hill": (
        "specific binding with a Hill slope, specific = Bmax X^h/(Kd^h + X^h) (Prism's \"Specific binding "
        'with Hill slope")'
    ),
    "two-site": (
        "two classes of sites, specific = BmaxHi X/(KdHi + X) + BmaxLo X/(KdLo + X) (Prism's \"Two sites - "
        'Specific binding"; KdHi the smaller Kd)'
    ),
}
_GLOBAL = ("one-site-total", "two-site-total")
_PROFILED = {"two-site": "KdHi", "two-site-total": "KdHi"}


def _options(run: SaturationRun) -> dict[str, Any]:
    """Return the run's options, completed from its results where the run did not record them."""
    results = run.analysis.results
    options: dict[str, Any] = dict(getattr(run, "options", {}) or {})
    if "model" in results and len(results):
        options.setdefault("model", str(results["model"].iloc[0]))
    if "ci" not in options:
        methods = set(results.get("ci_method", pd.Series(dtype=str)).astype(str))
        options["ci"] = "profile" if "profile" in methods else "asymptotic"
    if "level" not in options:
        fits = [f for f in run.analysis.fits.values() if f is not None]
        options["level"] = fits[0].level if fits else 0.95
    return options


def _data_sentence(results: pd.DataFrame, points: pd.DataFrame, specific: bool, version: str) -> Sentence:
    kinds = "specific binding" if specific else "total and nonspecific (NSB) binding tubes"
    n_tubes = len(points)
    return Sentence(
        f"Saturation binding was analysed with assaykit {version}: {count(len(results), 'data set')} "
        f"({count(n_tubes, 'tube')}, {kinds}; each replicate tube a point)"
    )


def _fit_sentence(model: str, specific: bool) -> Sentence:
    if model in _GLOBAL:
        how = MODEL_TEXT[model].replace("fitted together", "were fitted together", 1)
    elif specific:
        how = f"the specific binding given in the file was fitted with {MODEL_TEXT[model]}"
    else:
        how = (
            "specific binding (each total tube minus the mean NSB at the same concentration, Prism's "
            f'"Remove baseline") was fitted with {MODEL_TEXT[model]}'
        )
    return Sentence(
        f"Kd and Bmax were estimated by unweighted nonlinear least squares (Levenberg-Marquardt): {how}",
        ("marquardt1963", "motulsky2004"),
    )


def _ci_sentence(options: dict[str, Any], results: pd.DataFrame) -> Sentence:
    level = percent(options["level"])
    if options["ci"] != "profile":
        return Sentence(
            f"{level} confidence intervals were asymptotic (estimate ± t × SE, the SE from the covariance "
            "matrix at the best fit)",
            ("motulsky2004",),
        )
    target = _PROFILED.get(str(options["model"]), "Kd")
    methods = results.get("ci_method", pd.Series(dtype=str)).astype(str)
    kept = int((methods != "profile").sum())
    text = (
        f"{level} confidence intervals of {target} were computed by profile likelihood, those of the other "
        "parameters as estimate ± t × SE"
    )
    if kept:
        text += (
            f"; {count(kept, 'data set')} whose fit was ambiguous, did not converge or had a Bmax <= 0 "
            "kept asymptotic limits"
        )
    return Sentence(text, ("venzon1988",))


def _units_sentence(options: dict[str, Any], results: pd.DataFrame, unit: str) -> Sentence | None:
    sa = options.get("specific_activity_Ci_mmol")
    if sa is None or "bmax_fmol" not in results:
        return None
    efficiency = options.get("efficiency")
    if unit == "dpm" or efficiency is None:
        factor = f"fmol = dpm/({number(sa)} Ci/mmol × 2.22 dpm/fmol per Ci/mmol)"
    else:
        factor = (
            f"fmol = cpm/({number(efficiency)} counting efficiency × {number(sa)} Ci/mmol × 2.22 dpm/fmol "
            "per Ci/mmol)"
        )
    parts = [f"Bmax was converted to fmol ({factor})"]
    if options.get("protein_mg") is not None and "bmax_fmol_per_mg" in results:
        parts.append(f"to fmol/mg protein with {number(options['protein_mg'])} mg protein per tube")
    if options.get("cells") is not None and "sites_per_cell" in results:
        parts.append(f"to sites per cell with {number(options['cells'])} cells per tube (Avogadro's number)")
    return Sentence(
        join_words(parts) + "; the efficiency, specific activity, protein and cell count were taken as exact"
    )


def _depletion_sentence(options: dict[str, Any], results: pd.DataFrame) -> Sentence | None:
    volume = options.get("volume_ml")
    bound = pd.to_numeric(results.get("max_fraction_bound"), errors="coerce")
    if volume is None or bound is None or not np.isfinite(bound.to_numpy(float)).any():
        return None
    depleted = int(results["flags"].fillna("").astype(str).str.contains("depletion").sum())
    return Sentence(
        f"Ligand depletion was checked with an assay volume of {number(volume)} ml: a data set binding more "
        f"than 10% of the added radioligand at any concentration is flagged ({count(depleted, 'data set')} "
        "flagged), since the analysis takes free radioligand as equal to added",
        ("motulsky2004",),
    )


def _not_fitted_sentence(results: pd.DataFrame) -> Sentence | None:
    flags = results["flags"].fillna("").astype(str)
    failed = int(flags.str.startswith(("not_fitted", "not_converged")).sum())
    if not failed:
        return None
    return Sentence(
        f"{count(failed, 'data set')} could not be fitted or did not converge (no estimates; see the flags)"
    )


def saturation_methods(run: SaturationRun) -> MethodsText:
    """Write the methods paragraph of a saturation-binding run.

    Parameters
    ----------
    run
        A finished run (:func:`assaykit.saturation.run_saturation`): its ``options`` (the model, interval
        method and level, unit options; read from the results where the run has none) and its ``analysis``.

    Returns
    -------
    MethodsText
        The paragraph (the data, the model and how specific binding was formed, the confidence intervals,
        the conversion of Bmax and the depletion check when they ran, the data sets without a fit) and the
        full citations of the methods it names.
    """
    analysis = run.analysis
    results = analysis.results
    options = _options(run)
    unit = str(results.attrs.get("signal_unit", "cpm") or "signal")
    specific = bool(options.get("specific")) or (
        "kind" in analysis.points and not analysis.points["kind"].astype(str).eq("nsb").any()
    )
    model = str(options.get("model") or ("one-site" if specific else "one-site-total"))
    sentences = [
        _data_sentence(results, analysis.points, specific, assaykit_version()),
        plate_map_sentence(run.inputs),
        _fit_sentence(model, specific),
        _ci_sentence({**options, "model": model}, results),
        _units_sentence(options, results, unit),
        _depletion_sentence(options, results),
        _not_fitted_sentence(results),
    ]
    return compose(sentences)
