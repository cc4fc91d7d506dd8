"""The competition figures a paper can use, read back from the rendered matplotlib figures.

Each figure is caught as it is saved (``assaykit.plotting.save_figure`` is wrapped), drawn, and checked
from its artists: the error bars against mean +/- SD computed here with pandas, the % axis against the
points table's ``specific_pct``, the two-site marks against the results table, the text box's rendered
extent against the NSB and TOTAL lines, the curve, the data and the axes, the overlay's legend against
the results table as the terminal formats it. Also the plot jobs: stems, pickling, formats.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _data import control_tubes, counts_frame, curve_tubes, half_log_series, simulated_curve

import assaykit.plotting
from assaykit.binding.competition import analyze_competition
from assaykit.binding.figures import plot_jobs, write_plots
from assaykit.binding.plot_marks import place_text_box
from assaykit.binding.plots import plot_competition
from assaykit.errors import AssayInputError
from assaykit.figure_jobs import draw_figures
from assaykit.formatting import sig
from assaykit.plotting import PALETTE, house_style, new_figure, unique_stems

X12 = half_log_series(-11.0, 12)
X15 = half_log_series(-12.0, 17)


def two_site(x, top, bottom, log_hi, log_lo, fraction):
    span = top - bottom
    return bottom + span * (fraction / (1 + 10 ** (x - log_hi)) + (1 - fraction) / (1 + 10 ** (x - log_lo)))


def screen_tubes(seed: int = 3) -> list[dict]:
    """Plate A: two active compounds and a flat (inactive) one; plate B: one compound, its own controls."""
    rng = np.random.default_rng(seed)
    tubes = control_tubes("A", "total", [3000, 3100, 3050]) + control_tubes("A", "nsb", [250, 260, 240])
    common = {"top": 3050, "bottom": 250, "hill_slope": -1.0, "noise_sd": 60, "rng": rng}
    tubes += simulated_curve("alpha", "A", X12, 3, log_ic50=-8.0, **common)
    tubes += simulated_curve("beta", "A", X12, 3, log_ic50=-7.0, **common)
    tubes += curve_tubes("flat", "A", X12, 3, 3050 + rng.normal(0, 60, 36))
    tubes += control_tubes("B", "total", [2500, 2600, 2550]) + control_tubes("B", "nsb", [400, 420, 380])
    common = {"top": 2550, "bottom": 400, "hill_slope": -1.0, "noise_sd": 50, "rng": rng}
    tubes += simulated_curve("gamma", "B", X12, 3, log_ic50=-9.0, **common)
    return tubes


@pytest.fixture(scope="module")
def screen():
    return analyze_competition(counts_frame(screen_tubes()), kd_nM=1.5, radioligand_nM=1.0)


def two_site_analysis(seed: int, params: tuple[float, ...]):
    rng = np.random.default_rng(seed)
    tubes = control_tubes("A", "total", [5010, 4990, 5000]) + control_tubes("A", "nsb", [402, 398, 400])
    x = np.repeat(X15, 3)
    tubes += curve_tubes("mixed", "A", X15, 3, two_site(x, 5000, 400, *params) + rng.normal(0, 60, x.size))
    return analyze_competition(counts_frame(tubes), model="two-site", kd_nM=1.5, radioligand_nM=1.0)


@pytest.fixture
def catch(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[Any], Any]], list[Any]]:
    """Wrap save_figure: each figure saved is drawn and ``inspect(fig)`` recorded before it is written."""

    def install(inspect: Callable[[Any], Any]) -> list[Any]:
        seen: list[Any] = []
        real = assaykit.plotting.save_figure

        def spy(fig, path):
            fig.canvas.draw()
            seen.append(inspect(fig))
            return real(fig, path)

        monkeypatch.setattr(assaykit.plotting, "save_figure", spy)
        return seen

    return install


def by_gid(ax, gid: str) -> list:
    return [a for a in (*ax.get_lines(), *ax.texts) if a.get_gid() == gid]


def job_named(jobs, stem):
    return dict(jobs)[stem]


# --------------------------------------------------------------------------------------------------------
# Error bars: mean +/- SD of the replicates
# --------------------------------------------------------------------------------------------------------
def test_the_means_carry_sd_bars_of_the_replicates_left_after_outliers(tmp_path, catch) -> None:
    rng = np.random.default_rng(7)
    x = np.repeat([-9.0, -8.0, -7.0, -6.0], 3)
    y = 3000.0 / (1 + 10 ** (x + 8.0)) + 250 + rng.normal(0, 120, x.size)
    outlier = np.zeros(x.size, bool)
    outlier[4] = True  # one tube of -8.0 is an outlier: its mean and SD have n = 2
    points = pd.DataFrame({"log_conc_M": x, "signal": y, "outlier": outlier})

    def inspect(fig):
        ax = fig.axes[0]
        (container,) = ax.containers
        data_line, _, (bars,) = container.lines
        return data_line.get_xydata(), bars.get_segments(), [t.get_text() for t in ax.get_legend().texts]

    seen = catch(inspect)
    fit = {"top": 3250.0, "bottom": 250.0, "hill_slope": -1.0, "log_ic50": -8.0}
    plot_competition(points, fit, tmp_path / "c.png")
    means, segments, legend = seen[0]
    kept = points[~points["outlier"]]
    want = kept.groupby("log_conc_M")["signal"].agg(["mean", "std"])  # pandas' std: n - 1
    np.testing.assert_allclose(np.log10(means[:, 0]), want.index, atol=1e-9)
    np.testing.assert_allclose(means[:, 1], want["mean"], rtol=1e-12)
    for segment, (mean, sd) in zip(segments, want.itertuples(index=False), strict=True):
        np.testing.assert_allclose(segment[:, 1], [mean - sd, mean + sd], rtol=1e-12)
    assert "mean ± SD (n = 2-3)" in legend


# --------------------------------------------------------------------------------------------------------
# % specific binding axis
# --------------------------------------------------------------------------------------------------------
def test_the_percent_axis_is_the_points_tables_specific_pct(screen, tmp_path, catch) -> None:
    def inspect(fig):
        ax = fig.axes[0]
        replicates = next(line for line in ax.get_lines() if line.get_label() == "replicates")
        return {
            "y": np.sort(replicates.get_ydata()),
            "nsb": by_gid(ax, "nsb")[0].get_ydata()[0],
            "total": by_gid(ax, "total")[0].get_ydata()[0],
            "ylabel": ax.get_ylabel(),
        }

    seen = catch(inspect)
    jobs = plot_jobs(screen, y_axis="percent")
    for stem in ("alpha", "gamma"):  # plates A and B: each scaled by its own controls
        job_named(jobs, stem).draw(tmp_path / f"{stem}.png")
    points = screen.points
    for stem, got in zip(("alpha", "gamma"), seen, strict=True):
        tubes = points[(points["compound"] == stem) & (points["role"] == "competitor")]
        np.testing.assert_allclose(got["y"], np.sort(tubes["specific_pct"]), rtol=1e-12)
        assert (got["nsb"], got["total"]) == (pytest.approx(0.0, abs=1e-12), pytest.approx(100.0))
        assert got["ylabel"] == "Specific binding (%)"


def test_the_default_axis_stays_the_counts(screen, tmp_path, catch) -> None:
    seen = catch(lambda fig: (fig.axes[0].get_ylabel(), by_gid(fig.axes[0], "nsb")[0].get_ydata()[0]))
    job_named(plot_jobs(screen), "alpha").draw(tmp_path / "alpha.png")
    nsb = screen.plates.set_index("plate").at["A", "nsb_mean_cpm"]
    assert seen == [("Bound (cpm)", pytest.approx(nsb))]


def test_a_percent_axis_needs_both_controls(tmp_path) -> None:
    tubes = [t for t in screen_tubes() if not (t["plate"] == "B" and t["role"] == "nsb")]
    analysis = analyze_competition(counts_frame(tubes), kd_nM=1.5, radioligand_nM=1.0)
    with pytest.raises(
        AssayInputError, match="plate B has no TOTAL or no NSB tubes; plot it with --plot-y bound"
    ):
        plot_jobs(analysis, y_axis="percent")
    assert len(plot_jobs(analysis)) == 4 + 2  # the counts axis needs no controls
    points = pd.DataFrame({"log_conc_M": [-9.0], "signal": [1.0]})
    fit = {"top": 1.0, "bottom": 0.0, "hill_slope": -1.0, "log_ic50": -8.0}
    with pytest.raises(ValueError, match="total_mean above nsb_mean"):
        plot_competition(points, fit, tmp_path / "x.png", y_axis="percent", total_mean=100, nsb_mean=300)
    with pytest.raises(ValueError, match="y_axis"):
        plot_jobs(analysis, y_axis="fraction")
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------------------------------------
# Two sites: each IC50 marked on the axis, the text box clear of everything drawn
# --------------------------------------------------------------------------------------------------------
def rendered_layout(fig) -> dict[str, Any]:
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    (text,) = by_gid(ax, "annotation")
    box = text.get_window_extent(renderer)

    def display_y(gid):
        line = by_gid(ax, gid)[0]
        return float(line.get_transform().transform(line.get_xydata())[0, 1])

    curve = by_gid(ax, "fit")[0]
    replicates = next(line for line in ax.get_lines() if line.get_label() == "replicates")
    return {
        "box": box,
        "axes": ax.get_window_extent(renderer).frozen(),  # not the live transform, which saving rescales
        "legend": ax.get_legend().get_window_extent(renderer).frozen(),
        "nsb": display_y("nsb"),
        "total": display_y("total"),
        "curve": curve.get_transform().transform_path(curve.get_path()),
        "data": replicates.get_transform().transform(replicates.get_xydata()),
        "marks": [line.get_xdata()[0] for line in by_gid(ax, "site-mark")],
        "labels": [t.get_text() for t in by_gid(ax, "site-label")],
        "text": text.get_text(),
    }


@pytest.mark.parametrize("y_axis", ["bound", "percent"])
@pytest.mark.parametrize(
    ("seed", "params"),
    [(1, (-9.5, -6.5, 0.4)), (2, (-9.0, -7.2, 0.6)), (5, (-10.5, -6.0, 0.25)), (6, (-8.5, -5.5, 0.8))],
)
def test_two_site_ic50s_are_marked_and_the_text_box_hides_nothing(tmp_path, catch, seed, params, y_axis):
    analysis = two_site_analysis(seed, params)
    row = analysis.results.iloc[0]
    seen = catch(rendered_layout)
    job_named(plot_jobs(analysis, y_axis=y_axis), "mixed").draw(tmp_path / "mixed.png")
    got = seen[0]
    # each site's IC50 on the x axis, where the results table has it
    want = sorted([row["ic50_hi_nM"] * 1e-9, row["ic50_lo_nM"] * 1e-9])
    np.testing.assert_allclose(sorted(got["marks"]), want, rtol=1e-9)
    assert sorted(got["labels"]) == ["IC$_{50}$ hi", "IC$_{50}$ lo"]
    assert f"IC$_{{50}}$ hi = {sig(row['ic50_hi_nM'])} nM" in got["text"]
    box, frame = got["box"], got["axes"]
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    for line in ("nsb", "total"):
        assert not box.y0 <= got[line] <= box.y1, f"the text box covers the {line.upper()} line"
    assert not got["curve"].intersects_bbox(box, filled=False), "the text box covers the curve"
    assert not box.count_contains(got["data"]), "the text box covers data points"
    assert not box.overlaps(got["legend"]), "the legend covers the text box"


def test_the_text_box_goes_where_nothing_is_drawn() -> None:
    # Lines just inside the bottom and top edges leave only the middle band free; a tall text must go there.
    with house_style():
        fig, ax = new_figure()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axhline(0.12, gid="low")
        ax.axhline(0.88, gid="high")
        ax.plot([0.6, 0.95], [0.5, 0.5], "o")  # points on the right of the band
        text = place_text_box(ax, "a\nb\nc\nd")
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        box = text.get_window_extent(renderer)
        low, high = (ax.transData.transform((0, y))[1] for y in (0.12, 0.88))
        assert low < box.y0 and box.y1 < high
        assert box.x1 < ax.transData.transform((0.6, 0))[0]
        frame = ax.get_window_extent(renderer)
        assert box.x0 - frame.x0 < frame.x1 - box.x1  # nearer the left edge, as a corner would be


# --------------------------------------------------------------------------------------------------------
# The overlay of a plate
# --------------------------------------------------------------------------------------------------------
def test_one_overlay_per_plate_with_every_compound_in_its_colour_and_ki(screen, tmp_path, catch) -> None:
    def inspect(fig):
        ax = fig.axes[0]
        legend = ax.get_legend()
        return {
            "labels": [t.get_text() for t in legend.texts],
            "title": legend.get_title().get_text(),
            "colours": [c.lines[0].get_color() for c in ax.containers],
            "fits": [line.get_color() for line in by_gid(ax, "fit")],
            "ylabel": ax.get_ylabel(),
        }

    seen = catch(inspect)
    jobs = plot_jobs(screen)
    stems = [stem for stem, _ in jobs]
    assert stems == ["alpha", "beta", "flat", "gamma", "plate-A_overlay", "plate-B_overlay"]
    job_named(jobs, "plate-A_overlay").draw(tmp_path / "a.png")
    got = seen[0]
    results = screen.results.set_index("compound")
    ki = {c: sig(results.at[c, "ki_nM"]) for c in ("alpha", "beta")}  # as the terminal table shows it
    assert got["labels"][:3] == [
        f"alpha, K$_i$ = {ki['alpha']} nM",
        f"beta, K$_i$ = {ki['beta']} nM",
        "flat (inactive)",
    ]
    assert got["labels"][3].startswith("Total") and got["labels"][4].startswith("NSB")
    assert "mean ± SD" in got["title"]
    assert got["colours"] == list(PALETTE[:3])  # one house colour per compound, in order
    assert got["fits"] == list(PALETTE[:2])  # the inactive compound: points only
    assert got["ylabel"] == "Bound (cpm)"


def test_an_overlay_of_more_compounds_than_colours_still_tells_them_apart(tmp_path, catch) -> None:
    rng = np.random.default_rng(11)
    tubes = control_tubes("A", "total", [3000, 3100]) + control_tubes("A", "nsb", [250, 260])
    for i in range(len(PALETTE) + 2):
        tubes += simulated_curve(
            f"c{i}",
            "A",
            X12,
            2,
            top=3050,
            bottom=250,
            log_ic50=-10 + 0.4 * i,
            hill_slope=-1,
            noise_sd=40,
            rng=rng,
        )
    analysis = analyze_competition(counts_frame(tubes))
    seen = catch(
        lambda fig: [(c.lines[0].get_color(), c.lines[0].get_marker()) for c in fig.axes[0].containers]
    )
    job_named(plot_jobs(analysis, y_axis="percent"), "plate-A_overlay").draw(tmp_path / "o.png")
    styles = seen[0]
    assert len(styles) == len(PALETTE) + 2
    assert len(set(styles)) == len(styles)


# --------------------------------------------------------------------------------------------------------
# Plot jobs: stems, pickling, formats
# --------------------------------------------------------------------------------------------------------
def test_stems_are_distinct_even_where_a_file_system_ignores_case() -> None:
    assert unique_stems(["a b", "a/b", "A_B", "plate-A_overlay", "plate-A_overlay"]) == [
        "a_b",
        "a_b_2",
        "A_B_3",
        "plate-A_overlay",
        "plate-A_overlay_2",
    ]


def test_every_job_pickles_and_draws_in_worker_processes(tmp_path) -> None:
    rng = np.random.default_rng(4)
    tubes = control_tubes("A", "total", [5010, 4990]) + control_tubes("A", "nsb", [402, 398])
    hots = []
    for hot in (0.3, 3.0):  # homologous competition at two hot concentrations: a curve per hot
        x = np.repeat(X15[:13], 3)
        y = 4000.0 * hot / (hot + 10 ** (x + 9) + 1.0) + 200 + rng.normal(0, 40, x.size)
        new = curve_tubes("flunitrazepam", "A", X15[:13], 3, y)
        tubes += new
        hots += [hot] * len(new)
    frame = counts_frame(tubes)
    frame["hot_nM"] = [math.nan] * 4 + hots
    jobs = plot_jobs(analyze_competition(frame, model="homologous"))
    jobs += plot_jobs(two_site_analysis(1, (-9.5, -6.5, 0.4)))
    copies = pickle.loads(pickle.dumps([job for _, job in jobs]))
    copies = (copies * 4)[:8]  # enough figures for a pool
    paths = [tmp_path / f"{i}.png" for i in range(len(copies))]
    done: list[tuple[int, int]] = []
    assert draw_figures(copies, paths, workers=2, progress=lambda d, t: done.append((d, t))) == paths
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)
    assert done[0] == (0, 8) and done[-1] == (8, 8)


@pytest.mark.parametrize("plot_format", ["svg", "pdf"])
def test_write_plots_in_a_vector_format(screen, tmp_path, plot_format) -> None:
    written = write_plots(screen, tmp_path / "figs", plot_format=plot_format, y_axis="percent")
    assert [p.name for p in written] == [f"{s}.{plot_format}" for s, _ in plot_jobs(screen)]
    head = {"svg": b"<?xml", "pdf": b"%PDF"}[plot_format]
    assert all(p.read_bytes().startswith(head) for p in written)


def test_write_plots_rejects_an_unknown_format_before_writing(screen, tmp_path) -> None:
    with pytest.raises(AssayInputError, match="unknown figure format 'jpg'"):
        write_plots(screen, tmp_path / "figs", plot_format="jpg")
    assert not (tmp_path / "figs").exists()


def test_write_plots_reports_a_figures_stage(screen, tmp_path) -> None:
    class Bar:
        def __init__(self) -> None:
            self.calls: list[Any] = []

        def __call__(self, done: int, total: int) -> None:
            self.calls.append((done, total))

        def stage(self, label: str) -> None:
            self.calls.append(label)

    bar = Bar()
    write_plots(screen, tmp_path / "figs", progress=bar)
    assert bar.calls[0] == "figures"
    assert bar.calls[1] == (0, 6) and bar.calls[-1] == (6, 6)
    assert Path(tmp_path / "figs" / "plate-B_overlay.png").is_file()
