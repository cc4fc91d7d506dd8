"""What the elevated-plus-maze / light-dark-box analysis saw for one animal: its path and where it spent time.

:func:`plot_track` draws one figure with two panels over the same view of the arena: the trajectory over
the zones (shaded by kind) and an occupancy heatmap, the time spent in each square bin. Like every assaykit
plot it is built without pyplot and written atomically with :func:`assaykit.plotting.save_figure`;
matplotlib is imported only when a figure is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assaykit.tracking.geometry import Arena
from assaykit.tracking.track_style import (
    HEAT_CMAP,
    OTHER_FILL,
    PATH_COLOUR,
    ZONE_FILLS,
    draw_postures,
    heat_norm,
    log_colorbar_ticks,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Order of the zone kinds in the legend.
_KIND_ORDER = ("open", "closed", "center", "light", "dark")
_OUTLINE = "#4D4D4D"
_HEAT_OUTLINE = "#7F7F7F"
_START_COLOUR = "#009E73"  # bluish green
_END_COLOUR = "#D55E00"  # vermillion

_PAD_FRACTION = 0.05  # margin around the arena, as a fraction of its larger side
_MAX_MARGIN_FRACTION = 0.25  # the view never reaches further than this fraction of the arena's size
_MAX_BINS_PER_SIDE = 2000
_FIGSIZE = (7.5, 3.6)


def plot_track(
    arena: Arena,
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    path: str | Path,
    *,
    title: str,
    subtitle: str | None = None,
    bin_cm: float = 1.0,
    unit: str = "cm",
    y_down: bool = False,
    postures: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> Path:
    """Draw one animal's trajectory and occupancy heatmap over its arena and write the figure atomically.

    The left panel shows the arena's zones filled by kind (``open``/``closed``/``center`` for the plus
    maze, ``light``/``dark`` for the light-dark box) in pale tints, with the path drawn over them as a
    dark blue line that contrasts with every fill (:mod:`assaykit.tracking.track_style`), broken where
    positions are missing, the first and last tracked positions marked, and the posture events (head dips,
    stretched-attend postures) marked where they happened. The right panel shows the time spent in each
    ``bin_cm`` x ``bin_cm`` bin over the same view on a logarithmic colour scale
    (:func:`~assaykit.tracking.track_style.heat_norm`), with the zone outlines on top; empty bins are left
    white.

    Parameters
    ----------
    arena
        The apparatus, in the track's coordinates (cm).
    x, y
        Positions (cm), one per frame in time order; NaN (or infinite) where missing.
    weights
        Seconds each frame stands for (the frame durations), one per frame; finite and not negative.
    path
        Output file: ``.png`` (200 dpi), ``.pdf`` or ``.svg``, in an existing folder.
    title
        Figure title, for example the animal id.
    subtitle
        One short line under the title, for example ``"open 23.4% of arm time, 7 open entries"``.
    bin_cm
        Side of the heatmap's square bins (cm; in ``unit`` when that is not cm).
    unit
        The unit of the arena and the positions, for the axis labels: ``"cm"``, or ``"px"`` for a run
        without a scale (zones drawn in pixels and no ``--px-per-cm``).
    y_down
        Draw y downwards, as in an image: for positions in (or scaled from) the pixels of a video frame,
        so that the plot looks like the video.
    postures
        Posture events to mark on the trajectory: ``{posture: (x, y)}`` of each event's position
        (:func:`assaykit.tracking.figures.posture_positions`), each posture (``head_dip``,
        ``stretched_attend``) with its own marker and a legend entry with its count.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError
        When ``x``, ``y`` and ``weights`` are not one-dimensional arrays of the same length, a weight is
        negative or not finite, or ``bin_cm`` is not a positive number (or so small that the view would
        need more than 2000 bins on a side).
    AssayInputError
        When the figure cannot be written (unknown extension, missing folder); no file is left behind.

    Notes
    -----
    The heatmap is the time per bin, not a count of frames: each frame with a position adds its duration
    (its entry in ``weights``) to the bin it falls in, so the bins of a complete, fully tracked session
    sum to the session's length, and a frame rate that varies does not bias the map. Frames without a
    position add nothing.

    Both panels share one view: the arena's bounds plus a 5% margin, widened to show tracked points off the
    arena, but never by more than 25% of the arena's width (height) on each side, so that one wild point
    cannot shrink the maze to a dot. Points beyond that are counted in the trajectory panel's title and
    are left out of the heatmap. The view's edges lie on the heatmap's bin grid, which starts at the
    arena's lower-left bound, so bin edges line up with zone borders that are whole multiples of
    ``bin_cm`` away from it. (A bin wider than a quarter of the arena can push the view further out, to
    cover the arena with whole bins.)

    Examples
    --------
    >>> from assaykit.tracking.geometry import plus_maze
    >>> arena = plus_maze(center_size=5, arm_length=30, arm_width=5)
    >>> x = 20 * np.cos(np.linspace(0, 2 * np.pi, 300))  # to and fro along the open arms
    >>> y, durations = np.zeros(300), np.full(300, 1 / 30)
    >>> plot_track(arena, x, y, durations, "m01.png", title="m01")  # doctest: +SKIP
    PosixPath('m01.png')
    """
    from assaykit.plotting import save_figure

    fig = _draw_track(
        arena,
        x,
        y,
        weights,
        title=title,
        subtitle=subtitle,
        bin_cm=bin_cm,
        unit=unit,
        y_down=y_down,
        postures=postures,
    )
    return save_figure(fig, path)


def _draw_track(
    arena: Arena,
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    *,
    title: str,
    subtitle: str | None = None,
    bin_cm: float = 1.0,
    unit: str = "cm",
    y_down: bool = False,
    postures: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> Figure:
    """Validate the inputs and build the figure of :func:`plot_track`, without writing or closing it."""
    x, y, weights = _check_inputs(x, y, weights, bin_cm)
    present = np.isfinite(x) & np.isfinite(y)
    x = np.where(present, x, np.nan)  # a frame missing either coordinate is missing
    y = np.where(present, y, np.nan)
    x_edges, y_edges = _view_edges(arena, x[present], y[present], float(bin_cm))

    from assaykit.plotting import blank_figure, cleared_on_error, house_style

    with house_style():
        fig = blank_figure(*_FIGSIZE)
        with cleared_on_error(fig):
            ax_path, ax_heat = fig.subplots(1, 2)
            ax_path.set_label("trajectory")
            ax_heat.set_label("occupancy")
            limits = (x_edges[0], x_edges[-1], y_edges[0], y_edges[-1])
            _draw_trajectory(ax_path, arena, x, y, present, limits, postures)
            _draw_heatmap(fig, ax_heat, arena, x[present], y[present], weights[present], x_edges, y_edges)
            ax_heat.set_title(f"occupancy ({_format_cm(bin_cm)} {unit} bins)")
            for ax in (ax_path, ax_heat):
                ax.set_xlabel(f"x ({unit})")
                ax.set_ylabel(f"y ({unit})")
                if y_down:
                    ax.invert_yaxis()
            _add_titles(fig, title, subtitle)
    return fig


def _check_inputs(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray, bin_cm: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the three arrays as floats, or raise ValueError when they cannot be plotted."""
    arrays = []
    for name, values in (("x", x), ("y", y), ("weights", weights)):
        array = np.asarray(values, dtype=float)
        if array.ndim != 1:
            raise ValueError(f"{name} must be a one-dimensional array, got shape {array.shape}")
        arrays.append(array)
    x, y, weights = arrays
    if not len(x) == len(y) == len(weights):
        raise ValueError(
            f"x, y and weights must have one value per frame; got lengths {len(x)}, {len(y)}, {len(weights)}"
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("weights (frame durations, s) must be finite and not negative")
    if isinstance(bin_cm, bool) or not isinstance(bin_cm, int | float | np.number) or not bin_cm > 0:
        raise ValueError(f"bin_cm must be a positive number of cm, got {bin_cm!r}")
    if not math.isfinite(bin_cm):
        raise ValueError(f"bin_cm must be finite, got {bin_cm!r}")
    return x, y, weights


def _view_edges(arena: Arena, x: np.ndarray, y: np.ndarray, bin_cm: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the heatmap's bin edges along x and y; their first and last values are the view's limits.

    ``x`` and ``y`` are the tracked (finite) positions. See the Notes of :func:`plot_track`.
    """
    xmin, xmax, ymin, ymax = arena.bounds
    pad = _PAD_FRACTION * max(xmax - xmin, ymax - ymin)
    edges = []
    for low, high, values in ((xmin, xmax, x), (ymin, ymax, y)):
        span = high - low
        cap = _MAX_MARGIN_FRACTION * span
        want_low = want_high = pad  # beyond the cap is cut below
        if values.size:
            want_low = max(pad, low - float(values.min()))
            want_high = max(pad, float(values.max()) - high)
        # whole bins from the arena's lower bound; never past the cap, but always covering the arena
        below = min(_ceil(want_low / bin_cm), math.floor(cap / bin_cm))
        cover = _ceil(span / bin_cm)
        upto = max(cover, min(_ceil((span + want_high) / bin_cm), math.floor((span + cap) / bin_cm)))
        n_bins = below + upto
        if n_bins > _MAX_BINS_PER_SIDE:
            raise ValueError(
                f"bin_cm={bin_cm!r} gives {n_bins} bins across the view; "
                f"use bins of at least {(span + 2 * cap) / _MAX_BINS_PER_SIDE:.3g} cm"
            )
        edges.append(low + bin_cm * np.arange(-below, upto + 1, dtype=float))
    return edges[0], edges[1]


def _ceil(value: float) -> int:
    """Ceiling that ignores floating-point noise (``3.0000000001`` -> 3)."""
    return math.ceil(value - 1e-9)


def _draw_trajectory(
    ax: Axes,
    arena: Arena,
    x: np.ndarray,
    y: np.ndarray,
    present: np.ndarray,
    limits: tuple[float, float, float, float],
    postures: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> None:
    """Draw the zones filled by kind, the path (NaN breaks it), start, end and posture marks, a legend."""
    from matplotlib.patches import Patch, Polygon

    kinds: list[str] = []
    for zone in arena.zones:
        fill = ZONE_FILLS.get(zone.kind, OTHER_FILL)
        patch = Polygon(
            zone.polygon, closed=True, facecolor=fill, edgecolor=_OUTLINE, linewidth=0.6, zorder=1
        )
        ax.add_patch(patch)
        if zone.kind not in kinds:
            kinds.append(zone.kind)
    order = {kind: i for i, kind in enumerate(_KIND_ORDER)}
    kinds.sort(key=lambda kind: order.get(kind, len(order)))
    handles: list = [
        Patch(facecolor=ZONE_FILLS.get(kind, OTHER_FILL), edgecolor=_OUTLINE, linewidth=0.6, label=kind)
        for kind in kinds
    ]

    (line,) = ax.plot(x, y, "-", color=PATH_COLOUR, linewidth=0.8, zorder=2, label="path")
    line.set_gid("path")
    handles.append(line)
    tracked = np.flatnonzero(present)
    if tracked.size:
        first, last = tracked[0], tracked[-1]
        (start,) = ax.plot(
            [x[first]],
            [y[first]],
            "o",
            ms=5.5,
            mfc=_START_COLOUR,
            mec="white",
            mew=0.6,
            zorder=4,
            label="start",
        )
        (end,) = ax.plot(
            [x[last]], [y[last]], "s", ms=5.0, mfc=_END_COLOUR, mec="white", mew=0.6, zorder=5, label="end"
        )
        handles += [start, end]
    handles += draw_postures(ax, postures)

    xlo, xhi, ylo, yhi = limits
    outside = int(
        np.count_nonzero((x[present] < xlo) | (x[present] > xhi) | (y[present] < ylo) | (y[present] > yhi))
    )
    heading = "trajectory"
    if outside:
        heading += f" ({outside} frame{'s' if outside != 1 else ''} outside view)"
    ax.set_title(heading)
    _frame(ax, limits)
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncol=min(len(handles), 3),
        fontsize=7.5,
        handlelength=1.4,
        columnspacing=1.2,
    )


def _draw_heatmap(
    fig: Figure,
    ax: Axes,
    arena: Arena,
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    x_edges: np.ndarray,
    y_edges: np.ndarray,
) -> None:
    """Draw the time per bin (log scale, empty bins transparent), the zone outlines on top, a colorbar."""
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Polygon

    time_per_bin, _, _ = np.histogram2d(x, y, bins=(x_edges, y_edges), weights=weights)
    grid = np.ma.masked_equal(time_per_bin.T, 0.0)  # rows along y, as pcolormesh expects
    mesh = ax.pcolormesh(
        x_edges, y_edges, grid, cmap=HEAT_CMAP, norm=heat_norm(time_per_bin), shading="flat", zorder=1
    )
    for zone in arena.zones:
        ax.add_patch(
            Polygon(zone.polygon, closed=True, fill=False, edgecolor=_HEAT_OUTLINE, linewidth=0.6, zorder=3)
        )
    _frame(ax, (x_edges[0], x_edges[-1], y_edges[0], y_edges[-1]))
    # An inset colorbar follows the axes' box after the equal aspect shrank it: as tall as the map.
    cax = ax.inset_axes((1.04, 0.0, 0.045, 1.0))
    colorbar = fig.colorbar(mesh, cax=cax, label="time (s), log scale")
    if isinstance(mesh.norm, LogNorm):
        log_colorbar_ticks(colorbar)


def _frame(ax: Axes, limits: tuple[float, float, float, float]) -> None:
    """Set the view limits and the equal aspect shared by both panels (the labels name the unit later)."""
    ax.set_xlim(limits[0], limits[1])
    ax.set_ylim(limits[2], limits[3])
    ax.set_aspect("equal", adjustable="box")


def _add_titles(fig: Figure, title: str, subtitle: str | None) -> None:
    """Set the figure title and, when given, a smaller subtitle line under it."""
    if not subtitle:
        fig.suptitle(title, fontsize=11)
        return
    # Constrained layout makes room for the suptitle only, so the title keeps an empty second line
    # (at its larger size) and the subtitle is drawn in it, anchored to the suptitle's box.
    from matplotlib.text import Annotation

    heading = fig.suptitle(f"{title}\n ", fontsize=11, linespacing=1.25)
    note = Annotation(
        subtitle,
        xy=(0.5, 0.0),
        xycoords=heading,  # fractions of the suptitle's box, found when the figure is drawn
        xytext=(0.0, 1.5),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=8.5,
        color="#333333",
    )
    note.set_gid("subtitle")
    fig.add_artist(note)


def _format_cm(value: float) -> str:
    """Format a bin size without trailing zeros: 1.0 -> ``"1"``, 0.5 -> ``"0.5"``."""
    return f"{float(value):g}"
