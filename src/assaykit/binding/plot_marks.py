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
    from matplotlib.transforms import Bbox

#: Where :func:`place_text_box` tries a text box, in order of preference: (x, y, ha, va), axes fraction.
ANCHORS: tuple[tuple[float, float, str, str], ...] = (
    (0.03, 0.04, "left", "bottom"),
    (0.97, 0.04, "right", "bottom"),
    (0.97, 0.96, "right", "top"),
    (0.03, 0.96, "left", "top"),
    (0.5, 0.04, "center", "bottom"),
    (0.5, 0.96, "center", "top"),
    (0.03, 0.5, "left", "center"),
    (0.97, 0.5, "right", "center"),
    (0.5, 0.5, "center", "center"),
)
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
    rendered extent is the one saved. Each place of :data:`ANCHORS` is scored by what falls within a few
    pixels of the text's extent: drawn line segments (curves, the TOTAL and NSB lines, drop lines) and
    error bars that cross it, markers inside it, other texts it overlaps; a place that leaves the axes
    scores worst. The first place with the lowest score is kept. Draw the legend afterwards: its ``"best"``
    placement avoids the text.

    Returns
    -------
    matplotlib.text.Text
        The text, with ``gid`` set (tests find it by it).
    """
    fig = ax.get_figure()
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    obstacles = _obstacles(ax, renderer)
    artist = ax.text(0.0, 0.0, text, transform=ax.transAxes, gid=gid, **{"fontsize": 8, **style})
    frame = ax.get_window_extent(renderer)
    pad = _CLEARANCE_PX * fig.dpi / 100.0
    best: tuple[float, int] | None = None
    for i, (x, y, ha, va) in enumerate(ANCHORS):
        artist.set_position((x, y))
        artist.set_horizontalalignment(ha)
        artist.set_verticalalignment(va)
        box = artist.get_window_extent(renderer)
        score = _overlap(box.padded(pad), obstacles)
        if not _inside(box, frame):
            score += 1e6
        if best is None or score < best[0]:
            best = (score, i)
        if score == 0:
            break
    assert best is not None
    x, y, ha, va = ANCHORS[best[1]]
    artist.set_position((x, y))
    artist.set_horizontalalignment(ha)
    artist.set_verticalalignment(va)
    return artist


def _obstacles(ax: Axes, renderer: Any) -> tuple[list[Any], np.ndarray, list[Bbox]]:
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


def _overlap(box: Bbox, obstacles: tuple[list[Any], np.ndarray, list[Bbox]]) -> float:
    paths, points, boxes = obstacles
    score = float(sum(path.intersects_bbox(box, filled=False) for path in paths))
    score += float(box.count_contains(points)) if len(points) else 0.0
    score += float(box.count_overlaps(boxes)) if boxes else 0.0
    return score


def _inside(box: Bbox, frame: Bbox) -> bool:
    return box.x0 >= frame.x0 and box.y0 >= frame.y0 and box.x1 <= frame.x1 and box.y1 <= frame.y1
