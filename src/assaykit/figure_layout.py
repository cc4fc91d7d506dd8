"""The fast figures of assaykit: one measuring pass, one draw, reused figures, a quick PNG encoder.

Constrained layout measures a figure's decorations twice, and ``savefig`` draws a figure that has a layout
engine once without rendering before the real draw, so every figure was drawn twice. :func:`fit_layout`
measures the axes' labels, titles and legends once and gives each grid row and column the room they take
(the same :data:`LAYOUT_PAD` as constrained layout); :func:`settle_layout` lays the figure out at the
resolution it is saved at and detaches the engine, so that saving draws it once. The canvas of
:func:`assaykit.plotting.new_figure` shares :func:`shared_mathtext` between figures, so that a log axis's
``10^-9`` labels are parsed once per process, not once per figure (matplotlib keeps a parser, and its
cache, per renderer). In a batch (:func:`assaykit.figure_reuse.reusing_figures`) a written figure is
cleared and drawn on again, and :func:`encode_png` writes the pixels of a PNG in a fortieth of Pillow's time.
``benchmarks/bench_figures.py`` measures the gain.
"""

from __future__ import annotations

import functools
import os
import struct
import zlib
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "LAYOUT_PAD",
    "canvas_class",
    "encode_png",
    "fit_layout",
    "layout_engine",
    "settle_layout",
    "shared_mathtext",
]

#: Space kept around a figure's contents and between its parts by :func:`fit_layout`, in points.
LAYOUT_PAD = 3.0


def fit_layout(fig: Figure) -> None:
    """Place a figure's subplots so that their labels, titles and legends fit, in one measuring pass.

    The figure's own texts (``suptitle`` at the top, ``supxlabel`` at the bottom, ``supylabel`` at the
    left, figure legends placed ``"outside upper ..."`` or ``"outside lower ..."``) are stacked at the
    edges, :data:`LAYOUT_PAD` points apart; the subplots of the figure's grid fill the rest, each column
    and row given the room its widest tick labels, axis labels and titles take (measured once, as
    constrained layout measures them, but once instead of twice and without a solver). Axes that are not
    subplots (insets, colour bars made with ``inset_axes``) move with their parent. The layout engine of
    :func:`new_figure` calls it each time the figure is drawn, at the resolution being drawn.
    """
    renderer = fig._get_renderer()  # type: ignore[attr-defined]
    width, height = fig.bbox.width, fig.bbox.height
    pad = LAYOUT_PAD * fig.dpi / 72.0
    band = {"left": pad, "right": pad, "bottom": pad, "top": pad}
    for name, edge in (("_suptitle", "top"), ("_supxlabel", "bottom"), ("_supylabel", "left")):
        text = getattr(fig, name, None)
        if text is None or not text.get_visible() or not text.get_text() or not text.get_in_layout():
            continue
        x, y = text.get_position()
        if edge == "top":
            text.set_position((x, 1.0 - band["top"] / height))
        elif edge == "bottom":
            text.set_position((x, band["bottom"] / height))
        else:
            text.set_position((band["left"] / width, y))
        box = text.get_window_extent(renderer)
        band[edge] += (box.width if edge == "left" else box.height) + 2 * pad
    from matplotlib.transforms import Bbox

    for legend in fig.legends:
        where = getattr(legend, "_outside_loc", None)
        if where not in ("upper", "lower") or not legend.get_visible():
            continue
        top = band["top"] if where == "upper" else pad
        bottom = band["bottom"] if where == "lower" else pad
        legend.set_bbox_to_anchor(Bbox.from_extents(0.0, bottom, width, height - top))
        legend.borderaxespad = 0.0
        band["top" if where == "upper" else "bottom"] += legend.get_window_extent(renderer).height + pad
    _fit_subplots(fig, renderer, band, pad)


