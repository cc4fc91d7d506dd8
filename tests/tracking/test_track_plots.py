"""Tests for the per-animal trajectory / occupancy figure (assaykit.tracking.plots)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure
from matplotlib.text import Annotation

import assaykit.tracking.plots as track_plots
from assaykit.tracking.geometry import Arena, light_dark_box, plus_maze
from assaykit.tracking.plots import _draw_track, plot_track

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FPS = 30.0


@pytest.fixture
def epm() -> Arena:
    return plus_maze(center_size=5, arm_length=30, arm_width=5)


@pytest.fixture
def ldb() -> Arena:
    return light_dark_box(width=45, depth=27, divider=15)


def epm_walk(n: int = 900, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A path wholly on the maze: out along the east open arm, back, down the south closed arm.

    Frame durations vary (a jittery frame rate) so that a test cannot pass by counting frames.
    """
    rng = np.random.default_rng(seed)
    third = n // 3
    x = np.concatenate([np.linspace(0, 29, third), np.linspace(29, 0, third), np.zeros(n - 2 * third)])
    y = np.concatenate([np.zeros(2 * third), np.linspace(0, -29, n - 2 * third)])
    x = x + rng.uniform(-2.0, 2.0, n) * (y == 0)  # wander across the arm's width, never off it
    y = y + rng.uniform(-2.0, 2.0, n) * (x == 0)
    weights = rng.uniform(0.5, 1.5, n) / FPS
    return x, y, weights


