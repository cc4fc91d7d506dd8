"""The house style shared by every assaykit plot, and atomic figure output.

Figures are built from :class:`matplotlib.figure.Figure` with an Agg canvas, never through
``matplotlib.pyplot``: nothing leaks into pyplot's figure list or the user's backend (notebooks keep
theirs), and plotting works without a display. matplotlib is imported inside the functions, so importing
this module (and the command line) stays fast.

Speed: a figure is drawn once. :func:`new_figure` lays it out with :func:`.fit_layout` (one measuring pass
of the axes decorations when the figure is drawn, where constrained layout makes two and a tight bounding
box at save time draws the figure twice), and its canvas shares one mathtext parser between figures, so
that the ``10^-9`` labels of a log axis are parsed once per process, not once per figure (matplotlib keeps
a parser, and its cache, per renderer). In the batches of :mod:`assaykit.figure_jobs`,
:func:`reusable_figure` draws each figure on the cleared figure of the one before, and :func:`save_figure`
encodes a PNG from the figure's pixels (:func:`.encode_png`). Together they take a competition curve from
about 0.26 s to about 0.085 s of CPU (``benchmarks/bench_figures.py``).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assaykit.errors import AssayInputError
from assaykit.figure_layout import canvas_class, encode_png, layout_engine, rgba_pixels, settle_layout
from assaykit.figure_reuse import adopt, give_back, take_figure
from assaykit.io.writers import atomic_path

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Colour-blind-safe palette (Okabe & Ito 2008), in the order plots use it.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

#: matplotlib rc settings of the house style, applied only inside :func:`house_style` (which also sets the
#: colour cycle to :data:`PALETTE`).
HOUSE_STYLE: dict[str, Any] = {
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "normal",
    "axes.labelsize": 10.0,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "xtick.labelsize": 9.0,
    "ytick.labelsize": 9.0,
    "xtick.direction": "out",
    "ytick.direction": "out",
    "xtick.major.width": 0.8,
    "ytick.major.width": 0.8,
    "xtick.minor.width": 0.6,
    "ytick.minor.width": 0.6,
    "lines.linewidth": 1.5,
    "lines.markersize": 5.0,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "legend.handlelength": 1.8,
    "mathtext.default": "regular",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.dpi": 200,
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}

#: Resolution of saved raster figures, dots per inch.
DPI = 200

#: The resolution :func:`save_figure` uses in this context (None: :data:`DPI`); set with :func:`figure_dpi`.
_DPI: contextvars.ContextVar[int | None] = contextvars.ContextVar("assaykit_figure_dpi", default=None)


#: Where :func:`save_figure` puts a PNG figure's pixels instead of writing it (see :func:`captured_pixels`).
_PIXELS: contextvars.ContextVar[list[tuple[bytes, tuple[int, int], int]] | None] = contextvars.ContextVar(
    "assaykit_figure_pixels", default=None
)

#: Figure formats :func:`save_figure` writes, chosen by the file extension.
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")

_UNSAFE = re.compile(r"[^\w.+-]+")
_STEREO = {"(+)": "(plus)", "(-)": "(minus)", "(−)": "(minus)", "(±)": "(rac)", "(+/-)": "(rac)"}
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Apply the house style to the figures and artists created inside the block.

    It uses :func:`matplotlib.rc_context`, so the user's ``rcParams`` are restored on exit. Wrap the whole
    drawing code in it: matplotlib reads most settings (line widths, legend font size) when an artist is
    created, not when the figure is.

    Yields
    ------
    None
        The block runs with the house style active.

    Examples
    --------
    >>> from assaykit.plotting import house_style, new_figure
    >>> with house_style():
    ...     fig, ax = new_figure()
    ...     _ = ax.plot([1, 2], [3, 4], label="data")
    ...     _ = ax.legend()
    """
    import matplotlib as mpl
    from cycler import cycler

    rc = dict(HOUSE_STYLE)
    rc["axes.prop_cycle"] = cycler(color=list(PALETTE))
    # matplotlib >= 3.10 types rc keys as a Literal of every known name; plain str keys are fine at run time.
    with mpl.rc_context(rc):  # type: ignore[arg-type,unused-ignore]
        yield


@contextlib.contextmanager
def figure_dpi(dpi: int | None) -> Iterator[None]:
    """Save raster figures at ``dpi`` dots per inch inside the block (None keeps :data:`DPI`).

    Report thumbnails use it: a figure drawn for a page on screen needs fewer pixels than one for print.
    """
    if dpi is not None and not (isinstance(dpi, int) and dpi > 0):
        raise ValueError(f"dpi must be a positive whole number, got {dpi!r}")
    token = _DPI.set(dpi)
    try:
        yield
    finally:
        _DPI.reset(token)


