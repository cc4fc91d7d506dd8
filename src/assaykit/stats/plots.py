"""Dot plot of one endpoint: every animal per group, a centre and spread, the tests against the control.

The dot plot describes (mean +/- SD by default, SEM on request; median and IQR when the headline test
compares ranks or the endpoint is a censored latency) and names the tests: the endpoint's omnibus test
with its statistic, degrees of freedom and p, and the post-hoc test the marks come from. Built like every
assaykit plot: a :class:`matplotlib.figure.Figure` outside pyplot, in the house style, written atomically
by :func:`assaykit.plotting.save_figure`; matplotlib is imported only when drawing.

Sources: SD for description and SEM only for precision (Cumming, Fidler & Vaux 2007, J Cell Biol
177:7-11); median and quartiles beside rank tests, and the Kaplan-Meier median for right-censored
latencies (Jahn-Eimermacher, Lasarzik & Raber 2011, Statistical analysis of latency outcomes in
behavioral experiments, Behav Brain Res 221:271-275).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.stats.group_lanes import (
    Lane,
    Spread,
    Summary,
    build_lanes,
    censor_mask,
    draw_lanes,
    figure_width,
    group_ticks,
    jitter,
    value_limits,
)
from assaykit.stats.group_layout import GroupLayout, draw_blocks, group_layout
from assaykit.stats.plot_text import (
    ENDPOINT_LABELS,
    MARKS,
    UNIT_SUFFIXES,
    axis_label,
    endpoint_rows,
    headline_test,
    is_rank_test,
    name_of_test,
    omnibus_text,
    posthoc_text,
    significance_mark,
    unit_of,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "ENDPOINT_LABELS",
    "MARKS",
    "UNIT_SUFFIXES",
    "axis_label",
    "censored_label",
    "group_dots_figure",
    "jitter",
    "plot_group_dots",
    "significance_mark",
]

_CAPTION_GREY = "#4D4D4D"


def plot_group_dots(
    data: pd.DataFrame,
    endpoint: str,
    path: str | Path,
    *,
    group: str = "group",
    groups: Sequence[str] | None = None,
    control: str | None = None,
    comparisons: pd.DataFrame | None = None,
    title: str | None = None,
    spread: Spread = "sd",
    censored: Sequence[bool] | np.ndarray | pd.Series | None = None,
    censor_time: float | None = None,
    medians: Mapping[str, float] | None = None,
    quartiles: str = "type7",
    compounds: Mapping[str, str] | None = None,
) -> Path:
    """Plot one endpoint per group: every animal as a dot, a centre and spread, marks against the control.

    Parameters
    ----------
    data
        One row per animal: the ``group`` column and the ``endpoint`` column (NaN = no value, not drawn).
    endpoint
        The column to plot; its name gives the y label (:func:`axis_label`).
    path
        Output file: ``.png`` (200 dpi), ``.pdf`` or ``.svg``, in an existing folder.
    group
        The group column.
    groups
        The groups, left to right; the control first, then the order of first appearance, when None.
    control
        The control group: drawn in grey and named in the caption.
    comparisons
        The comparison table of :func:`assaykit.stats.compare.compare_groups` (rows of other endpoints are
        ignored): each group's headline ``p_adjusted`` gives its mark (:func:`significance_mark`; ``n.t.``
        when the group was not tested), ``test`` names the post-hoc test and the ``omnibus_*`` columns give
        the omnibus test in the caption. No marks when None.
    title
        A title; none when None (the y label names the endpoint).
    spread
        ``"sd"`` (the default: the figure describes the animals) or ``"sem"`` for mean +/- SEM. Not used
        when the lanes show the median and IQR: when the headline test is rank-based (Mann-Whitney U,
        Dunn, Steel) or ``censored`` is given.
    censored
        For a latency endpoint: True for each animal that never entered (right-censored at the session
        length), aligned with the rows of ``data``. Censored animals are drawn as open circles at
        ``censor_time``, the legend says so, and the lanes show the median and IQR, not the mean.
    censor_time
        The session length at which the latencies are censored, in the endpoint's unit; when None the
        censored animals are drawn at their recorded values (which must then be present).
    medians
        The Kaplan-Meier median latency of each group (e.g. from the survival analysis) for the centre
        line when ``censored`` is given; a non-finite median is marked ``NR`` (not reached). Groups it
        does not name get the plain median.
    quartiles
        ``type7`` (R, numpy) or ``prism`` (GraphPad Prism, type 6): the IQR bars beside rank tests, as the
        summary table computes them.
    compounds
        The compound of each group (the design's ``compound`` column). With more than one, the dose
        series (the compound with the most groups) stands beside the control in blues that darken with
        the dose, and every other compound (a positive control) after a gap and a dotted separator, in
        its own colour, each block named above the axes (:mod:`assaykit.stats.group_layout`).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    AssayInputError
        When the endpoint or group column is missing, ``spread`` or the censoring is not valid, or the
        figure cannot be written (unknown extension, missing folder); no file is left behind.
    """
    from assaykit.plotting import save_figure

    fig = group_dots_figure(
        data,
        endpoint,
        group=group,
        groups=groups,
        control=control,
        comparisons=comparisons,
        title=title,
        spread=spread,
        censored=censored,
        censor_time=censor_time,
        medians=medians,
        quartiles=quartiles,
        compounds=compounds,
    )
    return save_figure(fig, path)


def group_dots_figure(
    data: pd.DataFrame,
    endpoint: str,
    *,
    group: str = "group",
    groups: Sequence[str] | None = None,
    control: str | None = None,
    comparisons: pd.DataFrame | None = None,
    title: str | None = None,
    spread: Spread = "sd",
    censored: Sequence[bool] | np.ndarray | pd.Series | None = None,
    censor_time: float | None = None,
    medians: Mapping[str, float] | None = None,
    quartiles: str = "type7",
    compounds: Mapping[str, str] | None = None,
) -> Figure:
    """Draw the figure of :func:`plot_group_dots` without writing it (same parameters, no ``path``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, outside pyplot; write it with :func:`assaykit.plotting.save_figure`. Its artists
        carry gids: ``dots:<group>``, ``censored:<group>``, ``centre:<group>``, ``spread:<group>``,
        ``mark:<group>`` and ``caption``; with compounds, ``separator:<compound>`` and
        ``compound:<compound>``.
    """
    from assaykit.plotting import cleared_on_error, house_style, new_figure

    order, values, labels = group_columns(data, endpoint, group, groups, control)
    mask = censor_mask(censored, data)
    rows = endpoint_rows(comparisons, endpoint)
    test = headline_test(rows)
    summary = lane_summary(spread, test, latency=censored is not None)
    lanes = build_lanes(
        values,
        labels,
        order,
        summary,
        censored=mask,
        censor_time=censor_time,
        medians=medians,
        quartiles=quartiles,
    )
    marks = _marks(rows, order, control)
    layout = group_layout(order, control, compounds)
    with house_style():
        width = layout_width(layout)
        fig, ax = new_figure(width=width, height=3.6)
        with cleared_on_error(fig):
            tops = draw_lanes(ax, lanes, control, layout)
            high, span = value_limits(ax, lanes, tops, 0.14 if marks else 0.06)
            _draw_marks(ax, order, marks, tops, high, span, layout.positions)
            group_ticks(ax, lanes, positions=layout.positions)
            draw_blocks(ax, layout)
            ax.set_ylabel(axis_label(endpoint))
            if title:
                ax.set_title(title)
            if mask.any():
                legend_censored(fig, censored_label(lanes, endpoint, censor_time))
            lines = [
                omnibus_text(rows),
                posthoc_text(test, control) if control is not None else "",
                summary_text(summary, test, lanes, latency=censored is not None, kaplan_meier=bool(medians)),
                "n.t. not tested (n < 2)" if "n.t." in marks.values() else "",
            ]
            add_caption(fig, lines, width)
    return fig


def group_columns(
    data: pd.DataFrame, endpoint: str, group: str, groups: Sequence[str] | None, control: str | None
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return the group order, the endpoint's values and each animal's group, checked.

    Raises
    ------
    AssayInputError
        When ``endpoint`` or ``group`` is not a column of ``data``.
    """
    for column in (group, endpoint):
        if column not in data.columns:
            raise AssayInputError(f"no column '{column}' in the data to plot", column=column)
    order = [str(g) for g in groups] if groups is not None else _order(data, group, control)
    values = pd.to_numeric(data[endpoint], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return order, values, data[group].astype(str).to_numpy()


def lane_summary(spread: str, test: str, *, latency: bool = False) -> Summary:
    """Choose the lanes' summary: median and IQR beside a rank test or a censored latency, else mean ± spread.

    Raises
    ------
    AssayInputError
        When ``spread`` is neither ``"sd"`` nor ``"sem"``.
    """
    if spread not in ("sd", "sem"):
        raise AssayInputError(f"spread must be 'sd' or 'sem', got {spread!r}")
    if latency or is_rank_test(test):
        return "median_iqr"
    return "mean_sd" if spread == "sd" else "mean_sem"


def summary_text(
    summary: Summary, test: str, lanes: Sequence[Lane], *, latency: bool = False, kaplan_meier: bool = False
) -> str:
    """Say what the centre line and the bar are (and, for a mean, that one animal has no bar)."""
    if summary == "median_iqr":
        if latency:
            centre = "Kaplan-Meier median (plain median where none given)" if kaplan_meier else "median"
            text = f"Line: {centre}; bar: IQR, censored animals at their censoring time"
            if any(lane.not_reached for lane in lanes):
                text += "; NR median not reached"
            return text
        return f"Line and bar: median and IQR ({name_of_test(test)} compares ranks)"
    text = "Line and bar: mean ± SD" if summary == "mean_sd" else "Line and bar: mean ± SEM"
    if any(lane.values.size == 1 for lane in lanes):
        text += " (no bar for n = 1)"
    return text


def censored_label(lanes: Sequence[Lane], endpoint: str, censor_time: float | None) -> str:
    """Write the legend of the open markers: ``did not enter (censored at 300 s)``."""
    unit = unit_of(endpoint)
    unit = f" {unit}" if unit and unit != "%" else unit
    if censor_time is not None:
        return f"did not enter (censored at {censor_time:g}{unit})"
    times = np.concatenate([lane.values[lane.censored] for lane in lanes] or [np.array([])])
    if not times.size:
        return "did not enter (censored)"
    low, high = float(times.min()), float(times.max())
    at = f"{low:g}{unit}" if low == high else f"{low:g}-{high:g}{unit}"
    return f"did not enter (censored at {at})"


def legend_censored(fig: Figure, label: str) -> None:
    """Explain the open markers in a legend above the axes."""
    from matplotlib.lines import Line2D

    handle = Line2D(
        [], [], marker="o", linestyle="none", markerfacecolor="none", markeredgecolor="black", markersize=5
    )
    fig.legend([handle], [label], loc="outside upper center", frameon=False)


def add_caption(fig: Figure, lines: Sequence[str], width: float) -> None:
    """Write the non-empty caption lines under the figure, each wrapped to its width (gid ``caption``)."""
    # about 17 characters of 6.5 pt text per inch: wrap rather than clip on narrow figures
    text = "\n".join(textwrap.fill(line, int(width * 17)) for line in lines if line)
    if text:
        fig.supxlabel(text, fontsize=6.5, color=_CAPTION_GREY).set_gid("caption")


def _order(data: pd.DataFrame, group: str, control: str | None) -> list[str]:
    names = [str(g) for g in pd.unique(data[group].astype(str))]
    return ([control] if control in names else []) + [g for g in names if g != control]


def _marks(rows: pd.DataFrame, order: list[str], control: str | None) -> dict[str, str]:
    """Each group's mark from the headline adjusted p (``n.t.`` when it was not tested)."""
    marks = {}
    for row in rows.itertuples(index=False):
        name = str(row.group)
        if name == control or name not in order:
            continue
        marks[name] = significance_mark(float(row.p_adjusted)) or "n.t."
    return marks


def layout_width(layout: GroupLayout) -> float:
    """Return a group figure's width in inches for its layout (the gaps before other compounds count)."""
    extent = layout.positions[-1] + 1.0 if layout.positions else 0.0
    return figure_width(math.ceil(extent - 1e-9))


def _draw_marks(
    ax: Axes,
    order: list[str],
    marks: dict[str, str],
    tops: list[float],
    high: float,
    span: float,
    positions: Sequence[float],
) -> None:
    for i, name in enumerate(order):
        mark = marks.get(name)
        if not mark:
            continue
        y = (tops[i] if math.isfinite(tops[i]) else high) + 0.03 * span
        small = mark in ("ns", "n.t.")
        ax.text(
            positions[i],
            y,
            mark,
            ha="center",
            va="bottom",
            fontsize=8 if small else 11,
            color=_CAPTION_GREY if small else "black",
            gid=f"mark:{name}",
        )
