"""Competition binding: counts of a labelled ligand displaced by a test compound -> IC50 -> Ki.

A *curve* is one compound on one plate: its tubes are fitted together, every replicate as its own point,
and the plate's TOTAL and NSB tubes supply its controls. The same compound on two plates gives two rows
(independent experiments); give them one plate id to pool them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from assaykit.binding.controls import control_means, specific_binding_points, summarize_plates
from assaykit.binding.flags import competition_flags
from assaykit.errors import AssayInputError
from assaykit.fitting import COMPETITION_MODELS, CurveFit, CurveFitError, cheng_prusoff_shift, fit_curve

#: Result columns, in order (documented in the README).
RESULT_COLUMNS = (
    "compound",
    "model",
    "n_points",
    "top",
    "bottom",
    "hill_slope",
    "hill_slope_se",
    "log_ic50",
    "log_ic50_se",
    "log_ic50_ci_low",
    "log_ic50_ci_high",
    "ic50_nM",
    "ic50_ci_low_nM",
    "ic50_ci_high_nM",
    "log_ki",
    "ki_nM",
    "ki_ci_low_nM",
    "ki_ci_high_nM",
    "r_squared",
    "sy_x",
    "df",
    "flags",
    "plate",
    "top_se",
    "bottom_se",
    "log_ki_se",
    "ss",
    "ci_method",
)

ModelName = Literal["4pl", "one-site", "fit-ki"]
_REQUIRED = ("compound", "role", "plate", "log_conc_M", "signal")


@dataclass(frozen=True)
class CompetitionAnalysis:
    """Everything a competition analysis produces.

    Attributes
    ----------
    results
        One row per curve (compound x plate), columns :data:`RESULT_COLUMNS`.
    plates
        One row per plate: control means, SDs, specific window and Z'
        (:func:`~assaykit.binding.controls.summarize_plates`).
    points
        Every tube with specific binding, percent specific binding, and for competitor tubes the fitted
        value and residual (``fitted_<u>``, ``residual_<u>``).
    fits
        The :class:`~assaykit.fitting.CurveFit` of each curve, keyed by ``(compound, plate)``; None for a
        curve that could not be fitted.
    notes
        Sentences the user should read (e.g. why Ki is empty).
    """

    results: pd.DataFrame
    plates: pd.DataFrame
    points: pd.DataFrame
    fits: dict[tuple[str, str], CurveFit | None]
    notes: tuple[str, ...]


def _constraint(value: str | float, control: str, option: str) -> str | float:
    """Normalise a Top/Bottom constraint: 'free', the control's name, or a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise AssayInputError(f"{option} must be free, {control} or a number, not {value!r}")
        return float(value)
    text = str(value).strip().lower()
    if text in ("free", control):
        return text
    try:
        number = float(text)
    except ValueError:
        raise AssayInputError(f"{option} must be free, {control} or a number, not '{value}'") from None
    if not math.isfinite(number):
        raise AssayInputError(f"{option} must be free, {control} or a number, not '{value}'")
    return number


def _check_arguments(
    model: str,
    kd_nM: float | None,
    radioligand_nM: float | None,  # noqa: N803
) -> bool:
    """Validate the model and Cheng-Prusoff constants; return whether Ki can be computed."""
    if model not in COMPETITION_MODELS:
        raise AssayInputError(f"unknown model '{model}'; expected one of {', '.join(COMPETITION_MODELS)}")
    if (kd_nM is None) != (radioligand_nM is None):
        raise AssayInputError("Ki needs both --kd and --radioligand (nM); only one was given")
    if kd_nM is not None and not (math.isfinite(kd_nM) and kd_nM > 0):
        raise AssayInputError(f"--kd must be a positive concentration in nM, not {kd_nM!r}")
    if radioligand_nM is not None and not (math.isfinite(radioligand_nM) and radioligand_nM > 0):
        raise AssayInputError(f"--radioligand must be a positive concentration in nM, not {radioligand_nM!r}")
    if model == "fit-ki" and kd_nM is None:
        raise AssayInputError("--model fit-ki needs --kd and --radioligand (nM)")
    return kd_nM is not None


def _fixed_value(
    constraint: str | float, control: str, means: pd.DataFrame, plate: str, counts: pd.DataFrame, option: str
) -> float | None:
    if constraint == "free":
        return None
    if isinstance(constraint, float):
        return constraint
    value = means.at[plate, control]
    if not math.isfinite(value):
        raise AssayInputError(
            f"{option} {control} needs {control.upper()} rows, but plate '{plate}' has none",
            path=counts.attrs.get("source"),
        )
    return float(value)


def _to_nM(log_molar: float) -> float:  # noqa: N802 - unit in name
    """Convert log10(molar) to nanomolar; -inf gives 0 and inf gives inf."""
    with np.errstate(over="ignore"):
        return float(10.0 ** (log_molar + 9.0))


