"""Parts the competition figures share: the % scale, means +/- SD, site marks, a text box that hides nothing.

matplotlib is imported only inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.text import Text

#: Places :func:`place_text_box` tries along each axis (from one edge of the axes to the other).
GRID_STEPS = 11
#: Clearance around a text box, in display pixels at 100 dpi (scaled with the figure's dpi).
_CLEARANCE_PX = 3.0


@dataclass(frozen=True)
class Scale:
    """The y scale of a competition figure: the signal as counted, or % specific binding.

    ``percent(y) = 100 * (y - nsb) / (total - nsb)``: 0% at the plate's NSB mean, 100% at its TOTAL mean,
    the definition of the points table's ``specific_pct``
    (:func:`~assaykit.binding.controls.specific_binding_points`).
    """

    total: float = math.nan
    nsb: float = math.nan
    percent: bool = False

    def __call__(self, y: Any) -> Any:
        """Return ``y`` on this scale (arrays and floats alike)."""
        if not self.percent:
            return y
        return 100.0 * (np.asarray(y, dtype=float) - self.nsb) / (self.total - self.nsb)

    def label(self, signal_unit: str) -> str:
        """Return the y-axis label."""
        return "Specific binding (%)" if self.percent else f"Bound ({signal_unit})"


def make_scale(y_axis: str, total: Any, nsb: Any) -> Scale:
    """Return the :class:`Scale` for ``y_axis`` (``"bound"`` or ``"percent"``) of a plate's controls.

    Raises
    ------
    ValueError
        For an unknown ``y_axis``, or ``"percent"`` without finite controls whose TOTAL mean exceeds the
        NSB mean.
    """
    if y_axis not in ("bound", "percent"):
        raise ValueError(f"y_axis must be 'bound' or 'percent', not {y_axis!r}")
    if y_axis == "bound":
        return Scale()
    t, n = as_float(total), as_float(nsb)
    if not (math.isfinite(t) and math.isfinite(n) and t > n):
        raise ValueError("a % specific binding axis needs total_mean above nsb_mean (both finite)")
    return Scale(t, n, True)


def as_float(value: Any) -> float:
    """Return ``value`` as a float, with None, pandas NA and non-numbers as NaN."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def scaled_curve(curve: Callable[[np.ndarray], np.ndarray], scale: Scale) -> Callable[[np.ndarray], Any]:
    """Return ``curve`` with its values on ``scale``."""
    return lambda grid: scale(curve(grid))


def replicate_stats(x: np.ndarray, y: np.ndarray, hot: np.ndarray) -> pd.DataFrame:
    """Mean, SD (n - 1) and n of the replicates at each concentration (and hot concentration).

    Returns
    -------
    pandas.DataFrame
        Columns ``x`` (log10 M), ``mean``, ``sd`` (NaN for a single replicate) and ``n``, by ``x``.
    """
    cells = pd.DataFrame({"x": np.round(x, 6), "hot": np.nan_to_num(hot, nan=-1.0), "y": y})
    grouped = cells.groupby(["x", "hot"])["y"]
    stats = grouped.agg(["mean", "std", "count"]).reset_index()
    return pd.DataFrame(
        {"x": stats["x"], "mean": stats["mean"], "sd": stats["std"], "n": stats["count"].astype(int)}
    )


def mean_sd_label(n: pd.Series) -> str:
    """Return the legend entry of means with SD bars: ``mean ± SD (n = 3)``, or ``(n = 2-3)``."""
    lo, hi = (int(n.min()), int(n.max())) if len(n) else (0, 0)
    count = f"n = {lo}" if lo == hi else f"n = {lo}-{hi}"
    return f"mean ± SD ({count})"


def draw_means(ax: Axes, stats: pd.DataFrame, colour: str, label: str | None, **style: Any) -> None:
    """Draw the means at 10**x with +/- SD error bars (none where one replicate gives no SD)."""
    sd = stats["sd"].fillna(0.0).to_numpy(float)
    marker = style.pop("marker", "o")
    ax.errorbar(
        10.0 ** stats["x"].to_numpy(float),
        stats["mean"].to_numpy(float),
        yerr=sd,
        fmt=marker,
        color=colour,
        ecolor=colour,
        elinewidth=0.8,
        capsize=2.0,
        capthick=0.8,
        label=label,
        **{"ms": 3.5, "zorder": 3, **style},
    )


