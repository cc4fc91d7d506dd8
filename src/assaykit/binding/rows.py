"""The results table, one row per curve: fits turned into IC50, Ki or Kd and their limits in nM.

The table is computed column by column from a :class:`~assaykit.fitting.fitset.FitSet`, so ten thousand
curves cost little more than ten, whichever engine fitted them. It has the columns of its model
(:func:`~assaykit.binding.columns.result_columns`: a 4PL table has no two-site or homologous columns), named
with the signal unit; they are computed under unit-free names (``top``, ``sy_x``) and renamed at the end.
Concentrations are reported as Prism reports them: ``10**log`` of the estimate and of its confidence limits
(asymmetric limits in nM).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assaykit.binding.columns import MODEL_COLUMNS, column_name, internal_name
from assaykit.binding.flags import Site, homologous_flags, join_flags, site_flags
from assaykit.binding.pharmacology import log_ki_se_with_kd
from assaykit.fitting.distributions import t_quantile
from assaykit.fitting.fitset import FitSet
from assaykit.fitting.logistic import cheng_prusoff_shift

LN10 = math.log(10.0)
TWO_SITE = ("two-site", "two-site-ki")
#: Columns holding counts: written as integers when no row lacks them.
_INTEGER_COLUMNS = ("n_points", "df", "n_outliers")
#: Numeric columns a fit that did not converge keeps (they describe the data, not the estimates).
_KEPT_UNCONVERGED = ("n_points", "df", "n_outliers")


@dataclass(frozen=True)
class KiConstants:
    """The radioligand's concentration and Kd (nM) that turn IC50 into Ki, and what is known about Kd.

    Attributes
    ----------
    radioligand_nM, kd_nM
        Concentration of the radioligand in the assay and its Kd; None when Ki is not computed.
    kd_lo_nM
        For the two-site models: the radioligand's Kd at the competitor's low-affinity site (Prism's
        HotKdNMLo); None means the same as ``kd_nM``.
    kd_se_nM
        Standard error of ``kd_nM``, to carry its uncertainty into Ki; None to take Kd as exact.
    """

    radioligand_nM: float | None = None  # noqa: N815 - the unit is part of the name
    kd_nM: float | None = None  # noqa: N815
    kd_lo_nM: float | None = None  # noqa: N815
    kd_se_nM: float | None = None  # noqa: N815

    @property
    def has_ki(self) -> bool:
        """Whether Ki can be computed."""
        return self.radioligand_nM is not None and self.kd_nM is not None

    def shift(self, site: str = "hi") -> float:
        """``log10(1 + L/Kd)`` at a site ("hi", or "lo" for the low-affinity site); NaN without Ki."""
        if not self.has_ki:
            return math.nan
        kd = self.kd_lo_nM if site == "lo" and self.kd_lo_nM is not None else self.kd_nM
        return cheng_prusoff_shift(self.radioligand_nM, kd)  # type: ignore[arg-type]


def to_nM(log_molar: np.ndarray | float) -> np.ndarray:  # noqa: N802 - unit in name
    """Convert log10(molar) to nanomolar; -inf gives 0 and inf gives inf."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.power(10.0, np.asarray(log_molar, dtype=float) + 9.0)


def _potency(prefix: str, log: np.ndarray, se: np.ndarray, ci: tuple, log_ci: bool = True) -> dict:
    """Return the columns of one log potency: log value, SE, (log limits,) value and limits in nM."""
    columns = {f"log_{prefix}": log, f"log_{prefix}_se": se}
    if log_ci:
        columns.update({f"log_{prefix}_ci_low": ci[0], f"log_{prefix}_ci_high": ci[1]})
    columns[f"{prefix}_nM"] = to_nM(log)
    columns.update({f"{prefix}_ci_low_nM": to_nM(ci[0]), f"{prefix}_ci_high_nM": to_nM(ci[1])})
    return columns


def _shifted(site: Site, shift: float) -> Site:
    """Move a log potency and its limits by ``shift`` (Cheng-Prusoff: log Ki + shift = log IC50)."""
    log, se, (low, high) = site
    return log + shift, se, (low + shift, high + shift)


def _total(fits: FitSet, log_ki: np.ndarray, log_se: np.ndarray, ki: KiConstants) -> dict:
    """Ki's SE and limits with the Kd's SE carried in (delta method), t with each curve fit's DF."""
    if ki.kd_se_nM is None or not ki.has_ki:
        return {}
    se = log_ki_se_with_kd(log_se, ki.radioligand_nM, ki.kd_nM, ki.kd_se_nM)  # type: ignore[arg-type]
    with np.errstate(invalid="ignore"):
        half = t_quantile(fits.level, fits.df) * se
    return {
        "log_ki_se_total": se,
        "ki_ci_low_total_nM": to_nM(log_ki - half),
        "ki_ci_high_total_nM": to_nM(log_ki + half),
    }


def _site(fits: FitSet, name: str) -> Site:
    return fits.value(name), fits.se(name), fits.interval(name)