def _fit_subplots(fig: Figure, renderer: Any, band: dict[str, float], pad: float) -> None:
    """Set the subplot parameters so that each grid column and row has room for its decorations."""
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_subplotspec() is not None]
    if not axes:
        return
    nrows, ncols = axes[0].get_subplotspec().get_gridspec().get_geometry()
    need = {
        "left": np.zeros(ncols),
        "right": np.zeros(ncols),
        "bottom": np.zeros(nrows),
        "top": np.zeros(nrows),
    }
    for ax in axes:
        spec = ax.get_subplotspec()
        slot = ax.get_position(original=True).transformed(fig.transFigure)
        box = ax.get_tightbbox(renderer, for_layout_only=True)
        if box is None:
            continue
        for edge, index, room in (
            ("left", spec.colspan.start, slot.x0 - box.x0),
            ("right", spec.colspan.stop - 1, box.x1 - slot.x1),
            ("bottom", spec.rowspan.stop - 1, slot.y0 - box.y0),
            ("top", spec.rowspan.start, box.y1 - slot.y1),
        ):
            need[edge][index] = max(need[edge][index], room)
    width, height = fig.bbox.width, fig.bbox.height
    gap_x = float(np.max(need["right"][:-1] + need["left"][1:], initial=0.0)) + pad
    gap_y = float(np.max(need["bottom"][:-1] + need["top"][1:], initial=0.0)) + pad
    left, right, wspace = _fractions(
        band["left"] + need["left"][0], band["right"] + need["right"][-1], gap_x, ncols, width
    )
    bottom, top, hspace = _fractions(
        band["bottom"] + need["bottom"][-1], band["top"] + need["top"][0], gap_y, nrows, height
    )
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top, wspace=wspace, hspace=hspace)


def _fractions(low: float, high: float, gap: float, n: int, size: float) -> tuple[float, float, float]:
    """Subplot parameters (start, end, space) for margins and gaps in pixels along a side of ``size``.

    The panels keep at least a fifth of the figure however long the labels (the margins shrink in
    proportion): a squeezed plot is still seen, a vanished one is not.
    """
    room = low + high + (n - 1) * gap
    if size - room < 0.2 * size:
        scale = 0.8 * size / room
        low, high, gap = low * scale, high * scale, gap * scale
    span = (size - low - high - (n - 1) * gap) / n
    return low / size, 1.0 - high / size, gap / span


def settle_layout(fig: Figure, dpi: float) -> None:
    """Lay a figure of :func:`new_figure` out once, at ``dpi``, and fix it there for saving.

    ``savefig`` draws a figure that has a layout engine twice (once, without rendering, to lay it out;
    once to render it); this lays it out here, measuring with the renderer the saved raster draw then
    reuses (its text sizes are cached), and detaches the engine, so that saving draws it once. Figures
    with another layout engine, or none, are left as they are.
    """
    import matplotlib as mpl

    if not isinstance(fig.get_layout_engine(), layout_engine()):
        return
    fig.set_dpi(dpi)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                _minor_ticks_as_marks(ax, axis)
    fit_layout(fig)
    # None means "no engine" unless the user's rcParams ask for one by default
    with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)


def _minor_ticks_as_marks(ax: Any, axis: Any) -> None:
    """Draw a log axis's minor ticks as one line of tick markers instead of one Tick object each.

    matplotlib makes five artists for every tick (two marks, a grid line, two labels): the ~70 unlabelled
    minor ticks of an axis over eight decades cost a quarter of a figure's time. The marks drawn instead
    sit at the same places (the axis's own minor locator, within its limits) with the same length, width
    and colour as matplotlib's first minor tick, on the side the tick direction gives.
    """
    from matplotlib import markers
    from matplotlib.lines import Line2D
    from matplotlib.ticker import NullLocator

    low, high = sorted(axis.get_view_interval())
    values = [v for v in axis.get_minor_locator().tick_values(low, high) if low <= v <= high]
    tick = axis.get_minor_ticks(1)[0]
    line = tick.tick1line
    if not values or not tick.get_visible() or not line.get_visible():
        return
    horizontal = axis is ax.xaxis
    ends = (markers.TICKDOWN, markers.TICKUP) if horizontal else (markers.TICKLEFT, markers.TICKRIGHT)
    out = tick._tickdir in ("out", "inout")  # type: ignore[attr-defined]
    zeros = [0.0] * len(values)
    xy = (values, zeros) if horizontal else (zeros, values)
    transform = ax.get_xaxis_transform() if horizontal else ax.get_yaxis_transform()
    marks = Line2D(
        *xy,
        linestyle="none",
        marker=ends[0] if out else ends[1],
        markersize=line.get_markersize(),
        markeredgewidth=line.get_markeredgewidth(),
        color=line.get_color(),
        transform=transform,
        clip_on=False,
        zorder=2.5,
    )
    marks.set_in_layout(False)
    ax.add_artist(marks)
    axis.set_minor_locator(NullLocator())