@contextlib.contextmanager
def captured_pixels() -> Iterator[list[tuple[bytes, tuple[int, int], int]]]:
    """Inside the block, :func:`save_figure` keeps a PNG figure's pixels instead of writing the file.

    For report thumbnails, which are re-encoded with a palette: the RGBA pixels the PNG would hold, its
    ``(width, height)`` and dpi are appended to the list yielded, and no file is written.
    """
    pixels: list[tuple[bytes, tuple[int, int], int]] = []
    token = _PIXELS.set(pixels)
    try:
        yield pixels
    finally:
        _PIXELS.reset(token)


def new_figure(width: float = 4.5, height: float = 3.4) -> tuple[Figure, Axes]:
    """Create a figure with one axes in the house style, outside pyplot.

    Parameters
    ----------
    width, height
        Figure size in inches. The default suits one column of a journal page.

    Returns
    -------
    tuple of (matplotlib.figure.Figure, matplotlib.axes.Axes)
        The figure (with an Agg canvas and the one-pass layout of :func:`.fit_layout`) and its axes.

    Raises
    ------
    ValueError
        When ``width`` or ``height`` is not a positive number.

    Notes
    -----
    The figure is not registered with pyplot, so ``plt.show()`` does not see it and it needs no
    ``plt.close``; write it with :func:`save_figure`. Settings that matplotlib reads when an artist is
    drawn (for example a legend's font size) come from the rcParams active at that time; draw inside
    :func:`house_style` to get all of the style.
    """
    for name, value in (("width", width), ("height", height)):
        if not (isinstance(value, int | float) and value > 0):
            raise ValueError(f"{name} must be a positive number of inches, got {value!r}")
    with house_style():
        fig = blank_figure(width, height)
        ax = fig.add_subplot()
    return fig, ax


def reusable_figure(width: float = 4.5, height: float = 3.4) -> tuple[Figure, Axes]:
    """Return :func:`new_figure`, or inside :func:`.reusing_figures` a figure of the size used before.

    For the batches of :mod:`assaykit.figure_jobs` (a thousand competition curves): a figure written with
    :func:`save_figure` is cleared and handed out again, with its tick objects and its renderer's text
    measurements, which a new figure would build again (the output is the same). Use it in a plot function
    that draws on the one axes and writes the figure with :func:`save_figure`; a figure changed in a way
    that clearing its axes does not undo (another axes, figure texts, spines, tick parameters) is not
    reused. Outside :func:`.reusing_figures` it is :func:`new_figure`.
    """
    fig = take_figure(width, height)
    if fig is not None:
        return fig, fig.axes[0]
    fig, ax = new_figure(width, height)
    adopt(fig)
    return fig, ax


@contextlib.contextmanager
def cleared_on_error(fig: Figure) -> Iterator[Figure]:
    """Clear ``fig`` when drawing it fails, then let the error go on.

    A figure that could not be drawn whole is never saved; clearing it frees what was drawn (and leaves a
    figure of the reuse pool, :func:`reusable_figure`, empty for its next use).
    """
    try:
        yield fig
    except BaseException:
        fig.clear()
        raise


def blank_figure(width: float, height: float) -> Figure:
    """Return an empty figure of ``width`` x ``height`` inches with the fast layout and canvas.

    For figures of several panels: add them with ``fig.subplots(1, 2)`` (any grid of subplots), titles
    with ``fig.suptitle``, ``fig.supxlabel`` and ``fig.legend(loc="outside ...")``; :func:`.fit_layout`
    makes room for all of them when the figure is drawn. Call it inside :func:`house_style`.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(float(width), float(height)), dpi=100, layout=layout_engine()())
    canvas_class()(fig)
    return fig


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write a figure whole or not at all, then close it.

    Parameters
    ----------
    fig
        The figure to write, usually from :func:`new_figure`.
    path
        Output file; ``.png`` (200 dpi, or as set by :func:`figure_dpi`), ``.pdf`` or ``.svg``. Its
        folder must exist.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    AssayInputError
        When the extension is not a figure format, the folder does not exist or the file cannot be
        written. No partial file is left at ``path``, and an earlier file there is kept.

    Notes
    -----
    The figure is closed even when writing fails: its artists are cleared and, if it was made with
    pyplot, it is removed from pyplot's figure list.
    """
    path = Path(path)
    try:
        suffix = path.suffix.lower()
        if suffix not in FIGURE_SUFFIXES:
            expected = ", ".join(FIGURE_SUFFIXES)
            raise AssayInputError(
                f"unknown figure format '{suffix or path.name}'; expected one of {expected}", path=path
            )
        dpi = _DPI.get() or DPI
        settle_layout(fig, dpi)
        drawn = rgba_pixels(fig, dpi) if suffix == ".png" else None
        pixels = _PIXELS.get()
        if drawn is not None and pixels is not None:
            pixels.append((*drawn, dpi))
            return path
        with atomic_path(path) as tmp:
            try:
                if drawn is not None:
                    Path(tmp).write_bytes(encode_png(*drawn, dpi))
                else:
                    fig.savefig(tmp, format=suffix[1:], dpi=dpi, facecolor="white")
            except OSError as exc:
                message = f"could not write the figure ({exc.strerror or exc})"
                raise AssayInputError(message, path=path) from exc
    finally:
        _release(fig)
    return path


