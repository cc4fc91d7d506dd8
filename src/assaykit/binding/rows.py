"""One result row per curve: a fit's parameters turned into IC50, Ki or Kd and their limits in nM.

Every row has all of :data:`~assaykit.binding.columns.RESULT_COLUMNS`; those that do not apply to the row's
model are NaN. Concentrations are reported as Prism reports them: ``10**log`` of the estimate and of its
confidence limits (asymmetric limits in nM).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from assaykit.binding.columns import RESULT_COLUMNS
from assaykit.binding.flags import homologous_flags, site_flags
from assaykit.binding.pharmacology import log_ki_se_with_kd
from assaykit.fitting import CurveFit, cheng_prusoff_shift

LN10 = math.log(10.0)


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


@dataclass(frozen=True)
class CurveInfo:
    """What a row needs besides the fit: the curve's identity, tested range, controls and fitting options."""

    compound: str
    plate: str
    x_range: tuple[float, float]
    total_mean: float
    nsb_mean: float
    weights: str = "none"
    n_outliers: float = math.nan  # NaN: ROUT was not used
    rout_converged: bool = True


def to_nM(log_molar: float) -> float:  # noqa: N802 - unit in name
    """Convert log10(molar) to nanomolar; -inf gives 0 and inf gives inf."""
    with np.errstate(over="ignore"):
        return float(10.0 ** (log_molar + 9.0))


def empty_row(info: CurveInfo, model: str, n_points: int, ci: str, flag: str) -> dict:
    """Return the row of a curve that could not be fitted: identity, options and the reason in ``flags``."""
    row = dict.fromkeys(RESULT_COLUMNS, math.nan)
    row.update(compound=info.compound, plate=info.plate, model=model, n_points=n_points, flags=flag)
    row.update(ci_method=ci, weights=info.weights, n_outliers=info.n_outliers)
    return row


def _interval(fit: CurveFit, name: str) -> tuple[float, float]:
    return fit.ci.get(name, (math.nan, math.nan))


def _potency(prefix: str, log: float, se: float, ci: tuple[float, float], log_ci: bool = True) -> dict:
    """Return the columns of one log potency: log value, SE, (log limits,) value and limits in nM."""
    columns = {f"log_{prefix}": log, f"log_{prefix}_se": se}
    if log_ci:
        columns.update({f"log_{prefix}_ci_low": ci[0], f"log_{prefix}_ci_high": ci[1]})
    columns[f"{prefix}_nM"] = to_nM(log)
    columns.update({f"{prefix}_ci_low_nM": to_nM(ci[0]), f"{prefix}_ci_high_nM": to_nM(ci[1])})
    return columns


def _total(fit: CurveFit, log_ki: float, log_se: float, ki: KiConstants) -> dict:
    """Ki's SE and limits with the Kd's SE carried in (delta method), t with the curve fit's DF."""
    if ki.kd_se_nM is None or not ki.has_ki:
        return {}
    se = log_ki_se_with_kd(log_se, ki.radioligand_nM, ki.kd_nM, ki.kd_se_nM)  # type: ignore[arg-type]
    half = float(stats.t.ppf(0.5 + fit.level / 2.0, fit.df)) * se
    return {
        "log_ki_se_total": se,
        "ki_ci_low_total_nM": to_nM(log_ki - half),
        "ki_ci_high_total_nM": to_nM(log_ki + half),
    }


def _one_site(fit: CurveFit, info: CurveInfo, ki: KiConstants) -> tuple[dict, list[str]]:
    v, se = fit.values, fit.stderr
    shift = ki.shift()
    if fit.model.potency == "log_ki":  # fit-ki: log IC50 = log Ki + log10(1 + L/Kd), same SE
        log_ki, log_se, ki_ci = v["log_ki"], se["log_ki"], _interval(fit, "log_ki")
        log_ic50, ic50_ci = log_ki + shift, (ki_ci[0] + shift, ki_ci[1] + shift)
        hill, hill_se = -1.0, math.nan
    else:
        log_ic50, log_se, ic50_ci = v["log_ic50"], se["log_ic50"], _interval(fit, "log_ic50")
        log_ki, ki_ci = log_ic50 - shift, (ic50_ci[0] - shift, ic50_ci[1] - shift)
        hill, hill_se = v["hill_slope"], se["hill_slope"]
    row = {"hill_slope": hill, "hill_slope_se": hill_se, **_potency("ic50", log_ic50, log_se, ic50_ci)}
    if ki.has_ki:
        row.update(_potency("ki", log_ki, log_se, ki_ci, log_ci=False))
        row.update(_total(fit, log_ki, log_se, ki))
    flags = site_flags(fit, [(log_ic50, log_se, ic50_ci)], info.x_range, info.total_mean, info.nsb_mean)
    return row, flags


