"""The saturation analysis: every data set's Kd and Bmax (and receptor density), with the tables around them.

A *data set* is one saturation experiment: its total and nonspecific (NSB) tubes are fitted together,
every replicate as its own point, and it gives one result row. By default the total and NSB tubes are
fitted as one least-squares problem with NS and Background shared (Prism's "One site -- Total and
nonspecific binding", which the Curve Fitting Guide calls the best approach). The specific-binding models
fit total minus NSB instead: the mean NSB at the same concentration is subtracted from each total tube
(Prism's "Remove baseline"), or the file gives specific binding itself.

This module holds the analysis itself (:func:`analyze_saturation`, :func:`fit_saturation` and
:class:`SaturationAnalysis`): it checks the input and options, fits every data set and assembles the
results and points tables. The parts live in

- :mod:`assaykit.saturation.fit`: the points a model fits for one data set, and the fit;
- :mod:`assaykit.saturation.columns`: each model's result columns, in order (``MODEL_COLUMNS``,
  ``result_columns``);
- :mod:`assaykit.saturation.rows`: one result row per data set;
- :mod:`assaykit.saturation.units`: the unit conversions (``fmol = cpm / (efficiency x SA x
  2.22)``, fmol/mg, sites/cell) and the depletion check, with their sources;
- :mod:`assaykit.saturation.flags`: the quality flags.

The public names are exported by :mod:`assaykit.saturation`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError, FitWarning
from assaykit.fitting import CurveFit, CurveFitError
from assaykit.fitting.saturation_models import GLOBAL_MODELS, SATURATION_MODELS
from assaykit.saturation.checks import saturation_problem
from assaykit.saturation.columns import result_columns
from assaykit.saturation.fit import build_problem, fit_problem
from assaykit.saturation.rows import empty_row, result_row
from assaykit.saturation.units import MAX_FRACTION_BOUND, bound_fraction, check_units

__all__ = ["ModelName", "SaturationAnalysis", "analyze_saturation", "fit_saturation"]

ModelName = Literal["one-site-total", "one-site", "hill", "two-site", "two-site-total"]
_REQUIRED = ("dataset", "kind", "conc_nM", "signal")


@dataclass(frozen=True)
class SaturationAnalysis:
    """Everything a saturation analysis produces.

    Attributes
    ----------
    results
        One row per data set, the model's columns
        (:func:`~assaykit.saturation.columns.result_columns`).
    points
        Every tube with its nonspecific, specific, fitted and residual binding (see
        :func:`analyze_saturation`).
    fits
        The :class:`~assaykit.fitting.CurveFit` of each data set, keyed by data set; None for one that
        could not be fitted.
    notes
        Sentences the user should read (e.g. why Bmax was not converted to fmol/mg).
    """

    results: pd.DataFrame
    points: pd.DataFrame
    fits: dict[str, CurveFit | None]
    notes: tuple[str, ...]


def _check_model(model: str | None, specific_data: bool) -> str:
    if model is None:
        return "one-site" if specific_data else "one-site-total"
    if model not in SATURATION_MODELS:
        raise AssayInputError(f"unknown model '{model}'; expected one of {', '.join(SATURATION_MODELS)}")
    if specific_data and model in GLOBAL_MODELS:
        specific_models = ", ".join(m for m in SATURATION_MODELS if m not in GLOBAL_MODELS)
        raise AssayInputError(
            f"--model {model} fits total and nsb tubes together, but the data are specific binding; "
            f"use one of {specific_models}"
        )
    return model


def analyze_saturation(
    data: pd.DataFrame,
    *,
    model: ModelName | None = None,
    ci: Literal["asymptotic", "profile"] = "asymptotic",
    level: float = 0.95,
    efficiency: float | None = None,
    specific_activity_Ci_mmol: float | None = None,  # noqa: N803 - the unit is part of the name
    protein_mg: float | None = None,
    cells: float | None = None,
    volume_ml: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SaturationAnalysis:
    """Fit every saturation data set: Kd and Bmax with Prism's standard errors and confidence intervals.

    Parameters
    ----------
    data
        The canonical saturation frame from :func:`assaykit.io.saturation.read_saturation` (or
        :func:`~assaykit.io.saturation.saturation_from_frame`): ``dataset, kind, conc_nM, signal``.
    model
        ``"one-site-total"`` (the default for total and nsb tubes: Prism "One site -- Total and nonspecific
        binding", fitted globally with NS and Background shared), ``"one-site"`` (Prism "One site --
        Specific binding"; the default for specific-binding data), ``"hill"`` ("Specific binding with Hill
        slope"), ``"two-site"`` ("Two sites -- Specific binding") or ``"two-site-total"`` ("Two sites --
        Total and nonspecific binding"). The specific models fit total minus the mean NSB at the same
        concentration when given total and nsb tubes.
    ci
        ``"asymptotic"`` (Prism's default: estimate +/- t x SE) or ``"profile"`` (profile likelihood for Kd;
        KdHi for two sites; a fit that is ambiguous, did not converge or has a Bmax <= 0 keeps asymptotic
        limits, which its ``ci_method`` and ``notes`` say). Asymptotic limits of a poorly defined Kd can be
        negative, as in Prism.
    level
        Confidence level of the intervals.
    efficiency
        Counting efficiency, cpm/dpm (0 < efficiency <= 1); needed to convert cpm (not dpm) to fmol.
    specific_activity_Ci_mmol
        The radioligand's specific activity, Ci/mmol; needed for every conversion to fmol.
    protein_mg
        mg of membrane protein per tube: gives ``bmax_fmol_per_mg``.
    cells
        Cells per tube: gives ``sites_per_cell`` (not together with ``protein_mg``).
    volume_ml
        Assay volume per tube, ml: with the conversion to fmol, checks ligand depletion.
    progress
        Called as ``progress(done, total)`` as data sets are finished (for a progress bar).

    Returns
    -------
    SaturationAnalysis
        ``results``, ``points``, ``fits`` and ``notes``.

        ``results`` has one row per data set and the columns of the model only, in the order of
        :func:`~assaykit.saturation.columns.result_columns` (``<u>`` is the signal unit, e.g. ``cpm``):
        ``dataset, model, n_points`` (tubes fitted), ``ci_method``; one site: ``kd_nM, kd_se_nM,
        kd_ci_low_nM, kd_ci_high_nM`` and ``bmax_<u>, bmax_se_<u>, bmax_ci_low_<u>, bmax_ci_high_<u>``;
        ``hill, hill_se`` (``hill`` model); two sites: ``kd_hi_nM ... kd_lo_ci_high_nM, bmax_hi_<u>,
        bmax_hi_se_<u>, bmax_lo_<u>, bmax_lo_se_<u>`` (KdHi is the smaller Kd), then ``bmax_<u> ...
        bmax_ci_high_<u>`` (BmaxHi + BmaxLo with the SE of the sum) and ``fraction_hi, fraction_hi_se``
        (``BmaxHi / (BmaxHi + BmaxLo)``, SE by the delta method); ``ns_slope_<u>_per_nM,
        ns_slope_se_<u>_per_nM, background_<u>, background_se_<u>`` (the ``-total`` models); ``bmax_fmol,
        bmax_fmol_se, bmax_fmol_per_mg, bmax_fmol_per_mg_se, sites_per_cell, sites_per_cell_se`` (when the
        unit options allow; the efficiency, specific activity, protein and cell count are taken as exact);
        ``max_fraction_bound`` (the largest fraction of the added radioligand found bound, with
        ``volume_ml``); ``r_squared, sy_x_<u>, ss_<u>2, df``; ``flags``, last.

        ``points`` is every tube (``dataset, kind, replicate, conc_nM, <u>, source_row``, ``<u>`` the
        signal unit) with ``nonspecific_<u>`` (the fitted NS line for global models; the NSB mean
        subtracted for specific models), ``specific_<u>`` (total minus nonspecific, or as given),
        ``fitted_<u>`` (the fitted value of what was fitted: total or NSB binding for global models,
        specific binding otherwise) and ``residual_<u>`` (observed minus fitted, of the same quantity).

    Raises
    ------
    AssayInputError
        For invalid options (unknown model, a global model for specific-binding data, a non-positive unit
        option, both ``protein_mg`` and ``cells``). A data set that cannot be fitted does not raise: its
        row says why in ``flags`` (``not_fitted: ...``). Nor does one that must not be fitted
        (:func:`~assaykit.saturation.checks.saturation_problem`: nsb tubes not below the total tubes at most
        concentrations, as when the kind labels are swapped, or implausible concentrations).

    Warns
    -----
    FitWarning
        When more than 10% of the added radioligand is bound in some data set (``depletion``).
    UserWarning
        For each data set not fitted by :func:`~assaykit.saturation.checks.saturation_problem`.

    Notes
    -----
    Conversions (the radioactivity arithmetic of the GraphPad/curvefit.com "Radioactivity calculator"):
    1 Ci = 3.7e10 Bq = 2.22e12 dpm and 1 mmol = 1e12 fmol, so a specific activity SA in Ci/mmol is
    ``SA x 2.22`` dpm/fmol and

    - ``bmax_fmol = bmax_cpm / (efficiency x SA x 2.22)`` (dpm data: ``bmax_dpm / (SA x 2.22)``);
    - ``bmax_fmol_per_mg = bmax_fmol / protein_mg``;
    - ``sites_per_cell = bmax_fmol x 1e-15 mol/fmol x 6.02214076e23 /mol / cells``
      (``bmax_fmol x 602,214,076 / cells``; Avogadro constant, SI 2019).

    Depletion: the added radioligand is ``conc_nM x volume_ml x 1000`` fmol (nmol/l x ml x 1e-3 l/ml x
    1e6 fmol/nmol). The standard analysis assumes free = added, and the usual rule of thumb is that this
    holds while less than 10% of the ligand binds (GraphPad Prism 5 help, "Ligand depletion",
    http://secure.graphpad.com/help/Prism5/liganddepletion.htm).

    ``bmax_extrapolated``: at 10 x Kd, 91% of the sites are occupied (``X/(Kd + X)``); below it the
    plateau is not reached and Bmax and Kd become correlated (GraphPad Curve Fitting Guide, "binding
    potential", https://graphpad.com/guides/prism/latest/curve-fitting/reg_binding_potential.htm).
    """
    missing = [c for c in _REQUIRED if c not in data.columns]
    if missing:
        raise AssayInputError(
            f"saturation table lacks column(s) {', '.join(missing)}; build it with "
            "assaykit.io.saturation.read_saturation or saturation_from_frame",
            path=data.attrs.get("source"),
        )
    kinds = set(pd.unique(data["kind"]))
    unknown = sorted(kinds - {"total", "nsb", "specific"})
    if unknown or ("specific" in kinds and len(kinds) > 1):
        raise AssayInputError(
            f"saturation table has kind(s) {', '.join(sorted(kinds))}; expected total and nsb, or specific",
            path=data.attrs.get("source"),
        )
    specific_data = kinds == {"specific"}
    model_name = _check_model(model, specific_data)
    if ci not in ("asymptotic", "profile"):
        raise AssayInputError(f"ci must be asymptotic or profile, not '{ci}'")
    if not (isinstance(level, float | int) and 0 < level < 1):
        raise AssayInputError(f"level must be between 0 and 1, not {level!r}")
    unit = str(data.attrs.get("signal_unit", "cpm"))
    notes: list[str] = list(data.attrs.get("notes", ()))  # what the reader did (wells left out of grids)
    units = check_units(unit, efficiency, specific_activity_Ci_mmol, protein_mg, cells, volume_ml, notes)

    label = unit or "signal"
    points = data.reset_index(drop=True).rename(columns={"signal": label})
    base = [
        c
        for c in ("dataset", "kind", "replicate", "conc_nM", label, "source_row", "well")
        if c in points.columns
    ]
    points = points[base].copy()
    nonspecific = pd.Series(np.nan, index=points.index)
    fitted = pd.Series(np.nan, index=points.index)
    observed = pd.Series(np.nan, index=points.index)  # what was fitted, per tube
    tubes_all = data.reset_index(drop=True)

    rows: list[dict[str, Any]] = []
    fits: dict[str, CurveFit | None] = {}
    no_nsb: list[str] = []
    no_profile: list[str] = []
    n_datasets = tubes_all["dataset"].nunique()
    for done, (dataset, tubes) in enumerate(tubes_all.groupby("dataset", sort=False), start=1):
        if progress is not None:
            progress(done - 1, n_datasets)
        dataset = str(dataset)
        reason = saturation_problem(tubes, unit or "signal")
        if reason is not None:
            fits[dataset] = None
            rows.append(empty_row(dataset, model_name, len(tubes), ci, unit, f"not_fitted: {reason}"))
            warnings.warn(f"data set '{dataset}' not analysed: {reason}", UserWarning, stacklevel=2)
            continue
        try:
            problem = build_problem(tubes, model_name)
            # The model is looked up here, in this module's registry, so that callers can substitute it.
            fit = fit_problem(problem, SATURATION_MODELS[model_name], ci, level)
        except CurveFitError as exc:
            fits[dataset] = None
            rows.append(empty_row(dataset, model_name, len(tubes), ci, unit, f"not_fitted: {exc}"))
            continue
        fits[dataset] = fit
        if fit.ci_method != ci:
            no_profile.append(dataset)
        if model_name in GLOBAL_MODELS and not (tubes["kind"] == "nsb").any():
            no_nsb.append(dataset)
        fitted.loc[problem.index] = fit.predict(problem.x, **problem.data)
        observed.loc[problem.index] = problem.y
        if model_name in GLOBAL_MODELS:
            x_all = tubes["conc_nM"].to_numpy(float)
            nonspecific.loc[tubes.index] = fit.predict(x_all, is_total=np.zeros_like(x_all))
        else:
            nonspecific.loc[tubes.index] = problem.nonspecific
        x_range = (float(problem.x.min()), float(problem.x.max()))
        fraction_bound = bound_fraction(tubes, units)
        rows.append(result_row(fit, dataset, unit, units, x_range, fraction_bound))
        if fraction_bound > MAX_FRACTION_BOUND:
            warnings.warn(
                f"data set '{dataset}': up to {100 * fraction_bound:.0f}% of the added radioligand is bound "
                f"(more than {100 * MAX_FRACTION_BOUND:.0f}%), so free is not equal to added; Kd is "
                "overestimated (flag depletion)",
                FitWarning,
                stacklevel=2,
            )
    if progress is not None:
        progress(n_datasets, n_datasets)

    results = pd.DataFrame(rows, columns=result_columns(model_name, unit))
    if no_profile:
        notes.append(
            f"profile intervals not computed for data set(s) {', '.join(no_profile)}: the fit is ambiguous, "
            "did not converge or has a Bmax <= 0, so their limits are asymptotic (ci_method)"
        )
    if no_nsb:
        notes.append(
            f"data set(s) {', '.join(no_nsb)} have no NSB tubes: NS and Background were estimated from the "
            "total tubes alone (Prism's 'One site -- Total')"
        )
    if data.empty:
        notes.append("no tubes: nothing to fit")

    if specific_data:
        points[f"specific_{label}"] = points[label]
    else:
        is_total = points["kind"] == "total"
        points[f"specific_{label}"] = (points[label] - nonspecific).where(is_total)
    points[f"nonspecific_{label}"] = nonspecific.to_numpy()
    points[f"fitted_{label}"] = fitted.to_numpy()
    points[f"residual_{label}"] = (observed - fitted).to_numpy()
    derived = [f"{what}_{label}" for what in ("nonspecific", "specific", "fitted", "residual")]
    points = points[[*base, *derived]]
    results.attrs = {"source": data.attrs.get("source"), "signal_unit": unit, "notes": notes}
    return SaturationAnalysis(results=results, points=points, fits=fits, notes=tuple(notes))


def fit_saturation(data: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """Fit every saturation data set and return the tidy results table (one row per data set).

    A shortcut for ``analyze_saturation(data, **options).results``; see :func:`analyze_saturation` for
    the options and the columns.

    Parameters
    ----------
    data
        The canonical saturation frame.
    **options
        Passed to :func:`analyze_saturation`.

    Returns
    -------
    pandas.DataFrame
        One row per data set, the model's columns
        (:func:`~assaykit.saturation.columns.result_columns`).
    """
    return analyze_saturation(data, **options).results
