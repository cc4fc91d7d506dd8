"""Publication-style plot of one competition binding curve: tubes, mean +/- SD, fitted curve, IC50 and Ki."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from assaykit.binding.columns import column_name
from assaykit.binding.plot_marks import (
    Scale,
    as_float,
    draw_means,
    make_scale,
    mark_sites,
    mean_sd_label,
    place_text_box,
    replicate_stats,
    scaled_curve,
    sig3,
)
from assaykit.plotting import zero_based_limits

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from assaykit.fitting import CurveFit

#: Columns ``plot_competition`` needs in ``points``.
POINT_COLUMNS = ("log_conc_M", "signal")

#: Keys of the fitted parameters ``plot_competition`` needs in ``fit``.
FIT_KEYS = ("top", "bottom", "hill_slope", "log_ic50")

_DATA_COLOUR = "#0072B2"
_TOTAL_COLOUR = "#4D4D4D"
_NSB_COLOUR = "#999999"
_OUTLIER_COLOUR = "#D55E00"
_EXTEND_LOG = 0.5  # the curve is drawn half a log unit beyond the data on each side


def plot_competition(
    points: pd.DataFrame,
    fit: Mapping[str, Any],
    path: str | Path,
    *,
    title: str | None = None,
    signal_unit: str = "cpm",
    total_mean: float | None = None,
    nsb_mean: float | None = None,
    unfitted: str = "fit failed",
    y_axis: str = "bound",
) -> Path:
    """Plot the tubes of one competition curve with its fitted sigmoid and write the figure atomically.

    Every replicate is drawn as an open circle and the mean at each concentration as a filled one with
    error bars of +/- 1 SD of the replicates (n - 1 in the denominator; none for a single replicate), on
    a log axis of molar concentration. The fitted curve ``Y = Bottom + (Top - Bottom) / (1 + 10**((LogIC50 -
    X) * HillSlope))`` (Prism's "log(inhibitor) vs. response -- variable slope"; ``HillSlope = -1`` is
    Prism's one-site competition) is drawn over the data range plus half a log unit each side. A dotted
    drop line and a marker show the IC50 at the half-way point, annotated with IC50 and Ki to three
    significant figures. A two-site fit marks each site's IC50 the same way (a drop line, a marker on the
    curve and a label at its foot), and its values go in a text box placed where it covers neither the
    data, the curve nor the TOTAL and NSB lines, inside the axes.

    Parameters
    ----------
    points
        The tubes of ONE compound: ``log_conc_M`` (log10 molar) and ``signal`` (in ``signal_unit``). Rows
        where either is missing (such as control tubes) are not drawn. Rows whose optional ``outlier``
        column is True are drawn as crosses and left out of the means; with a ``hot_nM`` column the means
        are per hot concentration.
    fit
        The fitted parameters ``top``, ``bottom``, ``hill_slope``, ``log_ic50``, and optionally
        ``ic50_nM``, ``ki_nM`` and ``model`` (keys are matched ignoring case, so a result row with
        ``ki_nm`` works too). If any of the four parameters is NaN or None the fit is taken as failed: only
        the points are drawn and the plot says "fit failed". A model other than the sigmoid (two sites,
        homologous) instead gives ``curves``, ``{label: f(log10 M) -> Y}`` drawn as they are,
        ``annotation``, the text shown in place of the IC50, and optionally ``marks``, ``{label: log10
        M}`` of the sites to mark on the first curve (see :func:`plot_fit`).
    path
        Output file: ``.png`` (200 dpi), ``.pdf`` or ``.svg``, in an existing folder.
    title
        Plot title, for example the compound name.
    signal_unit
        Unit of ``signal``, shown in the y label ``Bound (cpm)``.
    total_mean, nsb_mean
        Mean total binding and nonspecific binding of the plate, drawn as labelled dashed lines.
    unfitted
        What the plot says when there is no fit (default "fit failed"; e.g. "inactive" for a curve the
        screen called inactive, which was not fitted).
    y_axis
        ``"bound"`` (default): the signal as counted; ``"percent"``: % specific binding, ``100 * (Y -
        nsb_mean) / (total_mean - nsb_mean)`` (the points table's ``specific_pct``), which needs both
        means with ``total_mean > nsb_mean``.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError
        When ``points`` lacks a column or ``fit`` lacks a parameter, or for a ``y_axis`` that cannot be
        drawn.
    AssayInputError
        When the figure cannot be written (unknown extension, missing folder); no file is left behind.

    Notes
    -----
    An IC50 outside the drawn concentration range is not marked on the axes (that would stretch them
    over many decades); it is still written in the annotation, flagged as extrapolated.

    Examples
    --------
    >>> import pandas as pd
    >>> points = pd.DataFrame({"log_conc_M": [-10, -9, -8, -7, -6], "signal": [3000, 2700, 1500, 450, 260]})
    >>> fit = {"top": 3050, "bottom": 250, "hill_slope": -1.0, "log_ic50": -8.1, "ki_nM": 4.8}
    >>> plot_competition(points, fit, "diazepam.png", title="diazepam")  # doctest: +SKIP
    PosixPath('diazepam.png')
    """
    from assaykit.plotting import cleared_on_error, house_style, require_columns, reusable_figure, save_figure

    require_columns(points, POINT_COLUMNS)
    scale = make_scale(y_axis, total_mean, nsb_mean)
    params = read_fit(fit)
    x, y, outlier, hot = finite_points(points)
    fit_ok = bool(params["curves"]) or all(math.isfinite(params[k]) for k in FIT_KEYS)

    with house_style():
        fig, ax = reusable_figure()
        with cleared_on_error(fig):
            tubes = (x, scale(y), outlier, hot)
            _draw(
                ax,
                tubes,
                scaled_fit(params, scale),
                fit_ok,
                signal_unit,
                (total_mean, nsb_mean, scale),
                unfitted,
            )
            if title:
                ax.set_xlabel(f"[{title}] (M)")
            heading = title or ""
            if not fit_ok:
                heading = f"{heading} ({unfitted.split(':')[0]})" if heading else unfitted
            if heading:
                ax.set_title(heading)
        return save_figure(fig, path)


def read_fit(fit: Mapping[str, Any]) -> dict[str, Any]:
    """Pick the parameters out of ``fit`` ignoring key case; missing optional numbers become NaN."""
    lowered = {str(k).lower(): v for k, v in fit.items()}
    missing = [k for k in FIT_KEYS if k not in lowered]
    if missing:
        raise ValueError(f"fit is missing parameter(s) {', '.join(missing)}; expected {', '.join(FIT_KEYS)}")
    out: dict[str, Any] = {k: as_float(lowered[k]) for k in FIT_KEYS}
    out["ic50_nm"] = as_float(lowered.get("ic50_nm"))
    out["ki_nm"] = as_float(lowered.get("ki_nm"))
    model = lowered.get("model")
    out["model"] = None if model is None or pd.isna(model) else str(model)
    out["curves"] = dict(lowered.get("curves") or {})
    out["annotation"] = lowered.get("annotation")
    out["marks"] = {str(k): as_float(v) for k, v in dict(lowered.get("marks") or {}).items()}
    if not math.isfinite(out["ic50_nm"]) and math.isfinite(out["log_ic50"]):
        out["ic50_nm"] = 10.0 ** (out["log_ic50"] + 9.0)
    return out


def scaled_fit(p: dict[str, Any], scale: Scale) -> dict[str, Any]:
    """Return the fit on the figure's y scale: plateaus moved (IC50 and slope stay), curves wrapped."""
    if not scale.percent:
        return p
    out = {**p, "top": float(scale(p["top"])), "bottom": float(scale(p["bottom"]))}
    out["curves"] = {name: scaled_curve(curve, scale) for name, curve in p["curves"].items()}
    return out


def finite_points(points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return x, y, outlier marks and hot concentrations (NaN if none) of the rows with x and y finite."""
    x = pd.to_numeric(points["log_conc_M"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    y = pd.to_numeric(points["signal"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    outlier = np.zeros(x.shape, dtype=bool)
    if "outlier" in points.columns:
        outlier = points["outlier"].fillna(False).to_numpy(dtype=bool)
    hot = np.full(x.shape, np.nan)
    if "hot_nM" in points.columns:
        hot = pd.to_numeric(points["hot_nM"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep], outlier[keep], hot[keep]


def _curve(x: np.ndarray, p: Mapping[str, float]) -> np.ndarray:
    """Evaluate the variable-slope competition sigmoid at log10 molar ``x``."""
    with np.errstate(over="ignore"):
        return p["bottom"] + (p["top"] - p["bottom"]) / (
            1.0 + 10.0 ** ((p["log_ic50"] - x) * p["hill_slope"])
        )


def x_range(x: np.ndarray, log_ic50: float, fit_ok: bool) -> tuple[float, float]:
    """Return the drawn range of log10 M: the data plus :data:`_EXTEND_LOG` each side (or the IC50's)."""
    if x.size:
        lo, hi = float(x.min()), float(x.max())
    elif fit_ok and math.isfinite(log_ic50):
        lo, hi = log_ic50 - 2.0, log_ic50 + 2.0
    else:
        lo, hi = -10.0, -4.0
    return lo - _EXTEND_LOG, hi + _EXTEND_LOG


def fit_curves(p: Mapping[str, Any]) -> Mapping[str, Callable[[np.ndarray], np.ndarray]]:
    """Return the curves to draw, by legend label: the model's own, or the sigmoid of the parameters."""
    label = f"fit ({p['model']})" if p["model"] else "fit"
    return p["curves"] or {label: lambda g: _curve(g, p)}


def _draw(
    ax: Axes,
    tubes: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    p: Mapping[str, Any],
    fit_ok: bool,
    signal_unit: str,
    controls: tuple[float | None, float | None, Scale],
    unfitted: str,
) -> None:
    """Draw points, curve, IC50 marks, control lines, labels and legend on ``ax``."""
    x, y, outlier, hot = tubes
    total_mean, nsb_mean, scale = controls
    x_lo, x_hi = x_range(x, p["log_ic50"], fit_ok)

    if x.size:
        # Open rings larger than the filled means, so replicates stay visible where they overlap the mean.
        kept = ~outlier
        ax.plot(
            10.0 ** x[kept], y[kept], "o", mfc="none", mec=_DATA_COLOUR, mew=0.8, ms=6, alpha=0.8,
            label="replicates",
        )  # fmt: skip
        if outlier.any():
            ax.plot(10.0 ** x[outlier], y[outlier], "x", color=_OUTLIER_COLOUR, ms=6, label="outlier (ROUT)")
        # one mean per concentration (and per hot concentration, for homologous curves run at several)
        stats = replicate_stats(x[kept], y[kept], hot[kept])
        if len(stats):
            draw_means(ax, stats, _DATA_COLOUR, mean_sd_label(stats["n"]))

    y_values = [y] if y.size else []
    curves = fit_curves(p) if fit_ok else {}
    grid = np.linspace(x_lo, x_hi, 400)
    for (name, curve), dashes in zip(curves.items(), ((), (5, 2), (2, 2), (6, 2, 1, 2)), strict=False):
        fitted = curve(grid)
        ax.plot(10.0**grid, fitted, "-", color=_DATA_COLOUR, lw=1.5, dashes=dashes, label=name, gid="fit")
        y_values.append(fitted)

    for value, name, colour, dashes in (
        (total_mean, "Total", _TOTAL_COLOUR, (5, 3)),
        (nsb_mean, "NSB", _NSB_COLOUR, (2.5, 2.5)),
    ):
        value = as_float(value)
        if math.isfinite(value):
            shown = float(scale(value))
            label = f"{name} ({sig3(value)} {signal_unit}"
            label += f" = {shown:.0f}%)" if scale.percent else ")"
            ax.axhline(shown, color=colour, lw=1.0, dashes=dashes, label=label, gid=name.lower())
            y_values.append(np.array([shown]))

    ax.set_xscale("log")
    ax.set_xlim(10.0**x_lo, 10.0**x_hi)
    ax.set_ylim(*zero_based_limits(np.concatenate(y_values) if y_values else np.array([0.0, 1.0])))
    ax.set_xlabel("[competitor] (M)")
    ax.set_ylabel(scale.label(signal_unit))

    if fit_ok and not p["curves"]:
        _mark_ic50(ax, p, x_lo, x_hi)
    elif fit_ok:
        first = next(iter(curves.values()))
        sites = [(label, v, float(first(np.array([v]))[0])) for label, v in p["marks"].items()]
        falling = bool(first(np.array([x_lo]))[0] >= first(np.array([x_hi]))[0])
        outside = mark_sites(ax, sites, (x_lo, x_hi), _OUTLIER_COLOUR, falling)
        note = p["annotation"] or ""
        if outside:
            note += f"\n({', '.join(outside)} outside the tested range)"
        if note:
            place_text_box(ax, note.strip("\n"))
    else:
        ax.text(
            0.97,
            0.5,
            unfitted,
            transform=ax.transAxes,
            ha="right",
            va="center",
            color="#B00000",
            fontsize=9,
        )
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=7.5)


def _mark_ic50(ax: Axes, p: Mapping[str, Any], x_lo: float, x_hi: float) -> None:
    """Mark the IC50 at the half-way point with a drop line, and annotate IC50 (and Ki) in nM."""
    lines = [f"IC$_{{50}}$ = {sig3(p['ic50_nm'])} nM"]
    if math.isfinite(p["ki_nm"]):
        lines.append(f"K$_i$ = {sig3(p['ki_nm'])} nM")
    text = "\n".join(lines)
    log_ic50 = p["log_ic50"]
    if not x_lo <= log_ic50 <= x_hi:
        place_text_box(ax, f"{text}\n(IC$_{{50}}$ outside the tested range)")
        return
    half = (p["top"] + p["bottom"]) / 2.0
    x_half = 10.0**log_ic50
    ax.plot([x_half, x_half], [ax.get_ylim()[0], half], ":", color="#333333", lw=1.0)
    ax.plot([x_half], [half], "D", color="#D55E00", ms=5, zorder=5, label="IC$_{50}$")
    # A falling curve leaves the lower left of its midpoint empty; a rising one the lower right.
    falling = (p["top"] - p["bottom"]) * p["hill_slope"] < 0
    ax.annotate(
        text,
        xy=(x_half, half),
        xytext=(-8, -10) if falling else (8, -10),
        textcoords="offset points",
        ha="right" if falling else "left",
        va="top",
        fontsize=8,
    )


def _at_hot(fit: CurveFit, hot_nM: float, grid: np.ndarray) -> np.ndarray:  # noqa: N803 - the unit
    """Evaluate the homologous curve of ``fit`` at one hot concentration (module level: it pickles)."""
    return fit.predict(grid, hot_nM=np.full(np.shape(grid), hot_nM))


def _log_molar(nM: Any) -> float:  # noqa: N803 - the unit
    """log10 of a concentration in nM as molar; NaN unless positive."""
    value = as_float(nM)
    return math.log10(value) - 9.0 if value > 0 else math.nan


def plot_fit(row: Mapping[str, Any], fit: CurveFit | None, unit: str = "cpm") -> dict[str, Any]:
    """Return what :func:`plot_competition` needs to draw one result row and its fit.

    For the sigmoid models the row's parameters suffice. For two sites and homologous competition the fitted
    curve itself is drawn (one curve per hot concentration for homologous), and the annotation gives each
    site's IC50 and the fraction of high-affinity sites, or Kd and Bmax; two sites also give ``marks``,
    the log IC50 of each site, marked on the curve. Everything returned pickles (the curves are the fit's
    own ``predict`` or partials of a module-level function), so it can go to a worker process.

    Parameters
    ----------
    row
        A row of the results table.
    fit
        Its :class:`~assaykit.fitting.CurveFit` (None when the curve could not be fitted).
    unit
        The signal unit of the table's Top, Bottom and Bmax columns (``top_<unit>``).

    Returns
    -------
    dict
        The ``fit`` argument of :func:`plot_competition`.
    """
    named = {name: column_name(f"{name}_{{u}}", unit) for name in ("top", "bottom", "bmax")}
    out = {k: row.get(named.get(k, k), math.nan) for k in (*FIT_KEYS, "ic50_nM", "ki_nM")}
    out["model"] = row["model"]
    if fit is None or row["model"] not in ("two-site", "two-site-ki", "homologous"):
        return out
    label = f"fit ({row['model']})"
    if row["model"] == "homologous":
        hots = sorted(set(np.round(np.asarray((fit.data or {})["hot_nM"], dtype=float), 12)))
        out["curves"] = {
            (f"{label}, hot {sig3(h)} nM" if len(hots) > 1 else label): functools.partial(
                _at_hot, fit, float(h)
            )
            for h in hots
        }
        out["annotation"] = f"K$_d$ = {sig3(row['kd_nM'])} nM\nB$_{{max}}$ = {sig3(row[named['bmax']])}"
        return out
    out["curves"] = {label: fit.predict}
    out["marks"] = {f"IC$_{{50}}$ {site}": _log_molar(row.get(f"ic50_{site}_nM")) for site in ("hi", "lo")}
    lines = [
        f"IC$_{{50}}$ hi = {sig3(row['ic50_hi_nM'])} nM",
        f"IC$_{{50}}$ lo = {sig3(row['ic50_lo_nM'])} nM",
    ]
    if math.isfinite(as_float(row.get("ki_hi_nM"))):
        lines += [f"K$_i$ hi = {sig3(row['ki_hi_nM'])} nM", f"K$_i$ lo = {sig3(row['ki_lo_nM'])} nM"]
    lines.append(f"fraction hi = {row['fraction_hi']:.2f}")
    out["annotation"] = "\n".join(lines)
    return out
