"""The group figures a paper can use (issue 18): the spread follows the headline test on every figure,
latencies at the session ceiling marked as censored on every figure that shows one, the positive control
set apart from the dose series; and the figure jobs of a comparison."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from assaykit.stats.compare import compare_groups
from assaykit.stats.estimation_plot import estimation_figure
from assaykit.stats.group_layout import GAP, group_layout
from assaykit.stats.plots import group_dots_figure
from assaykit.stats.survival import latency_comparisons
from assaykit.stats.survival_plots import latency_km_figure

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ("vehicle", "AK 1", "AK 3", "AK 10", "diazepam 1.5")
COMPOUNDS = {"AK 1": "AK", "AK 3": "AK", "AK 10": "AK", "diazepam 1.5": "diazepam"}


def by_gid(fig, gid: str):
    found = [a for a in fig.findobj() if a.get_gid() == gid]
    assert len(found) == 1, (gid, len(found))
    return found[0]


def study(n: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    means = (12, 15, 20, 27, 45)
    rows = [
        {"animal": f"{g}-{i}", "group": g, "compound": COMPOUNDS.get(g, ""), "open_time_pct": v}
        for g, mu in zip(GROUPS, means, strict=True)
        for i, v in enumerate(rng.normal(mu, 6, n))
    ]
    return pd.DataFrame(rows)


def dots_x(fig, name: str) -> float:
    """The lane's x: the middle of its centre line."""
    (seg,) = by_gid(fig, f"centre:{name}").get_segments()
    return float(seg[:, 0].mean())


def test_the_layout_sets_another_compound_apart() -> None:
    layout = group_layout(GROUPS, "vehicle", COMPOUNDS)
    assert layout.series == "AK"
    assert layout.positions[:4] == (0.0, 1.0, 2.0, 3.0)
    assert layout.positions[4] == pytest.approx(4.0 + GAP)
    assert [layout.is_apart(i) for i in range(5)] == [False, False, False, False, True]
    assert len(set(layout.colours)) == 5
    # no compounds, or one: side by side, as before
    assert group_layout(GROUPS, "vehicle").positions == (0.0, 1.0, 2.0, 3.0, 4.0)
    assert not group_layout(GROUPS[:4], "vehicle", COMPOUNDS).blocks


@pytest.mark.parametrize("figure", ["dots", "estimation"])
def test_the_positive_control_stands_apart_in_its_own_colour(figure: str) -> None:
    table = study()
    result = compare_groups(table, ["open_time_pct"], control="vehicle")
    kwargs = {"groups": list(GROUPS), "control": "vehicle", "comparisons": result.comparisons}
    if figure == "dots":
        fig = group_dots_figure(table, "open_time_pct", compounds=COMPOUNDS, **kwargs)
    else:
        fig = estimation_figure(table, "open_time_pct", compounds=COMPOUNDS, **kwargs)
    xs = [dots_x(fig, g) for g in GROUPS]
    steps = np.diff(xs)
    np.testing.assert_allclose(steps[:3], 1.0)  # the dose series side by side
    assert steps[3] > 1.0 + 0.5 * GAP  # the positive control after a gap
    (line,) = by_gid(fig, "separator:diazepam").get_xdata()[:1]
    assert xs[3] < line < xs[4]
    label = by_gid(fig, "compound:diazepam")
    assert label.get_text() == "diazepam"
    assert xs[3] < label.get_position()[0] <= xs[4] + 1e-9
    colours = {g: to_hex(by_gid(fig, f"dots:{g}").get_facecolor()[0]) for g in GROUPS}
    assert colours["diazepam 1.5"] not in {colours[g] for g in GROUPS[:4]}
    ticks = fig.axes[-1].get_xticks()
    np.testing.assert_allclose(ticks, xs)
    if figure == "estimation":
        (px,) = by_gid(fig, "difference:diazepam 1.5").get_xdata()
        assert px == pytest.approx(xs[4])
    fig.canvas.draw()
    ax = fig.axes[0]
    assert ax.get_xlim()[1] > xs[4]  # the last lane is inside the axes


def test_without_compounds_the_figures_are_as_before() -> None:
    table = study().drop(columns="compound")
    fig = group_dots_figure(table, "open_time_pct", groups=list(GROUPS), control="vehicle")
    np.testing.assert_allclose([dots_x(fig, g) for g in GROUPS], range(5))
    assert not [a for a in fig.findobj() if str(a.get_gid()).startswith(("separator:", "compound:"))]


