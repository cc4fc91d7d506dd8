"""Every compound of a plate on one axis, as Prism's overlay graph shows a competition experiment."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assaykit.binding.plot_marks import as_float, draw_means, make_scale, replicate_stats
from assaykit.binding.plots import (
    finite_points,
    fit_curves,
    read_fit,
    scaled_fit,
    sig3,
    x_range,
)
from assaykit.plotting import PALETTE, zero_based_limits

#: Marker of the compounds past the first ``len(PALETTE)``, then past twice that, ...: colours repeat.
MARKERS = ("o", "s", "^", "D", "v", "P")
_CONTROL_STYLE = {"Total": ("#4D4D4D", (5, 3)), "NSB": ("#999999", (2.5, 2.5))}
#: Legend entries per column beside the axes.
_PER_COLUMN = 18

#: One compound of an overlay: (legend label, its tubes, the fit as ``plot_fit`` gives it, fitted or not).
OverlayCurve = tuple[str, pd.DataFrame, Mapping[str, Any], bool]


def legend_label(row: Mapping[str, Any], unfitted: str | None = None) -> str:
    """Return a compound's legend entry in an overlay: its name and Ki (or what it has instead).

    The values are those of the results table to three significant figures (as the terminal shows
    them): Ki when the run had Cheng-Prusoff inputs, else IC50; each site's for two-site models; Kd for
    homologous competition. A curve without a fit is labelled with the first word of ``unfitted``
    (``inactive``, ``fit failed``, ``not converged``).

    Parameters
    ----------
    row
        The compound's row of the results table.
    unfitted
        Why the curve has no fit, or None when it has one.
    """
    name = str(row["compound"])
    if unfitted is not None:
        return f"{name} ({unfitted.split(':')[0]})"

    def value(key: str) -> float:
        return as_float(row.get(key))

    model = str(row.get("model"))
    if model == "homologous":
        return f"{name}, K$_d$ = {sig3(value('kd_nM'))} nM"
    if math.isfinite(value("ki_hi_nM")) or math.isfinite(value("ic50_hi_nM")):
        kind = "K$_i$" if math.isfinite(value("ki_hi_nM")) else "IC$_{50}$"
        key = "ki" if kind == "K$_i$" else "ic50"
        hi, lo = sig3(value(f"{key}_hi_nM")), sig3(value(f"{key}_lo_nM"))
        return f"{name}, {kind} hi = {hi}, lo = {lo} nM"
    if math.isfinite(value("ki_nM")):
        return f"{name}, K$_i$ = {sig3(value('ki_nM'))} nM"
    return f"{name}, IC$_{{50}}$ = {sig3(value('ic50_nM'))} nM"


def plot_overlay(
    curves: Sequence[OverlayCurve],
    path: str | Path,
    *,
    title: str | None = None,
    signal_unit: str = "cpm",
    total_mean: float | None = None,
    nsb_mean: float | None = None,
    y_axis: str = "bound",
) -> Path:
    """Draw the compounds of one plate on one axis and write the figure atomically.

    Each compound has its colour (the house :data:`~assaykit.plotting.PALETTE` in order; past its end the
    colours repeat with another marker): the mean of its replicates at each concentration with error
    bars of +/- 1 SD (n - 1; ROUT outliers left out) and its fitted curve. A compound without a fit (an
    inactive one in a screen) is drawn as its points only, and its legend entry says so. The legend,
    beside the axes, names each compound with its Ki (:func:`legend_label`).

    Parameters
    ----------
    curves
        ``(label, tubes, fit, fitted)`` per compound: the legend entry, the tubes as
        :func:`~assaykit.binding.plots.plot_competition` takes them (``log_conc_M``, ``signal``,
        optional ``outlier`` and ``hot_nM``), the fit as :func:`~assaykit.binding.plots.plot_fit` gives
        it, and whether to draw its curve.
    path
        Output file: ``.png``, ``.pdf`` or ``.svg``, in an existing folder.
    title
        Figure title, e.g. the plate.
    signal_unit, total_mean, nsb_mean, y_axis
        As for :func:`~assaykit.binding.plots.plot_competition`: the TOTAL and NSB means of the plate are
        drawn as labelled lines, and ``y_axis="percent"`` draws % specific binding.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError
        When a fit lacks a parameter, or for a ``y_axis`` that cannot be drawn.
    AssayInputError
        When the figure cannot be written; no file is left behind.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from assaykit.plotting import cleared_on_error, house_style, save_figure

    scale = make_scale(y_axis, total_mean, nsb_mean)
    columns = max(1, math.ceil(len(curves) / _PER_COLUMN))
    with house_style():
        # its own constrained layout: the legend beside the axes grows with the plate
        fig = Figure(figsize=(4.5 + 1.9 * columns, 3.6), dpi=100, layout="constrained")
        FigureCanvasAgg(fig)
        with cleared_on_error(fig):
            ax = fig.add_subplot()
            _draw(ax, curves, scale, signal_unit, (total_mean, nsb_mean))
            if title:
                ax.set_title(title)
            handles, labels = ax.get_legend_handles_labels()
            if handles:
                # the compounds first: matplotlib lists the errorbar containers after the lines
                order = sorted(range(len(labels)), key=lambda i: not _is_compound(handles[i]))
                ax.legend(
                    [handles[i] for i in order],
                    [labels[i] for i in order],
                    title="mean ± SD of replicates, fit",
                    title_fontsize=7.5,
                    alignment="left",
                    loc="upper left",
                    bbox_to_anchor=(1.02, 1.0),
                    borderaxespad=0.0,
                    ncols=columns,
                )
        return save_figure(fig, path)