def _one_site(fits: FitSet, curves: Mapping[str, np.ndarray], ki: KiConstants) -> tuple[dict, np.ndarray]:
    shift = ki.shift()
    if fits.model.potency == "log_ki":  # fit-ki: log IC50 = log Ki + log10(1 + L/Kd), same SE
        ki_site = _site(fits, "log_ki")
        ic50_site = _shifted(ki_site, shift)
        hill, hill_se = np.full(len(fits), -1.0), np.full(len(fits), np.nan)
    else:
        ic50_site = _site(fits, "log_ic50")
        ki_site = _shifted(ic50_site, -shift)
        hill, hill_se = fits.value("hill_slope"), fits.se("hill_slope")
    columns = {"hill_slope": hill, "hill_slope_se": hill_se, **_potency("ic50", *ic50_site)}
    if ki.has_ki:
        columns.update(_potency("ki", *ki_site, log_ci=False))
        columns.update(_total(fits, ki_site[0], ki_site[1], ki))
    flags = site_flags(
        fits,
        [ic50_site],
        curves["x_range"],
        curves["total_mean"],
        curves["nsb_mean"],
        (curves.get("nsb_se"), curves.get("nsb_n")),
    )
    return columns, flags


def _two_site(fits: FitSet, curves: Mapping[str, np.ndarray], ki: KiConstants) -> tuple[dict, np.ndarray]:
    columns: dict = {}
    sites = []
    for site in ("hi", "lo"):
        shift = ki.shift(site)
        if fits.model.name == "two-site-ki":
            ki_site = _site(fits, f"log_ki_{site}")
            ic50_site = _shifted(ki_site, shift)
        else:
            ic50_site = _site(fits, f"log_ic50_{site}")
            ki_site = _shifted(ic50_site, -shift)
        columns.update(_potency(f"ic50_{site}", *ic50_site))
        if ki.has_ki:
            columns.update(_potency(f"ki_{site}", *ki_site, log_ci=False))
        sites.append(ic50_site)
    low, high = fits.interval("fraction_hi")
    columns.update(
        fraction_hi=fits.value("fraction_hi"),
        fraction_hi_se=fits.se("fraction_hi"),
        fraction_hi_ci_low=low,
        fraction_hi_ci_high=high,
    )
    flags = site_flags(
        fits,
        sites,
        curves["x_range"],
        curves["total_mean"],
        curves["nsb_mean"],
        (curves.get("nsb_se"), curves.get("nsb_n")),
    )
    return columns, flags


def _homologous(fits: FitSet, curves: Mapping[str, np.ndarray]) -> tuple[dict, np.ndarray]:
    log_kd, log_se, (kd_low, kd_high) = _site(fits, "log_kd")
    kd = to_nM(log_kd)
    bmax_low, bmax_high = fits.interval("bmax")
    columns = {
        "log_kd": log_kd,
        "log_kd_se": log_se,
        "kd_nM": kd,
        "kd_se_nM": LN10 * kd * log_se,  # delta method: d(10^u)/du = ln10 * 10^u
        "kd_ci_low_nM": to_nM(kd_low),
        "kd_ci_high_nM": to_nM(kd_high),
        "bmax": fits.value("bmax"),
        "bmax_se": fits.se("bmax"),
        "bmax_ci_low": bmax_low,
        "bmax_ci_high": bmax_high,
    }
    return columns, homologous_flags(
        fits, curves["total_mean"], curves["nsb_mean"], (curves.get("nsb_se"), curves.get("nsb_n"))
    )


def fit_columns(fits: FitSet, curves: Mapping[str, np.ndarray], ki: KiConstants) -> dict[str, np.ndarray]:
    """Turn fits into result columns, one value per fit.

    Parameters
    ----------
    fits
        The fits (any competition model; two-site fits with their sites in Prism's order).
    curves
        Per fit: ``x_range`` (lowest and highest tested log10 concentration), ``total_mean`` and
        ``nsb_mean`` (the plate's controls, NaN to skip the Bottom check), optionally ``nsb_se`` and
        ``nsb_n`` (the SE of the NSB mean and its tubes, for the Bottom test), ``n_outliers`` (NaN without
        ROUT), ``rout_converged`` and, optionally, ``outside_controls`` (``signal_outside_controls``).
    ki
        Radioligand concentration and Kd (and the Kd's SE) for Ki; empty for no Ki.

    Returns
    -------
    dict of numpy.ndarray
        The columns that fits determine, under their unit-free names (``top``, ``sy_x``, ``ss``),
        ``flags`` included (quality codes ``;``-joined).
    """
    columns = {
        "model": np.full(len(fits), fits.model.name, dtype=object),
        "n_points": fits.n_points,
        "top": fits.value("top"),
        "bottom": fits.value("bottom"),
        "top_se": fits.se("top"),
        "bottom_se": fits.se("bottom"),
        "r_squared": fits.r_squared,
        "sy_x": fits.sy_x,
        "df": fits.df,
        "ss": fits.ss,
        "ci_method": np.full(len(fits), fits.ci_method, dtype=object),
    }
    if fits.model.name in TWO_SITE:
        part, flags = _two_site(fits, curves, ki)
    elif fits.model.name == "homologous":
        part, flags = _homologous(fits, curves)
    else:
        part, flags = _one_site(fits, curves, ki)
    columns.update(part)
    extra = join_flags(
        len(fits),
        [
            ("outliers_excluded", np.asarray(curves["n_outliers"], dtype=float) > 0),
            ("rout_not_converged", ~np.asarray(curves["rout_converged"], dtype=bool)),
            ("signal_outside_controls", np.asarray(curves.get("outside_controls", False), dtype=bool)),
        ],
    )
    columns["flags"] = np.where(extra == "", flags, np.where(flags == "", extra, flags + ";" + extra))
    failed = ~fits.converged
    if failed.any():  # the last iterate of a fit that did not converge is no estimate: leave it empty
        for name, values in columns.items():
            if name not in _KEPT_UNCONVERGED and values.dtype.kind == "f":
                columns[name] = np.where(failed, np.nan, values)
    return columns