@pytest.mark.parametrize(("test", "rank"), [("dunnett", False), ("dunn_holm", True), ("steel", True)])
def test_the_estimation_plot_follows_the_headline_test(test: str, rank: bool) -> None:
    table = study()
    comparisons = compare_groups(table, ["open_time_pct"], control="vehicle").comparisons
    fig = estimation_figure(
        table, "open_time_pct", groups=list(GROUPS), control="vehicle", comparisons=comparisons, test=test
    )
    for name in GROUPS:
        x = table.loc[table["group"] == name, "open_time_pct"].to_numpy()
        (seg,) = by_gid(fig, f"centre:{name}").get_segments()
        (bar,) = by_gid(fig, f"spread:{name}").get_segments()
        if rank:
            assert seg[0, 1] == pytest.approx(np.median(x))
            np.testing.assert_allclose(sorted(bar[:, 1]), np.percentile(x, [25, 75]))
        else:
            assert seg[0, 1] == pytest.approx(x.mean())
            np.testing.assert_allclose(sorted(bar[:, 1]), x.mean() + np.array([-1, 1]) * x.std(ddof=1))
    text = " ".join(by_gid(fig, "caption").get_text().split())
    assert ("median and IQR" in text) is rank and ("mean ± SD" in text) is not rank


def latency_study() -> tuple[pd.DataFrame, pd.Series]:
    table = pd.DataFrame(
        {
            "animal": [f"a{i}" for i in range(12)],
            "group": ["vehicle"] * 6 + ["drug"] * 6,
            "latency_open_s": [300, 300, 120, 45, 300, 80, 20, 35, 300, 60, 15, 40],
            "session_s": 300.0,
        }
    )
    return table, table["latency_open_s"] >= 300


def test_every_figure_of_a_latency_marks_the_censored_animals() -> None:
    table, censored = latency_study()
    comparisons = compare_groups(table, ["latency_open_s"], control="vehicle").comparisons
    shared = {"control": "vehicle", "comparisons": comparisons, "censored": censored, "censor_time": 300.0}
    for fig in (
        group_dots_figure(table, "latency_open_s", **shared),
        estimation_figure(table, "latency_open_s", groups=["vehicle", "drug"], **shared),
    ):
        for name, count in (("vehicle", 3), ("drug", 1)):
            points = by_gid(fig, f"censored:{name}")
            np.testing.assert_array_equal(points.get_offsets()[:, 1], np.full(count, 300.0))
            assert points.get_facecolors().size == 0 or np.all(points.get_facecolors()[:, 3] == 0)
        (legend,) = fig.legends
        assert [t.get_text() for t in legend.get_texts()] == ["did not enter (censored at 300 s)"]
    km = latency_km_figure(latency_comparisons(table, "latency_open_s", control="vehicle"))
    labels = [t.get_text() for t in km.axes[0].get_legend().get_texts()]
    assert labels[-1] == "censored: not entered by 300 s"
    assert by_gid(km, "censored:vehicle").get_marker() == "+"
    handle = km.axes[0].get_legend().legend_handles[-1]
    assert handle.get_marker() == "+"


def test_the_positive_control_is_dashed_on_the_kaplan_meier_plot() -> None:
    table, _ = latency_study()
    extra = table[table["group"] == "drug"].assign(group="ref", animal=lambda f: f["animal"] + "r")
    table = pd.concat([table, extra], ignore_index=True)
    result = latency_comparisons(table, "latency_open_s", control="vehicle")
    fig = latency_km_figure(result, compounds={"drug": "AK", "ref": "diazepam"})
    assert by_gid(fig, "curve:ref").get_linestyle() == "--"
    assert by_gid(fig, "curve:drug").get_linestyle() == "-"
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(label.startswith("diazepam: ref") for label in labels)


@pytest.fixture(scope="module")
def example_run():
    from assaykit.stats.workflow import run_compare

    design = ROOT / "examples" / "design"
    return run_compare(
        design / "epm_endpoints.csv",
        design=design / "study_design.csv",
        control="vehicle",
        test="nonparametric",
    )


def test_plot_jobs_cover_every_figure_and_carry_what_they_need(example_run, tmp_path: Path) -> None:
    from assaykit.stats.workflow import plot_jobs, write_group_plots

    jobs = plot_jobs(example_run)
    stems = [stem for stem, _ in jobs]
    result = example_run.comparison
    expected = []
    for endpoint in result.endpoints:
        expected += [f"groups_{endpoint}", f"estimation_{endpoint}"]
        expected += [f"latency_{endpoint}"] if endpoint in result.survival else []
    assert stems == expected
    assert "latency_latency_open_s" in stems
    for _, job in jobs:
        pickle.loads(pickle.dumps(job))
        assert job.kwargs["compounds"]["AK-101 3 mg/kg"] == "AK-101"  # every figure sets diazepam apart
    estimation = dict(jobs)["estimation_open_time_pct"]
    assert estimation.kwargs["test"].startswith("dunn")
    assert estimation.kwargs["compounds"]["diazepam 1.5 mg/kg"] == "diazepam"
    done = []
    written = write_group_plots(
        example_run, tmp_path, plot_format="svg", progress=lambda d, t: done.append((d, t))
    )
    assert [p.name for p in written] == [f"{s}.svg" for s in stems]
    assert all("<svg" in p.read_text()[:500] for p in written)
    assert done[0] == (0, len(jobs)) and done[-1] == (len(jobs), len(jobs))
