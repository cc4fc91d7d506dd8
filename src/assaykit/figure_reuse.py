"""Figure reuse in a batch: a figure that has been written is cleared and drawn on again.

A batch of figures of one kind (a thousand competition curves) builds the same figure, axes, tick objects
and text measurements again for every figure. Inside :func:`reusing_figures`, a figure that
:func:`assaykit.plotting.save_figure` has written is cleared with ``Axes.clear`` (artists, legend, titles,
labels, scales, limits, the colour cycle) but keeps its tick objects, canvas and renderer (whose
text-size cache the next figure hits) for the next reusable figure of its size; one changed where
``Axes.clear`` does not reach is closed instead. The files are byte for byte those of new figures
(``tests/test_figure_layout.py``).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from assaykit.figure_layout import layout_engine

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["adopt", "give_back", "release_figures", "reusing_figures", "take_figure"]

#: Free figures of this process by size in inches, while reuse is on (dropped in a forked child).
_FREE: dict[tuple[float, float], list[Figure]] = {}
_REUSE: contextvars.ContextVar[bool] = contextvars.ContextVar("assaykit_reuse_figures", default=False)
_SNAPSHOT = "_assaykit_reuse_state"

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_FREE.clear)


@contextlib.contextmanager
def reusing_figures() -> Iterator[None]:
    """Inside the block, :func:`assaykit.plotting.reusable_figure` may hand out a figure used before.

    Figures that :func:`assaykit.plotting.save_figure` has written are cleared and kept (one list per
    size, for this process) until :func:`release_figures`. Use it around a batch of figures drawn by one
    plot function, whose output is the same as with a new figure each (tested byte for byte).
    """
    token = _REUSE.set(True)
    try:
        yield
    finally:
        _REUSE.reset(token)


def release_figures() -> None:
    """Drop the figures kept for reuse in this process."""
    figures = [fig for free in _FREE.values() for fig in free]
    _FREE.clear()
    for fig in figures:
        fig.clear()


def take_figure(width: float, height: float) -> Figure | None:
    """Return a free figure of ``width`` x ``height`` inches inside :func:`reusing_figures`, else None."""
    if not _REUSE.get():
        return None
    free = _FREE.get((float(width), float(height)))
    return free.pop() if free else None


def adopt(fig: Figure) -> None:
    """Mark a new figure of one axes as reusable (inside :func:`reusing_figures`): record its state."""
    if _REUSE.get():
        setattr(fig, _SNAPSHOT, _state(fig))


def give_back(fig: Figure) -> bool:
    """Clear a figure that was written and keep it for reuse; False when it cannot be reused.

    Call it with the house style active (Axes.clear reads the rcParams). The figure returns to the state
    :func:`assaykit.plotting.new_figure` gives (its one axes cleared, 100 dpi, the subplot parameters
    and the fast layout of a new figure), keeping its tick objects when no tick parameter was changed.
    """
    before = getattr(fig, _SNAPSHOT, None)
    if before is None or not _REUSE.get() or len(fig.axes) != 1 or _state(fig)[1:] != before[1:]:
        return False
    (ax,) = fig.axes
    axes = ax._axis_map.values()
    ticks = [(axis, axis.__dict__.get("majorTicks"), axis.__dict__.get("minorTicks")) for axis in axes]
    ax.clear()
    from matplotlib.transforms import Bbox, TransformedBbox

    # what Axis.set_clip_path(ax.patch) sets on each tick and its grid line, computed once
    clip = TransformedBbox(Bbox.unit(), ax.patch.get_transform())
    for axis, major, minor in ticks:  # the ticks are updated (places, labels) when the axis is drawn
        for kept, name in ((major, "majorTicks"), (minor, "minorTicks")):
            if kept is not None:
                setattr(axis, name, kept)
                for tick in kept:
                    tick.set_clip_box(clip)
                    tick.gridline.set_clip_box(clip)
    fig.set_dpi(100)
    fig.subplots_adjust(**before[0])
    fig.set_layout_engine(layout_engine()())
    _FREE.setdefault(tuple(float(v) for v in fig.get_size_inches()), []).append(fig)
    return True


def _state(fig: Figure) -> tuple[Any, ...]:
    """Return the subplot parameters, then what a plot may change that Axes.clear does not reset.

    For a figure of one axes: figure texts, legends and artists, colours, the axes' aspect, frame and
    spines, tick parameters (the tick objects are kept), insets.
    """
    (ax,) = fig.axes
    params = {k: getattr(fig.subplotpars, k) for k in ("left", "right", "bottom", "top", "wspace", "hspace")}
    figure = (
        tuple(fig.get_size_inches()),
        fig.get_facecolor(),
        fig.get_edgecolor(),
        fig.get_frameon(),
        [len(getattr(fig, name)) for name in ("texts", "legends", "lines", "patches", "images", "artists")],
        len(fig.subfigs),
        tuple(getattr(fig, name, None) is not None for name in ("_suptitle", "_supxlabel", "_supylabel")),
    )
    axes = (
        ax.get_subplotspec() is not None and ax.get_subplotspec().get_geometry(),
        ax.get_facecolor(),
        ax.get_aspect(),
        ax.get_adjustable(),
        ax.get_anchor(),
        ax.get_box_aspect(),
        ax.get_axisbelow(),
        ax.get_frame_on(),
        ax.get_zorder(),
        ax.get_alpha(),
        ax.get_visible(),
        ax.get_in_layout(),
        bool(ax.child_axes),
        tuple(
            (axis.get_visible(), dict(axis._major_tick_kw), dict(axis._minor_tick_kw))
            for axis in ax._axis_map.values()
        ),
        tuple(
            (name, s.get_visible(), s.get_linewidth(), tuple(s.get_edgecolor()), s.get_bounds())
            for name, s in ax.spines.items()
        ),
    )
    return params, figure, axes
