"""Competition binding: counts of a labelled ligand displaced by a test compound -> IC50 -> Ki.

A *curve* is one compound on one plate: its tubes are fitted together, every replicate as its own point,
and the plate's TOTAL and NSB tubes supply its controls. The same compound on two plates gives two rows
(independent experiments); give them one plate id to pool them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from assaykit.binding.columns import COMPARISON_COLUMNS, POTENCY_COLUMNS, RESULT_COLUMNS
from assaykit.binding.comparisons import compare_curve
from assaykit.binding.controls import control_means, specific_binding_points, summarize_plates
from assaykit.binding.options import CompetitionOptions, check_options, hot_concentrations
from assaykit.binding.pharmacology import relative_potency
from assaykit.binding.rows import CurveInfo, empty_row, result_row
from assaykit.errors import AssayInputError
from assaykit.fitting import COMPETITION_MODELS, CurveFit, CurveFitError, fit_curve
from assaykit.fitting.outliers import fit_rout
from assaykit.fitting.two_site import order_sites

__all__ = [
    "RESULT_COLUMNS",
    "CompetitionAnalysis",
    "analyze_competition",
    "curve_parameters",
    "fit_competition",
]

ModelName = Literal["4pl", "one-site", "fit-ki", "two-site", "two-site-ki", "homologous"]
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
        value and residual (``fitted_<u>``, ``residual_<u>``) and whether ROUT called it an ``outlier``.
    fits
        The :class:`~assaykit.fitting.CurveFit` of each curve, keyed by ``(compound, plate)``; None for a
        curve that could not be fitted. With ROUT, the fit of the points that are not outliers.
    notes
        Sentences the user should read (e.g. why Ki is empty).
    comparisons
        With ``compare=True``: one row per curve and model comparison, columns
        :data:`~assaykit.binding.columns.COMPARISON_COLUMNS`; otherwise empty.
    potency
        With ``potency_vs``: one row per compound and plate shared with the reference, columns
        :data:`~assaykit.binding.columns.POTENCY_COLUMNS`; otherwise empty.
    """

    results: pd.DataFrame
    plates: pd.DataFrame
    points: pd.DataFrame
    fits: dict[tuple[str, str], CurveFit | None]
    notes: tuple[str, ...]
    comparisons: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(COMPARISON_COLUMNS)))
    potency: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(POTENCY_COLUMNS)))


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