def _two_site(fit: CurveFit, info: CurveInfo, ki: KiConstants) -> tuple[dict, list[str]]:
    row: dict = {}
    sites = []
    for site in ("hi", "lo"):
        shift = ki.shift(site)
        if fit.model.name == "two-site-ki":
            log_ki, log_se, ki_ci = (
                fit.values[f"log_ki_{site}"],
                fit.stderr[f"log_ki_{site}"],
                _interval(fit, f"log_ki_{site}"),
            )
            log_ic50, ic50_ci = log_ki + shift, (ki_ci[0] + shift, ki_ci[1] + shift)
        else:
            name = f"log_ic50_{site}"
            log_ic50, log_se, ic50_ci = fit.values[name], fit.stderr[name], _interval(fit, name)
            log_ki, ki_ci = log_ic50 - shift, (ic50_ci[0] - shift, ic50_ci[1] - shift)
        row.update(_potency(f"ic50_{site}", log_ic50, log_se, ic50_ci))
        if ki.has_ki:
            row.update(_potency(f"ki_{site}", log_ki, log_se, ki_ci, log_ci=False))
        sites.append((log_ic50, log_se, ic50_ci))
    fraction_ci = _interval(fit, "fraction_hi")
    row.update(
        fraction_hi=fit.values["fraction_hi"],
        fraction_hi_se=fit.stderr["fraction_hi"],
        fraction_hi_ci_low=fraction_ci[0],
        fraction_hi_ci_high=fraction_ci[1],
    )
    return row, site_flags(fit, sites, info.x_range, info.total_mean, info.nsb_mean)


def _homologous(fit: CurveFit, info: CurveInfo) -> tuple[dict, list[str]]:
    log_kd, log_se, kd_ci = fit.values["log_kd"], fit.stderr["log_kd"], _interval(fit, "log_kd")
    kd = to_nM(log_kd)
    bmax_ci = _interval(fit, "bmax")
    row = {
        "log_kd": log_kd,
        "log_kd_se": log_se,
        "kd_nM": kd,
        "kd_se_nM": LN10 * kd * log_se,  # delta method: d(10^u)/du = ln10 * 10^u
        "kd_ci_low_nM": to_nM(kd_ci[0]),
        "kd_ci_high_nM": to_nM(kd_ci[1]),
        "bmax": fit.values["bmax"],
        "bmax_se": fit.stderr["bmax"],
        "bmax_ci_low": bmax_ci[0],
        "bmax_ci_high": bmax_ci[1],
    }
    return row, homologous_flags(fit, info.total_mean, info.nsb_mean)


def result_row(fit: CurveFit, info: CurveInfo, ki: KiConstants) -> dict:
    """Turn one fit into one row of :data:`~assaykit.binding.columns.RESULT_COLUMNS`.

    Parameters
    ----------
    fit
        The curve fit (any competition model; a two-site fit with its sites in Prism's order).
    info
        The curve's compound, plate, tested range, plate controls and fitting options.
    ki
        Radioligand concentration and Kd (and the Kd's SE) for Ki; empty for no Ki.

    Returns
    -------
    dict
        The row; quality flags ``;``-joined in ``flags``.
    """
    row = dict.fromkeys(RESULT_COLUMNS, math.nan)
    row.update(
        compound=info.compound,
        model=fit.model.name,
        n_points=fit.n_points,
        top=fit.values.get("top", math.nan),
        bottom=fit.values["bottom"],
        top_se=fit.stderr.get("top", math.nan),
        bottom_se=fit.stderr["bottom"],
        r_squared=fit.r_squared,
        sy_x=fit.sy_x,
        df=fit.df,
        plate=info.plate,
        ss=fit.ss,
        ci_method=fit.ci_method,
        weights=info.weights,
        n_outliers=info.n_outliers,
    )
    if fit.model.name in ("two-site", "two-site-ki"):
        part, flags = _two_site(fit, info, ki)
    elif fit.model.name == "homologous":
        part, flags = _homologous(fit, info)
    else:
        part, flags = _one_site(fit, info, ki)
    row.update(part)
    if info.n_outliers > 0:
        flags.append("outliers_excluded")
    if not info.rout_converged:
        flags.append("rout_not_converged")
    row["flags"] = ";".join(flags)
    return row
