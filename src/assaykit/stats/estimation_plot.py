"""Estimation plot of one endpoint: the animals above, each group's difference from the control below.

The upper panel shows every animal per group with the mean +/- SD (SEM on request); the lower panel, on
the same x axis of groups, shows each group's difference of means from the control (group - control) with
its 95% CI, taken as they are from the comparisons table, and a zero line at the control. The reader sees
the size and precision of each effect beside the data it comes from, not only a p-value (Cumming 2012,
*Understanding the New Statistics*, Routledge, ch. 3 and 14; Ho, Tumkaya, Aryal, Choi & Claridge-Chang
2019, Moving beyond P values: data analysis with estimation graphics, Nat Methods 16:565-566, whose
DABEST "Cumming estimation plot" this follows, with the table's parametric intervals in place of
bootstrap ones).
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
    CONTROL_COLOUR,
    Spread,
    build_lanes,
    censor_mask,
    draw_lanes,
    group_ticks,
    value_limits,
)
from assaykit.stats.group_layout import GroupLayout, draw_blocks, group_layout
from assaykit.stats.plot_text import axis_label, ci_label, endpoint_rows, omnibus_text, unit_of
from assaykit.stats.plots import (
    add_caption,
    censored_label,
    group_columns,
    lane_summary,
    layout_width,
    legend_censored,
    summary_text,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Columns of the comparisons table the lower panel reads.
DIFFERENCE_COLUMNS = ("endpoint", "group", "difference", "difference_ci_low", "difference_ci_high")


def plot_estimation(
    data: pd.DataFrame,
    endpoint: str,
    path: str | Path,
    *,
    groups: Sequence[str],
    control: str,
    comparisons: pd.DataFrame,
    group: str = "group",
    spread: Spread = "sd",
    censored: Sequence[bool] | np.ndarray | pd.Series | None = None,
    censor_time: float | None = None,
    title: str | None = None,
    test: str = "",
    compounds: Mapping[str, str] | None = None,
) -> Path:
    """Draw a Cumming estimation plot of one endpoint and write it.

    Parameters
    ----------
    data
        One row per animal: the ``group`` column and the ``endpoint`` column (NaN = no value, not drawn).
    endpoint
        The column to plot; its name gives the y label.
    path
        Output file: ``.png`` (200 dpi), ``.pdf`` or ``.svg``, in an existing folder.
    groups
        The groups, left to right (the control among them, usually first).
    control
        The control group: the zero of the lower panel, drawn in grey above.
    comparisons
        The comparison table of :func:`assaykit.stats.compare.compare_groups`: the rows of ``endpoint``
        give each group's ``difference`` (mean of the group - mean of the control) and its 95% CI
        ``difference_ci_low`` / ``difference_ci_high``, drawn as they are. The CI is labelled from the
        ``difference_ci_type`` column when present (:func:`~assaykit.stats.plot_text.ci_label`). A group
        without a row or with a NaN difference is marked ``n.t.`` (not tested), one with a NaN interval
        ``no CI``, each with its reason in the caption; the ``omnibus_*`` columns give the omnibus test.
    group
        The group column.
    spread
        ``"sd"`` (the default) or ``"sem"``: the bar around each group's mean in the upper panel. Not
        used when the upper panel shows the median and IQR: when ``test`` is rank-based (Mann-Whitney U,
        Dunn, Steel) or ``censored`` is given, as on the dot plot.
    censored
        For a latency endpoint: True for each animal that never entered (right-censored), aligned with
        the rows of ``data``; drawn as open circles at ``censor_time``, with a legend. The differences of
        means still count them at that time, which the caption says.
    censor_time
        The session length at which latencies are censored; None: censored animals at their values.
    title
        A title above the upper panel; none when None.
    test
        The endpoint's headline test (the ``test`` of its headline comparisons, e.g. ``dunn_holm``;
        ``""`` when unknown): a rank-based one makes the upper panel show the median and IQR.
    compounds
        The compound of each group: a positive control is set apart from the dose series as on the dot
        plot (:func:`~assaykit.stats.plots.plot_group_dots`).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    AssayInputError
        When a column is missing, ``control`` is not among ``groups``, the comparisons are against
        another control, ``spread`` or the censoring is not valid, or the figure cannot be written.
    """
    from assaykit.plotting import save_figure

    fig = estimation_figure(
        data,
        endpoint,
        groups=groups,
        control=control,
        comparisons=comparisons,
        group=group,
        spread=spread,
        censored=censored,
        censor_time=censor_time,
        title=title,
        test=test,
        compounds=compounds,
    )
    return save_figure(fig, path)


def estimation_figure(
    data: pd.DataFrame,
    endpoint: str,
    *,
    groups: Sequence[str],
    control: str,
    comparisons: pd.DataFrame,
    group: str = "group",
    spread: Spread = "sd",
    censored: Sequence[bool] | np.ndarray | pd.Series | None = None,
    censor_time: float | None = None,
    title: str | None = None,
    test: str = "",
    compounds: Mapping[str, str] | None = None,
) -> Figure:
    """Draw the figure of :func:`plot_estimation` without writing it (same parameters, no ``path``).

    Returns
    -------
    matplotlib.figure.Figure
        Two axes sharing x: ``fig.axes[0]`` the animals (gids as in
        :func:`~assaykit.stats.plots.group_dots_figure`), ``fig.axes[1]`` the differences (gids
        ``difference:<group>``, ``ci:<group>``, ``zero``, ``untested:<group>``), and the ``caption``.
    """
    from assaykit.plotting import cleared_on_error, house_style, new_figure

    order, values, labels = group_columns(data, endpoint, group, groups, control)
    if control not in order:
        raise AssayInputError(f"the control '{control}' is not one of the groups {order}", column=group)
    rows = _difference_rows(comparisons, endpoint, control)
    mask = censor_mask(censored, data)
    latency = censored is not None
    summary = lane_summary(spread, test, latency=latency)
    lanes = build_lanes(values, labels, order, summary, censored=mask, censor_time=censor_time)
    layout = group_layout(order, control, compounds)
    with house_style():
        width = layout_width(layout)
        fig, _ = new_figure(width=width, height=5.0)
        with cleared_on_error(fig):
            fig.clear()
            upper, lower = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
            tops = draw_lanes(upper, lanes, control, layout)
            draw_blocks(upper, layout)
            value_limits(upper, lanes, tops, 0.06)
            upper.set_ylabel(textwrap.fill(axis_label(endpoint), 26), fontsize=9)
            upper.tick_params(axis="x", labelbottom=False, length=0)
            if title:
                upper.set_title(title)
            untested = _draw_differences(lower, order, control, rows, layout)
            group_ticks(lower, lanes, positions=layout.positions)
            unit = unit_of(endpoint)
            difference = f"Difference from {control}" + (f" ({unit})" if unit else "")
            lower.set_ylabel(textwrap.fill(difference, 18), fontsize=9)
            fig.align_ylabels([upper, lower])
            if mask.any():
                legend_censored(fig, censored_label(lanes, endpoint, censor_time))
            kind = ci_label(rows)
            lines = [
                omnibus_text(rows),
                "Upper: each animal; " + _lower_first(summary_text(summary, test, lanes, latency=latency)),
                f"Lower: difference of means from {control} with its 95% CI" + (f", {kind}" if kind else ""),
                *untested,
                "Censored animals enter the means at their censoring time: the differences of groups with "
                "censored animals are bounds; see the Kaplan-Meier analysis"
                if mask.any()
                else "",
            ]
            add_caption(fig, lines, width)
    return fig


def _difference_rows(comparisons: pd.DataFrame, endpoint: str, control: str) -> pd.DataFrame:
    """Return the endpoint's comparison rows, checked to hold the differences against ``control``."""
    if comparisons is None:
        raise AssayInputError("the estimation plot needs the comparisons table (differences and their CIs)")
    for column in DIFFERENCE_COLUMNS:
        if column not in comparisons.columns:
            raise AssayInputError(f"no column '{column}' in the comparisons table", column=column)
    rows = endpoint_rows(comparisons, endpoint)
    if "control" in rows:
        others = sorted({str(c) for c in rows["control"]} - {control})
        if others:
            raise AssayInputError(
                f"the comparisons of '{endpoint}' are against '{others[0]}', not the control '{control}'",
                column="control",
            )
    return rows