def _empty_row(compound: str, plate: str, model: str, n_points: int, ci: str, flag: str) -> dict:
    row = dict.fromkeys(RESULT_COLUMNS, math.nan)
    row.update(compound=compound, plate=plate, model=model, n_points=n_points, df=math.nan, flags=flag)
    row["ci_method"] = ci
    return row


def _result_row(
    fit: CurveFit,
    compound: str,
    plate: str,
    x: np.ndarray,
    kd_nM: float | None,  # noqa: N803
    radioligand_nM: float | None,  # noqa: N803
    total_mean: float,
    nsb_mean: float,
) -> dict:
    """Turn one fit into one tidy result row (IC50, Ki and their limits in nM)."""
    v, se = fit.values, fit.stderr
    has_ki = kd_nM is not None and radioligand_nM is not None
    shift = cheng_prusoff_shift(radioligand_nM, kd_nM) if has_ki else math.nan
    if fit.model.potency == "log_ki":  # fit-ki: log IC50 = log Ki + log10(1 + L/Kd), same SE
        log_ki, log_ki_se = v["log_ki"], se["log_ki"]
        ki_ci = fit.ci["log_ki"]
        log_ic50, log_ic50_se = log_ki + shift, log_ki_se
        ic50_ci = (ki_ci[0] + shift, ki_ci[1] + shift)
        hill, hill_se = -1.0, math.nan
    else:
        log_ic50, log_ic50_se = v["log_ic50"], se["log_ic50"]
        ic50_ci = fit.ci["log_ic50"]
        log_ki = log_ic50 - shift
        log_ki_se = log_ic50_se if has_ki else math.nan
        ki_ci = (ic50_ci[0] - shift, ic50_ci[1] - shift)
        hill, hill_se = v["hill_slope"], se["hill_slope"]
    flags = competition_flags(
        fit, log_ic50, log_ic50_se, ic50_ci, (float(x.min()), float(x.max())), total_mean, nsb_mean
    )
    return {
        "compound": compound,
        "model": fit.model.name,
        "n_points": fit.n_points,
        "top": v["top"],
        "bottom": v["bottom"],
        "hill_slope": hill,
        "hill_slope_se": hill_se,
        "log_ic50": log_ic50,
        "log_ic50_se": log_ic50_se,
        "log_ic50_ci_low": ic50_ci[0],
        "log_ic50_ci_high": ic50_ci[1],
        "ic50_nM": _to_nM(log_ic50),
        "ic50_ci_low_nM": _to_nM(ic50_ci[0]),
        "ic50_ci_high_nM": _to_nM(ic50_ci[1]),
        "log_ki": log_ki,
        "ki_nM": _to_nM(log_ki),
        "ki_ci_low_nM": _to_nM(ki_ci[0]),
        "ki_ci_high_nM": _to_nM(ki_ci[1]),
        "r_squared": fit.r_squared,
        "sy_x": fit.sy_x,
        "df": fit.df,
        "flags": ";".join(flags),
        "plate": plate,
        "top_se": se["top"],
        "bottom_se": se["bottom"],
        "log_ki_se": log_ki_se,
        "ss": fit.ss,
        "ci_method": fit.ci_method,
    }