def mark_sites(
    ax: Axes,
    sites: Sequence[tuple[str, float, float]],
    x_range: tuple[float, float],
    colour: str,
    falling: bool = True,
) -> list[str]:
    """Mark each site's IC50 as the one-site IC50 is marked: a drop line to the x axis, a marker, a label.

    Parameters
    ----------
    ax
        The axes, with its y limits set.
    sites
        ``(label, log10 M, y of the curve there)`` of each site.
    x_range
        The drawn range of log10 M; a site outside it is not marked.
    colour
        Colour of the markers.
    falling
        Whether the curve falls (the label goes below left of its marker, where a falling curve leaves
        room; below right for a rising one).

    Returns
    -------
    list of str
        The labels of the sites left unmarked (outside the drawn range).
    """
    bottom = ax.get_ylim()[0]
    outside = []
    for label, log_x, y in sites:
        if not (math.isfinite(log_x) and x_range[0] <= log_x <= x_range[1] and math.isfinite(y)):
            outside.append(label)
            continue
        x = 10.0**log_x
        ax.plot([x, x], [bottom, y], ":", color="#333333", lw=1.0, gid="site-drop")
        ax.plot([x], [y], "D", color=colour, ms=4.5, zorder=5, gid="site-mark")
        ax.annotate(
            label,
            xy=(x, y),
            xytext=(-6, -6) if falling else (6, -6),
            textcoords="offset points",
            ha="right" if falling else "left",
            va="top",
            fontsize=7.5,
            gid="site-label",
        )
    return outside


def place_text_box(ax: Axes, text: str, *, gid: str = "annotation", **style: Any) -> Text:
    """Write ``text`` inside ``ax`` where it overlaps the least of what is drawn, preferring no overlap.

    The figure is laid out first (:meth:`~matplotlib.figure.Figure.draw_without_rendering`), so the text's
    rendered extent is the one saved. Places on a :data:`GRID_STEPS` x :data:`GRID_STEPS` grid spanning
    the axes (the box wholly inside them) are scored by what falls within a few pixels of the box: drawn
    line segments (curves, the TOTAL and NSB lines, drop lines) and error bars that cross it, markers
    inside it, other texts it overlaps. The lowest score wins; among equals the place nearest a corner
    of the axes, as a reader expects a legend-like box. Draw the legend afterwards: its ``"best"``
    placement avoids the text.

    Returns
    -------
    matplotlib.text.Text
        The text, with ``gid`` set (tests find it by it), justified toward the side it is on.
    """
    from matplotlib.transforms import Bbox

    fig = ax.get_figure()
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    obstacles = _obstacles(ax, renderer)
    artist = ax.text(0.0, 0.0, text, transform=ax.transAxes, ha="left", va="bottom", gid=gid, **style)
    if "fontsize" not in style:
        artist.set_fontsize(8)
    size = artist.get_window_extent(renderer)
    frame = ax.get_window_extent(renderer)
    pad = _CLEARANCE_PX * fig.dpi / 100.0
    margin = 2.0 * pad
    free_x = max(frame.width - size.width - 2 * margin, 0.0)
    free_y = max(frame.height - size.height - 2 * margin, 0.0)
    steps = np.linspace(0.0, 1.0, GRID_STEPS)
    best: tuple[float, float, float, float] | None = None
    for fx in steps:
        for fy in steps:
            x0, y0 = frame.x0 + margin + fx * free_x, frame.y0 + margin + fy * free_y
            box = Bbox.from_bounds(x0, y0, size.width, size.height)
            corner = min(abs(fx - 0.5), abs(fy - 0.5))  # 0.5 at a corner, 0 on the middle lines
            key = (_overlap(box.padded(pad), obstacles), -corner - 0.1 * max(abs(fx - 0.5), abs(fy - 0.5)))
            if best is None or key < best[:2]:
                best = (*key, fx, fy)
    assert best is not None
    fx, fy = best[2], best[3]
    x0, y0 = frame.x0 + margin + fx * free_x, frame.y0 + margin + fy * free_y
    artist.set_position(ax.transAxes.inverted().transform((x0, y0)))
    artist.set_multialignment("right" if fx > 0.6 else "center" if fx >= 0.4 else "left")
    return artist


def _obstacles(ax: Axes, renderer: Any) -> tuple[list[Any], np.ndarray, list[Any]]:
    """Return what a text box should not cover, in display coordinates: lines, markers, texts."""
    from matplotlib.collections import LineCollection

    paths, markers, boxes = [], [], []
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        path = line.get_transform().transform_path(line.get_path())
        if line.get_linestyle() not in ("None", "none", "", " "):
            paths.append(path)
        if line.get_marker() not in (None, "None", "none", "", " "):
            markers.append(path.vertices)
    for collection in ax.collections:
        if isinstance(collection, LineCollection):
            transform = collection.get_transform()
            paths.extend(transform.transform_path(p) for p in collection.get_paths())
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_visible() and t.get_text()]
    points = np.concatenate(markers) if markers else np.empty((0, 2))
    return paths, points[np.isfinite(points).all(axis=1)], boxes


def _overlap(box: Any, obstacles: tuple[list[Any], np.ndarray, list[Any]]) -> float:
    paths, points, boxes = obstacles
    score = float(sum(path.intersects_bbox(box, filled=False) for path in paths))
    score += float(box.count_contains(points)) if len(points) else 0.0
    score += float(box.count_overlaps(boxes)) if boxes else 0.0
    return score
