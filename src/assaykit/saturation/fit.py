"""Fitting one saturation data set: the points a model fits, and the fit with its sites in order.

The global models (``one-site-total``, ``two-site-total``) fit the total and NSB tubes together, with an
``is_total`` indicator per tube (Prism's "One site -- Total and nonspecific binding"). The specific-binding
models fit specific binding as given, or total minus the mean NSB at the same concentration (Prism's "Remove
baseline"). Two sites are labelled so that KdHi < KdLo, and profile-likelihood limits are computed only for
fits that are well defined.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assaykit.fitting import CurveFit, CurveFitError, CurveModel, fit_curve
from assaykit.fitting.saturation_models import GLOBAL_MODELS


@dataclass(frozen=True)
class Problem:
    """The points one model fits for one data set."""

    x: np.ndarray
    y: np.ndarray
    data: dict[str, np.ndarray]
    index: pd.Index  # the tubes fitted, in the order of x
    nonspecific: pd.Series  # for the points table: the NSB mean subtracted (specific models on total/nsb)


def _specific_by_subtraction(tubes: pd.DataFrame) -> Problem:
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
    return Problem(total["conc_nM"].to_numpy(float), y, {}, total.index, nonspecific)


def build_problem(tubes: pd.DataFrame, model: str) -> Problem:
    """Return the points a model fits for one data set.

    Parameters
    ----------
    tubes
        The data set's rows of the canonical saturation frame.
    model
        The saturation model's name.

    Returns
    -------
    Problem
        The concentrations, the binding fitted, per-point data and the tubes they come from.

    Raises
    ------
    CurveFitError
        When the tubes the model needs are missing (no total tubes, or no NSB tube to subtract).
    """
    nothing = pd.Series(np.nan, index=tubes.index)
    if model in GLOBAL_MODELS:
        if not (tubes["kind"] == "total").any():
            raise CurveFitError("no total tubes")
        x, y = tubes["conc_nM"].to_numpy(float), tubes["signal"].to_numpy(float)
        is_total = (tubes["kind"] == "total").to_numpy(float)
        return Problem(x, y, {"is_total": is_total}, tubes.index, nothing)
    if (tubes["kind"] == "specific").all():
        return Problem(
            tubes["conc_nM"].to_numpy(float), tubes["signal"].to_numpy(float), {}, tubes.index, nothing
        )
    return _specific_by_subtraction(tubes)


def _well_defined(fit: CurveFit) -> bool:
    """Tell whether a fit deserves profile intervals: converged, not ambiguous, every Bmax above zero."""
    bmaxes = [value for name, value in fit.values.items() if name.startswith("bmax")]
    return fit.converged and not fit.ambiguous and all(b > 0 for b in bmaxes)


def _refit(
    model: CurveModel, start: Mapping[str, float], problem: Problem, ci: str, level: float
) -> CurveFit:
    """Fit again from ``start`` (an optimum already found), reporting the registered ``model``."""
    from_start = dataclasses.replace(model, guess=lambda x, y, c: dict(start))
    fit = fit_curve(from_start, problem.x, problem.y, data=problem.data, ci=ci, level=level)
    return dataclasses.replace(fit, model=model)


def fit_problem(problem: Problem, curve_model: CurveModel, ci: str, level: float) -> CurveFit:
    """Fit one data set; two sites are labelled so that KdHi < KdLo; profile limits only for sound fits.

    The profile likelihood of an ill-defined fit (ambiguous, not converged, or a Bmax at or below zero, as
    when two sites are fitted to one) says nothing and can take minutes, so such fits keep asymptotic limits.

    Parameters
    ----------
    problem
        The points to fit, from :func:`build_problem`.
    curve_model
        The registered saturation model.
    ci
        ``"asymptotic"`` or ``"profile"``.
    level
        Confidence level of the intervals.

    Returns
    -------
    CurveFit
        The fit, reporting ``curve_model``.
    """
    fit = fit_curve(curve_model, problem.x, problem.y, data=problem.data, level=level)
    v = fit.values
    if curve_model.name.startswith("two-site") and fit.converged and v["kd_hi_nM"] > v["kd_lo_nM"]:
        # The optimiser found the sites in the other order: refit from the swapped optimum (the same SS) so
        # that KdHi is the smaller Kd and, with profile intervals, KdHi's limits are its own.
        swapped = dict(
            v, bmax_hi=v["bmax_lo"], kd_hi_nM=v["kd_lo_nM"], bmax_lo=v["bmax_hi"], kd_lo_nM=v["kd_hi_nM"]
        )
        fit = _refit(curve_model, swapped, problem, "asymptotic", level)
    if ci == "profile" and _well_defined(fit):
        fit = _refit(curve_model, fit.values, problem, "profile", level)
    return fit