def analyze_competition(
    counts: pd.DataFrame,
    *,
    kd_nM: float | None = None,  # noqa: N803 - the unit is part of the name
    radioligand_nM: float | None = None,  # noqa: N803
    model: ModelName = "4pl",
    top: str | float = "free",
    bottom: str | float = "free",
    ci: Literal["asymptotic", "profile"] = "asymptotic",
    level: float = 0.95,
) -> CompetitionAnalysis:
    """Fit every competition curve in a counts table and derive IC50 and Ki.

    Parameters
    ----------
    counts
        The canonical counts frame from :func:`assaykit.io.counts.read_counts` (or
        :func:`assaykit.io.counts.counts_from_frame` for a DataFrame built in Python).
    kd_nM, radioligand_nM
        The radioligand's Kd and its concentration in the assay, nM. With both, Ki is computed by
        Cheng-Prusoff; without them the Ki columns are NaN and ``notes`` says why.
    model
        ``"4pl"`` (four-parameter logistic, Hill slope free; the default), ``"one-site"`` (Hill slope fixed
        at -1, Prism "One site - Fit logIC50") or ``"fit-ki"`` (Prism "One site - Fit Ki": log Ki is
        fitted directly, with its own SE and CI; needs ``kd_nM`` and ``radioligand_nM``).
    top
        ``"free"``, ``"total"`` (fixed at the plate's mean TOTAL signal) or a number (fixed there).
    bottom
        ``"free"``, ``"nsb"`` (fixed at the plate's mean NSB signal) or a number.
    ci
        ``"asymptotic"`` (Prism's default: estimate +/- t x SE) or ``"profile"`` (profile likelihood for
        log IC50, or log Ki with ``fit-ki``).
    level
        Confidence level of the intervals.

    Returns
    -------
    CompetitionAnalysis
        ``results`` (one row per curve), ``plates``, ``points``, ``fits`` and ``notes``.

    Raises
    ------
    AssayInputError
        For invalid options, and for ``top="total"``/``bottom="nsb"`` when a plate with competitors lacks
        those control tubes. A curve that cannot be fitted does not raise: its row says why in ``flags``.

    Notes
    -----
    IC50 and its limits are ``10**log_ic50`` converted to nM (asymmetric limits, as Prism reports them);
    ``ki_nM = ic50_nM / (1 + radioligand_nM / kd_nM)`` (Cheng & Prusoff 1973) and its limits are the IC50
    limits divided by the same factor (Kd taken as exact).
    """
    missing = [c for c in _REQUIRED if c not in counts.columns]
    if missing:
        raise AssayInputError(
            f"counts table lacks column(s) {', '.join(missing)}; build it with "
            "assaykit.io.counts.read_counts or counts_from_frame",
            path=counts.attrs.get("source"),
        )
    has_ki = _check_arguments(model, kd_nM, radioligand_nM)
    top_c = _constraint(top, "total", "--top")
    bottom_c = _constraint(bottom, "nsb", "--bottom")
    curve_model = COMPETITION_MODELS[model]
    constants = {"radioligand_nM": radioligand_nM, "kd_nM": kd_nM} if model == "fit-ki" else {}
    means = control_means(counts)
    competitors = counts[counts["role"] == "competitor"]

    rows: list[dict] = []
    fits: dict[tuple[str, str], CurveFit | None] = {}
    fitted = pd.Series(np.nan, index=counts.index)
    for (compound, plate), tubes in competitors.groupby(["compound", "plate"], sort=False):
        fixed = {}
        for name, constraint, control, option in (
            ("top", top_c, "total", "--top"),
            ("bottom", bottom_c, "nsb", "--bottom"),
        ):
            value = _fixed_value(constraint, control, means, plate, counts, option)
            if value is not None:
                fixed[name] = value
        x = tubes["log_conc_M"].to_numpy(float)
        y = tubes["signal"].to_numpy(float)
        try:
            fit = fit_curve(curve_model, x, y, fixed=fixed, constants=constants, ci=ci, level=level)
        except CurveFitError as exc:
            fits[(compound, plate)] = None
            rows.append(_empty_row(compound, plate, model, x.size, ci, f"not_fitted: {exc}"))
            continue
        fits[(compound, plate)] = fit
        fitted.loc[tubes.index] = fit.predict(x)
        rows.append(
            _result_row(
                fit,
                compound,
                plate,
                x,
                kd_nM,
                radioligand_nM,
                means.at[plate, "total"],
                means.at[plate, "nsb"],
            )
        )

    results = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    if not has_ki:
        results[["log_ki", "ki_nM", "ki_ci_low_nM", "ki_ci_high_nM", "log_ki_se"]] = math.nan
    notes = []
    if not has_ki:
        notes.append(
            "Ki not computed: give the radioligand's Kd and its concentration (--kd, --radioligand, nM) "
            "to apply Cheng-Prusoff"
        )
    if competitors.empty:
        notes.append("no competitor tubes: nothing to fit")

    unit = counts.attrs.get("signal_unit", "cpm")
    points = specific_binding_points(counts)
    points[f"fitted_{unit}"] = fitted.to_numpy()
    points[f"residual_{unit}"] = points[unit] - points[f"fitted_{unit}"]
    results.attrs = {"source": counts.attrs.get("source"), "signal_unit": unit, "notes": notes}
    return CompetitionAnalysis(
        results=results, plates=summarize_plates(counts), points=points, fits=fits, notes=tuple(notes)
    )


def fit_competition(counts: pd.DataFrame, **options: object) -> pd.DataFrame:
    """Fit every competition curve and return the tidy results table (one row per curve).

    A shortcut for ``analyze_competition(counts, **options).results``; see :func:`analyze_competition`
    for the options and the columns.

    Parameters
    ----------
    counts
        The canonical counts frame.
    **options
        Passed to :func:`analyze_competition` (``kd_nM``, ``radioligand_nM``, ``model``, ``top``,
        ``bottom``, ``ci``, ``level``).

    Returns
    -------
    pandas.DataFrame
        One row per curve, columns :data:`RESULT_COLUMNS`.
    """
    return analyze_competition(counts, **options).results  # type: ignore[arg-type]


def curve_parameters(row: Mapping[str, object]) -> dict[str, float]:
    """Return the four logistic parameters of a result row, for plotting or prediction."""
    return {name: float(row[name]) for name in ("top", "bottom", "log_ic50", "hill_slope")}