def ldb_walk(n: int = 900, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.clip(30 + np.cumsum(rng.normal(0, 0.5, n)), 0.5, 44.5)
    y = np.clip(13 + np.cumsum(rng.normal(0, 0.5, n)), 0.5, 26.5)
    return x, y, rng.uniform(0.5, 1.5, n) / FPS


def axes_named(fig: Figure, label: str):
    (ax,) = [a for a in fig.axes if a.get_label() == label]
    return ax


def heat_mesh(fig: Figure) -> QuadMesh:
    (mesh,) = [c for c in axes_named(fig, "occupancy").collections if isinstance(c, QuadMesh)]
    return mesh


def heat_grid(fig: Figure) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The heatmap as drawn: time per bin (rows along y, empty bins 0) and the bin edges along x and y."""
    mesh = heat_mesh(fig)
    coords = mesh.get_coordinates()  # (ny + 1, nx + 1, 2)
    values = np.ma.filled(np.ma.asarray(mesh.get_array(), dtype=float), 0.0)
    x_edges, y_edges = coords[0, :, 0], coords[:, 0, 1]
    return values.reshape(len(y_edges) - 1, len(x_edges) - 1), x_edges, y_edges


def in_view_time(fig: Figure, x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
    """Sum of the weights of the frames with a position inside the trajectory panel's limits."""
    ax = axes_named(fig, "trajectory")
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    with np.errstate(invalid="ignore"):
        keep = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    return float(weights[keep].sum())


def assert_png(path: Path, min_bytes: int = 10_000) -> None:
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_MAGIC
    assert path.stat().st_size > min_bytes


# --- output --------------------------------------------------------------------------------------------


def test_writes_png_and_closes_the_figure(
    tmp_path: Path, epm: Arena, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matplotlib.pyplot as plt

    drawn: list[Figure] = []
    real_draw = track_plots._draw_track

    def spy(*args, **kwargs):
        fig = real_draw(*args, **kwargs)
        drawn.append(fig)
        return fig

    monkeypatch.setattr(track_plots, "_draw_track", spy)
    x, y, w = epm_walk()
    target = tmp_path / "m01.png"
    out = plot_track(epm, x, y, w, target, title="m01", subtitle="open 23.4% of arm time, 7 open entries")
    assert out == target
    assert isinstance(out, Path)
    assert_png(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m01.png"], "temporary file left behind"
    assert plt.get_fignums() == [], "the figure went through pyplot"
    assert len(drawn) == 1
    assert drawn[0].axes == [], "the figure was not closed (cleared) after saving"


def test_accepts_str_path_and_writes_pdf_and_svg(tmp_path: Path, ldb: Arena) -> None:
    x, y, w = ldb_walk()
    pdf = plot_track(ldb, x, y, w, str(tmp_path / "m02.pdf"), title="m02")
    assert isinstance(pdf, Path)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert pdf.stat().st_size > 5_000
    svg = plot_track(ldb, x, y, w, tmp_path / "m02.svg", title="m02")
    assert b"<svg" in svg.read_bytes()[:1_000]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m02.pdf", "m02.svg"]


def test_import_and_plot_leave_pyplot_alone(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        import numpy as np
        import assaykit.tracking.plots as plots
        assert "matplotlib" not in sys.modules, "importing the module imported matplotlib"
        from assaykit.tracking.geometry import plus_maze
        arena = plus_maze(center_size=5, arm_length=30, arm_width=5)
        x = np.linspace(-20, 20, 50)
        plots.plot_track(arena, x, np.zeros(50), np.full(50, 0.1), {str(tmp_path / "sub.png")!r}, title="a")
        assert "matplotlib.pyplot" not in sys.modules, "plotting imported pyplot"
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert_png(tmp_path / "sub.png")


# --- content ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("assay", ["epm", "ldb"])
def test_one_filled_patch_per_zone_and_outlines_on_the_heatmap(assay: str, epm: Arena, ldb: Arena) -> None:
    arena = epm if assay == "epm" else ldb
    x, y, w = epm_walk() if assay == "epm" else ldb_walk()
    fig = _draw_track(arena, x, y, w, title="m01")
    trajectory = axes_named(fig, "trajectory")
    filled = [p for p in trajectory.patches if p.get_fill()]
    assert len(filled) == len(arena.zones)
    for patch, zone in zip(filled, arena.zones, strict=True):
        np.testing.assert_allclose(patch.get_xy()[: len(zone.polygon)], zone.polygon)
    # zones of one kind share a fill, zones of different kinds do not
    fill_of = {}
    for patch, zone in zip(filled, arena.zones, strict=True):
        fill_of.setdefault(zone.kind, set()).add(patch.get_facecolor())
    assert all(len(colours) == 1 for colours in fill_of.values())
    assert len({next(iter(c)) for c in fill_of.values()}) == len(fill_of)

    outlines = axes_named(fig, "occupancy").patches
    assert len(outlines) == len(arena.zones)
    assert not any(p.get_fill() for p in outlines)
    assert min(p.get_zorder() for p in outlines) > heat_mesh(fig).get_zorder()


@pytest.mark.parametrize("assay", ["epm", "ldb"])
def test_legend_lists_each_kind_once_with_start_and_end(assay: str, epm: Arena, ldb: Arena) -> None:
    arena = epm if assay == "epm" else ldb
    x, y, w = epm_walk() if assay == "epm" else ldb_walk()
    fig = _draw_track(arena, x, y, w, title="m01")
    legend = axes_named(fig, "trajectory").get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    kinds = ["open", "closed", "center"] if assay == "epm" else ["light", "dark"]
    assert labels == [*kinds, "path", "start", "end"]
    # placed below the axes, not over the maze
    assert legend.get_bbox_to_anchor().transformed(axes_named(fig, "trajectory").transAxes.inverted()).y1 < 0


def test_heatmap_sums_to_the_time_on_the_maze(epm: Arena) -> None:
    x, y, w = epm_walk()
    assert np.all(epm.classify(x, y) >= 0), "the synthetic path should lie on the maze"
    fig = _draw_track(epm, x, y, w, title="m01")
    grid, _, _ = heat_grid(fig)
    assert grid.sum() == pytest.approx(w.sum(), abs=1e-9)
    # and cell by cell it is the weighted 2-D histogram over the drawn edges
    _, x_edges, y_edges = heat_grid(fig)
    expected, _, _ = np.histogram2d(x, y, bins=(x_edges, y_edges), weights=w)
    np.testing.assert_allclose(grid, expected.T, atol=1e-12)


def test_bin_where_the_animal_sat_still_holds_its_time(epm: Arena) -> None:
    # walk the north closed arm, then sit still for 10 s at the end of the east open arm
    walk_y = np.linspace(3.0, 30.0, 200)
    still = int(10 * FPS)
    x = np.concatenate([np.zeros(200), np.full(still, 25.3)])
    y = np.concatenate([walk_y, np.full(still, 0.7)])
    w = np.full(len(x), 1.0 / FPS)
    fig = _draw_track(epm, x, y, w, title="m03", bin_cm=1.0)
    grid, x_edges, y_edges = heat_grid(fig)
    col = np.searchsorted(x_edges, 25.3) - 1
    row = np.searchsorted(y_edges, 0.7) - 1
    assert x_edges[col] <= 25.3 < x_edges[col + 1] and y_edges[row] <= 0.7 < y_edges[row + 1]
    assert grid[row, col] == pytest.approx(10.0, abs=1e-9)
    assert grid.max() == pytest.approx(10.0, abs=1e-9)
    assert grid.sum() == pytest.approx(w.sum(), abs=1e-9)


@pytest.mark.parametrize("bin_cm", [1.0, 2.5, 0.5])
def test_bins_are_square_and_aligned_to_the_view(epm: Arena, bin_cm: float) -> None:
    x, y, w = epm_walk()
    fig = _draw_track(epm, x, y, w, title="m01", bin_cm=bin_cm)
    _, x_edges, y_edges = heat_grid(fig)
    np.testing.assert_allclose(np.diff(x_edges), bin_cm)
    np.testing.assert_allclose(np.diff(y_edges), bin_cm)
    for name in ("trajectory", "occupancy"):
        ax = axes_named(fig, name)
        assert ax.get_xlim() == pytest.approx((x_edges[0], x_edges[-1]))
        assert ax.get_ylim() == pytest.approx((y_edges[0], y_edges[-1]))
        assert ax.get_aspect() == 1.0
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("x (cm)", "y (cm)")
    xmin, xmax, ymin, ymax = epm.bounds
    assert x_edges[0] < xmin and x_edges[-1] > xmax and y_edges[0] < ymin and y_edges[-1] > ymax


def test_colorbar_and_titles(epm: Arena) -> None:
    x, y, w = epm_walk()
    fig = _draw_track(epm, x, y, w, title="m01", subtitle="open 23.4% of arm time, 7 open entries")
    assert fig._suptitle is not None
    assert fig._suptitle.get_text().splitlines()[0] == "m01"
    (note,) = [a for a in fig.findobj(Annotation) if a.get_gid() == "subtitle"]
    assert note.get_text() == "open 23.4% of arm time, 7 open entries"
    assert note.get_fontsize() < fig._suptitle.get_fontsize()
    colorbar = heat_mesh(fig).colorbar
    assert colorbar is not None
    assert colorbar.ax.get_ylabel() == "time (s), log scale"
    grid = heat_grid(fig)[0]
    assert colorbar.mappable.get_clim() == pytest.approx((grid[grid > 0].min(), grid.max()))
    fig.canvas.draw()  # the layout and the subtitle's anchor resolve at draw time
    assert note.get_window_extent().y1 <= fig._suptitle.get_window_extent().y1 + 1

    plain = _draw_track(epm, x, y, w, title="m01")
    assert plain._suptitle.get_text() == "m01"
    assert not [a for a in plain.findobj(Annotation) if a.get_gid() == "subtitle"]


def test_path_and_markers(epm: Arena) -> None:
    x, y, w = epm_walk()
    x[:5] = np.nan  # the first tracked frame is frame 5
    fig = _draw_track(epm, x, y, w, title="m01")
    lines = {line.get_label(): line for line in axes_named(fig, "trajectory").get_lines()}
    assert lines["start"].get_xydata()[0] == pytest.approx((x[5], y[5]))
    assert lines["end"].get_xydata()[0] == pytest.approx((x[-1], y[-1]))
    assert len(lines["path"].get_xdata()) == len(x)


# --- missing data, outliers -------------------------------------------------------------------------


def test_nan_gaps_break_the_path_and_add_no_time(tmp_path: Path, epm: Arena) -> None:
    x, y, w = epm_walk()
    x[100:140] = np.nan
    y[300:310] = np.nan  # only y missing: the frame has no position either
    fig = _draw_track(epm, x, y, w, title="m01")
    path_line = next(ln for ln in axes_named(fig, "trajectory").get_lines() if ln.get_label() == "path")
    px, py = np.asarray(path_line.get_xdata(), float), np.asarray(path_line.get_ydata(), float)
    assert np.isnan(px[100:140]).all() and np.isnan(py[100:140]).all()
    assert np.isnan(px[300:310]).all() and np.isnan(py[300:310]).all()
    grid, _, _ = heat_grid(fig)
    present = np.isfinite(x) & np.isfinite(y)
    assert grid.sum() == pytest.approx(w[present].sum(), abs=1e-9)
    assert grid.sum() < w.sum() - 0.5  # the 50 missing frames were worth about 1.7 s
    assert_png(plot_track(epm, x, y, w, tmp_path / "gaps.png", title="m01"))


@pytest.mark.parametrize("n", [0, 1, 50])
def test_all_missing_positions_still_plot(tmp_path: Path, ldb: Arena, n: int) -> None:
    x = np.full(n, np.nan)
    fig = _draw_track(ldb, x, x.copy(), np.full(n, 0.04), title="lost")
    grid, x_edges, y_edges = heat_grid(fig)
    assert grid.sum() == 0.0
    assert np.ma.getmaskarray(heat_mesh(fig).get_array()).all(), "empty bins should be transparent"
    labels = [line.get_label() for line in axes_named(fig, "trajectory").get_lines()]
    assert "start" not in labels and "end" not in labels
    xmin, xmax, ymin, ymax = ldb.bounds
    assert x_edges[0] < xmin and x_edges[-1] > xmax and y_edges[0] < ymin and y_edges[-1] > ymax
    assert_png(plot_track(ldb, x, x.copy(), np.full(n, 0.04), tmp_path / "lost.png", title="lost"), 5_000)


def test_empty_bins_are_transparent(epm: Arena) -> None:
    x, y, w = epm_walk()
    fig = _draw_track(epm, x, y, w, title="m01")
    grid, _, _ = heat_grid(fig)
    mask = np.ma.getmaskarray(heat_mesh(fig).get_array()).reshape(grid.shape)
    assert mask.any() and not mask.all()
    np.testing.assert_array_equal(mask, grid == 0)


@pytest.mark.parametrize("assay", ["epm", "ldb"])
@pytest.mark.parametrize("where", [(1e6, 0.0), (0.0, -1e6), (-1e6, 1e6)])
def test_wild_point_does_not_shrink_the_arena(
    assay: str, where: tuple[float, float], epm: Arena, ldb: Arena
) -> None:
    arena = epm if assay == "epm" else ldb
    x, y, w = epm_walk() if assay == "epm" else ldb_walk()
    x[50], y[50] = where
    fig = _draw_track(arena, x, y, w, title="m01")
    xmin, xmax, ymin, ymax = arena.bounds
    dx, dy = 0.25 * (xmax - xmin), 0.25 * (ymax - ymin)
    for name in ("trajectory", "occupancy"):
        ax = axes_named(fig, name)
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        assert xmin - dx - 1e-9 <= x0 < xmin and xmax < x1 <= xmax + dx + 1e-9
        assert ymin - dy - 1e-9 <= y0 < ymin and ymax < y1 <= ymax + dy + 1e-9
    grid, _, _ = heat_grid(fig)
    assert grid.sum() == pytest.approx(in_view_time(fig, x, y, w), abs=1e-9)
    assert grid.sum() == pytest.approx(w.sum() - w[50], abs=1e-9)
    assert "1 frame outside view" in axes_named(fig, "trajectory").get_title()


def test_point_just_off_the_arena_is_brought_into_view(epm: Arena) -> None:
    x, y, w = epm_walk()
    x[10], y[10] = 40.2, 0.0  # 7.7 cm past the east arm: within the 25% (16.25 cm) limit
    fig = _draw_track(epm, x, y, w, title="m01")
    x0, x1 = axes_named(fig, "trajectory").get_xlim()
    assert x1 >= 40.2
    assert x0 > -40.0, "only the side with the point should widen"
    grid, _, _ = heat_grid(fig)
    assert grid.sum() == pytest.approx(w.sum(), abs=1e-9)
    assert "outside view" not in axes_named(fig, "trajectory").get_title()


# --- validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lengths",
    [(10, 9, 10), (10, 10, 11), (0, 1, 1)],
)
def test_mismatched_lengths_raise(tmp_path: Path, epm: Arena, lengths: tuple[int, int, int]) -> None:
    nx, ny, nw = lengths
    with pytest.raises(ValueError, match="lengths"):
        plot_track(epm, np.zeros(nx), np.zeros(ny), np.ones(nw), tmp_path / "bad.png", title="bad")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("bin_cm", [0.0, -1.0, float("nan"), float("inf"), 1e-5])
def test_bad_bin_size_raises(tmp_path: Path, epm: Arena, bin_cm: float) -> None:
    with pytest.raises(ValueError, match="bin"):
        plot_track(
            epm, np.zeros(3), np.zeros(3), np.ones(3), tmp_path / "bad.png", title="bad", bin_cm=bin_cm
        )
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("weights", [[1.0, -0.1, 1.0], [1.0, np.nan, 1.0]])
def test_bad_weights_raise(epm: Arena, weights: list[float]) -> None:
    with pytest.raises(ValueError, match="weights"):
        _draw_track(epm, np.zeros(3), np.zeros(3), np.array(weights), title="bad")


def test_two_dimensional_input_raises(epm: Arena) -> None:
    with pytest.raises(ValueError, match="one-dimensional"):
        _draw_track(epm, np.zeros((3, 2)), np.zeros((3, 2)), np.ones((3, 2)), title="bad")


def test_unknown_extension_leaves_nothing(tmp_path: Path, epm: Arena) -> None:
    from assaykit.errors import AssayInputError

    x, y, w = epm_walk()
    with pytest.raises(AssayInputError):
        plot_track(epm, x, y, w, tmp_path / "m01.jpg", title="m01")
    assert not list(tmp_path.iterdir())


def test_positions_from_video_pixels_are_drawn_with_y_downwards() -> None:
    """Image rows count downwards: a plot of pixel positions must look like the video, not its mirror."""
    arena = plus_maze(center_size=5, arm_length=30, arm_width=5)
    x, y = np.linspace(-20, 20, 50), np.linspace(-1, 1, 50)
    w = np.full(50, 0.04)
    up = _draw_track(arena, x, y, w, title="m01")
    down = _draw_track(arena, x, y, w, title="m01", unit="px", y_down=True)
    for ax_up, ax_down in zip(up.axes[:2], down.axes[:2], strict=True):
        low, high = ax_up.get_ylim()
        assert low < high
        assert ax_down.get_ylim() == (high, low)
        assert ax_down.get_ylabel() == "y (px)" and ax_down.get_xlabel() == "x (px)"


def test_a_pose_run_plots_in_image_orientation(tmp_path: Path) -> None:
    from assaykit.epm import EPM
    from assaykit.tracking.workflow import run_tracking

    pose = Path(__file__).resolve().parents[2] / "examples" / "epm" / "pose"
    options = {"fps": 15, "px_per_cm": 4, "zones": pose / "rois.geojson", "duration_s": 30}
    pixels = run_tracking(EPM, [pose / "two_mice.analysis.h5"], **options)
    cm = run_tracking(EPM, [Path(__file__).resolve().parents[2] / "examples" / "epm" / "tracks.csv"])
    assert pixels.image_coordinates and not cm.image_coordinates
