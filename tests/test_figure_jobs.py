"""Figures drawn in a batch: the same files as the plain loop, in order, all or none; and the fast layout.

The layout tests render one figure of each kind (competition curve, saturation, track, group dot plot) and
check, from the renderer, that every text drawn lies inside the figure.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from PIL import Image

from assaykit import figure_layout, plotting
from assaykit.binding.plots import plot_competition
from assaykit.figure_jobs import (
    FigureJob,
    draw_figures,
    figure_bytes,
    figures_bytes,
    small_png,
    stage_figures,
)
from assaykit.io.outputs import OutputSet

FIT = {
    "top": 3050.0,
    "bottom": 250.0,
    "hill_slope": -1.0,
    "log_ic50": -8.1,
    "ki_nM": 4.8,
    "model": "one-site",
}


def _points(seed: int, log_ic50: float = -8.1) -> pd.DataFrame:
    x = np.repeat(np.linspace(-11.0, -5.0, 11), 3)
    noise = np.random.default_rng(seed).normal(0.0, 60.0, x.size)
    return pd.DataFrame({"log_conc_M": x, "signal": 250 + 2800 / (1 + 10 ** (x - log_ic50)) + noise})


def _jobs(n: int) -> list[FigureJob]:
    return [
        FigureJob(
            plot_competition, (_points(i, -9 + i / n), FIT), {"title": f"compound {i}", "nsb_mean": 240.0}
        )
        for i in range(n)
    ]


def _pid_figure(path: Path) -> Path:
    """A 'figure' that records which process drew it."""
    Path(path).write_text(str(os.getpid()))
    return Path(path)


def _pixels(path: Path | bytes) -> np.ndarray:
    with Image.open(io.BytesIO(path) if isinstance(path, bytes) else path) as image:
        return np.asarray(image.convert("RGB"), dtype=int)


@pytest.fixture
def fixed_svg_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """SVG files with the same ids and no date, so that two drawings of a figure give the same text."""
    monkeypatch.setitem(matplotlib.rcParams, "svg.hashsalt", "assaykit-test")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_the_pool_writes_what_the_loop_writes_in_order(
    tmp_path: Path, suffix: str, fixed_svg_ids: None
) -> None:
    jobs = _jobs(10)
    serial = [tmp_path / f"serial{i}{suffix}" for i in range(len(jobs))]
    for job, path in zip(jobs, serial, strict=True):
        job.draw(path)
    pooled = [tmp_path / f"pool{i}{suffix}" for i in range(len(jobs))]
    assert draw_figures(jobs, pooled, workers=2) == pooled
    for a, b in zip(serial, pooled, strict=True):
        if suffix == ".png":
            assert np.array_equal(_pixels(a), _pixels(b))
        else:
            assert a.read_text() == b.read_text()
    # the order is kept: each file shows its own compound (figures differ from one to the next)
    assert not np.array_equal(_pixels(pooled[0]), _pixels(pooled[1])) if suffix == ".png" else True
    if suffix == ".svg":
        assert all(f"compound {i}" in p.read_text() for i, p in enumerate(pooled))


def test_workers_1_draws_in_this_process_and_a_pool_in_others(tmp_path: Path) -> None:
    jobs = [FigureJob(_pid_figure) for _ in range(12)]
    here = [tmp_path / f"a{i}.txt" for i in range(12)]
    draw_figures(jobs, here, workers=1)
    assert {p.read_text() for p in here} == {str(os.getpid())}
    there = [tmp_path / f"b{i}.txt" for i in range(12)]
    draw_figures(jobs, there, workers=2)
    assert str(os.getpid()) not in {p.read_text() for p in there}


def test_progress_starts_at_zero_never_decreases_and_ends_at_the_total(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    jobs = [FigureJob(_pid_figure) for _ in range(20)]
    draw_figures(
        jobs, [tmp_path / f"{i}.txt" for i in range(20)], workers=2, progress=lambda *a: calls.append(a)
    )
    assert calls[0] == (0, 20) and calls[-1] == (20, 20)
    assert all(total == 20 for _, total in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done)


def test_the_dpi_sets_the_pixel_size(tmp_path: Path) -> None:
    paths = draw_figures(_jobs(2), [tmp_path / "a.png", tmp_path / "b.png"], dpi=50, workers=1)
    assert _pixels(paths[0]).shape[:2] == (round(3.4 * 50), round(4.5 * 50))
    default = draw_figures(_jobs(1), [tmp_path / "c.png"], workers=1)[0]
    assert _pixels(default).shape[:2] == (round(3.4 * plotting.DPI), round(4.5 * plotting.DPI))


def test_jobs_and_paths_of_different_lengths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="3 figure jobs but 2 paths"):
        draw_figures(_jobs(3), [tmp_path / "a.png", tmp_path / "b.png"])


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_job_raises_the_first_error_and_leaves_no_staged_file(tmp_path: Path, workers: int) -> None:
    jobs = _jobs(12)
    jobs[5] = FigureJob(plot_competition, (_points(5), {"top": 1.0}))  # bottom, hill_slope, log_ic50 missing
    jobs[9] = FigureJob(plot_competition, (_points(9).drop(columns="signal"), FIT))
    folder = tmp_path / "plots"
    with OutputSet() as outputs:
        plots = outputs.add_folder(folder, "--plot")
        assert plots is not None
        targets = [(plots / f"c{i}.png", job) for i, job in enumerate(jobs)]
        with pytest.raises(ValueError, match="fit is missing parameter"):  # job 5's error, not job 9's
            stage_figures(outputs, targets, workers=workers)
    assert not folder.exists() or list(folder.iterdir()) == []


def test_staged_figures_appear_when_the_run_is_committed(tmp_path: Path) -> None:
    with OutputSet() as outputs:
        plots = outputs.add_folder(tmp_path / "plots", "--plot")
        assert plots is not None
        targets = [(plots / f"c{i}.svg", job) for i, job in enumerate(_jobs(9))]
        assert stage_figures(outputs, targets, workers=2) == [t for t, _ in targets]
        assert not any(t.exists() for t, _ in targets)
        outputs.commit()
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == sorted(f"c{i}.svg" for i in range(9))


def test_a_small_png_keeps_the_look_in_fewer_bytes() -> None:
    job = _jobs(1)[0]
    full = figure_bytes(job, "png", dpi=100, small=False)
    small = figure_bytes(job, "png", dpi=100)
    assert small == small_png(full)
    with Image.open(io.BytesIO(small)) as image:
        assert image.mode == "P" and image.size == (450, 340)
        assert image.info["dpi"] == pytest.approx((100, 100), abs=0.5)
    difference = np.abs(_pixels(full) - _pixels(small))
    assert difference.mean() < 1.0 and np.percentile(difference, 99.9) <= 24
    assert len(small) < 0.6 * len(full)


def _pil_figure(path: Path) -> Path:
    """A PNG 'figure' written without save_figure."""
    Image.new("RGB", (40, 30), (200, 30, 30)).save(path, dpi=(72, 72))
    return Path(path)


@pytest.mark.parametrize("dpi", [72, 150])
def test_a_thumbnail_made_from_the_pixels_is_the_palette_png_of_the_written_figure(dpi: int) -> None:
    job = _jobs(1)[0]
    written = figure_bytes(job, "png", dpi=dpi, small=False)  # save_figure writes a PNG file
    assert figure_bytes(job, "png", dpi=dpi) == small_png(written)
    # a job that writes its file some other way is read back from it
    other = FigureJob(_pil_figure)
    assert figure_bytes(other) == small_png(figure_bytes(other, small=False))
    with Image.open(io.BytesIO(figure_bytes(other))) as image:
        assert image.mode == "P" and image.size == (40, 30)


def test_a_thumbnail_has_the_pixels_of_the_smallest_encoding() -> None:
    job = _jobs(1)[0]
    small = figure_bytes(job, "png", dpi=100)
    with Image.open(io.BytesIO(small)) as image:
        smallest = io.BytesIO()
        image.save(smallest, format="png", optimize=True, dpi=image.info["dpi"])  # zlib's level 9
        assert len(small) < 1.1 * len(smallest.getvalue())
        with Image.open(smallest) as other:
            assert other.getpalette() == image.getpalette()
            assert np.array_equal(np.asarray(other), np.asarray(image))


def test_figures_bytes_are_the_figures_of_each_job_in_order(fixed_svg_ids: None) -> None:
    jobs = _jobs(9)
    one_by_one = [figure_bytes(job, "svg") for job in jobs]
    assert figures_bytes(jobs, "svg", workers=2) == one_by_one
    assert all(f"compound {i}".encode() in data for i, data in enumerate(one_by_one))


# -- the layout: every text drawn inside the figure -------------------------------------------------


def _drawn_texts(fig: Any, dpi: int, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Draw ``fig`` as :func:`assaykit.plotting.save_figure` would and return each drawn text's box."""
    drawn: list[Text] = []
    original = Text.draw

    def record(self: Text, renderer: Any) -> None:
        if self.get_visible() and self.get_text():
            drawn.append(self)
        original(self, renderer)

    monkeypatch.setattr(Text, "draw", record)
    figure_layout.settle_layout(fig, dpi)
    fig.set_dpi(dpi)
    fig.canvas.draw()
    monkeypatch.setattr(Text, "draw", original)
    renderer = fig.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer)) for t in drawn]


