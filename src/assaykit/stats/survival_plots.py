"""Kaplan-Meier plot of a latency: the share of animals not yet entered over the session, per group.

Built like every assaykit plot: a :class:`matplotlib.figure.Figure` outside pyplot, in the house style,
written atomically by :func:`assaykit.plotting.save_figure`; matplotlib is imported only when drawing.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assaykit.formatting import sig
from assaykit.stats.group_layout import group_layout
from assaykit.stats.plot_text import unit_of
from assaykit.stats.plots import axis_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from assaykit.stats.survival import LatencyResult

__all__ = ["latency_km_figure", "plot_latency_km"]


def latency_km_figure(
    result: LatencyResult, *, title: str | None = None, compounds: Mapping[str, str] | None = None
) -> Figure:
    """Draw the Kaplan-Meier curves of "not yet entered" of each group of a latency analysis.

    One step curve per group (the control first, in grey; the others in the colours of the dot plot),
    starting at 1 at time 0 and held at its last value up to the end of the session; each censored animal
    (one that never entered, or whose session ended first) is a ``+`` on its group's curve at its
    censoring time (one mark per distinct time, as R's ``plot(survfit(...), mark.time = TRUE)``), which
    the legend explains. With ``compounds`` naming more than one, the groups of another compound than the
    dose series (a positive control) are dashed, in their own colour, and named with their compound. The
    x axis runs from 0 to the longest session (``result.session``). The legend gives each group's n and its
    log-rank p against the control, Holm-adjusted over the groups (``p_adjusted`` of the ``logrank`` rows).

    Parameters
    ----------
    result
        From :func:`assaykit.stats.survival.latency_comparisons`.
    title
        A title; none when None.
    compounds
        The compound of each group (the design's ``compound`` column), as for
        :func:`assaykit.stats.plots.plot_group_dots`.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, outside pyplot. Each group's censoring marks are the line with ``gid``
        ``"censored:<group>"``; its curve has ``gid`` ``"curve:<group>"``.
    """
    from matplotlib.lines import Line2D

    from assaykit.plotting import house_style, new_figure

    curves, endpoint = result.curves, result.endpoint
    logrank = result.comparisons[result.comparisons["analysis"] == "logrank"].set_index("group")
    layout = group_layout(list(result.groups), result.control, compounds)
    censored_any = False
    with house_style():
        fig, ax = new_figure(width=6.2, height=3.4)
        for index, name in enumerate(result.groups):
            colour = layout.colours[index]
            style = "--" if layout.is_apart(index) else "-"
            rows = curves[curves["group"] == name]
            n = int(result.km.loc[result.km["group"] == name, "n"].iloc[0])
            label = f"{name} (n = {n})"
            if layout.is_apart(index) and layout.compounds[index] not in name:
                label = f"{layout.compounds[index]}: {label}"
            if name != result.control and name in logrank.index:
                label += f", {_p_text(float(logrank.loc[name, 'p_adjusted']))}"
            if rows.empty:
                ax.plot([], [], color=colour, linestyle=style, label=label + ", no data")
                continue
            time = rows["time"].to_numpy(dtype=float)
            surv = rows["survival"].to_numpy(dtype=float)
            end = max(result.session, float(time[-1]))
            ax.step(
                np.r_[time, end],
                np.r_[surv, surv[-1]],
                where="post",
                color=colour,
                linestyle=style,
                label=label,
            )
            ax.lines[-1].set_gid(f"curve:{name}")
            marks = rows[rows["n_censored"] > 0]
            censored_any = censored_any or not marks.empty
            ax.plot(
                marks["time"].to_numpy(dtype=float),
                marks["survival"].to_numpy(dtype=float),
                linestyle="none",
                marker="+",
                markersize=7,
                markeredgewidth=1.2,
                color=colour,
                clip_on=False,  # an animal censored at the end of the session sits on the x limit
                gid=f"censored:{name}",
            )
        ax.set_xlim(0.0, result.session)
        ax.set_ylim(-0.02, 1.04)  # a curve at 0 stays visible above the axis
        ax.set_xlabel(axis_label(endpoint))
        ax.set_ylabel("Not yet entered (proportion)")
        if title:
            ax.set_title(title)
        handles, labels = ax.get_legend_handles_labels()
        if censored_any:
            handles.append(Line2D([], [], color="black", linestyle="none", marker="+", markersize=7))
            unit = unit_of(endpoint)
            labels.append(f"censored: not entered by {result.session:g}{' ' + unit if unit else ''}")
        ax.legend(
            handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0)
        )  # outside: never over a curve
        caption = (
            f"Kaplan-Meier; + censored (not entered by the end of the session); "
            f"p: log-rank vs {result.control}, Holm-adjusted"
        )
        fig.supxlabel(textwrap.fill(caption, 100), fontsize=6.5, color="#4D4D4D")
    return fig


def plot_latency_km(
    result: LatencyResult,
    path: str | Path,
    *,
    title: str | None = None,
    compounds: Mapping[str, str] | None = None,
) -> Path:
    """Draw :func:`latency_km_figure` and write it, whole or not at all.

    Parameters
    ----------
    result
        From :func:`assaykit.stats.survival.latency_comparisons`.
    path
        Output file: ``.png`` (200 dpi), ``.pdf`` or ``.svg``, in an existing folder.
    title
        A title; none when None.
    compounds
        The compound of each group, as for :func:`latency_km_figure`.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    AssayInputError
        When the figure cannot be written (unknown extension, missing folder); no file is left behind.
    """
    from assaykit.plotting import save_figure

    return save_figure(latency_km_figure(result, title=title, compounds=compounds), path)


def _p_text(p: float) -> str:
    """``p = 0.013``; ``p < 0.0001`` below that; ``not tested`` for NaN."""
    if not math.isfinite(p):
        return "not tested"
    return "p < 0.0001" if p < 1e-4 else f"p = {sig(p, 2)}"