def result_table(
    curves: pd.DataFrame,
    fits: FitSet,
    fitted: np.ndarray,
    errors: Mapping[int, str],
    *,
    model: str,
    ci: str,
    weights: str,
    ki: KiConstants,
    inactive: Mapping[int, str] | None = None,
    unit: str = "cpm",
) -> pd.DataFrame:
    """Build the results table, one row per curve in the order of ``curves``.

    Parameters
    ----------
    curves
        One row per curve: ``compound``, ``plate``, ``n_points``, ``x_lo``, ``x_hi``, ``total_mean``,
        ``nsb_mean``, ``n_outliers``, ``rout_converged`` and, optionally, ``outside_controls``.
    fits
        The fits of the fitted curves; fit ``i`` is curve ``fitted[i]``.
    fitted
        Positions in ``curves`` of the fitted curves.
    errors
        Position -> why the curve could not be fitted (its row keeps identity and options, and says
        ``not_fitted: <why>`` in ``flags``).
    model, ci, weights
        The options, as reported for curves that could not be fitted.
    ki
        Radioligand concentration and Kd for Ki.
    inactive
        Position -> flag of the curves called inactive (:mod:`assaykit.binding.activity`): not fitted, their
        row says why.
    unit
        The signal unit of the counts, for the names of Top, Bottom, Bmax, Sy.x and SS.

    Returns
    -------
    pandas.DataFrame
        Columns :func:`~assaykit.binding.columns.result_columns` of ``model``; the activity columns
        (``activity``, ``p_displacement``, ``q_displacement``, ``displacement_pct``, ``ic50_above_nM``; not
        for homologous competition) are NaN, for the caller to fill.
    """
    n = len(curves)
    fitted = np.asarray(fitted, dtype=int)
    templates = MODEL_COLUMNS[model]
    table: dict[str, np.ndarray] = {internal_name(t): np.full(n, np.nan) for t in templates}
    table["compound"] = curves["compound"].to_numpy(object)
    table["plate"] = curves["plate"].to_numpy(object)
    table["n_points"] = curves["n_points"].to_numpy(float)
    table["n_outliers"] = curves["n_outliers"].to_numpy(float)
    for name, value in (("model", model), ("ci_method", ci), ("weights", weights), ("flags", "")):
        table[name] = np.full(n, value, dtype=object)
    for position, why in errors.items():
        table["flags"][position] = f"not_fitted: {why}"
    for position, why in (inactive or {}).items():
        table["flags"][position] = why
    if fitted.size:
        chosen = curves.iloc[fitted]
        info = {
            "x_range": (chosen["x_lo"].to_numpy(float), chosen["x_hi"].to_numpy(float)),
            "total_mean": chosen["total_mean"].to_numpy(float),
            "nsb_mean": chosen["nsb_mean"].to_numpy(float),
            "nsb_se": chosen["nsb_se"].to_numpy(float) if "nsb_se" in chosen else None,
            "nsb_n": chosen["nsb_n"].to_numpy(float) if "nsb_n" in chosen else None,
            "n_outliers": chosen["n_outliers"].to_numpy(float),
            "rout_converged": chosen["rout_converged"].to_numpy(bool),
        }
        if "outside_controls" in chosen:
            info["outside_controls"] = chosen["outside_controls"].to_numpy(bool)
        for name, values in fit_columns(fits, info, ki).items():
            if name in table:  # e.g. a homologous fit's NaN Top is no column of its table
                table[name][fitted] = values

    weighted = weights != "none"
    result = pd.DataFrame(
        {column_name(t, unit, weighted=weighted): table[internal_name(t)] for t in templates}, copy=False
    )
    for name in _INTEGER_COLUMNS:
        column = result[name]
        if len(column) and column.notna().all():
            result[name] = column.astype("int64")
    return result
