"""The colours and scales of the track figure, and the posture marks drawn on it.

Chosen so that the path stays readable on every zone: the zones are pale fills (each of relative
luminance 0.6 or more) and the path is a dark blue whose contrast ratio with each fill is at least
:data:`MIN_CONTRAST` (the WCAG 2 ratio of relative luminances, which the tests check); the kinds differ in
hue (warm for the aversive, lit parts, cool for the sheltered ones) as well as in lightness. The occupancy
heat map uses a logarithmic colour scale (:func:`heat_norm`), so that the bin where the animal was placed
and sat does not take the top of the scale alone and leave the rest of the path at its bottom.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Normalize

#: Fill of each zone kind in the trajectory panel: a pale warm tint for the aversive, lit compartments, pale
#: cool greys for the sheltered ones and the centre (readable in greyscale and with colour-vision deficiency).
ZONE_FILLS: dict[str, str] = {
    "open": "#FBE3BF",  # pale orange (Okabe-Ito orange, lightened)
    "light": "#FBE3BF",
    "closed": "#C9D3DE",  # pale blue-grey
    "dark": "#C9D3DE",
    "center": "#EFEFEF",  # very pale grey
}
#: Fill of a kind a preset may define that :data:`ZONE_FILLS` does not know.
OTHER_FILL = "#E2E2E2"
#: The path's colour: a dark blue (Okabe-Ito blue, darkened).
PATH_COLOUR = "#08306B"
#: The least contrast ratio (WCAG 2) of the path's colour with every zone fill.
MIN_CONTRAST = 4.5

#: Posture marks: ``posture -> (marker, face colour, legend label)``; edges are black.
POSTURE_MARKS: dict[str, tuple[str, str, str]] = {
    "head_dip": ("v", "#CC79A7", "head dip"),  # reddish purple triangle pointing down, over the edge
    "stretched_attend": ("D", "#E69F00", "stretched-attend"),  # orange diamond
}
_OTHER_MARK = ("X", "#009E73", "")

#: The colour map of the heat map (light for little time, dark for much).
HEAT_CMAP = "magma_r"


def relative_luminance(colour: str) -> float:
    """Return the WCAG 2 relative luminance of a colour (0 for black, 1 for white)."""
    from matplotlib.colors import to_rgb

    channels = np.asarray(to_rgb(colour), dtype=float)
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(np.dot([0.2126, 0.7152, 0.0722], linear))


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG 2 contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def heat_norm(time_per_bin: np.ndarray) -> Normalize:
    """Return the colour scale of the heat map: logarithmic from the least to the most time in a bin.

    A session often starts with the animal sitting still where it was placed, so the start bin holds
    tens of seconds while the bins of the path hold a frame or two each: on a linear scale the start bin
    takes the top colour and the whole path the bottom one. On a log scale each factor of time is the same
    step of colour, so the path stays visible beside the start bin. Empty bins are not on the scale (left
    white). The scale runs from the smallest non-zero time to the largest (a tenth of it when every bin
    holds the same time); with no time at all, a linear 0-1 scale.
    """
    from matplotlib.colors import LogNorm, Normalize

    occupied = time_per_bin[time_per_bin > 0]
    if not occupied.size:
        return Normalize(vmin=0.0, vmax=1.0)
    low, high = float(occupied.min()), float(occupied.max())
    if not low < high:
        low = high / 10.0
    return LogNorm(vmin=low, vmax=high)


def log_colorbar_ticks(colorbar: object) -> None:
    """Tick a logarithmic colour bar at 1, 2 and 5 of each decade, labelled as plain numbers (0.1, 2, 50)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis = colorbar.ax.yaxis  # type: ignore[attr-defined]
    axis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def draw_postures(ax: Axes, postures: Mapping[str, tuple[np.ndarray, np.ndarray]] | None) -> list:
    """Mark each posture event at its position (gid ``posture:<name>``); return the legend handles.

    ``postures`` maps a posture (``head_dip``, ``stretched_attend``) to the x and y of its events
    (:func:`assaykit.tracking.figures.posture_positions`). A posture without events gets no mark and no
    legend entry; events without a position are left out.
    """
    handles = []
    for name, (xs, ys) in (postures or {}).items():
        xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        keep = np.isfinite(xs) & np.isfinite(ys)
        if not keep.any():
            continue
        marker, colour, label = POSTURE_MARKS.get(name, _OTHER_MARK)
        count = int(keep.sum())
        (line,) = ax.plot(
            xs[keep],
            ys[keep],
            linestyle="none",
            marker=marker,
            markersize=6.0,
            markerfacecolor=colour,
            markeredgecolor="black",
            markeredgewidth=0.6,
            zorder=6,
            label=f"{label or name.replace('_', ' ')} ({count})",
        )
        line.set_gid(f"posture:{name}")
        handles.append(line)
    return handles
