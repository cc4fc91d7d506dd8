"""Concentration-time figures: one profile with its terminal phase, and the mean +/- SD curve per group.

Both figures have two panels, the same data on a linear and on a semi-logarithmic concentration axis: the
linear one shows absorption and Cmax, the semi-log one the distribution and terminal phases as straight
lines. :func:`pk_figure_jobs` lists a run's figures as :class:`~assaykit.figure_jobs.FigureJob` objects
for :func:`~assaykit.figure_jobs.write_figures`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from assaykit.figure_jobs import FigureJob

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Columns :func:`plot_profile` needs in ``points``.
PROFILE_COLUMNS = ("time_h", "conc", "blq")
#: A mean is drawn at a time when at least this share of the group's animals sampled then is measurable.
MIN_MEASURABLE_SHARE = 2.0 / 3.0

_SAMPLE = "#0072B2"
_LAMBDA_Z = "#D55E00"
_BLQ = "#7F7F7F"
_FIT = "#009E73"
_GROUP_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
_STYLES = ("-", "--", ":", "-.")
_FIGSIZE = (8.0, 3.4)


def unit_tag(conc_unit: str) -> str:
    """Return the column-name form of a unit: ``"ng/mL"`` -> ``"ng_mL"``."""
    return str(conc_unit).replace("/", "_").replace(" ", "")


def _number(result: Mapping[str, Any], *names: str) -> float:
    for name in names:
        if name in result:
            try:
                return float(result[name])
            except (TypeError, ValueError):
                return math.nan
    return math.nan


def plot_profile(
    points: pd.DataFrame,
    result: Mapping[str, Any],
    path: str | Path,
    *,
    title: str | None = None,
    conc_unit: str = "ng/mL",
    fitted: Callable[[np.ndarray], np.ndarray] | None = None,
    lloq: float | None = None,
) -> Path:
    """Plot one concentration-time profile (one subject, one analyte) on linear and semi-log axes.

    Measured samples are filled blue circles; the samples used for lambda_z are filled vermillion; BLQ
    samples are open grey circles at LLOQ/2 when the LLOQ is known, else at 0 (linear panel) and at half
    the lowest measured concentration (semi-log panel), as the legend says. A sample of 0 (pre-dose) has no
    place on the log axis and is left out there. The terminal line ``exp(intercept - lambda_z t)`` is drawn
    solid over the lambda_z points' span and dashed from there to the last sample; Cmax is marked by an
    open square at (Tmax, Cmax); the compartmental curve ``fitted(t)`` is drawn when given.

    Parameters
    ----------
    points
        The samples of ONE profile: ``time_h``, ``conc`` (NaN for BLQ and missing), ``blq`` and optionally
        ``lambda_z_used`` (bool; the points of the terminal regression).
    result
        The profile's NCA result: ``lambda_z_per_h``, ``lambda_z_intercept`` (natural log:
        ``ln C = intercept - lambda_z t``), ``lambda_z_first_h`` and ``lambda_z_last_h`` (else the span of
        the ``lambda_z_used`` points), ``tmax_h`` and ``cmax_<unit>`` (``cmax_ng_mL``; or ``cmax``; else the
        largest sample), optionally ``half_life_h``, ``lambda_z_adj_r2`` and ``lloq``. A lambda_z that is
        missing or NaN draws no terminal line ("no terminal phase").
    path
        Output file: ``.png``, ``.pdf`` or ``.svg``, in an existing folder.
    title
        Figure title, e.g. the subject, group and analyte.
    conc_unit
        Unit of ``conc`` (``"ng/mL"``), for the axis label and the ``cmax_<unit>`` key.
    fitted
        The compartmental model's curve, concentration at an array of times (h); it must pickle to be drawn
        in a worker process (a module-level function or a :func:`functools.partial` of one).
    lloq
        Lower limit of quantification, in ``conc_unit``; ``result["lloq"]`` when None.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError
        When ``points`` lacks a column.
    AssayInputError
        When the figure cannot be written.
    """
    from assaykit.plotting import blank_figure, cleared_on_error, house_style, require_columns, save_figure

    require_columns(points, PROFILE_COLUMNS)
    data = _profile_data(points)
    lloq = lloq if lloq is not None else _number(result, "lloq")
    lloq = lloq if lloq is not None and math.isfinite(lloq) and lloq > 0 else None
    with house_style():
        fig = blank_figure(*_FIGSIZE)
        with cleared_on_error(fig):
            ax_lin, ax_log = fig.subplots(1, 2)
            ax_lin.set_label("linear")
            ax_log.set_label("semilog")
            ax_log.set_yscale("log")
            for ax, log in ((ax_lin, False), (ax_log, True)):
                _draw_profile(ax, data, result, conc_unit, fitted, lloq, log=log)
            if title:
                fig.suptitle(title, fontsize=11)
        return save_figure(fig, path)


def _profile_data(points: pd.DataFrame) -> pd.DataFrame:
    used = points["lambda_z_used"] if "lambda_z_used" in points.columns else False
    out = pd.DataFrame(
        {
            "time_h": pd.to_numeric(points["time_h"], errors="coerce").to_numpy(dtype=float),
            "conc": pd.to_numeric(points["conc"], errors="coerce").to_numpy(dtype=float),
            "blq": pd.Series(points["blq"]).fillna(False).astype(bool).to_numpy(),
            "used": pd.Series(used, index=points.index).fillna(False).astype(bool).to_numpy(),
        }
    )
    return out[np.isfinite(out["time_h"])]


def _draw_profile(
    ax: Axes,
    data: pd.DataFrame,
    result: Mapping[str, Any],
    unit: str,
    fitted: Callable[[np.ndarray], np.ndarray] | None,
    lloq: float | None,
    *,
    log: bool,
) -> None:
    measured = data[np.isfinite(data["conc"]) & ~data["blq"]]
    if log:
        measured = measured[measured["conc"] > 0]
    positive = measured["conc"][measured["conc"] > 0]
    floor = lloq / 2 if lloq else (float(positive.min()) / 2 if len(positive) else 1.0)
    plain = measured[~measured["used"]]
    ax.plot(plain["time_h"], plain["conc"], "o", color=_SAMPLE, ms=4.5, label="samples")
    used = measured[measured["used"]]
    if len(used):
        ax.plot(used["time_h"], used["conc"], "o", color=_LAMBDA_Z, ms=5.5, label="λ$_z$ points")
    blq = data[data["blq"]]
    if len(blq):
        at = "LLOQ/2" if lloq else ("half the lowest value" if log else "0")
        y = floor if (lloq or log) else 0.0
        ax.plot(blq["time_h"], np.full(len(blq), y), "o", mfc="none", mec=_BLQ, ms=5, label=f"BLQ (at {at})")
    t_end = float(data["time_h"].max()) if len(data) else 1.0
    _draw_terminal(ax, data, result, t_end)
    tmax = _number(result, "tmax_h")
    cmax = _number(result, f"cmax_{unit_tag(unit)}", "cmax")
    if not (math.isfinite(tmax) and math.isfinite(cmax)) and len(measured):
        peak = measured.loc[measured["conc"].idxmax()]
        tmax, cmax = float(peak["time_h"]), float(peak["conc"])
    if math.isfinite(tmax) and math.isfinite(cmax) and (cmax > 0 or not log):
        label = f"C$_{{max}}$ {cmax:.3g} {unit} at {tmax:.3g} h"
        ax.plot([tmax], [cmax], "s", mfc="none", mec="black", ms=10, mew=1.0, label=label)
    if fitted is not None:
        grid = np.linspace(0.0, t_end, 300)
        curve = np.asarray(fitted(grid), dtype=float)
        keep = curve > 0 if log else np.isfinite(curve)
        ax.plot(grid[keep], curve[keep], "-", color=_FIT, lw=1.2, label="compartmental fit")
    ax.set_xlabel("Time (h)")
    ax.set_ylabel(f"Concentration ({unit})")
    ax.set_xlim(-0.02 * t_end, 1.04 * t_end)
    if log:
        ax.set_title("semi-log", fontsize=9)
        lows = ([floor] if len(blq) else []) + ([float(positive.min())] if len(positive) else [floor])
        highs = [float(positive.max())] if len(positive) else [10 * floor]
        ax.set_ylim(min(lows) / 1.6, max(highs) * 1.6)
    else:
        ax.set_title("linear", fontsize=9)
        top = float(positive.max()) if len(positive) else 1.0
        ax.set_ylim(0.0, top * 1.1)
        ax.legend(loc="best", fontsize=7)  # out of the way of the points


def _draw_terminal(ax: Axes, data: pd.DataFrame, result: Mapping[str, Any], t_end: float) -> None:
    """Draw ``exp(intercept - lambda_z t)`` over the lambda_z span, dashed on to the last sample."""
    lam = _number(result, "lambda_z_per_h")
    intercept = _number(
        result, "lambda_z_intercept", *(k for k in result if k.startswith("lambda_z_intercept_ln"))
    )
    first = _number(result, "lambda_z_first_h")
    last = _number(result, "lambda_z_last_h")
    used_times = data.loc[data["used"], "time_h"]
    if not math.isfinite(first) and len(used_times):
        first = float(used_times.min())
    if not math.isfinite(last) and len(used_times):
        last = float(used_times.max())
    if not all(math.isfinite(v) for v in (lam, intercept, first, last)):
        ax.text(0.97, 0.95, "no terminal phase", transform=ax.transAxes, ha="right", va="top", color=_BLQ)
        return
    half_life = _number(result, "half_life_h")
    half_life = half_life if math.isfinite(half_life) else math.log(2) / lam if lam > 0 else math.nan
    label = f"terminal: λ$_z$ {lam:.3g}/h, t$_{{1/2}}$ {half_life:.3g} h"
    r2 = _number(result, "lambda_z_adj_r2", "adj_r2", "r2adj")
    if math.isfinite(r2):
        label += f", adj. R² {r2:.3f}"
    span = np.linspace(first, last, 50)
    ax.plot(span, np.exp(intercept - lam * span), "-", color=_LAMBDA_Z, lw=1.3, label=label)
    if t_end > last:
        tail = np.linspace(last, t_end, 30)
        ax.plot(tail, np.exp(intercept - lam * tail), "--", color=_LAMBDA_Z, lw=1.0, label="_extended")


def group_mean_profile(points: pd.DataFrame, by: Sequence[str] = ("group", "analyte")) -> pd.DataFrame:
    """Return the mean +/- SD concentration at each time of each group, with the counts behind them.

    BLQ and missing samples are left out of the mean (not set to 0 or LLOQ/2); a mean is ``drawn`` when
    the measurable samples at that time are at least :data:`MIN_MEASURABLE_SHARE` (2/3) of the animals of
    the group sampled then. Times are taken as written (nominal times): animals sampled at their own actual
    times do not share a time.

    Parameters
    ----------
    points
        Samples: ``subject``, ``time_h``, ``conc``, ``blq`` and the columns of ``by``.
    by
        The columns that make a curve (those missing from ``points`` are ignored).

    Returns
    -------
    pandas.DataFrame
        One row per curve and time: the ``by`` columns, ``time_h``, ``n`` (animals sampled), ``n_measured``,
        ``mean``, ``sd`` (NaN when fewer than 2 measured) and ``drawn`` (bool).
    """
    keys = [k for k in by if k in points.columns]
    frame = points.assign(
        time_h=pd.to_numeric(points["time_h"], errors="coerce"),
        value=pd.to_numeric(points["conc"], errors="coerce").where(~points["blq"].astype(bool)),
    )
    grouped = frame.groupby([*keys, "time_h"], sort=False)
    out = grouped.agg(
        n=("subject", "nunique"), n_measured=("value", "count"), mean=("value", "mean"), sd=("value", "std")
    ).reset_index()
    out["drawn"] = (out["n_measured"] >= 1) & (out["n_measured"] >= MIN_MEASURABLE_SHARE * out["n"] - 1e-9)
    return out.sort_values([*keys, "time_h"], kind="stable").reset_index(drop=True)


def plot_group_means(
    points: pd.DataFrame,
    path: str | Path,
    *,
    conc_unit: str = "ng/mL",
    by: Sequence[str] = ("group", "analyte"),
    title: str | None = None,
) -> Path:
    """Plot the mean +/- SD concentration-time curve of each group on linear and semi-log axes.

    One colour per level of the first ``by`` column (the group), one line style per level of the second
    (the analyte). The means follow :func:`group_mean_profile`: BLQ samples are left out, and a time whose
    measurable samples are fewer than 2/3 of the animals is not drawn (the legend says so). On the semi-log
    panel a bar that would reach 0 or below (mean - SD <= 0) is drawn upwards only.

    Parameters
    ----------
    points
        Samples of every group: ``subject``, ``time_h``, ``conc``, ``blq`` and the ``by`` columns.
    path
        Output file: ``.png``, ``.pdf`` or ``.svg``, in an existing folder.
    conc_unit
        Unit of ``conc``, for the axis label.
    by
        The columns that make a curve.
    title
        Figure title.

    Returns
    -------
    Path
        The path written (:func:`plot_profile` raises as this does).
    """
    from assaykit.plotting import blank_figure, cleared_on_error, house_style, require_columns, save_figure

    require_columns(points, ("subject", "time_h", "conc", "blq"))
    keys = [k for k in by if k in points.columns]
    means = group_mean_profile(points, keys)
    curves = list(means.groupby(keys, sort=False)) if keys else [((), means)]
    levels = [list(dict.fromkeys(means[k])) for k in keys]
    with house_style():
        fig = blank_figure(*_FIGSIZE)
        with cleared_on_error(fig):
            ax_lin, ax_log = fig.subplots(1, 2)
            ax_lin.set_label("linear")
            ax_log.set_label("semilog")
            ax_log.set_yscale("log")
            for key, rows in curves:
                key = key if isinstance(key, tuple) else (key,)
                colour = _GROUP_COLOURS[levels[0].index(key[0]) % len(_GROUP_COLOURS)] if keys else _SAMPLE
                style = _STYLES[levels[1].index(key[1]) % len(_STYLES)] if len(keys) > 1 else "-"
                shown = [str(k) for i, k in enumerate(key) if len(levels[i]) > 1 or i == 0]
                label = " ".join(s for s in shown if s) or "all animals"
                rows = rows[rows["drawn"]]
                for ax, log in ((ax_lin, False), (ax_log, True)):
                    _draw_mean(ax, rows, colour, style, label, log=log)
            t_end = float(pd.to_numeric(points["time_h"], errors="coerce").max()) if len(points) else 1.0
            t_end = t_end if math.isfinite(t_end) and t_end > 0 else 1.0
            for ax, name in ((ax_lin, "linear"), (ax_log, "semi-log")):
                ax.set_xlim(-0.02 * t_end, 1.04 * t_end)  # every sampled time, drawn or not
                ax.set_xlabel("Time (h)")
                ax.set_ylabel(f"Concentration ({conc_unit}), mean ± SD")
                ax.set_title(name, fontsize=9)
            ax_lin.set_ylim(bottom=0.0)
            rule = "BLQ left out; a time is drawn when\n≥ 2/3 of the animals are measurable"
            ax_lin.legend(loc="upper right", fontsize=7, title=rule, title_fontsize=6.5)
            if title:
                fig.suptitle(title, fontsize=11)
        return save_figure(fig, path)


def _draw_mean(ax: Axes, rows: pd.DataFrame, colour: str, style: str, label: str, *, log: bool) -> None:
    t, mean, sd = (rows[c].to_numpy(dtype=float) for c in ("time_h", "mean", "sd"))
    sd = np.nan_to_num(sd, nan=0.0)
    lower = sd.copy()
    if log:
        keep = mean > 0
        t, mean, sd, lower = t[keep], mean[keep], sd[keep], lower[keep]
        lower[mean - sd <= 0] = 0.0
    ax.errorbar(
        t, mean, yerr=[lower, sd], fmt="o", ls=style, color=colour, ms=4, lw=1.2, capsize=2, label=label
    )


def pk_figure_jobs(
    points: pd.DataFrame,
    results: pd.DataFrame,
    *,
    conc_unit: str,
    fitted: Mapping[tuple[str, str], Callable[[np.ndarray], np.ndarray]] | None = None,
    lloq: float | None = None,
) -> list[tuple[str, FigureJob]]:
    """Return a run's figures: one profile per subject and analyte, and the group means per analyte.

    Parameters
    ----------
    points
        The NCA points table: ``subject``, ``analyte``, ``group``, ``time_h``, ``conc``, ``blq`` and
        ``lambda_z_used``.
    results
        The NCA results, one row per subject and analyte (``subject``, ``analyte``, optionally ``group``,
        and the columns :func:`plot_profile` reads).
    conc_unit
        Unit of the concentrations.
    fitted
        The compartmental curve of a ``(subject, analyte)``, when one was fitted; it must pickle.
    lloq
        The LLOQ, to place BLQ samples at LLOQ/2.

    Returns
    -------
    list of (str, FigureJob)
        File stems (distinct and portable: ``profile_<subject>`` or ``profile_<subject>_<analyte>`` when
        there are several analytes, then ``means`` or ``means_<analyte>``) and their jobs, profiles in the
        order of ``results``.
    """
    from assaykit.plotting import unique_stems

    fitted = fitted or {}
    several = points["analyte"].nunique() > 1 if "analyte" in points.columns else False
    by_profile = dict(tuple(points.groupby(["subject", "analyte"], sort=False)))
    columns = [c for c in ("time_h", "conc", "blq", "lambda_z_used") if c in points.columns]
    names, jobs = [], []
    for row in results.to_dict("records"):
        key = (str(row["subject"]), str(row["analyte"]))
        profile = by_profile.get(key, points.iloc[:0])[columns].reset_index(drop=True)
        group = str(row.get("group", "") or "")
        title = " · ".join(p for p in (key[0], group, key[1] if several else "") if p)
        kwargs = {"title": title, "conc_unit": conc_unit, "fitted": fitted.get(key), "lloq": lloq}
        jobs.append(FigureJob(plot_profile, (profile, row), kwargs))
        names.append(f"profile_{key[0]}" + (f"_{key[1]}" if several else ""))
    for analyte, rows in points.groupby("analyte", sort=False):
        table = rows[[c for c in ("subject", "group", "time_h", "conc", "blq") if c in rows.columns]]
        title = f"{analyte}: mean ± SD per group" if several else "mean ± SD per group"
        kwargs = {"conc_unit": conc_unit, "by": ("group",), "title": title}
        jobs.append(FigureJob(plot_group_means, (table.reset_index(drop=True),), kwargs))
        names.append("means" + (f"_{analyte}" if several else ""))
    return list(zip(unique_stems(names), jobs, strict=True))
