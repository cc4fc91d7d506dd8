"""Dot plot of one endpoint: every animal per group, mean +/- SEM, and significance against the control.

Built like every assaykit plot: a :class:`matplotlib.figure.Figure` outside pyplot, in the house style,
written atomically by :func:`assaykit.plotting.save_figure`; matplotlib is imported only when drawing.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Axis labels of the EPM and light-dark box endpoints; other columns get one from their name.
ENDPOINT_LABELS: dict[str, str] = {
    "open_time_pct": "Open-arm time (% of arm time)",
    "open_time_total_pct": "Open-arm time (% of session)",
    "open_entries_pct": "Open-arm entries (% of arm entries)",
    "open_time_s": "Open-arm time (s)",
    "closed_time_s": "Closed-arm time (s)",
    "center_time_s": "Centre time (s)",
    "open_entries": "Open-arm entries",
    "closed_entries": "Closed-arm entries",
    "total_entries": "Arm entries",
    "latency_open_s": "Latency to an open arm (s)",
    "distance_cm": "Distance travelled (cm)",
    "mean_speed_cm_s": "Mean speed (cm/s)",
    "head_dips": "Head dips",
    "unprotected_head_dips": "Unprotected head dips",
    "stretched_attend_postures": "Stretched-attend postures",
    "light_time_s": "Time in the light (s)",
    "light_time_pct": "Time in the light (%)",
    "latency_light_s": "Latency to the light (s)",
    "transitions": "Transitions",
    "light_entries": "Entries into the light",
}

#: Units read from the end of a column name, longest first.
UNIT_SUFFIXES = (
    ("_cm_s", "cm/s"),
    ("_mm_s", "mm/s"),
    ("_pct", "%"),
    ("_percent", "%"),
    ("_ms", "ms"),
    ("_min", "min"),
    ("_cm", "cm"),
    ("_mm", "mm"),
    ("_s", "s"),
)

#: Significance marks: the largest p-value each mark stands for, in increasing order.
MARKS = ((0.001, "***"), (0.01, "**"), (0.05, "*"))

_CONTROL_COLOUR = "#7F7F7F"
_GROUP_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")  # Okabe-Ito
_TEST_NAMES = {
    "welch_t": "Welch's t",
    "mann_whitney_u": "Mann-Whitney U",
    "dunnett": "Dunnett",
    "dunn_holm": "Dunn (Holm)",
}
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_JITTER = 0.30  # total width of the cloud of points, in group spacings


def axis_label(column: str) -> str:
    """Make a readable axis label for an endpoint column: known endpoints by name, others with the unit.

    Examples
    --------
    >>> axis_label("open_time_pct")
    'Open-arm time (% of arm time)'
    >>> axis_label("rearing_time_s")
    'rearing time (s)'
    """
    if column in ENDPOINT_LABELS:
        return ENDPOINT_LABELS[column]
    for suffix, unit in UNIT_SUFFIXES:
        if column.endswith(suffix) and len(column) > len(suffix):
            return f"{column[: -len(suffix)].replace('_', ' ')} ({unit})"
    return column.replace("_", " ")


def significance_mark(p: float) -> str:
    """``***`` (p < 0.001), ``**`` (< 0.01), ``*`` (< 0.05), ``ns``; empty for NaN (not tested)."""
    if p is None or not math.isfinite(p):
        return ""
    for limit, mark in MARKS:
        if p < limit:
            return mark
    return "ns"


def jitter(values: np.ndarray, width: float = _JITTER) -> np.ndarray:
    """Deterministic horizontal offsets that spread the points of one group.

    The points are taken in order of value and given offsets from the golden-ratio sequence, which fills
    the interval evenly, so points of close values are set apart and the same data always give the same
    picture (no random numbers).

    Parameters
    ----------
    values
        The group's values.
    width
        Total width of the offsets.

    Returns
    -------
    numpy.ndarray
        One offset per value, in ``[-width/2, width/2)``.
    """
    order = np.argsort(np.asarray(values, dtype=float), kind="stable")
    offsets = np.empty(len(order))
    offsets[order] = ((np.arange(len(order)) * _GOLDEN) % 1.0 - 0.5) * width
    return offsets


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
) -> Path:
    """Plot one endpoint per group: every animal as a dot, mean +/- SEM, marks of significance vs the control.

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
        when the group was not tested), and ``test`` names the test in the caption. No marks when None.
    title
        A title; none when None (the y label names the endpoint).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    AssayInputError
        When the figure cannot be written (unknown extension, missing folder); no file is left behind.
    """
    from assaykit.plotting import house_style, new_figure, save_figure

    order = list(groups) if groups is not None else _order(data, group, control)
    values = pd.to_numeric(data[endpoint], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    labels = data[group].astype(str).to_numpy()
    samples = [values[(labels == g) & np.isfinite(values)] for g in order]
    marks, test = _marks(comparisons, endpoint, order, control)
    with house_style():
        width = max(3.0, 0.85 * len(order) + 1.2)
        fig, ax = new_figure(width=width, height=3.4)
        try:
            _draw(ax, order, samples, control, marks)
            ax.set_ylabel(axis_label(endpoint))
            if title:
                ax.set_title(title)
            caption = "mean ± SEM"
            if control is not None and test:
                caption += (
                    f"; vs {control}: {_TEST_NAMES.get(test, test)}, * p < 0.05, ** p < 0.01, *** p < 0.001"
                )
            if "n.t." in marks.values():
                caption += "; n.t. not tested (n < 2)"
            # about 17 characters of 6.5 pt text per inch: wrap rather than clip on narrow figures
            fig.supxlabel(textwrap.fill(caption, int(width * 17)), fontsize=6.5, color="#4D4D4D")
        except BaseException:
            fig.clear()
            raise
        return save_figure(fig, path)


def _order(data: pd.DataFrame, group: str, control: str | None) -> list[str]:
    names = [str(g) for g in pd.unique(data[group].astype(str))]
    return ([control] if control in names else []) + [g for g in names if g != control]


def _marks(
    comparisons: pd.DataFrame | None, endpoint: str, order: list[str], control: str | None
) -> tuple[dict[str, str], str]:
    """Each group's mark from the headline adjusted p, and the headline test of the endpoint."""
    if comparisons is None or comparisons.empty:
        return {}, ""
    rows = comparisons[comparisons["endpoint"] == endpoint]
    marks = {}
    for row in rows.itertuples(index=False):
        name = str(row.group)
        if name == control or name not in order:
            continue
        marks[name] = significance_mark(float(row.p_adjusted)) or "n.t."
    tests = [t for t in rows["test"].astype(str) if t]
    return marks, tests[0] if tests else ""