def _is_compound(handle: Any) -> bool:
    """Return whether a legend handle is a compound's (its means), not a control line."""
    from matplotlib.lines import Line2D

    return not (isinstance(handle, Line2D) and handle.get_gid() in ("total", "nsb"))


def _draw(ax: Any, curves: Sequence[OverlayCurve], scale: Any, unit: str, controls: tuple[Any, Any]) -> None:
    y_values: list[np.ndarray] = []
    drawn: list[tuple[Any, Any, float, float]] = []  # (curves, colour, x_lo, x_hi) to draw once ranged
    lows, highs = [], []
    for i, (label, tubes, fit, fitted) in enumerate(curves):
        colour, marker = PALETTE[i % len(PALETTE)], MARKERS[(i // len(PALETTE)) % len(MARKERS)]
        x, y, outlier, hot = finite_points(tubes)
        y = np.asarray(scale(y), dtype=float)
        params = scaled_fit(read_fit(fit), scale)
        stats = replicate_stats(x[~outlier], y[~outlier], hot[~outlier])
        entry = label
        if len(stats):
            draw_means(ax, stats, colour, entry, marker=marker, mfc=colour if fitted else "white")
            y_values.append((stats["mean"] + stats["sd"].fillna(0.0)).to_numpy(float))
            y_values.append(stats["mean"].to_numpy(float))
        else:
            ax.plot([], [], marker, color=colour, label=entry)  # still in the legend
        x_lo, x_hi = x_range(x, params["log_ic50"], fitted)
        lows.append(x_lo)
        highs.append(x_hi)
        if fitted:
            drawn.append((fit_curves(params), colour, x_lo, x_hi))
    for fitted_curves, colour, x_lo, x_hi in drawn:
        grid = np.linspace(x_lo, x_hi, 300)
        for curve in fitted_curves.values():
            values = np.asarray(curve(grid), dtype=float)
            ax.plot(10.0**grid, values, "-", color=colour, lw=1.3, gid="fit")
            y_values.append(values)
    for (name, (colour, dashes)), value in zip(_CONTROL_STYLE.items(), controls, strict=True):
        value = as_float(value)
        if math.isfinite(value):
            shown = float(scale(value))
            suffix = f" = {shown:.0f}%" if scale.percent else ""
            label = f"{name} ({sig3(value)} {unit}{suffix})"
            ax.axhline(shown, color=colour, lw=1.0, dashes=dashes, label=label, gid=name.lower())
            y_values.append(np.array([shown]))
    ax.set_xscale("log")
    ax.set_xlim(10.0 ** min(lows, default=-10.5), 10.0 ** max(highs, default=-3.5))
    ax.set_ylim(*zero_based_limits(np.concatenate(y_values) if y_values else np.array([0.0, 1.0])))
    ax.set_xlabel("[competitor] (M)")
    ax.set_ylabel(scale.label(unit))
