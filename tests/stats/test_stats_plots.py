"""The group figures: written atomically in the house style, deterministic, and showing what the tables say.

The drawn artists are read back by their gids and compared with numbers computed here with numpy/scipy
(means, SDs, quartiles, the one-way ANOVA) or with the comparisons table's own intervals, which the
figures must draw unchanged.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.stats import plots
from assaykit.stats.compare import compare_groups
from assaykit.stats.estimation_plot import estimation_figure, plot_estimation
from assaykit.stats.plot_text import ci_label, format_omnibus
from assaykit.stats.plots import axis_label, group_dots_figure, jitter, plot_group_dots, significance_mark

PNG = b"\x89PNG\r\n\x1a\n"


def data() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    rows = [
        {"animal": f"{g}{i}", "group": g, "open_time_pct": v}
        for g, mu in (("vehicle", 15), ("drug", 30), ("single", 20))
        for i, v in enumerate(rng.normal(mu, 5, 8 if g != "single" else 1))
    ]
    return pd.DataFrame(rows)


def test_plot_writes_a_png_with_marks(tmp_path: Path) -> None:
    table = data()
    result = compare_groups(table, ["open_time_pct"], control="vehicle")
    out = plot_group_dots(
        table, "open_time_pct", tmp_path / "g.png", control="vehicle", comparisons=result.comparisons
    )
    assert out.read_bytes()[:8] == PNG and out.stat().st_size > 10_000
    assert not list(tmp_path.glob(".*.tmp"))
    # without comparisons, and as svg, also fine
    svg = plot_group_dots(table, "open_time_pct", tmp_path / "g.svg", groups=["drug", "vehicle"])
    assert "<svg" in svg.read_text()


def test_plot_is_deterministic(tmp_path: Path) -> None:
    table = data()
    a = plot_group_dots(table, "open_time_pct", tmp_path / "a.png", control="vehicle")
    b = plot_group_dots(table, "open_time_pct", tmp_path / "b.png", control="vehicle")
    assert a.read_bytes() == b.read_bytes()  # no random jitter


def test_jitter_spreads_equal_values_and_stays_in_its_lane() -> None:
    offsets = jitter(np.array([5.0, 5.0, 5.0, 5.0, 1.0, 9.0]))
    assert np.all(np.abs(offsets) <= 0.15)
    assert len(set(np.round(offsets[:4], 9))) == 4  # equal values get distinct offsets
    np.testing.assert_array_equal(offsets, jitter(np.array([5.0, 5.0, 5.0, 5.0, 1.0, 9.0])))


@pytest.mark.parametrize(
    ("p", "mark"),
    [
        (0.0004, "***"),
        (0.001, "**"),
        (0.009, "**"),
        (0.01, "*"),
        (0.049, "*"),
        (0.05, "ns"),
        (float("nan"), ""),
    ],
)
def test_significance_marks(p: float, mark: str) -> None:
    assert significance_mark(p) == mark


def test_axis_labels_carry_units() -> None:
    assert axis_label("latency_open_s") == "Latency to an open arm (s)"
    assert axis_label("rearing_time_s") == "rearing time (s)"
    assert axis_label("speed_cm_s") == "speed (cm/s)"
    assert axis_label("grooming_bouts") == "grooming bouts"


def test_plotting_never_goes_through_pyplot() -> None:
    # the figure comes from assaykit.plotting.new_figure (a bare Figure with an Agg canvas); a fresh
    # interpreter is not needed to see that the module never names pyplot
    source = inspect.getsource(plots)
    assert "import matplotlib.pyplot" not in source and "from matplotlib import pyplot" not in source
    assert "new_figure" in source and "save_figure" in source


# --- what the figures show, read back from the drawn artists --------------------------------------------


def by_gid(fig, gid: str):
    """The one artist of a figure with this gid."""
    found = [a for a in fig.findobj() if a.get_gid() == gid]
    assert len(found) == 1, (gid, len(found))
    return found[0]


def segment(fig, gid: str) -> tuple[float, float]:
    """The y range of a vertical line collection (a bar or an interval)."""
    (seg,) = by_gid(fig, gid).get_segments()
    return float(seg[:, 1].min()), float(seg[:, 1].max())


def caption(fig) -> str:
    return " ".join(by_gid(fig, "caption").get_text().split())


def four_groups(n: int = 9, means: tuple[float, ...] = (15, 22, 27, 33)) -> pd.DataFrame:
    rng = np.random.default_rng(17)
    rows = [
        {"group": g, "open_time_pct": v}
        for g, mu in zip(("vehicle", "low", "mid", "high"), means, strict=True)
        for v in rng.normal(mu, 6, n)
    ]
    return pd.DataFrame(rows)


def values_of(table: pd.DataFrame, name: str, column: str = "open_time_pct") -> np.ndarray:
    return table.loc[table["group"] == name, column].to_numpy(dtype=float)


@pytest.mark.parametrize("spread", ["sd", "sem"])
def test_the_bar_is_mean_plus_minus_sd_by_default_and_sem_on_request(spread: str) -> None:
    table = four_groups()
    kwargs = {} if spread == "sd" else {"spread": "sem"}
    fig = group_dots_figure(table, "open_time_pct", control="vehicle", **kwargs)
    for name in ("vehicle", "low", "mid", "high"):
        x = values_of(table, name)
        half = np.std(x, ddof=1) / (1.0 if spread == "sd" else np.sqrt(x.size))
        low, high = segment(fig, f"spread:{name}")
        np.testing.assert_allclose((high - low) / 2, half, rtol=1e-12)
        np.testing.assert_allclose(
            by_gid(fig, f"centre:{name}").get_segments()[0][0, 1], x.mean(), rtol=1e-12
        )
    assert ("mean ± SD" if spread == "sd" else "mean ± SEM") in caption(fig)


def test_one_animal_gets_no_bar_and_the_caption_says_so() -> None:
    table = pd.concat([four_groups(), pd.DataFrame({"group": ["solo"], "open_time_pct": [20.0]})])
    fig = group_dots_figure(table, "open_time_pct", control="vehicle")
    assert not [a for a in fig.findobj() if a.get_gid() == "spread:solo"]
    assert "(no bar for n = 1)" in caption(fig)


def test_the_omnibus_and_the_posthoc_test_are_on_the_figure() -> None:
    from scipy import stats

    table = four_groups(means=(15, 18, 20, 24))
    result = compare_groups(table, ["open_time_pct"], control="vehicle", test="parametric")
    row = result.comparisons.iloc[0]
    assert 0.001 < row.omnibus_p < 1  # written with three decimals
    fig = group_dots_figure(table, "open_time_pct", control="vehicle", comparisons=result.comparisons)
    text = caption(fig)
    expected = (
        f"one-way ANOVA F({int(row.omnibus_df)}, {int(row.omnibus_df_error)}) = "
        f"{row.omnibus_statistic:.2f}, p = {row.omnibus_p:.3f}"
    )
    assert expected in text
    # and those are the numbers of the one-way ANOVA (scipy), not just copied from the row
    anova = stats.f_oneway(*(values_of(table, g) for g in ("vehicle", "low", "mid", "high")))
    assert f"F(3, 32) = {anova.statistic:.2f}" in text
    assert "Dunnett vs vehicle (adjusted p): * p < 0.05, ** p < 0.01, *** p < 0.001, ns p ≥ 0.05" in text


def hand_rows(test: str, omnibus: str = "kruskal_wallis", **extra) -> pd.DataFrame:
    """A comparisons table written by hand (the columns the figures read)."""
    rows = []
    for i, name in enumerate(("low", "mid", "high")):
        rows.append(
            {
                "endpoint": "open_time_pct",
                "group": name,
                "control": "vehicle",
                "difference": 5.0 * (i + 1),
                "difference_ci_low": 5.0 * (i + 1) - 4.25,
                "difference_ci_high": 5.0 * (i + 1) + 3.5,
                "test": test,
                "alternative_test": "",
                "p_adjusted": (0.2, 0.03, 0.0004)[i],
                "omnibus_test": omnibus,
                "omnibus_statistic": 9.8,
                "omnibus_df": 3.0,
                "omnibus_df_error": np.nan if omnibus == "kruskal_wallis" else 18.4,
                "omnibus_p": 0.0203,
                "note": "",
                **extra,
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("test", ["dunn_holm", "dunn_bonferroni", "steel", "mann_whitney_u"])
def test_a_rank_test_gets_the_median_and_iqr(test: str) -> None:
    table = four_groups(8)
    fig = group_dots_figure(table, "open_time_pct", control="vehicle", comparisons=hand_rows(test))
    for name in ("vehicle", "low", "mid", "high"):
        x = values_of(table, name)
        centre = by_gid(fig, f"centre:{name}").get_segments()[0][0, 1]
        np.testing.assert_allclose(centre, np.median(x), rtol=1e-12)
        np.testing.assert_allclose(segment(fig, f"spread:{name}"), np.percentile(x, [25, 75]), rtol=1e-12)
    text = caption(fig)
    assert "median and IQR" in text and "compares ranks" in text
    assert "Kruskal-Wallis H(3) = 9.80, p = 0.020" in text
    assert [by_gid(fig, f"mark:{g}").get_text() for g in ("low", "mid", "high")] == ["ns", "*", "***"]


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("anova", 5.2137, 3.0, 40.0, 0.00412), "one-way ANOVA F(3, 40) = 5.21, p = 0.004"),
        (("welch_anova", 4.0, 3.0, 18.437, 0.02), "Welch ANOVA F(3, 18.4) = 4.00, p = 0.020"),
        (("kruskal_wallis", 9.8, 3.0, np.nan, 0.0203), "Kruskal-Wallis H(3) = 9.80, p = 0.020"),
        (("anova", 31.0, 2.0, 27.0, 3.4e-8), "one-way ANOVA F(2, 27) = 31.00, p = 3.4 × 10⁻⁸"),
        (("anova", np.nan, 2.0, 27.0, np.nan), "one-way ANOVA undefined (no variation within groups)"),
        (("", np.nan, np.nan, np.nan, np.nan), ""),
    ],
)
def test_omnibus_text(args: tuple, text: str) -> None:
    assert format_omnibus(*args) == text


def test_the_ci_label_comes_from_the_ci_type_column_or_the_test_that_made_it() -> None:
    assert ci_label(hand_rows("dunnett", "anova")) == "simultaneous (Dunnett)"
    assert ci_label(hand_rows("welch_t", "")) == "per comparison (Welch)"
    typed = hand_rows("dunn_holm", alternative_test="dunnett", difference_ci_type="simultaneous")
    assert ci_label(typed) == "simultaneous (Dunnett)"
    assert ci_label(hand_rows("dunnett", difference_ci_type="per_comparison")) == "per comparison"
    assert ci_label(hand_rows("steel")) == ""  # no parametric interval named: no claim


def latency_table() -> tuple[pd.DataFrame, np.ndarray]:
    table = pd.DataFrame(
        {
            "group": ["vehicle"] * 6 + ["drug"] * 6,
            "latency_open_s": [300, 300, 300, 120, 45, 300, 20, 35, 300, 60, 15, 80],
        },
        dtype=object,
    )
    censored = table["latency_open_s"].to_numpy() == 300
    table.loc[[0, 8], "latency_open_s"] = np.nan  # a tracker may leave "never entered" empty
    return table, censored


def test_censored_animals_are_open_markers_at_the_session_length() -> None:
    table, censored = latency_table()
    fig = group_dots_figure(
        table, "latency_open_s", control="vehicle", censored=censored, censor_time=300, medians={"drug": 41.5}
    )
    for name, count in (("vehicle", 4), ("drug", 1)):
        points = by_gid(fig, f"censored:{name}")
        np.testing.assert_array_equal(points.get_offsets()[:, 1], np.full(count, 300.0))
        assert points.get_facecolors().size == 0 or np.all(points.get_facecolors()[:, 3] == 0)  # open
        filled = by_gid(fig, f"dots:{name}")
        assert 300.0 not in filled.get_offsets()[:, 1]
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["did not enter (censored at 300 s)"]
    # the given Kaplan-Meier median for the drug; the plain median (censored at 300) for the vehicle
    assert by_gid(fig, "centre:drug").get_segments()[0][0, 1] == 41.5
    vehicle = by_gid(fig, "centre:vehicle").get_segments()[0][0, 1]
    assert vehicle == np.median([300, 300, 300, 120, 45, 300])
    assert "Kaplan-Meier median" in caption(fig) and "mean" not in caption(fig)


def test_a_median_not_reached_is_marked_and_a_missing_session_length_is_an_error() -> None:
    table, censored = latency_table()
    fig = group_dots_figure(
        table,
        "latency_open_s",
        censored=censored,
        censor_time=300,
        medians={"vehicle": float("inf")},
    )
    assert not [a for a in fig.findobj() if a.get_gid() == "centre:vehicle"]
    assert "NR median not reached" in caption(fig)
    with pytest.raises(AssayInputError, match="censor_time"):
        group_dots_figure(table, "latency_open_s", censored=censored)


@pytest.mark.parametrize(
    ("mask", "match"),
    [([True, False], "2 entries; expected one per data row"), (["yes"] * 12, "True/False")],
)
def test_a_wrong_censoring_mask_is_an_input_error(mask: list, match: str) -> None:
    table, _ = latency_table()
    with pytest.raises(AssayInputError, match=match):
        group_dots_figure(table, "latency_open_s", censored=mask, censor_time=300)


def test_spread_must_be_sd_or_sem() -> None:
    with pytest.raises(AssayInputError, match="spread must be 'sd' or 'sem'"):
        group_dots_figure(four_groups(), "open_time_pct", spread="ci")


def test_estimation_plot_draws_the_tables_intervals(tmp_path: Path) -> None:
    table = four_groups()
    comparisons = compare_groups(table, ["open_time_pct"], control="vehicle", test="parametric").comparisons
    order = ["vehicle", "low", "mid", "high"]
    kwargs = {"groups": order, "control": "vehicle", "comparisons": comparisons}
    out = plot_estimation(table, "open_time_pct", tmp_path / "e.png", **kwargs)
    assert out.read_bytes()[:8] == PNG
    fig = estimation_figure(table, "open_time_pct", **kwargs)
    upper, lower = fig.axes
    assert upper.get_shared_x_axes().joined(upper, lower)
    for row in comparisons.itertuples():
        assert segment(fig, f"ci:{row.group}") == (row.difference_ci_low, row.difference_ci_high)
        point = by_gid(fig, f"difference:{row.group}")
        assert point.get_ydata()[0] == row.difference
        assert point.get_xdata()[0] == order.index(row.group)
        # the difference is of means, group minus control
        np.testing.assert_allclose(
            row.difference, values_of(table, row.group).mean() - values_of(table, "vehicle").mean()
        )
    assert list(by_gid(fig, "zero").get_ydata()) == [0.0, 0.0]
    for name in order:
        low, high = segment(fig, f"spread:{name}")
        np.testing.assert_allclose((high - low) / 2, np.std(values_of(table, name), ddof=1), rtol=1e-12)
    text = caption(fig)
    assert "95% CI, simultaneous (Dunnett)" in text and "one-way ANOVA F(3, 32)" in text


def test_estimation_plot_labels_the_ci_type_and_marks_untested_groups() -> None:
    table = four_groups()
    rows = hand_rows("dunnett", "anova", difference_ci_type="per_comparison")
    rows.loc[rows["group"] == "high", ["difference", "difference_ci_low", "difference_ci_high", "test"]] = [
        np.nan,
        np.nan,
        np.nan,
        "",
    ]
    rows.loc[rows["group"] == "high", "note"] = "1 value(s) in this group: not tested"
    fig = estimation_figure(
        table, "open_time_pct", groups=["vehicle", "low", "mid", "high"], control="vehicle", comparisons=rows
    )
    assert segment(fig, "ci:mid") == (10.0 - 4.25, 10.0 + 3.5)
    assert not [a for a in fig.findobj() if a.get_gid() in ("ci:high", "difference:high")]
    assert by_gid(fig, "untested:high").get_text() == "n.t."
    text = caption(fig)
    assert "95% CI, per comparison" in text and "n.t. high: 1 value(s) in this group: not tested" in text


def test_estimation_plot_refuses_comparisons_against_another_control() -> None:
    rows = hand_rows("dunnett", "anova")
    with pytest.raises(AssayInputError, match="against 'vehicle', not the control 'low'"):
        estimation_figure(
            four_groups(),
            "open_time_pct",
            groups=["vehicle", "low", "mid", "high"],
            control="low",
            comparisons=rows,
        )


@pytest.mark.parametrize("k", [2, 5, 8])
def test_long_group_names_stay_readable(tmp_path: Path, k: int) -> None:
    rng = np.random.default_rng(k)
    names = [f"compound {chr(65 + i)} hydrochloride {10 * i} mg/kg i.p." for i in range(k)]
    sizes = np.linspace(1, 30, k).astype(int)
    table = pd.DataFrame(
        [
            {"group": g, "open_time_pct": v}
            for g, n in zip(names, sizes, strict=True)
            for v in rng.normal(20, 5, n)
        ]
    )
    for fig in (
        group_dots_figure(table, "open_time_pct", control=names[0]),
        estimation_figure(
            table,
            "open_time_pct",
            groups=names,
            control=names[0],
            comparisons=compare_groups(table, ["open_time_pct"], control=names[0]).comparisons,
        ),
    ):
        fig.canvas.draw()
        axes = fig.axes[-1]
        labels = axes.get_xticklabels()
        assert all(len(line) <= 12 for t in labels for line in t.get_text().splitlines())
        boxes = [t.get_window_extent() for t in labels]
        for left, right in zip(boxes[:-1], boxes[1:], strict=True):
            assert left.x1 < right.x0  # no label runs into the next one
        figure_box = fig.bbox
        assert all(figure_box.x0 <= b.x0 and b.x1 <= figure_box.x1 for b in boxes)
    assert plot_group_dots(table, "open_time_pct", tmp_path / "long.pdf", control=names[0]).exists()


def test_the_iqr_bars_follow_the_chosen_quartiles() -> None:
    """With quartiles="prism" the bars beside a rank test end at Prism's (type 6) quartiles, as the table."""
    from assaykit.stats.plots import group_dots_figure

    values = {"vehicle": [1.0, 2.0, 4.0, 7.0, 11.0], "drug": [3.0, 5.0, 6.0, 10.0, 15.0, 21.0]}
    data = pd.DataFrame([{"group": g, "y": v} for g, vs in values.items() for v in vs])
    rows = pd.DataFrame({"endpoint": ["y"], "group": ["drug"], "test": ["dunn_holm"], "p_adjusted": [0.2]})
    for quartiles, method in (("type7", "linear"), ("prism", "weibull")):
        fig = group_dots_figure(data, "y", control="vehicle", comparisons=rows, quartiles=quartiles)
        bar = next(a for a in fig.findobj() if getattr(a, "get_gid", lambda: None)() == "spread:drug")
        ends = sorted(np.asarray(bar.get_segments()[0])[:, 1]) if hasattr(bar, "get_segments") else None
        expected = np.percentile(values["drug"], [25, 75], method=method)
        assert ends is not None and np.allclose(ends, expected, rtol=1e-12)