def _fit_one(
    opts: CompetitionOptions,
    x: np.ndarray,
    y: np.ndarray,
    fixed: dict[str, float],
    data: dict[str, np.ndarray] | None,
) -> tuple[CurveFit, np.ndarray, bool]:
    """Fit one curve as the options say.

    Returns the fit, the outlier mask (all False without ROUT) and whether ROUT's robust fit settled.

    Raises
    ------
    CurveFitError
        When the curve cannot be fitted.
    """
    model = COMPETITION_MODELS[opts.model]
    weights = "poisson" if opts.weights == "poisson" else None
    common = {
        "fixed": fixed,
        "constants": opts.constants,
        "data": data,
        "weights": weights,
        "level": opts.level,
    }
    if opts.outliers == "rout":
        rout = fit_rout(model, x, y, q_percent=opts.rout_q, ci=opts.ci, **common)
        fit, outlier, settled = rout.fit, rout.outlier, rout.robust.converged
    else:
        fit, outlier, settled = fit_curve(model, x, y, ci=opts.ci, **common), np.zeros(x.size, bool), True
    if opts.model in ("two-site", "two-site-ki"):
        fit = order_sites(fit, x[~outlier], y[~outlier])
    return fit, outlier, settled


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
    kd_lo_nM: float | None = None,  # noqa: N803
    kd_se_nM: float | None = None,  # noqa: N803
    weights: Literal["none", "poisson"] = "none",
    outliers: Literal["none", "rout"] = "none",
    rout_q: float = 1.0,
    compare: bool = False,
    potency_vs: str | None = None,
) -> CompetitionAnalysis:
    """Fit every competition curve in a counts table and derive IC50 and Ki (or Kd).

    Parameters
    ----------
    counts
        The canonical counts frame from :func:`assaykit.io.counts.read_counts` (or
        :func:`assaykit.io.counts.counts_from_frame` for a DataFrame built in Python).
    kd_nM, radioligand_nM
        The radioligand's Kd and its concentration in the assay, nM. With both, Ki is computed by
        Cheng-Prusoff; without them the Ki columns are NaN and ``notes`` says why. For ``homologous``,
        ``radioligand_nM`` is the hot concentration of tubes without a ``hot_nM`` value, and Kd is fitted.
    model
        ``"4pl"`` (four-parameter logistic, Hill slope free; the default), ``"one-site"`` (Hill slope fixed
        at -1, Prism "One site - Fit logIC50"), ``"fit-ki"`` (Prism "One site - Fit Ki"), ``"two-site"``
        (Prism "Two sites - Fit logIC50"), ``"two-site-ki"`` (Prism "Two sites - Fit Ki") or
        ``"homologous"`` (Prism "One site - Homologous": each compound is the unlabelled radioligand).
    top
        ``"free"``, ``"total"`` (fixed at the plate's mean TOTAL signal) or a number (fixed there); must
        be ``"free"`` for ``homologous``, which has no Top.
    bottom
        ``"free"``, ``"nsb"`` (fixed at the plate's mean NSB signal) or a number.
    ci
        ``"asymptotic"`` (Prism's default: estimate +/- t x SE) or ``"profile"`` (profile likelihood for
        the model's potency: log IC50, log Ki, the high-affinity site, or log Kd).
    level
        Confidence level of the intervals.
    kd_lo_nM
        Two-site models: the radioligand's Kd at the competitor's low-affinity site, nM (Prism's
        HotKdNMLo); the default is ``kd_nM`` (the radioligand does not tell the sites apart).
    kd_se_nM
        Standard error of ``kd_nM``: the ``*_total`` columns then carry it into Ki (delta method).
    weights
        ``"none"`` (unweighted least squares) or ``"poisson"`` (weights 1/Y of the curve, iterated).
    outliers
        ``"none"`` or ``"rout"``: remove outliers by ROUT before the final fit.
    rout_q
        ROUT's Q in percent (default 1).
    compare
        Also compare one site with two sites, and a Hill slope of -1 with a free one, on every curve
        (``comparisons``).
    potency_vs
        A reference compound: ``potency`` holds each other compound's IC50 relative to it, plate by plate.

    Returns
    -------
    CompetitionAnalysis
        ``results`` (one row per curve), ``plates``, ``points``, ``fits``, ``notes``, ``comparisons`` and
        ``potency``.

    Raises
    ------
    AssayInputError
        For invalid or conflicting options, and for ``top="total"``/``bottom="nsb"`` when a plate with
        competitors lacks those control tubes. A curve that cannot be fitted does not raise: its row says
        why in ``flags``.

    Notes
    -----
    IC50 and its limits are ``10**log_ic50`` converted to nM (asymmetric limits, as Prism reports them);
    ``ki_nM = ic50_nM / (1 + radioligand_nM / kd_nM)`` (Cheng & Prusoff 1973) and its limits are the IC50
    limits divided by the same factor (Kd taken as exact); with ``kd_se_nM`` the ``ki_ci_*_total_nM``
    limits also include the Kd's uncertainty. For the two-site models ``log_ic50``, ``ic50_nM`` and the
    one-site Ki columns are NaN: each site has its own columns (``*_hi``, ``*_lo``).
    """
    missing = [c for c in _REQUIRED if c not in counts.columns]
    if missing:
        raise AssayInputError(
            f"counts table lacks column(s) {', '.join(missing)}; build it with "
            "assaykit.io.counts.read_counts or counts_from_frame",
            path=counts.attrs.get("source"),
        )
    opts, notes = check_options(
        model=model, kd_nM=kd_nM, radioligand_nM=radioligand_nM, kd_lo_nM=kd_lo_nM, kd_se_nM=kd_se_nM,
        ci=ci, level=level, weights=weights, outliers=outliers, rout_q=rout_q, compare=compare,
    )  # fmt: skip
    homologous = opts.model == "homologous"
    top_c = _constraint(top, "total", "--top")
    bottom_c = _constraint(bottom, "nsb", "--bottom")
    if homologous and top_c != "free":
        raise AssayInputError("--top does not apply to --model homologous, which has no Top (Bmax instead)")
    means = control_means(counts)
    competitors = counts[counts["role"] == "competitor"]
    hot = hot_concentrations(counts, competitors, radioligand_nM) if homologous else None

    rows: list[dict] = []
    comparisons: list[dict] = []
    fits: dict[tuple[str, str], CurveFit | None] = {}
    fitted = pd.Series(np.nan, index=counts.index)
    outlier_column = pd.Series(False, index=counts.index)
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
        data = None if hot is None else {"hot_nM": hot.loc[tubes.index].to_numpy(float)}
        mixed_hot = data is not None and np.unique(data["hot_nM"]).size > 1  # NSB differs between them
        if mixed_hot and bottom_c == "nsb":
            raise AssayInputError(
                f"--bottom nsb: '{compound}' on plate '{plate}' mixes hot concentrations, whose NSB differ; "
                "leave Bottom free (Prism's shared NS) or fit each hot concentration on its own plate id"
            )
        info = CurveInfo(
            compound=compound,
            plate=plate,
            x_range=(float(x.min()), float(x.max())),
            total_mean=math.nan if mixed_hot else means.at[plate, "total"],
            nsb_mean=math.nan if mixed_hot else means.at[plate, "nsb"],
            weights=opts.weights,
            n_outliers=math.nan,
        )
        try:
            fit, outlier, settled = _fit_one(opts, x, y, fixed, data)
        except CurveFitError as exc:
            fits[(compound, plate)] = None
            rows.append(empty_row(info, opts.model, x.size, opts.ci, f"not_fitted: {exc}"))
            continue
        if opts.outliers == "rout":
            info = replace(info, n_outliers=int(outlier.sum()), rout_converged=settled)
            outlier_column.loc[tubes.index] = outlier
        fits[(compound, plate)] = fit
        fitted.loc[tubes.index] = fit.predict(x, **(data or {}))
        rows.append(result_row(fit, info, opts.ki))
        if opts.compare:
            keep = ~outlier
            for row in compare_curve(x[keep], y[keep], fixed=fixed, main=fit, level=opts.level):
                comparisons.append({"compound": compound, "plate": plate, **row})

    results = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    if competitors.empty:
        notes.append("no competitor tubes: nothing to fit")
    potency = pd.DataFrame(columns=list(POTENCY_COLUMNS))
    if potency_vs is not None:
        potency, note = _potency(results, potency_vs, opts.level)
        notes.extend(note)

    unit = counts.attrs.get("signal_unit", "cpm")
    points = specific_binding_points(counts)
    points[f"fitted_{unit}"] = fitted.to_numpy()
    points[f"residual_{unit}"] = points[unit] - points[f"fitted_{unit}"]
    points["outlier"] = outlier_column.to_numpy()
    results.attrs = {"source": counts.attrs.get("source"), "signal_unit": unit, "notes": notes}
    return CompetitionAnalysis(
        results=results,
        plates=summarize_plates(counts),
        points=points,
        fits=fits,
        notes=tuple(notes),
        comparisons=pd.DataFrame(comparisons, columns=list(COMPARISON_COLUMNS)),
        potency=potency,
    )


def _potency(results: pd.DataFrame, reference: str, level: float) -> tuple[pd.DataFrame, list[str]]:
    """Return the relative-potency table, and a note naming compounds never on a plate with the reference."""
    try:
        potency = relative_potency(results, reference, level=level)
    except ValueError as exc:
        raise AssayInputError(f"--potency-vs: {exc}") from None
    others = set(results.loc[results["compound"] != reference, "compound"])
    alone = sorted(others - set(potency["compound"]), key=str)
    notes = []
    if alone:
        notes.append(
            f"relative potency: {', '.join(map(str, alone))} never shared a plate with '{reference}', so "
            "no ratio is given for them (give the tubes one plate id to compare across plates)"
        )
    return potency, notes


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
        ``bottom``, ``ci``, ``level``, ``weights``, ``outliers``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per curve, columns :data:`RESULT_COLUMNS`.
    """
    return analyze_competition(counts, **options).results  # type: ignore[arg-type]


def curve_parameters(row: Mapping[str, object]) -> dict[str, float]:
    """Return the four logistic parameters of a result row, for plotting or prediction."""
    return {name: float(row[name]) for name in ("top", "bottom", "log_ic50", "hill_slope")}