def zero_based_limits(values: np.ndarray) -> tuple[float, float]:
    """Return axis limits that start at zero (unless values are negative) with 8% headroom above.

    Binding is read against zero (a bar or a plateau looks twice as high on an axis that starts at half of
    it), so the axis starts there; below zero it goes 5% of the span lower. NaN and infinite values are
    left out; none at all gives ``(0, 1)``.
    """
    values = values[np.isfinite(values)]
    if not values.size:
        return 0.0, 1.0
    low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
    span = high - low or 1.0
    return (low - 0.05 * span if low < 0 else 0.0), high + 0.08 * span


def require_columns(points: Any, columns: tuple[str, ...] | list[str]) -> None:
    """Raise ValueError when the table ``points`` to plot lacks any of ``columns`` (named in the message)."""
    missing = [c for c in columns if c not in points.columns]
    if missing:
        raise ValueError(f"points is missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")


def safe_filename(name: str, *, max_length: int = 100) -> str:
    """Turn a free-text name (a compound, a plate, an animal) into a portable file name stem.

    Runs of characters other than letters, digits, ``.``, ``+``, ``-`` and ``_`` become one ``_``; stereo
    prefixes keep their meaning (``(+)`` -> ``plus``, ``(-)`` -> ``minus``, ``(±)`` -> ``rac``) so that the
    two enantiomers of a compound do not get the same file. Letters outside ASCII (``β-CCM``) are kept.

    Parameters
    ----------
    name
        The name to convert.
    max_length
        The longest stem returned, in characters.

    Returns
    -------
    str
        A non-empty stem without path separators, usable on Windows, macOS and Linux. Add the extension
        yourself. Different names can still give the same stem (``"a b"`` and ``"a/b"``).

    Examples
    --------
    >>> safe_filename("Ro 15-1788/flumazenil")
    'Ro_15-1788_flumazenil'
    >>> safe_filename("(-)-bicuculline methiodide")
    'minus-bicuculline_methiodide'
    >>> safe_filename("../../etc")
    'etc'
    """
    text = unicodedata.normalize("NFC", str(name)).strip()
    for stereo, word in _STEREO.items():
        text = text.replace(stereo, word)
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"[_-]*-[_-]*", "-", re.sub(r"_{2,}", "_", text)).strip("._-+ ")
    text = text[:max_length].rstrip("._-+ ")
    if not text:
        return "unnamed"
    head, dot, rest = text.partition(".")
    if head.upper() in _WINDOWS_RESERVED:  # "CON", "com1.x" cannot be file names on Windows
        text = f"{head}_{dot}{rest}"
    return text


def unique_stems(names: Sequence[str]) -> list[str]:
    """Return one portable stem per name, distinct even on a case-insensitive file system (``_2``, ...)."""
    seen: set[str] = set()
    stems = []
    for name in names:
        stem = base = safe_filename(str(name))
        n = 1
        while stem.casefold() in seen:
            n += 1
            stem = f"{base}_{n}"
        seen.add(stem.casefold())
        stems.append(stem)
    return stems


def _release(fig: Figure) -> None:
    """Keep a written figure for :func:`reusable_figure` when it may be reused, else close it."""
    try:
        with house_style():
            kept = give_back(fig)
    except Exception:  # a figure that cannot be cleared is not reused
        kept = False
    if not kept:
        _close(fig)


def _close(fig: Figure) -> None:
    """Release a figure: drop it from pyplot if pyplot made it (never importing pyplot), then clear it."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    manager = getattr(fig.canvas, "manager", None)
    if pyplot is not None and manager is not None:
        pyplot.close(fig)
    fig.clear()
