"""The track figure a paper can use (issue 18): a visible path, a robust heat-map scale, image orientation,
posture marks; and the per-animal figure jobs of a run."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.colors import LogNorm

from assaykit.tracking.geometry import light_dark_box, plus_maze
from assaykit.tracking.plots import _draw_track
from assaykit.tracking.track_style import (
    MIN_CONTRAST,
    PATH_COLOUR,
    ZONE_FILLS,
    contrast_ratio,
    relative_luminance,
)

ROOT = Path(__file__).resolve().parents[2]
POSE = ROOT / "examples" / "epm" / "pose"


def _axes(fig, label):
    (ax,) = [a for a in fig.axes if a.get_label() == label]
    return ax


def test_wcag_contrast_matches_known_values() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    assert relative_luminance("#FFFFFF") == pytest.approx(1.0)


@pytest.mark.parametrize(
    "arena",
    [plus_maze(center_size=5, arm_length=30, arm_width=5), light_dark_box(width=45, depth=27, divider=15)],
    ids=["epm", "ldb"],
)
def test_the_path_contrasts_with_every_zone_it_is_drawn_on(arena) -> None:
    """The path's colour, read from the figure, against each zone's fill, read from its patch."""
    from matplotlib.colors import to_hex
    from matplotlib.patches import Polygon

    x, y = np.linspace(-20, 20, 200), np.zeros(200)
    if arena.kinds[0] in ("light", "dark"):
        x, y = np.linspace(1, 44, 200), np.full(200, 13.0)
    fig = _draw_track(arena, x, y, np.full(200, 0.04), title="m01")
    ax = _axes(fig, "trajectory")
    (path,) = [line for line in ax.lines if line.get_gid() == "path"]
    fills = [to_hex(p.get_facecolor()) for p in ax.patches if isinstance(p, Polygon)]
    assert len(fills) == len(arena.zones)
    for fill in fills:
        # the zones are pale (the closed arms were a dark grey, #B5B5B5, luminance 0.46) ...
        assert relative_luminance(fill) >= 0.6
        # ... and the path stands out on each (WCAG's ratio for body text, 4.5, beyond the 3 for graphics)
        assert contrast_ratio(to_hex(path.get_color()), fill) >= MIN_CONTRAST >= 4.5
    assert to_hex(path.get_color()) == to_hex(PATH_COLOUR)
    # the sheltered and the lit compartments still differ
    assert ZONE_FILLS["closed"] != ZONE_FILLS["open"] and ZONE_FILLS["dark"] != ZONE_FILLS["light"]


def test_the_start_bin_does_not_saturate_the_heat_map() -> None:
    """An animal that sits 60 s where it was placed, then walks: the path keeps the colour scale."""
    arena = plus_maze(center_size=5, arm_length=30, arm_width=5)
    n_walk = 600
    x = np.r_[np.zeros(1500), np.linspace(0, 29, n_walk)]
    y = np.zeros_like(x)
    w = np.full(x.size, 0.04)  # 1500 frames x 0.04 s = 60 s in the start bin
    fig = _draw_track(arena, x, y, w, title="m01")
    (mesh,) = [c for c in _axes(fig, "occupancy").collections if isinstance(c, QuadMesh)]
    assert isinstance(mesh.norm, LogNorm)
    values = np.ma.compressed(mesh.get_array())
    top = values.max()
    scaled = mesh.norm(values)
    # the start bin is the top, but the typical bin of the path is up the scale, not at its foot ...
    path_bins = values[values < top]
    assert np.median(mesh.norm(path_bins)) > 0.1
    # ... where a linear scale from 0 puts it (under 2% of the scale)
    assert np.median(path_bins) / top < 0.02
    assert scaled.max() == pytest.approx(1.0)
    colorbar = mesh.colorbar
    assert "log" in colorbar.ax.get_ylabel() and "time (s)" in colorbar.ax.get_ylabel()


def test_posture_marks_sit_at_the_event_positions() -> None:
    arena = plus_maze(center_size=5, arm_length=30, arm_width=5)
    x, y = np.linspace(-20, 20, 50), np.zeros(50)
    marks = {"head_dip": (np.array([3.0, -7.5]), np.array([0.5, -1.0])), "stretched_attend": ([0.0], [-12.0])}
    fig = _draw_track(arena, x, y, np.full(50, 0.04), title="m01", postures=marks)
    ax = _axes(fig, "trajectory")
    drawn = {line.get_gid(): line for line in ax.lines if str(line.get_gid()).startswith("posture:")}
    assert set(drawn) == {"posture:head_dip", "posture:stretched_attend"}
    for name, (xs, ys) in marks.items():
        np.testing.assert_allclose(drawn[f"posture:{name}"].get_xdata(), xs)
        np.testing.assert_allclose(drawn[f"posture:{name}"].get_ydata(), ys)
    assert drawn["posture:head_dip"].get_marker() != drawn["posture:stretched_attend"].get_marker()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "head dip (2)" in labels and "stretched-attend (1)" in labels


def test_posture_positions_find_the_frame_of_each_event() -> None:
    """Events at a time from the window start map to the position of the frame that starts then."""
    from types import SimpleNamespace

    from assaykit.tracking.figures import posture_positions

    durations = np.r_[np.full(10, 0.1), np.full(10, 0.2)]  # frame i starts at 0.1 i, then 1 + 0.2 (i - 10)
    lost = np.zeros(20)
    lost[14] = 1.0  # a clock gap of 1 s after frame 14: frame 15 starts at 1 + 5 x 0.2 + 1 = 3 s
    analysis = SimpleNamespace(
        x=np.arange(20, dtype=float), y=-np.arange(20, dtype=float), durations=durations,
        window=SimpleNamespace(lost=lost),
    )  # fmt: skip
    events = pd.DataFrame(
        {"posture": ["head_dip", "stretched_attend", "head_dip"], "start_s": [0.3, 1.4, 3.0]}
    )
    marks = posture_positions(analysis, events)
    np.testing.assert_array_equal(marks["head_dip"][0], [3.0, 15.0])
    np.testing.assert_array_equal(marks["stretched_attend"][0], [12.0])
    np.testing.assert_array_equal(marks["head_dip"][1], [-3.0, -15.0])
    assert posture_positions(analysis, None) == {}


@pytest.fixture(scope="module")
def pose_run():
    from assaykit.epm import EPM
    from assaykit.tracking.workflow import run_tracking

    options = {"fps": 15, "px_per_cm": 4, "zones": POSE / "rois.geojson", "duration_s": 120}
    return run_tracking(EPM, [POSE / "two_mice.analysis.h5"], **options)


def test_plot_jobs_of_a_pose_run_mark_its_postures_and_draw_y_down(pose_run) -> None:
    from assaykit.tracking.workflow import plot_jobs

    jobs = plot_jobs(pose_run)
    assert [stem for stem, _ in jobs] == ["vehicle-1", "diazepam-1"]
    postures = pose_run.postures
    for (stem, job), result in zip(jobs, pose_run.results, strict=True):
        pickle.loads(pickle.dumps(job))  # a job goes to a worker process
        fig = _draw_track(*job.args, **job.kwargs)
        for ax in fig.axes[:2]:
            low, high = ax.get_ylim()
            assert low > high, "pixels of a video frame: y must point down"
        mine = postures[postures["animal"] == stem]
        drawn = {
            str(line.get_gid()).removeprefix("posture:"): len(line.get_xdata())
            for line in _axes(fig, "trajectory").lines
            if str(line.get_gid()).startswith("posture:")
        }
        assert drawn == mine["posture"].value_counts().to_dict()
        # each mark on the animal's own track, at one of its positions
        analysis = result.analysis
        for line in _axes(fig, "trajectory").lines:
            if str(line.get_gid()).startswith("posture:"):
                for px, py in zip(line.get_xdata(), line.get_ydata(), strict=True):
                    assert np.any((analysis.x == px) & (analysis.y == py))


def test_a_pixel_track_is_drawn_y_down_and_a_cm_track_y_up(tmp_path: Path) -> None:
    """A hand-built generic track in pixels (no scale) against the same track in cm."""
    from assaykit.epm import EPM
    from assaykit.tracking.workflow import plot_jobs, run_tracking

    t = np.arange(0, 30, 1 / 15)
    x = 20 * np.sin(t / 3)
    px = tmp_path / "px.csv"
    pd.DataFrame({"time_s": t, "x_px": 400 + 4 * x, "y_px": np.full(t.size, 300.0)}).to_csv(px, index=False)
    cm = tmp_path / "cm.csv"
    pd.DataFrame({"time_s": t, "x": x, "y": 0.0}).to_csv(cm, index=False)
    pixels = run_tracking(EPM, [px], px_per_cm=4.0, duration_s=30)
    plain = run_tracking(EPM, [cm], duration_s=30)
    for run, down in ((pixels, True), (plain, False)):
        ((_, job),) = plot_jobs(run)
        fig = _draw_track(*job.args, **job.kwargs)
        low, high = fig.axes[0].get_ylim()
        assert bool(low > high) is down
        assert bool(fig.axes[0].yaxis_inverted()) is down


def test_write_plots_in_each_format_over_the_jobs(tmp_path: Path, pose_run) -> None:
    from assaykit.tracking.workflow import plot_jobs, write_plots

    calls = []
    for fmt, magic in (("svg", b"<?xml"), ("pdf", b"%PDF")):
        written = write_plots(
            pose_run, None, tmp_path / fmt, plot_format=fmt, progress=lambda d, t: calls.append((d, t))
        )
        assert [p.name for p in written] == [f"{stem}.{fmt}" for stem, _ in plot_jobs(pose_run)]
        assert all(p.read_bytes().startswith(magic) for p in written)
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)
    from assaykit.errors import AssayInputError

    with pytest.raises(AssayInputError, match="unknown figure format"):
        write_plots(pose_run, None, tmp_path / "x", plot_format="jpg")
    assert not (tmp_path / "x").exists()