def _capture(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Make save_figure keep the figure instead of writing it."""
    kept: list[Any] = []
    monkeypatch.setattr(plotting, "save_figure", lambda fig, path: kept.append(fig) or Path(path))
    return kept


def _competition(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    kept = _capture(monkeypatch)
    plot_competition(
        _points(1), FIT, tmp_path / "c.png", title="(-)-bicuculline methiodide", total_mean=3100, nsb_mean=240
    )
    return kept[0]


def _saturation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    from assaykit.saturation.plots import plot_saturation

    kept = _capture(monkeypatch)
    conc = np.repeat([0.1, 0.3, 1, 3, 10, 20], 2)
    nsb = 150.0 * conc
    total = 10000 * conc / (1.5 + conc) + nsb
    points = pd.DataFrame(
        {
            "kind": ["total"] * conc.size + ["nsb"] * conc.size,
            "conc_nM": np.concatenate([conc, conc]),
            "signal": np.concatenate([total, nsb]),
            "specific": np.concatenate([total - nsb, np.full(conc.size, np.nan)]),
        }
    )
    fit = {"model": "one-site-total", "bmax": 10000, "kd_nM": 1.5, "ns_slope": 150, "background": 0}
    plot_saturation(points, fit, tmp_path / "s.png", title="rat cortex")
    return kept[0]


def _track(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    from assaykit.tracking.geometry import plus_maze
    from assaykit.tracking.plots import plot_track

    kept = _capture(monkeypatch)
    arena = plus_maze(center_size=5, arm_length=30, arm_width=5)
    x = 20 * np.cos(np.linspace(0, 2 * np.pi, 300))
    plot_track(arena, x, np.zeros(300), np.full(300, 1 / 30), tmp_path / "t.png", title="m01")
    return kept[0]


def _group_dots(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    from assaykit.stats.plots import group_dots_figure

    rng = np.random.default_rng(3)
    groups = ["vehicle", "diazepam 1 mg/kg", "diazepam 3 mg/kg", "buspirone 10 mg/kg"]
    table = pd.DataFrame({"group": np.repeat(groups, 8), "open_time_pct": rng.normal(20, 5, 32) * 1000})
    return group_dots_figure(table, "open_time_pct", control="vehicle", title="elevated plus maze")


@pytest.mark.parametrize("make", [_competition, _saturation, _track, _group_dots])
@pytest.mark.parametrize("dpi", [100, 200])
def test_every_text_of_each_kind_of_figure_lies_inside_it(
    make: Any, dpi: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fig = make(monkeypatch, tmp_path)
    texts = _drawn_texts(fig, dpi, monkeypatch)
    assert len(texts) >= 8  # tick labels, axis labels, titles, legend entries
    frame = fig.bbox
    outside = [
        text
        for text, box in texts
        if box.x0 < frame.x0 - 0.5
        or box.y0 < frame.y0 - 0.5
        or box.x1 > frame.x1 + 0.5
        or box.y1 > frame.y1 + 0.5
    ]
    assert outside == []


def test_the_fast_layout_keeps_the_labels_of_a_new_figure_apart_from_the_edges(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with plotting.house_style():
        fig, ax = plotting.new_figure()
        ax.plot([1, 2], [100000, 900000])
        ax.set_ylabel("a long y label\nof two lines")
        ax.set_xlabel("x")
        ax.set_title("title")
        fig.supxlabel("a caption under the figure")
    texts = dict(_drawn_texts(fig, 100, monkeypatch))
    y_label, caption, x_label = (
        texts["a long y label\nof two lines"],
        texts["a caption under the figure"],
        texts["x"],
    )
    assert y_label.x0 >= 0.0 and caption.y0 >= 0.0
    assert caption.y1 <= x_label.y0  # the caption sits under the axis label, not over it
    assert fig.get_layout_engine() is None  # settled: saving draws the figure once


def test_staged_figures_are_listed_in_the_order_of_the_jobs(tmp_path: Path) -> None:
    outputs = OutputSet()
    outputs.add_folder(tmp_path / "plots", "--plot")
    names = ["c", "a", "b"]
    targets = [tmp_path / "plots" / f"{name}.png" for name in names]
    jobs = [FigureJob(plot_competition, (_points(k), FIT), {"title": name}) for k, name in enumerate(names)]
    with outputs:
        stage_figures(outputs, list(zip(targets, jobs, strict=True)), workers=1)
        assert outputs.staged == targets
        assert outputs.commit() == targets
