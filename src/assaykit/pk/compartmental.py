"""Compartmental analysis: one- and two-compartment fits per subject, and the choice between them.

:func:`fit_compartments` (:mod:`assaykit.pk.compartment_fit`) fits one profile; :func:`compare_compartments`
chooses between its one- and two-compartment fits by the extra-sum-of-squares F test and AICc (the
project's :func:`assaykit.fitting.compare_fits`); :func:`compartmental_table` fits every subject and analyte
of a canonical PK frame and returns one tidy row per subject, analyte and model, with the fits for figures.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.fitting import compare_fits
from assaykit.pk.compartment_fit import ROUTES, CompartmentFit, Estimate, fit_compartments

__all__ = ["CompartmentFit", "Estimate", "compare_compartments", "compartmental_table", "fit_compartments"]


def compare_compartments(one: CompartmentFit, two: CompartmentFit, *, alpha: float = 0.05) -> dict:
    """Choose between a one- and a two-compartment fit of the same profile.

    Parameters
    ----------
    one, two
        The 1cmt and 2cmt fits of the same points with the same weights (and both with or without a lag).
    alpha
        Significance level of the F test.

    Returns
    -------
    dict
        ``f``, ``p_value``, ``df_num``, ``df_den`` (extra-sum-of-squares F test), ``delta_aicc``
        (``AICc(2cmt) - AICc(1cmt)``, negative when 2cmt is the more likely), ``preferred`` (``"1cmt"``,
        ``"2cmt"`` or ``""``) and ``reason``. The F test decides, as in Prism's comparison
        (:func:`assaykit.fitting.compare_fits`): 2cmt when ``p < alpha``; a fit that did not converge or is
        ambiguous loses without a test. The reason says whether AICc agrees.

    Raises
    ------
    AssayInputError
        When the fits are not of the same points, weights or route.
    """
    if (one.model, two.model) != ("1cmt", "2cmt"):
        raise AssayInputError("compare a 1cmt fit (first) with a 2cmt fit (second)")
    same = one.route == two.route and one.lag == two.lag and one.weights == two.weights
    if not same or one.n != two.n or not np.array_equal(one.time, two.time):
        raise AssayInputError("the two fits must be of the same points, route, lag and weights")
    result = compare_fits(one.curve_fit, two.curve_fit, alpha=alpha, names=("1cmt", "2cmt"))
    delta = two.aicc - one.aicc
    if result.note or not math.isfinite(result.f):
        reason = result.note or "the F test does not apply"
    else:
        reason = (
            f"F({one.df - two.df}, {two.df}) = {result.f:.4g}, p = {result.p_value:.3g} "
            f"{'<' if result.p_value < alpha else '>='} {alpha}"
        )
    if math.isfinite(delta):
        by_aicc = "2cmt" if delta < 0 else "1cmt"
        agrees = "agrees" if by_aicc == result.preferred else "disagrees"
        reason += f"; AICc {agrees} (dAICc = {delta:.3g} favours {by_aicc})"
    else:
        reason += "; AICc undefined (too few points)"
    return {
        "f": result.f,
        "p_value": result.p_value,
        "df_num": one.df - two.df,
        "df_den": two.df,
        "delta_aicc": delta,
        "preferred": result.preferred,
        "reason": reason,
    }


_MASS = {"pg": 1e-12, "ng": 1e-9, "ug": 1e-6, "mcg": 1e-6, "mg": 1e-3, "g": 1.0}
_MOLES = {"pmol": 1e-12, "nmol": 1e-9, "umol": 1e-6, "mmol": 1e-3, "mol": 1.0}
_LITRES = {"ul": 1e-6, "ml": 1e-3, "dl": 0.1, "l": 1.0}
_MOLAR = {"pm": 1e-12, "nm": 1e-9, "um": 1e-6, "mm": 1e-3, "m": 1.0}


def _amount(unit: str) -> tuple[str, float] | None:
    """``(kind, grams or moles)`` of an amount unit, e.g. ``mg`` -> ``("g", 1e-3)``."""
    unit = unit.lower()
    if unit in _MASS:
        return "g", _MASS[unit]
    return ("mol", _MOLES[unit]) if unit in _MOLES else None


def _litres_factor(dose_unit: str | None, conc_unit: str | None) -> tuple[float, bool]:
    """Factor from dose/concentration units to litres, and whether the dose is per kg (NaN: unknown)."""
    if not dose_unit or not conc_unit:
        return math.nan, bool(dose_unit and dose_unit.endswith("/kg"))
    dose_unit, conc = dose_unit.replace("µ", "u").strip(), conc_unit.replace("µ", "u").strip().lower()
    per_kg = dose_unit.lower().endswith("/kg")
    dose = _amount(dose_unit[:-3] if per_kg else dose_unit)
    if conc in _MOLAR:
        per_litre: tuple[str, float] | None = ("mol", _MOLAR[conc])
    elif conc.count("/") == 1 and conc.split("/")[1] in _LITRES and _amount(conc.split("/")[0]):
        kind, scale = _amount(conc.split("/")[0])  # type: ignore[misc]
        per_litre = (kind, scale / _LITRES[conc.split("/")[1]])
    else:
        per_litre = None
    if dose is None or per_litre is None or dose[0] != per_litre[0]:
        return math.nan, per_kg
    return dose[1] / per_litre[1], per_kg


def _tag(unit: str | None) -> str:
    """Return a unit as a column-name tag: ``ng/mL`` -> ``ng_mL``."""
    return re.sub(r"[^0-9A-Za-z]+", "_", (unit or "conc").replace("µ", "u")).strip("_")


def _columns(fit: CompartmentFit, conc: str, litres: float, kg: str) -> dict[str, float]:
    """Return the tidy columns of one fit (value and SE; half-lives with their CIs)."""
    out: dict[str, float] = {}

    def put(column: str, estimate: Estimate | None, scale: float = 1.0, ci: bool = False) -> None:
        if estimate is None:
            return
        stem, unit = column.split("|")
        out[f"{stem}_{unit}"] = estimate.value * scale
        out[f"{stem}_se_{unit}"] = estimate.se * scale
        if ci:
            out[f"{stem}_ci_lo_{unit}"] = estimate.ci_lo * scale
            out[f"{stem}_ci_hi_{unit}"] = estimate.ci_hi * scale

    p, h, d = fit.params, fit.half_lives, fit.derived
    for name in ("ka", "k", "alpha", "beta"):
        put(f"{name}|per_h", p.get(name))
    put("tlag|h", p.get("tlag"))
    put(f"a|{conc}", p.get("a"))
    put(f"b|{conc}", p.get("b"))
    put("half_life_alpha|h", h.get("alpha"), ci=True)
    put("half_life_beta|h", h.get("beta", h.get("elimination")), ci=True)
    put("half_life_abs|h", h.get("absorption"), ci=True)
    put(f"auc_inf|h_{conc}", d.get("auc_inf"))
    put(f"c0|{conc}", d.get("c0"))
    put("tmax|h", d.get("tmax"))
    put(f"cmax|{conc}", d.get("cmax"))
    for name in ("k10", "k12", "k21"):
        put(f"{name}|per_h", d.get(name))
    put(f"cl|L_h{kg}", d.get("cl"), litres)
    put(f"cl_f|L_h{kg}", d.get("cl_f"), litres)
    for name in ("v", "v1", "vss", "vz", "v_f", "vz_f"):
        put(f"{name}|L{kg}", d.get(name, p.get(name)), litres)
    return out


_LAST = ("sse", "aic", "aicc", "bic", "f_stat", "p_value", "delta_aicc", "preferred", "comparison", "flags")


def _dose(rows: pd.DataFrame, column: str) -> float | None:
    doses = pd.unique(rows[column].dropna().astype(float))
    if len(doses) > 1:
        where = f"subject {rows['subject'].iloc[0]!r}"
        raise AssayInputError(f"{where} has more than one dose ({', '.join(map(str, doses))})", column=column)
    return float(doses[0]) if len(doses) else None


def compartmental_table(
    frame: pd.DataFrame,
    *,
    route: str | None,
    lag: bool = False,
    weights: str = "none",
    models: tuple[str, ...] = ("1cmt", "2cmt"),
    dose_column: str = "dose",
    level: float = 0.95,
) -> tuple[pd.DataFrame, dict[tuple[str, str], dict[str, CompartmentFit]]]:
    """Fit compartment models to every subject and analyte of a canonical PK frame.

    Parameters
    ----------
    frame
        The canonical PK frame (``subject``, ``analyte``, ``group``, ``time_h``, ``conc``, ``dose``,
        ``route``; ``attrs["conc_unit"]`` and ``attrs["dose_unit"]``); rows with ``conc`` NaN are not used.
    route
        ``"iv-bolus"`` or ``"extravascular"`` for every subject, or None to take each subject's ``route``.
    lag, weights, level
        As :func:`fit_compartments`.
    models
        The models to fit, ``"1cmt"`` and/or ``"2cmt"``; with both, each row also carries the comparison.
    dose_column
        The column with each subject's dose.

    Returns
    -------
    table : pandas.DataFrame
        One row per subject x analyte x model: ``subject``, ``analyte``, ``group``, ``route``, ``model``,
        ``dose``, ``n_points``, ``n_params``, ``df``, ``converged``; rate constants ``ka_per_h``,
        ``k_per_h``, ``alpha_per_h``, ``beta_per_h`` and ``tlag_h``; amplitudes ``a_<conc>``, ``b_<conc>``;
        half-lives ``half_life_alpha_h`` (distribution), ``half_life_beta_h`` (elimination: ``ln 2/beta``,
        or ``ln 2/k`` for one compartment), ``half_life_abs_h`` with ``_ci_lo``/``_ci_hi``;
        ``auc_inf_h_<conc>``, ``c0_<conc>``, ``tmax_h``, ``cmax_<conc>``, ``k10_per_h``...; ``cl_L_h``,
        ``v_L``, ``v1_L``, ``vss_L``, ``vz_L`` (IV) or ``cl_f_L_h``, ``v_f_L``, ``vz_f_L`` (extravascular),
        ``_kg`` appended for a dose per kg; each value with its ``_se_`` column; ``sse``, ``aic``,
        ``aicc``, ``bic``; ``f_stat``, ``p_value``, ``delta_aicc``, ``preferred``, ``comparison``; and
        ``flags`` (``"; "``-joined, ``"not_fitted: <why>"`` for a fit that could not be made).
    fits : dict
        ``{(subject, analyte): {model: CompartmentFit}}`` for the fits that were made.

    Raises
    ------
    AssayInputError
        For a missing column or a subject with more than one dose.
    """
    missing = [c for c in ("subject", "analyte", "time_h", "conc", dose_column) if c not in frame.columns]
    if missing:
        raise AssayInputError(f"the PK frame has no column(s) {', '.join(missing)}")
    conc = _tag(frame.attrs.get("conc_unit"))
    litres, per_kg = _litres_factor(frame.attrs.get("dose_unit"), frame.attrs.get("conc_unit"))
    kg = "_kg" if per_kg else ""
    rows: list[dict[str, object]] = []
    fits: dict[tuple[str, str], dict[str, CompartmentFit]] = {}
    for (subject, analyte), sub in frame.groupby(["subject", "analyte"], sort=False):
        dose = _dose(sub, dose_column)
        subject_route = route or (str(sub["route"].iloc[0]) if "route" in sub else "")
        group = str(sub["group"].iloc[0]) if "group" in sub else ""
        key = (str(subject), str(analyte))
        fits[key] = {}
        for model in models:
            row: dict[str, object] = {"subject": key[0], "analyte": key[1], "group": group}
            row.update(route=subject_route, model=model, dose=math.nan if dose is None else dose)
            try:
                if subject_route not in ROUTES:
                    raise AssayInputError(f"route {subject_route!r} has no compartmental model here")
                fit = fit_compartments(
                    sub["time_h"].to_numpy(),
                    sub["conc"].to_numpy(),
                    dose=dose,
                    route=subject_route,  # type: ignore[arg-type]
                    model=model,
                    lag=lag,
                    weights=weights,
                    level=level,  # type: ignore[arg-type]
                )
            except AssayInputError as exc:
                rows.append({**row, "converged": False, "flags": f"not_fitted: {exc.reason}"})
                continue
            except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:  # a numerical failure
                reason = f"the fit failed numerically ({type(exc).__name__}: {exc})"
                rows.append({**row, "converged": False, "flags": f"not_fitted: {reason}"})
                continue
            fits[key][model] = fit
            flags = list(fit.flags)
            if dose is not None and fit.derived and not math.isfinite(litres):
                flags.append("units: dose and concentration units do not give litres; CL and V not reported")
            row.update(n_points=fit.n, n_params=fit.n_params, df=fit.df, converged=fit.converged)
            row.update(_columns(fit, conc, litres, kg))
            row.update(sse=fit.sse, aic=fit.aic, aicc=fit.aicc, bic=fit.bic, flags="; ".join(flags))
            rows.append(row)
        if {"1cmt", "2cmt"} <= fits[key].keys():
            result = compare_compartments(fits[key]["1cmt"], fits[key]["2cmt"])
            for row in rows[-len(models) :]:
                row.update(f_stat=result["f"], p_value=result["p_value"], delta_aicc=result["delta_aicc"])
                row.update(preferred=result["preferred"], comparison=result["reason"])
    table = pd.DataFrame(rows)
    last = [c for c in _LAST if c in table.columns]
    table = table[[c for c in table.columns if c not in last] + last]
    table.attrs.update(frame.attrs)
    return table, fits