def _draw(
    ax: Axes, order: list[str], samples: list[np.ndarray], control: str | None, marks: dict[str, str]
) -> None:
    tops = []
    colours = iter(_GROUP_COLOURS * (len(order) // len(_GROUP_COLOURS) + 1))
    for i, (name, values) in enumerate(zip(order, samples, strict=True)):
        colour = _CONTROL_COLOUR if name == control else next(colours)
        if values.size:
            ax.scatter(
                i + jitter(values),
                values,
                s=20,
                facecolor=colour,
                edgecolor="white",
                linewidth=0.5,
                alpha=0.85,
                zorder=4,  # every animal stays visible over the mean and its bar
            )
            mean = float(values.mean())
            ax.hlines(mean, i - 0.28, i + 0.28, color="black", linewidth=1.6, zorder=3)
            top = float(values.max())
            if values.size > 1:
                sem = float(values.std(ddof=1)) / math.sqrt(values.size)
                ax.errorbar(
                    i, mean, yerr=sem, fmt="none", ecolor="black", elinewidth=1.0, capsize=3, zorder=3
                )
                top = max(top, mean + sem)
            tops.append(top)
        else:
            tops.append(math.nan)
    finite = (
        np.concatenate([s for s in samples if s.size])
        if any(s.size for s in samples)
        else np.array([0.0, 1.0])
    )
    low, high = float(np.min(finite)), float(np.nanmax([*tops, float(np.max(finite))]))
    span = (high - min(low, 0.0)) or 1.0
    bottom = 0.0 if low >= 0 else low - 0.05 * span
    headroom = 0.14 if marks else 0.06
    ax.set_ylim(bottom, high + headroom * span)
    for i, name in enumerate(order):
        mark = marks.get(name)
        if not mark:
            continue
        y = (tops[i] if math.isfinite(tops[i]) else high) + 0.03 * span
        small = mark in ("ns", "n.t.")
        ax.text(
            i,
            y,
            mark,
            ha="center",
            va="bottom",
            fontsize=8 if small else 11,
            color="#4D4D4D" if small else "black",
        )
    ax.set_xlim(-0.6, len(order) - 0.4)
    ax.set_xticks(
        range(len(order)),
        labels=[f"{textwrap.fill(name, 12)}\nn = {s.size}" for name, s in zip(order, samples, strict=True)],
    )
    ax.tick_params(axis="x", length=0)
