"""Saturation binding: bound radioligand versus its concentration -> Kd and Bmax (and receptor density).

A *data set* is one saturation experiment: its total and nonspecific (NSB) tubes are fitted together,
every replicate as its own point, and it gives one result row. By default the total and NSB tubes are
fitted as one least-squares problem with NS and Background shared (Prism's "One site -- Total and
nonspecific binding", which the Curve Fitting Guide calls the best approach). The specific-binding models
fit total minus NSB instead: the mean NSB at the same concentration is subtracted from each total tube
(Prism's "Remove baseline"), or the file gives specific binding itself.

Unit conversions (``fmol = cpm / (efficiency x SA x 2.22)``, fmol/mg, sites/cell) and the depletion
check are in :func:`analyze_saturation`'s Notes.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from assaykit.errors import AssayInputError, FitWarning
from assaykit.fitting import CurveFit, CurveFitError, CurveModel, fit_curve
from assaykit.fitting.saturation_models import GLOBAL_MODELS, SATURATION_MODELS

#: Result columns, in order (documented in the README and in :func:`analyze_saturation`).
RESULT_COLUMNS = (
    "dataset",
    "model",
    "n_points",
    "kd_nM",
    "kd_se_nM",
    "kd_ci_low_nM",
    "kd_ci_high_nM",
    "bmax",
    "bmax_se",
    "bmax_ci_low",
    "bmax_ci_high",
    "bmax_unit",
    "ns_slope",
    "ns_slope_se",
    "background",
    "background_se",
    "hill",
    "hill_se",
    "kd_hi_nM",
    "kd_hi_se_nM",
    "kd_hi_ci_low_nM",
    "kd_hi_ci_high_nM",
    "kd_lo_nM",
    "kd_lo_se_nM",
    "kd_lo_ci_low_nM",
    "kd_lo_ci_high_nM",
    "bmax_hi",
    "bmax_hi_se",
    "bmax_lo",
    "bmax_lo_se",
    "fraction_hi",
    "fraction_hi_se",
    "bmax_fmol",
    "bmax_fmol_se",
    "bmax_fmol_per_mg",
    "bmax_fmol_per_mg_se",
    "sites_per_cell",
    "sites_per_cell_se",
    "r_squared",
    "sy_x",
    "df",
    "ci_method",
    "flags",
    "ss",
    "max_fraction_bound",
)

#: dpm per fmol for a specific activity of 1 Ci/mmol: 1 Ci = 3.7e10 Bq = 2.22e12 dpm, 1 mmol = 1e12 fmol.
DPM_PER_FMOL_PER_CI_MMOL = 2.22

#: Avogadro constant, 1/mol (exact since the 2019 SI): 1 fmol = 1e-15 mol = 602,214,076 molecules.
AVOGADRO = 6.02214076e23

#: ``bmax_extrapolated`` when the highest concentration is below this multiple of Kd (X/(Kd+X) < 91%).
SATURATING_MULTIPLE = 10.0

#: ``depletion`` when more than this fraction of the added radioligand is bound at some concentration.
MAX_FRACTION_BOUND = 0.10

ModelName = Literal["one-site-total", "one-site", "hill", "two-site", "two-site-total"]
_REQUIRED = ("dataset", "kind", "conc_nM", "signal")
_TWO_SITE = ("kd_hi_nM", "kd_lo_nM")


@dataclass(frozen=True)
class SaturationAnalysis:
    """Everything a saturation analysis produces.

    Attributes
    ----------
    results
        One row per data set, columns :data:`RESULT_COLUMNS`.
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


@dataclass(frozen=True)
class _Units:
    """The unit options, checked: how to turn the signal unit into fmol, and what to divide by."""

    fmol_per_unit: float  # NaN when Bmax cannot be converted to fmol
    protein_mg: float | None
    cells: float | None
    volume_ml: float | None


