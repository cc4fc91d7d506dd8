"""The one-pass layout's log-axis minor ticks (marks where matplotlib puts its ticks), and figure reuse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib import markers

from assaykit import figure_layout, figure_reuse, plotting
from assaykit.binding.plots import plot_competition
from assaykit.figure_jobs import FigureJob, draw_figures, figure_bytes, figures_bytes
from assaykit.plotting import house_style, new_figure, save_figure


def _log_figure():
    with house_style():
        fig, ax = new_figure()
        ax.plot(10.0 ** np.linspace(-11, -5, 13), np.linspace(3000, 200, 13), "o")
        ax.set_xscale("log")
        ax.set_xlim(10**-11.5, 10**-4.5)
    return fig, ax


def test_minor_ticks_become_marks_at_every_two_to_nine_times_a_power_of_ten(tmp_path: Path) -> None:
    fig, ax = _log_figure()
    figure_layout.settle_layout(fig, 100)
    (marks,) = [line for line in ax.get_lines() if line.get_marker() == markers.TICKDOWN]
    low, high = ax.get_xlim()
    want = [m * 10.0**k for k in range(-12, -3) for m in range(2, 10) if low <= m * 10.0**k <= high]
    np.testing.assert_allclose(marks.get_xdata(), want, rtol=1e-12)
    assert np.all(np.asarray(marks.get_ydata()) == 0)  # on the axis line (x data, y axes coordinates)
    assert ax.xaxis.get_minorticklocs().size == 0  # and no Tick objects any more
    assert marks.get_markersize() > 0 and marks.get_clip_on() is False


def test_linear_axes_and_inward_ticks_keep_their_ticks() -> None:
    with house_style():
        fig, ax = new_figure()
        ax.plot([1, 2, 3], [1, 4, 9])
        ax.yaxis.set_tick_params(which="minor", direction="in")
        ax.set_yscale("log")
    figure_layout.settle_layout(fig, 100)
    assert not [line for line in ax.get_lines() if line.get_marker() == markers.TICKDOWN]
    (marks,) = [line for line in ax.get_lines() if line.get_marker() == markers.TICKRIGHT]  # inward: right
    assert len(marks.get_ydata()) > 0


# Figure reuse: a batch of competition curves draws each on the figure the one before used, cleared.


def _tubes(seed: int, log_ic50: float, *, outlier: bool = False) -> pd.DataFrame:
    x = np.repeat(np.linspace(-11.0, -5.0, 11), 3)
    noise = np.random.default_rng(seed).normal(0.0, 60.0, x.size)
    points = pd.DataFrame({"log_conc_M": x, "signal": 250 + 2800 / (1 + 10 ** (x - log_ic50)) + noise})
    if outlier:
        points["outlier"] = np.arange(x.size) == 7
    return points


def _two_sites(grid: np.ndarray) -> np.ndarray:
    return 250 + 1400 / (1 + 10 ** (grid + 9.5)) + 1400 / (1 + 10 ** (grid + 6.5))


ONE_SITE = {"top": 3050.0, "bottom": 250.0, "hill_slope": -1.0, "log_ic50": -8.1, "ki_nM": 4.8}
#: Curves unlike each other in everything a figure holds: titles, legends, scales, limits, text boxes.
CURVES = {
    "A": FigureJob(plot_competition, (_tubes(1, -8.1), ONE_SITE), {"title": "A", "total_mean": 3100.0}),
    "B": FigureJob(
        plot_competition,
        (_tubes(2, -8.0, outlier=True), {**ONE_SITE, "model": "two-site", "curves": {"fit": _two_sites}}),
        {
            "title": "B (two sites)",
            "total_mean": 3100.0,
            "nsb_mean": 240.0,
            "y_axis": "percent",
        },
    ),
    "C": FigureJob(plot_competition, (_tubes(3, -7.0).iloc[:12], dict.fromkeys(ONE_SITE, np.nan)), {}),
    "D": FigureJob(plot_competition, (_tubes(4, -9.0), ONE_SITE), {"signal_unit": "dpm"}),
}
CURVES["B"].args[1]["annotation"] = "IC$_{50}$ hi = 0.3 nM\nIC$_{50}$ lo = 300 nM\nfraction hi = 0.50"
CURVES["B"].args[1]["marks"] = {"IC$_{50}$ hi": -9.5, "IC$_{50}$ lo": -6.5}


def test_a_reused_figure_draws_what_a_new_one_draws(tmp_path: Path, monkeypatch) -> None:
    order = ["A", "B", "C", "D", "A"]
    new = []
    monkeypatch.setattr(plotting, "new_figure", lambda *a: new.append(a) or new_figure(*a))
    batch = draw_figures([CURVES[k] for k in order], [tmp_path / f"{i}{k}.png" for i, k in enumerate(order)])
    assert len(new) == 1  # one figure drew them all, in this process (fewer jobs than a pool needs)
    for path, key in zip(batch, order, strict=True):
        fresh = CURVES[key].draw(tmp_path / f"fresh_{path.name}")  # a new figure each
        assert path.read_bytes() == fresh.read_bytes(), key
    assert batch[0].read_bytes() == batch[-1].read_bytes()
    assert len(new) == 1 + len(order) and not figure_reuse._FREE  # released after the batch


def test_thumbnails_of_reused_figures_are_those_of_new_figures() -> None:
    order = ["B", "A", "C", "B"]
    thumbs = figures_bytes([CURVES[k] for k in order])
    assert thumbs == [figure_bytes(CURVES[k]) for k in order]


def _twin(fig: Any, ax: Any) -> None:
    ax.twinx()


def _colour_bar(fig: Any, ax: Any) -> None:
    from matplotlib.cm import ScalarMappable

    fig.colorbar(ScalarMappable(), ax=ax)


@pytest.mark.parametrize(
    "change",
    [
        _twin,
        _colour_bar,
        lambda fig, ax: fig.suptitle("all"),
        lambda fig, ax: ax.spines["top"].set_visible(True),
        lambda fig, ax: ax.tick_params(labelrotation=45),
        lambda fig, ax: ax.set_facecolor("#eeeeee"),
        lambda fig, ax: ax.set_aspect(2.0),
    ],
)
def test_a_figure_changed_beyond_its_axes_is_not_reused(tmp_path: Path, change: Any) -> None:
    try:
        with figure_reuse.reusing_figures(), house_style():
            fig, ax = plotting.reusable_figure()
            change(fig, ax)
            save_figure(fig, tmp_path / "changed.png")
            other, ax = plotting.reusable_figure()
            assert other is not fig
            ax.plot([1, 2], [3, 4])
            ax.set(xscale="log", xlim=(1, 2), title="t")
            ax.legend(["l"])
            save_figure(other, tmp_path / "plain.png")
            again, ax = plotting.reusable_figure()  # the plain figure is reused, and as new
        assert again is other
        assert (ax.get_xscale(), ax.get_xlim(), ax.get_title()) == ("linear", (0, 1), "")
        assert ax.get_legend() is None and not (ax.lines or ax.texts or ax.collections or ax.patches)
        assert again.dpi == 100 and isinstance(again.get_layout_engine(), figure_layout.layout_engine())
        with house_style():
            assert not ax.spines["top"].get_visible() and ax.get_facecolor() == (1.0, 1.0, 1.0, 1.0)
    finally:
        figure_reuse.release_figures()


def test_outside_a_batch_every_figure_is_new(tmp_path: Path) -> None:
    fig, _ = plotting.reusable_figure()
    save_figure(fig, tmp_path / "a.png")
    assert plotting.reusable_figure()[0] is not fig and not figure_reuse._FREE


# PNG files encoded from the figure's pixels: what matplotlib's PNG holds, in fewer bytes.


@pytest.mark.parametrize("isal", [True, False])
def test_a_png_holds_the_pixels_resolution_and_text_of_matplotlibs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isal: bool
) -> None:
    import sys

    import matplotlib.image
    from PIL import Image

    if not isal:
        monkeypatch.setitem(sys.modules, "isal", None)  # import fails: zlib's deflate
    for key in ("A", "B"):
        ours = CURVES[key].draw(tmp_path / f"ours_{key}.png")
        with monkeypatch.context() as m:
            m.setattr(plotting, "rgba_pixels", lambda fig, dpi: None)  # matplotlib's savefig, with Pillow
            theirs = CURVES[key].draw(tmp_path / f"theirs_{key}.png")
        assert np.array_equal(matplotlib.image.imread(ours), matplotlib.image.imread(theirs))
        with Image.open(ours) as a, Image.open(theirs) as b:
            assert (a.mode, a.size, a.info) == (b.mode, b.size, b.info)
            assert a.info["dpi"] == pytest.approx((200, 200), abs=0.01)
            assert np.array_equal(np.asarray(a), np.asarray(b))
        assert ours.stat().st_size < theirs.stat().st_size


def test_a_reused_figure_clips_its_grid_lines_as_a_new_one(tmp_path: Path) -> None:
    def draw(path: Path, grid: bool) -> bytes:
        with house_style():
            fig, ax = plotting.reusable_figure()
            ax.plot([0.5, 2.5], [-1.0, 3.0], clip_on=False)
            ax.set(xscale="log", xlim=(1, 2), ylim=(0, 2))
            if grid:
                ax.grid(True, which="both", lw=4)
            save_figure(fig, path)
        return path.read_bytes()

    fresh = draw(tmp_path / "fresh.png", True)
    try:
        with figure_reuse.reusing_figures():
            draw(tmp_path / "first.png", False)
            assert draw(tmp_path / "reused.png", True) == fresh
    finally:
        figure_reuse.release_figures()


def test_a_constrained_layout_figure_is_drawn_once_as_for_matplotlibs_png(tmp_path: Path) -> None:
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    def figure() -> Figure:  # the layout moves each time it is drawn: a second draw shows
        fig = Figure(figsize=(6.4, 3.6), dpi=100, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.plot([1, 2, 3], [3, 1, 2], label="a long label of a compound")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
        return fig

    theirs = io.BytesIO()
    figure().savefig(theirs, format="png", dpi=plotting.DPI, facecolor="white")
    ours = save_figure(figure(), tmp_path / "ours.png")
    with Image.open(ours) as a, Image.open(theirs) as b:
        assert a.size == b.size == (1280, 720)
        assert np.array_equal(np.asarray(a), np.asarray(b))


def test_a_figure_that_fails_while_drawn_is_cleared_and_the_error_goes_on() -> None:
    with house_style():
        fig, ax = new_figure()
        ax.plot([1, 2], [3, 4])
        with plotting.cleared_on_error(fig):  # drawn whole: left as it is
            ax.set_title("kept")
        assert fig.axes == [ax] and ax.get_title() == "kept"
        with pytest.raises(ZeroDivisionError), plotting.cleared_on_error(fig):
            ax.set_title("half drawn")
            _ = 1 / 0
        assert fig.axes == []
