"""One lane per group on a group figure: the animals as dots, a centre line and a bar of spread.

Shared by the dot plot (:mod:`assaykit.stats.plots`) and the estimation plot
(:mod:`assaykit.stats.estimation_plot`). The summaries are those of :func:`assaykit.stats.describe.describe`
(sample SD with divisor n - 1, SEM = SD / sqrt(n), quartiles of numpy's default, Hyndman & Fan 1996 type
7), so a figure and the summary table never disagree.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.stats.describe import describe

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from assaykit.stats.group_layout import GroupLayout

#: The spread drawn around a mean: the standard deviation (description) or the standard error.
Spread = Literal["sd", "sem"]

#: What a lane's centre line and bar show.
Summary = Literal["mean_sd", "mean_sem", "median_iqr"]

CONTROL_COLOUR = "#7F7F7F"
GROUP_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")  # Okabe-Ito
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_JITTER = 0.30  # total width of the cloud of points, in group spacings
_HALF_LINE = 0.28  # half-width of the centre line, in group spacings


@dataclass(frozen=True)
class Lane:
    """One group's values and what its lane shows.

    Attributes
    ----------
    name
        The group.
    values
        The animals' values (NaN left out); censored animals at their censoring time.
    censored
        Which of ``values`` are censored (all False when nothing is).
    centre, low, high
        The centre line and the ends of the bar (NaN: not drawn).
    not_reached
        The Kaplan-Meier median given for the group is not finite: more than half the animals censored.
    """

    name: str
    values: np.ndarray
    censored: np.ndarray
    centre: float
    low: float
    high: float
    not_reached: bool = False


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


def censor_mask(censored: Sequence[bool] | np.ndarray | pd.Series | None, data: pd.DataFrame) -> np.ndarray:
    """Check a per-animal censoring mask against the data and return it as a boolean array.

    Parameters
    ----------
    censored
        True for an animal whose latency is right-censored (it never entered before the session ended),
        one entry per row of ``data`` in the same order (a Series must have ``data``'s index); booleans or
        0/1. None: nothing is censored.
    data
        The per-animal table.

    Returns
    -------
    numpy.ndarray
        One boolean per row of ``data``.

    Raises
    ------
    AssayInputError
        When the mask has another length or index than the data, or holds something other than
        True/False (or 0/1).
    """
    if censored is None:
        return np.zeros(len(data), dtype=bool)
    if isinstance(censored, pd.Series) and not censored.index.equals(data.index):
        raise AssayInputError(
            "the censored mask's index differs from the data's; give one entry per data row"
        )
    mask = np.asarray(censored)
    if mask.ndim != 1 or mask.size != len(data):
        raise AssayInputError(
            f"the censored mask has {mask.size} entries; expected one per data row ({len(data)})"
        )
    if mask.dtype == bool:
        return mask
    try:
        numbers = mask.astype(float)
    except (TypeError, ValueError):
        numbers = np.array([math.nan])
    if not np.all(np.isin(numbers, (0.0, 1.0))):
        raise AssayInputError("the censored mask must be True/False (or 1/0) for every animal")
    return numbers.astype(bool)


def build_lanes(
    values: np.ndarray,
    labels: np.ndarray,
    order: Sequence[str],
    summary: Summary,
    *,
    censored: np.ndarray | None = None,
    censor_time: float | None = None,
    medians: Mapping[str, float] | None = None,
    quartiles: str = "type7",
) -> list[Lane]:
    """Split the values by group and summarise each group.

    Parameters
    ----------
    values, labels
        The endpoint and the group of every animal (NaN: no value, left out unless censored).
    order
        The groups, left to right.
    summary
        ``mean_sd``, ``mean_sem`` or ``median_iqr`` (see :func:`summarise`).
    censored
        Per-animal censoring (:func:`censor_mask`); censored animals are set to ``censor_time`` when it is
        given, else keep their recorded value.
    censor_time
        The session length at which latencies are censored.
    medians
        The Kaplan-Meier median of each group (from the survival analysis), used as the centre of a
        ``median_iqr`` lane instead of the plain median; a group it does not name gets the plain one.
    quartiles
        ``type7`` or ``prism``: the quartiles of a ``median_iqr`` lane, as the summary table's
        (:func:`~assaykit.stats.describe.describe`).

    Returns
    -------
    list of Lane
        One per group in ``order``.

    Raises
    ------
    AssayInputError
        When a censored animal has no value and no ``censor_time`` is given.
    """
    mask = np.zeros(values.size, dtype=bool) if censored is None else censored
    values = values.astype(float, copy=True)
    if censor_time is not None:
        if not (math.isfinite(censor_time) and censor_time > 0):
            raise AssayInputError(f"censor_time must be a positive session length, got {censor_time!r}")
        values[mask] = censor_time
    lanes = []
    for name in order:
        in_group = labels == name
        missing = in_group & mask & ~np.isfinite(values)
        if missing.any():
            raise AssayInputError(
                f"group '{name}' has censored animals without a latency; "
                "give censor_time (the session length)"
            )
        keep = in_group & np.isfinite(values)
        given = None if medians is None else medians.get(name)
        centre, low, high = summarise(values[keep], summary, median=given, quartiles=quartiles)
        lanes.append(
            Lane(
                name=name,
                values=values[keep],
                censored=mask[keep],
                centre=centre,
                low=low,
                high=high,
                not_reached=given is not None and not math.isfinite(float(given)),
            )
        )
    return lanes


def summarise(
    values: np.ndarray, summary: Summary, *, median: float | None = None, quartiles: str = "type7"
) -> tuple[float, float, float]:
    """Return a group's centre and the ends of its bar.

    ``mean_sd``: mean and mean -/+ SD (sample SD, divisor n - 1); ``mean_sem``: mean -/+ SD / sqrt(n);
    ``median_iqr``: the median (or ``median`` when given: a Kaplan-Meier median, NaN when not reached) and
    the quartiles (numpy's linear interpolation, Hyndman & Fan 1996 type 7, or GraphPad Prism's type 6 with
    ``quartiles="prism"``, as in :func:`~assaykit.stats.describe.describe`). The bar is NaN with fewer than
    two values for a mean and with none for the quartiles.
    """
    d = describe(values, quartiles=quartiles)
    if d["n"] == 0:
        return math.nan, math.nan, math.nan
    if summary == "median_iqr":
        centre = d["median"] if median is None else float(median)
        return (centre if math.isfinite(centre) else math.nan), d["q1"], d["q3"]
    half = d["sd"] if summary == "mean_sd" else d["sem"]
    return d["mean"], d["mean"] - half, d["mean"] + half


def draw_lane(ax: Axes, x: float, lane: Lane, colour: str) -> float:
    """Draw one lane at ``x``: the dots (open markers for censored animals), the centre line and the bar.

    The artists carry gids that name them (``dots:<group>``, ``censored:<group>``, ``centre:<group>``,
    ``spread:<group>``), which an SVG keeps as element ids.

    Returns
    -------
    float
        The top of what was drawn (NaN for an empty lane), to place a mark above it.
    """
    if not lane.values.size:
        return math.nan
    offsets = x + jitter(lane.values)
    observed = ~lane.censored
    if observed.any():
        ax.scatter(
            offsets[observed],
            lane.values[observed],
            s=20,
            facecolor=colour,
            edgecolor="white",
            linewidth=0.5,
            alpha=0.85,
            zorder=4,  # every animal stays visible over the centre and its bar
            gid=f"dots:{lane.name}",
        )
    if lane.censored.any():
        ax.scatter(
            offsets[lane.censored],
            lane.values[lane.censored],
            s=22,
            marker="o",
            facecolor="none",
            edgecolor=colour,
            linewidth=1.1,
            zorder=4,
            gid=f"censored:{lane.name}",
        )
    if math.isfinite(lane.centre):
        ax.hlines(
            lane.centre, x - _HALF_LINE, x + _HALF_LINE, color="black", linewidth=1.6, zorder=3
        ).set_gid(f"centre:{lane.name}")
    top = float(lane.values.max())
    if math.isfinite(lane.low) and math.isfinite(lane.high) and lane.high > lane.low:
        ax.vlines(x, lane.low, lane.high, color="black", linewidth=1.0, zorder=3).set_gid(
            f"spread:{lane.name}"
        )
        ax.hlines([lane.low, lane.high], x - 0.06, x + 0.06, color="black", linewidth=1.0, zorder=3)
        top = max(top, lane.high)
    if lane.not_reached:
        ax.text(x + _HALF_LINE, top, "NR", ha="left", va="center", fontsize=7, color="#4D4D4D")
    return top


def draw_lanes(
    ax: Axes, lanes: Sequence[Lane], control: str | None, layout: GroupLayout | None = None
) -> list[float]:
    """Draw every lane; return their tops.

    Without a ``layout`` the lanes stand at 0, 1, 2, ..., the control in grey and the others in the
    Okabe-Ito colours; with one (:func:`assaykit.stats.group_layout.group_layout`) at its positions in its
    colours.
    """
    if layout is not None:
        return [
            draw_lane(ax, x, lane, colour)
            for x, lane, colour in zip(layout.positions, lanes, layout.colours, strict=True)
        ]
    colours = iter(GROUP_COLOURS * (len(lanes) // len(GROUP_COLOURS) + 1))
    return [
        draw_lane(ax, i, lane, CONTROL_COLOUR if lane.name == control else next(colours))
        for i, lane in enumerate(lanes)
    ]


def value_limits(
    ax: Axes, lanes: Sequence[Lane], tops: Sequence[float], headroom: float
) -> tuple[float, float]:
    """Set the value axis from zero (or below the lowest value) to the highest top plus ``headroom``.

    Returns
    -------
    tuple of float
        The highest value drawn and the span of the axis, to place marks.
    """
    present = [lane.values for lane in lanes if lane.values.size]
    finite = np.concatenate(present) if present else np.array([0.0, 1.0])
    low = float(np.min(finite))
    high = float(np.nanmax([*tops, float(np.max(finite))]))
    span = (high - min(low, 0.0)) or 1.0
    bottom = 0.0 if low >= 0 else low - 0.05 * span
    ax.set_ylim(bottom, high + headroom * span)
    return high, span


def group_ticks(
    ax: Axes, lanes: Sequence[Lane], *, counts: bool = True, positions: Sequence[float] | None = None
) -> None:
    """Name the lanes on the x axis, wrapped to stay readable with long names and many groups.

    Each name is wrapped to as many characters as fit in its lane at the figure's width (12 at most;
    smaller type from five groups on), so no line runs into the next lane; ``counts`` adds the number of
    animals (``n = 8``) under each name. ``positions`` are the lanes' x (0, 1, 2, ... when None).
    """
    many = len(lanes) >= 5
    size = 7.5 if many else 9.0
    lane_inches = (ax.get_figure().get_figwidth() - 1.0) / (len(lanes) + 0.2)  # 1 in for the value axis
    # a character of DejaVu Sans is at most about 0.65 em wide; keep a tenth of the lane free
    width = max(6, min(12, int(0.9 * lane_inches * 72.0 / (0.65 * size))))
    labels = [
        textwrap.fill(lane.name, width) + (f"\nn = {lane.values.size}" if counts else "") for lane in lanes
    ]
    where = list(positions) if positions is not None else list(range(len(lanes)))
    ax.set_xlim(-0.6, (where[-1] if where else -1) + 0.6)
    ax.set_xticks(where, labels=labels, fontsize=size)
    ax.tick_params(axis="x", length=0)


def figure_width(groups: int) -> float:
    """Return a group figure's width in inches: 0.85 per group plus room for the value axis, 3 at least."""
    return max(3.0, 0.85 * groups + 1.2)