@functools.cache
def layout_engine() -> type:
    """Return the layout engine class that runs :func:`fit_layout` (made on first use)."""
    from matplotlib.layout_engine import LayoutEngine

    class OnePassLayout(LayoutEngine):
        """Lay a figure out with :func:`fit_layout` each time it is drawn."""

        _adjust_compatible = True
        _colorbar_gridspec = True

        def execute(self, fig: Figure) -> None:
            fit_layout(fig)

    return OnePassLayout


@functools.cache
def shared_mathtext() -> Any:
    """Return one mathtext parser for every figure of this process, so that they share its cache."""
    from matplotlib.mathtext import MathTextParser

    return MathTextParser("path")


if hasattr(os, "register_at_fork"):
    # Parsed labels hold the parent's FreeType fonts, which matplotlib drops in a forked child (they are not
    # fork-safe): a worker starts with a parser of its own (the grammar, shared by the class, is kept).
    os.register_at_fork(after_in_child=shared_mathtext.cache_clear)


#: Deflate levels of :func:`encode_png`: ISA-L's (python-isal) where it is installed, else zlib's.
PNG_LEVELS = {"isal": 2, "zlib": 3}


def encode_png(rgba: bytes, size: tuple[int, int], dpi: float) -> bytes:
    """Return the PNG of ``size`` (width, height) 8-bit RGBA pixels, rows top first, at ``dpi``.

    What matplotlib's PNG holds (the pixels, the resolution, its ``Software`` text), encoded faster and
    smaller: Pillow tries five row filters on every row and deflates at zlib's level 6, about a fifth
    of a figure's time; the flat colours of a plot deflate well unfiltered, here with ISA-L's level 2
    (:data:`PNG_LEVELS`): in a fortieth of the time, about as many bytes (a competition curve 10% fewer, a
    track or group plot 2-5% more).
    """
    import matplotlib as mpl

    width, height = size
    rows = np.empty((height, 4 * width + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None
    rows[:, 1:] = np.frombuffer(rgba, dtype=np.uint8).reshape(height, 4 * width)
    try:
        from isal import isal_zlib

        data = isal_zlib.compress(rows.tobytes(), PNG_LEVELS["isal"])
    except ImportError:
        data = zlib.compress(rows.tobytes(), PNG_LEVELS["zlib"])
    ppm = int(dpi / 0.0254 + 0.5)  # pixels per metre, as Pillow rounds them
    software = f"Matplotlib version{mpl.__version__}, https://matplotlib.org/"
    chunks = (
        (b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
        (b"pHYs", struct.pack(">IIB", ppm, ppm, 1)),
        (b"tEXt", b"Software\0" + software.encode("latin-1")),
        (b"IDAT", data),
        (b"IEND", b""),
    )
    out = [b"\x89PNG\r\n\x1a\n"]
    for tag, body in chunks:
        out += [struct.pack(">I", len(body)), tag, body, struct.pack(">I", zlib.crc32(tag + body))]
    return b"".join(out)


def rgba_pixels(fig: Figure, dpi: float) -> tuple[bytes, tuple[int, int]] | None:
    """Draw a figure as ``savefig`` draws a PNG and return its RGBA pixels and (width, height).

    The figure is drawn once, as for a PNG (a constrained layout, which moves on each draw, ends where it
    would). None for a figure whose canvas is not Agg's (one of pyplot's, with another backend).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        return None
    sink = _Buffer()
    fig.savefig(sink, format="rgba", dpi=dpi, facecolor="white")
    height, width = sink.shape[:2]
    return sink.data, (width, height)


class _Buffer:
    """A file for Agg's ``print_raw``, which writes the renderer's buffer, shaped (height, width, 4), once."""

    shape: tuple[int, ...] = (0, 0, 4)
    data = b""

    def write(self, data: Any) -> int:
        view = memoryview(data)
        if self.data or view.ndim != 3:
            raise ValueError("expected one write of the renderer's RGBA buffer")
        self.shape, self.data = view.shape, view.tobytes()
        return view.nbytes

    def seek(self, offset: int, whence: int = 0) -> int:  # matplotlib takes a file by its seek method
        return 0


@functools.cache
def canvas_class() -> type:
    """Return an Agg canvas class whose renderers share :func:`shared_mathtext` (made on first use)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    class SharedMathCanvas(FigureCanvasAgg):
        """Agg canvas that parses each mathtext label once per process instead of once per figure."""

        def get_renderer(self) -> Any:
            renderer = super().get_renderer()
            renderer.mathtext_parser = shared_mathtext()
            return renderer

    return SharedMathCanvas