def _positive(value: float | None, option: str, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise AssayInputError(f"{option} must be a positive number ({what}), not {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise AssayInputError(f"{option} must be a positive number ({what}), not {value!r}")
    return float(value)


def _check_units(
    unit: str,
    efficiency: float | None,
    specific_activity: float | None,
    protein_mg: float | None,
    cells: float | None,
    volume_ml: float | None,
    notes: list[str],
) -> _Units:
    """Validate the unit options and work out the fmol conversion; explain in ``notes`` what is missing."""
    efficiency = _positive(efficiency, "--efficiency", "counting efficiency, cpm/dpm, at most 1")
    if efficiency is not None and efficiency > 1:
        raise AssayInputError(f"--efficiency is cpm/dpm, a fraction at most 1, not {efficiency!r}")
    specific_activity = _positive(specific_activity, "--specific-activity", "Ci/mmol")
    protein_mg = _positive(protein_mg, "--protein-mg", "mg of protein per tube")
    cells = _positive(cells, "--cells", "cells per tube")
    volume_ml = _positive(volume_ml, "--volume-ml", "assay volume per tube, ml")
    if protein_mg is not None and cells is not None:
        raise AssayInputError("give --protein-mg or --cells, not both")

    fmol_per_unit, missing = math.nan, ""
    if unit == "dpm":
        if efficiency is not None:
            notes.append("--efficiency ignored: dpm are already corrected for counting efficiency")
        if specific_activity is None:
            missing = "--specific-activity (Ci/mmol)"
        else:
            fmol_per_unit = 1.0 / (specific_activity * DPM_PER_FMOL_PER_CI_MMOL)
    elif unit == "cpm":
        if efficiency is None or specific_activity is None:
            options = (("--efficiency", efficiency), ("--specific-activity", specific_activity))
            missing = " and ".join(name for name, value in options if value is None)
        else:
            fmol_per_unit = 1.0 / (efficiency * specific_activity * DPM_PER_FMOL_PER_CI_MMOL)
    wanted = [
        what
        for what, given in (
            ("fmol", specific_activity is not None or efficiency is not None),
            ("fmol/mg", protein_mg is not None),
            ("sites/cell", cells is not None),
            ("the depletion check", volume_ml is not None),
        )
        if given
    ]
    if wanted and math.isnan(fmol_per_unit):
        targets = ", ".join(wanted)
        if unit in ("cpm", "dpm"):
            notes.append(f"Bmax not converted ({targets}): {unit} data need {missing}")
        else:
            what = f"'{unit}'" if unit else "without a unit"
            notes.append(
                f"Bmax not converted ({targets}): the signal is {what}; conversions need cpm or dpm "
                "(for specific binding, name the column specific_cpm or specific_dpm)"
            )
    return _Units(fmol_per_unit, protein_mg, cells, volume_ml)


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


# --------------------------------------------------------------------------------------------------------
# One data set
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Problem:
    x: np.ndarray
    y: np.ndarray
    data: dict[str, np.ndarray]
    index: pd.Index  # the tubes fitted, in the order of x
    nonspecific: pd.Series  # for the points table: the NSB mean subtracted (specific models on total/nsb)


def _specific_by_subtraction(tubes: pd.DataFrame) -> _Problem:
    """Total tubes minus the mean NSB at the same concentration (Prism's "Remove baseline")."""
    total = tubes[tubes["kind"] == "total"]
    if total.empty:
        raise CurveFitError("no total tubes")
    nsb_means = tubes[tubes["kind"] == "nsb"].groupby("conc_nM")["signal"].mean()
    subtracted = total["conc_nM"].map(nsb_means)
    if subtracted.isna().any():
        missing = ", ".join(f"{c:g}" for c in pd.unique(total.loc[subtracted.isna(), "conc_nM"]))
        raise CurveFitError(
            f"no NSB tube at {missing} nM to subtract from the total tubes (the global models, such as "
            "one-site-total, do not need them)"
        )
    nonspecific = tubes["conc_nM"].map(nsb_means)
    y = total["signal"].to_numpy(float) - subtracted.to_numpy(float)
    return _Problem(total["conc_nM"].to_numpy(float), y, {}, total.index, nonspecific)


def _problem(tubes: pd.DataFrame, model: str) -> _Problem:
    """Return the points a model fits for one data set."""
    nothing = pd.Series(np.nan, index=tubes.index)
    if model in GLOBAL_MODELS:
        if not (tubes["kind"] == "total").any():
            raise CurveFitError("no total tubes")
        x, y = tubes["conc_nM"].to_numpy(float), tubes["signal"].to_numpy(float)
        is_total = (tubes["kind"] == "total").to_numpy(float)
        return _Problem(x, y, {"is_total": is_total}, tubes.index, nothing)
    if (tubes["kind"] == "specific").all():
        return _Problem(
            tubes["conc_nM"].to_numpy(float), tubes["signal"].to_numpy(float), {}, tubes.index, nothing
        )
    return _specific_by_subtraction(tubes)


def _well_defined(fit: CurveFit) -> bool:
    """Tell whether a fit deserves profile intervals: converged, not ambiguous, every Bmax above zero."""
    bmaxes = [value for name, value in fit.values.items() if name.startswith("bmax")]
    return fit.converged and not fit.ambiguous and all(b > 0 for b in bmaxes)


def _refit(
    model: CurveModel, start: Mapping[str, float], problem: _Problem, ci: str, level: float
) -> CurveFit:
    """Fit again from ``start`` (an optimum already found), reporting the registered ``model``."""
    from_start = dataclasses.replace(model, guess=lambda x, y, c: dict(start))
    fit = fit_curve(from_start, problem.x, problem.y, data=problem.data, ci=ci, level=level)
    return dataclasses.replace(fit, model=model)


def _fit(problem: _Problem, model: str, ci: str, level: float) -> CurveFit:
    """Fit one data set; two sites are labelled so that KdHi < KdLo; profile limits only for sound fits.

    The profile likelihood of an ill-defined fit (ambiguous, not converged, or a Bmax at or below zero, as
    when two sites are fitted to one) says nothing and can take minutes, so such fits keep asymptotic limits.
    """
    curve_model = SATURATION_MODELS[model]
    fit = fit_curve(curve_model, problem.x, problem.y, data=problem.data, level=level)
    v = fit.values
    if model.startswith("two-site") and fit.converged and v["kd_hi_nM"] > v["kd_lo_nM"]:
        # The optimiser found the sites in the other order: refit from the swapped optimum (the same SS) so
        # that KdHi is the smaller Kd and, with profile intervals, KdHi's limits are its own.
        swapped = dict(
            v, bmax_hi=v["bmax_lo"], kd_hi_nM=v["kd_lo_nM"], bmax_lo=v["bmax_hi"], kd_lo_nM=v["kd_hi_nM"]
        )
        fit = _refit(curve_model, swapped, problem, "asymptotic", level)
    if ci == "profile" and _well_defined(fit):
        fit = _refit(curve_model, fit.values, problem, "profile", level)
    return fit


def _se_of_sum(fit: CurveFit, weights: Mapping[str, float]) -> float:
    """Delta-method SE of a linear combination of free parameters, from the fit's covariance."""
    g = np.array([weights.get(name, 0.0) for name in fit.free])
    with np.errstate(invalid="ignore"):
        variance = float(g @ fit.covariance @ g)
    return math.sqrt(variance) if variance >= 0 else math.nan


def _kd_limits(fit: CurveFit, name: str) -> tuple[float, float]:
    """Confidence limits of a Kd; an open lower profile limit is 0 nM (a Kd is positive)."""
    low, high = fit.ci.get(name, (math.nan, math.nan))
    if fit.ci_method == "profile" and low == -math.inf:
        low = 0.0
    return low, high


def _bound_fraction(tubes: pd.DataFrame, units: _Units) -> float:
    """Return the largest fraction of the added radioligand found bound, over the concentrations.

    Bound is the mean measured binding of the total tubes (specific binding for specific-only data) at a
    concentration, in fmol; added is ``conc_nM x volume_ml x 1000`` fmol.
    """
    if units.volume_ml is None or math.isnan(units.fmol_per_unit):
        return math.nan
    bound_tubes = tubes[tubes["kind"].isin(["total", "specific"])]
    if bound_tubes.empty:
        return math.nan
    means = bound_tubes.groupby("conc_nM")["signal"].mean()
    bound_fmol = means.to_numpy(float) * units.fmol_per_unit
    added_fmol = means.index.to_numpy(float) * units.volume_ml * 1000.0
    return float(np.max(bound_fmol / added_fmol))


def _flags(fit: CurveFit, x_range: tuple[float, float], fraction_bound: float) -> list[str]:
    """Return the quality flag codes of one saturation fit (see the README)."""
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


def _empty_row(dataset: str, model: str, n_points: int, ci: str, unit: str, flag: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(RESULT_COLUMNS, math.nan)
    row.update(dataset=dataset, model=model, n_points=n_points, bmax_unit=unit, ci_method=ci, flags=flag)
    return row


def _result_row(
    fit: CurveFit, dataset: str, unit: str, units: _Units, x_range: tuple[float, float], fraction_bound: float
) -> dict[str, Any]:
    """Turn one fit into one result row."""
    v, se = fit.values, fit.stderr
    row: dict[str, Any] = dict.fromkeys(RESULT_COLUMNS, math.nan)
    row.update(dataset=dataset, model=fit.model.name, n_points=fit.n_points, bmax_unit=unit)
    t_crit = float(stats.t.ppf(0.5 + fit.level / 2.0, fit.df))
    if "kd_nM" in v:
        low, high = _kd_limits(fit, "kd_nM")
        row.update(kd_nM=v["kd_nM"], kd_se_nM=se["kd_nM"], kd_ci_low_nM=low, kd_ci_high_nM=high)
        row.update(bmax=v["bmax"], bmax_se=se["bmax"])
        row["bmax_ci_low"], row["bmax_ci_high"] = fit.ci["bmax"]
        row.update(hill=v.get("hill", 1.0), hill_se=se.get("hill", math.nan))
    else:
        bmax = v["bmax_hi"] + v["bmax_lo"]
        bmax_se = _se_of_sum(fit, {"bmax_hi": 1.0, "bmax_lo": 1.0})
        row.update(bmax=bmax, bmax_se=bmax_se, bmax_ci_low=bmax - t_crit * bmax_se)
        row["bmax_ci_high"] = bmax + t_crit * bmax_se
        for site in ("hi", "lo"):
            low, high = _kd_limits(fit, f"kd_{site}_nM")
            row[f"kd_{site}_nM"], row[f"kd_{site}_se_nM"] = v[f"kd_{site}_nM"], se[f"kd_{site}_nM"]
            row[f"kd_{site}_ci_low_nM"], row[f"kd_{site}_ci_high_nM"] = low, high
            row[f"bmax_{site}"], row[f"bmax_{site}_se"] = v[f"bmax_{site}"], se[f"bmax_{site}"]
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = v["bmax_hi"] / bmax
            # d f / d BmaxHi = BmaxLo / B^2, d f / d BmaxLo = -BmaxHi / B^2
            gradient = {"bmax_hi": v["bmax_lo"] / bmax**2, "bmax_lo": -v["bmax_hi"] / bmax**2}
        row.update(fraction_hi=fraction, fraction_hi_se=_se_of_sum(fit, gradient))
    if "ns_slope" in v:
        row.update(ns_slope=v["ns_slope"], ns_slope_se=se["ns_slope"])
        row.update(background=v["background"], background_se=se["background"])
    factor = units.fmol_per_unit
    if math.isfinite(factor):
        row.update(bmax_fmol=row["bmax"] * factor, bmax_fmol_se=row["bmax_se"] * factor)
        if units.protein_mg is not None:
            row["bmax_fmol_per_mg"] = row["bmax_fmol"] / units.protein_mg
            row["bmax_fmol_per_mg_se"] = row["bmax_fmol_se"] / units.protein_mg
        if units.cells is not None:
            per_fmol = 1e-15 * AVOGADRO / units.cells
            row["sites_per_cell"] = row["bmax_fmol"] * per_fmol
            row["sites_per_cell_se"] = row["bmax_fmol_se"] * per_fmol
    row.update(r_squared=fit.r_squared, sy_x=fit.sy_x, df=fit.df, ss=fit.ss, ci_method=fit.ci_method)
    row["flags"] = ";".join(_flags(fit, x_range, fraction_bound))
    row["max_fraction_bound"] = fraction_bound
    return row


# --------------------------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------------------------
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

    Returns
    -------
    SaturationAnalysis
        ``results``, ``points``, ``fits`` and ``notes``.

        ``results`` has one row per data set, columns :data:`RESULT_COLUMNS`: ``dataset, model, n_points``
        (tubes fitted); ``kd_nM, kd_se_nM, kd_ci_low_nM, kd_ci_high_nM``; ``bmax, bmax_se, bmax_ci_low,
        bmax_ci_high`` in ``bmax_unit`` (the signal unit, e.g. ``cpm``; for two sites, BmaxHi + BmaxLo
        with the SE of the sum); ``ns_slope, ns_slope_se, background, background_se`` (global models;
        NaN otherwise); ``hill, hill_se`` (1 and NaN for one-site models, NaN for two sites);
        ``kd_hi_nM ... kd_lo_ci_high_nM, bmax_hi, bmax_hi_se, bmax_lo, bmax_lo_se, fraction_hi,
        fraction_hi_se`` (two sites; KdHi is the smaller Kd; ``fraction_hi = BmaxHi / (BmaxHi +
        BmaxLo)``, SE by the delta method); ``bmax_fmol, bmax_fmol_se, bmax_fmol_per_mg,
        bmax_fmol_per_mg_se, sites_per_cell, sites_per_cell_se`` (when the unit options allow; the
        efficiency, specific activity, protein and cell count are taken as exact); ``r_squared, sy_x, df,
        ci_method, flags, ss``; ``max_fraction_bound`` (the largest fraction of the added radioligand found
        bound, with ``volume_ml``).

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
        row says why in ``flags`` (``not_fitted: ...``).

    Warns
    -----
    FitWarning
        When more than 10% of the added radioligand is bound in some data set (``depletion``).

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
    notes: list[str] = []
    units = _check_units(unit, efficiency, specific_activity_Ci_mmol, protein_mg, cells, volume_ml, notes)

    label = unit or "signal"
    points = data.reset_index(drop=True).rename(columns={"signal": label})
    base = [
        c for c in ("dataset", "kind", "replicate", "conc_nM", label, "source_row") if c in points.columns
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
    for dataset, tubes in tubes_all.groupby("dataset", sort=False):
        dataset = str(dataset)
        try:
            problem = _problem(tubes, model_name)
            fit = _fit(problem, model_name, ci, level)
        except CurveFitError as exc:
            fits[dataset] = None
            rows.append(_empty_row(dataset, model_name, len(tubes), ci, unit, f"not_fitted: {exc}"))
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
        fraction_bound = _bound_fraction(tubes, units)
        rows.append(_result_row(fit, dataset, unit, units, x_range, fraction_bound))
        if fraction_bound > MAX_FRACTION_BOUND:
            warnings.warn(
                f"data set '{dataset}': up to {100 * fraction_bound:.0f}% of the added radioligand is bound "
                f"(more than {100 * MAX_FRACTION_BOUND:.0f}%), so free is not equal to added; Kd is "
                "overestimated (flag depletion)",
                FitWarning,
                stacklevel=2,
            )

    results = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
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
        One row per data set, columns :data:`RESULT_COLUMNS`.
    """
    return analyze_saturation(data, **options).results