def _lower_first(text: str) -> str:
    """``Line and bar: ...`` -> ``line and bar: ...`` (the caption's sentence goes on after a semicolon)."""
    return text[:1].lower() + text[1:]


def _draw_differences(
    ax: Axes, order: list[str], control: str, rows: pd.DataFrame, layout: GroupLayout
) -> list[str]:
    """Draw each group's difference and CI and the zero line; return the caption lines of untested groups."""
    ax.axhline(0.0, color=CONTROL_COLOUR, linewidth=0.9, linestyle="--", zorder=1).set_gid("zero")
    by_group = {str(row.group): row for row in rows.itertuples(index=False)}
    notes: dict[tuple[str, str], list[str]] = {}  # one caption line per reason
    extent = [0.0]
    for i, name in enumerate(order):
        if name == control:
            continue
        colour, x = layout.colours[i], layout.positions[i]
        row = by_group.get(name)
        difference = _number(getattr(row, "difference", math.nan))
        low = _number(getattr(row, "difference_ci_low", math.nan))
        high = _number(getattr(row, "difference_ci_high", math.nan))
        reason = str(getattr(row, "note", "") or "").strip() if row is not None else ""
        tested = row is not None and bool(str(getattr(row, "test", "") or "").strip())
        if not math.isfinite(difference):
            ax.text(
                x, 0.0, "n.t.", ha="center", va="bottom", fontsize=8, color="#4D4D4D", gid=f"untested:{name}"
            )
            notes.setdefault(("n.t.", reason or "not in the comparisons table"), []).append(name)
            continue
        ax.plot([x], [difference], marker="o", markersize=6, color=colour, linestyle="none", zorder=4)[
            0
        ].set_gid(f"difference:{name}")
        extent.append(difference)
        if math.isfinite(low) and math.isfinite(high):
            ax.vlines(x, low, high, color=colour, linewidth=1.6, zorder=3).set_gid(f"ci:{name}")
            extent += [low, high]
        else:
            label = "no CI" if tested else "n.t."
            ax.text(x + 0.1, difference, label, ha="left", va="center", fontsize=7, color="#4D4D4D").set_gid(
                f"untested:{name}"
            )
            notes.setdefault((label, reason or "no interval in the comparisons table"), []).append(name)
    low, high = min(extent), max(extent)
    pad = 0.1 * ((high - low) or max(abs(high), 1.0))
    ax.set_ylim(low - pad, high + pad)
    return [f"{label} {', '.join(names)}: {reason}" for (label, reason), names in notes.items()]


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
