"""The trial figures read back from their Axes: error bars equal to the tables' intervals, bar heights equal
to the rates, arm order and colours, the dodge, the percent axis; real PNG and SVG files; bad input.

The inputs come from the library (the MMRM fitted to the reference data set of ``test_mmrm.py``,
``rate_table`` of hand-made outcomes) or are built by hand with means and SEs known in closed form.
"""

from __future__ import annotations

import math
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import assaykit.plotting
from assaykit.errors import AssayInputError
from assaykit.figure_jobs import write_figures
from assaykit.trial.mmrm import fit_mmrm
from assaykit.trial.plot_parts import CONTROL_GREY
from assaykit.trial.plots import (
    plot_change_by_visit,
    plot_responders,
    plot_withdrawal,
    trial_figure_jobs,
    withdrawal_means,
)
from assaykit.trial.rates import rate_table
from assaykit.trial.withdrawal import withdrawal_analysis

REF = Path(__file__).parent / "reference"


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The figures saved, kept open (nothing is written)."""
    kept: list[Any] = []
    monkeypatch.setattr(assaykit.plotting, "save_figure", lambda fig, path: kept.append(fig) or Path(path))
    return kept


@pytest.fixture(scope="module")
def lsmeans() -> pd.DataFrame:
    return fit_mmrm(pd.read_csv(REF / "mmrm_data.csv")).lsmeans


def arms_of(ax: Any) -> dict[str, Any]:
    """The error-bar containers of the axes by label, in drawing order."""
    return {c.get_label(): c for c in ax.containers if type(c).__name__ == "ErrorbarContainer"}


def bar_extents(container: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The x, lower and upper y of each vertical error bar of a container."""
    (lines,) = container.lines[2]
    segments = np.array(lines.get_segments())
    assert np.allclose(segments[:, 0, 0], segments[:, 1, 0])  # vertical
    return segments[:, 0, 0], segments[:, :, 1].min(axis=1), segments[:, :, 1].max(axis=1)


# ---------------------------------------------------------------------------------------------------------
# Change from baseline by visit
# ---------------------------------------------------------------------------------------------------------
def test_error_bars_are_the_lsmeans_intervals(figures: list[Any], lsmeans: pd.DataFrame) -> None:
    plot_change_by_visit(lsmeans, "c.png")
    ax = figures[0].axes[0]
    drawn = arms_of(ax)
    assert list(drawn) == ["placebo", "diazepam", "tofisopam"]
    for arm, container in drawn.items():
        rows = lsmeans[lsmeans["arm"] == arm]
        np.testing.assert_allclose(container.lines[0].get_ydata(), rows["estimate"], rtol=1e-12)
        x, low, high = bar_extents(container)
        np.testing.assert_allclose(low, rows["ci_low"], rtol=1e-12)
        np.testing.assert_allclose(high, rows["ci_high"], rtol=1e-12)
        np.testing.assert_allclose(x, container.lines[0].get_xdata())
    assert ax.get_ylabel() == "Change from baseline in HAM-A total\n(LS mean, 95% CI)"


def test_the_control_is_first_and_grey_whatever_the_table_order(
    figures: list[Any], lsmeans: pd.DataFrame
) -> None:
    shuffled = lsmeans.iloc[::-1].reset_index(drop=True)  # tofisopam first, placebo last
    plot_change_by_visit(shuffled, "c.png")
    drawn = arms_of(figures[0].axes[0])
    assert list(drawn)[0] == "placebo"
    colours = {arm: c.lines[0].get_color() for arm, c in drawn.items()}
    assert colours["placebo"] == CONTROL_GREY
    assert len(set(colours.values())) == 3


def test_the_dodge_keeps_arms_apart_around_each_visit(figures: list[Any], lsmeans: pd.DataFrame) -> None:
    plot_change_by_visit(lsmeans, "c.png")
    ax = figures[0].axes[0]
    x = np.array([c.lines[0].get_xdata() for c in arms_of(ax).values()])  # arms x visits
    visits = np.array([4.0, 7.0, 10.0, 14.0])
    np.testing.assert_allclose(x.mean(axis=0), visits)  # centred on the visit, at its day
    assert (np.diff(x, axis=0) > 0).all()  # control left, arms in order, never on top of each other
    assert (x.max(axis=0) - x.min(axis=0) < 0.5 * np.diff(visits).min()).all()  # visits stay apart
    np.testing.assert_allclose(ax.get_xticks(), visits)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["4", "7", "10", "14"]


def test_a_zero_line_a_title_and_text_visits(figures: list[Any], lsmeans: pd.DataFrame) -> None:
    names = {4: "day 4", 7: "week 1", 10: "day 10", 14: "week 2"}
    plot_change_by_visit(lsmeans.assign(visit=lsmeans["visit"].map(names)), "c.png", title="Efficacy")
    ax = figures[0].axes[0]
    (zero,) = [ln for ln in ax.get_lines() if ln.get_gid() == "zero"]
    assert list(zero.get_ydata()) == [0, 0]
    assert ax.get_title() == "Efficacy"
    assert [t.get_text() for t in ax.get_xticklabels()] == list(names.values())
    np.testing.assert_allclose(ax.get_xticks(), [0, 1, 2, 3])


# ---------------------------------------------------------------------------------------------------------
# Withdrawal over the washout
# ---------------------------------------------------------------------------------------------------------
def washout_scores() -> pd.DataFrame:
    """Three patients per arm at the end of treatment (visit 14) and two washout visits (17, 21)."""
    totals = {
        "placebo": [(2, 3, 2), (4, 4, 5), (6, 5, 5)],
        "diazepam": [(2, 9, 6), (3, 12, 8), (4, 9, 4)],
        "tofisopam": [(2, 4, 3), (3, 3, 3), (1, 5, None)],
    }
    rows = []
    for arm, patients in totals.items():
        for i, values in enumerate(patients):
            for visit, value in zip((14, 17, 21), values, strict=True):
                rows.append({"patient": f"{arm[:2]}{i}", "arm": arm, "visit": visit, "pwc_total": value})
    return pd.DataFrame(rows)


def test_withdrawal_means_and_se_in_closed_form() -> None:
    means = withdrawal_means(washout_scores().iloc[::-1], [14, 17, 21]).set_index(["arm", "visit"])
    assert list(dict.fromkeys(means.index.get_level_values("arm"))) == ["placebo", "tofisopam", "diazepam"]
    row = means.loc[("placebo", 14)]  # 2, 4, 6: SD 2
    assert (row["n"], row["mean"], row["sd"], row["se"]) == (3, 4.0, 2.0, pytest.approx(2 / math.sqrt(3)))
    row = means.loc[("tofisopam", 21)]  # 3, 3 and a missing total
    assert (row["n"], row["mean"], row["se"]) == (2, 3.0, 0.0)
    assert means.loc[("diazepam", 17), "mean"] == pytest.approx(10.0)


def test_withdrawal_figure_draws_mean_and_se(figures: list[Any]) -> None:
    scores = washout_scores()
    plot_withdrawal(scores, "w.png", visits=[14, 17, 21], threshold=3)
    ax = figures[0].axes[0]
    drawn = arms_of(ax)
    assert list(drawn) == ["placebo (n = 3)", "diazepam (n = 3)", "tofisopam (n = 3)"]
    means = withdrawal_means(scores, [14, 17, 21])
    for (label, container), (_, rows) in zip(drawn.items(), means.groupby("arm", sort=False), strict=True):
        assert label.startswith(rows["arm"].iloc[0])
        np.testing.assert_allclose(container.lines[0].get_ydata(), rows["mean"])
        _, low, high = bar_extents(container)
        np.testing.assert_allclose(low, rows["mean"] - rows["se"])
        np.testing.assert_allclose(high, rows["mean"] + rows["se"])
    x = np.array([c.lines[0].get_xdata() for c in drawn.values()])
    np.testing.assert_allclose(x.mean(axis=0), [14, 17, 21])
    assert (np.diff(x, axis=0) > 0).all()
    assert drawn["placebo (n = 3)"].lines[0].get_color() == CONTROL_GREY
    assert ax.get_ylabel() == "PWC-20 total (mean ± SE)"
    assert "≥ 3" in ax.get_legend().get_title().get_text()
    (washout,) = [p for p in ax.patches if p.get_gid() == "washout"]
    assert washout.get_x() == pytest.approx(15.5)  # from between the end of treatment and the first washout
    assert washout.get_x() + washout.get_width() > 21  # to past the last visit
    assert "end of\ntreatment" in ax.get_xticklabels()[0].get_text()


def test_withdrawal_without_a_threshold_has_no_rule(figures: list[Any]) -> None:
    plot_withdrawal(washout_scores(), "w.png", visits=[14, 17])
    legend = figures[0].axes[0].get_legend()
    assert legend.get_title().get_text() == ""


def test_visits_out_of_numeric_order_are_spaced_evenly_in_the_order_given(figures: list[Any]) -> None:
    plot_withdrawal(washout_scores(), "w.png", visits=[21, 14, 17])
    ax = figures[0].axes[0]
    np.testing.assert_allclose(ax.get_xticks(), [0, 1, 2])
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == ["21", "14", "17"]
    placebo = arms_of(ax)["placebo (n = 3)"]
    np.testing.assert_allclose(placebo.lines[0].get_ydata(), [4.0, 4.0, 4.0])
    (washout,) = [p for p in ax.patches if p.get_gid() == "washout"]
    assert washout.get_x() == pytest.approx(0.5) and washout.get_width() > 1.5


# ---------------------------------------------------------------------------------------------------------
# Responder bars
# ---------------------------------------------------------------------------------------------------------
def outcomes() -> pd.DataFrame:
    """Responders 9/20 on diazepam, 10/22 on tofisopam, 4/21 on placebo (listed last)."""
    rows = []
    for arm, events, n in (("diazepam", 9, 20), ("tofisopam", 10, 22), ("placebo", 4, 21)):
        rows += [{"arm": arm, "responder": i < events, "remission": i < events // 2} for i in range(n)]
    return pd.DataFrame(rows)


def test_bar_heights_and_intervals_are_the_rate_table(figures: list[Any]) -> None:
    table = rate_table(outcomes())
    plot_responders(table, "r.png")
    (ax,) = figures[0].axes
    heights = {p.get_gid(): p.get_height() for p in ax.patches if str(p.get_gid()).startswith("bar:")}
    assert list(heights) == ["bar:placebo", "bar:diazepam", "bar:tofisopam"]
    np.testing.assert_allclose(list(heights.values()), [100 * 4 / 21, 45.0, 100 * 10 / 22])
    (ci,) = [c for c in ax.containers if c.get_label() == "ci"]
    _, low, high = bar_extents(ci)
    np.testing.assert_allclose(low, 100 * table["rate_low"])
    np.testing.assert_allclose(high, 100 * table["rate_high"])
    assert ax.get_ylim() == (0.0, 100.0)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["placebo\nn = 21", "diazepam\nn = 20", "tofisopam\nn = 22"]
    placebo = next(p for p in ax.patches if p.get_gid() == "bar:placebo")
    assert placebo.get_facecolor()[:3] == pytest.approx((0x7F / 255,) * 3)
    assert "Clopper-Pearson" in ax.get_ylabel() and "95%" in ax.get_ylabel()


def test_remission_is_a_second_panel_with_the_same_arms(figures: list[Any]) -> None:
    data = outcomes()
    responders, remission = rate_table(data), rate_table(data, outcome="remission")
    plot_responders(responders, "r.png", remission=remission.iloc[::-1], title="Week 2")
    axes = figures[0].axes
    assert [ax.get_label() for ax in axes] == ["responder", "remission"]
    assert axes[1].get_title() == "Remission (HAM-A ≤ 7)"
    bars = [p for p in axes[1].patches if str(p.get_gid()).startswith("bar:")]
    assert [p.get_gid() for p in bars] == ["bar:placebo", "bar:diazepam", "bar:tofisopam"]
    np.testing.assert_allclose([p.get_height() for p in bars], [100 * 2 / 21, 20.0, 100 * 5 / 22])
    assert axes[1].get_ylim() == (0.0, 100.0)
    assert figures[0].get_suptitle() == "Week 2"


def test_the_withdrawal_incidence_draws_as_rates_too(figures: list[Any]) -> None:
    """Rises over visit 14: placebo 1, 1, -1; diazepam 7, 9, 5; tofisopam 2, 0, 4 (threshold 3)."""
    result = withdrawal_analysis(washout_scores(), end_of_treatment_visit=14, washout_visits=[17, 21])
    assert result.threshold == 3.0
    plot_responders(result.incidence, "s.png")
    (ax,) = figures[0].axes
    assert ax.get_title() == "Withdrawal syndrome"
    heights = [p.get_height() for p in ax.patches if str(p.get_gid()).startswith("bar:")]
    np.testing.assert_allclose(heights, [0.0, 100.0, 100 / 3])
    (ci,) = [c for c in ax.containers if c.get_label() == "ci"]
    _, low, high = bar_extents(ci)
    assert low[0] == 0.0 and high[1] == 100.0
    assert ax.get_ylim() == (0.0, 100.0)


# ---------------------------------------------------------------------------------------------------------
# Files, jobs, bad input
# ---------------------------------------------------------------------------------------------------------
def test_real_png_and_svg_files(tmp_path: Path, lsmeans: pd.DataFrame) -> None:
    jobs = trial_figure_jobs(
        lsmeans=lsmeans,
        responders=rate_table(outcomes()),
        remission=rate_table(outcomes(), outcome="remission"),
        withdrawal_scores=washout_scores(),
        withdrawal_visits=[14, 17, 21],
        threshold=3.0,
    )
    assert [stem for stem, _ in jobs] == ["change_from_baseline", "responders", "withdrawal"]
    pickle.loads(pickle.dumps(jobs))  # workers receive them
    for fmt in ("png", "svg"):
        paths = write_figures(jobs, tmp_path / fmt, plot_format=fmt)
        assert [p.name for p in paths] == [f"{stem}.{fmt}" for stem, _ in jobs]
        for path in paths:
            data = path.read_bytes()
            if fmt == "png":
                assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
            else:
                assert data.lstrip().startswith(b"<?xml") and b"</svg>" in data
    assert "HAM-A total" in (tmp_path / "svg" / "change_from_baseline.svg").read_text(encoding="utf-8")


def test_only_the_figures_with_inputs_are_listed(lsmeans: pd.DataFrame) -> None:
    assert [s for s, _ in trial_figure_jobs(lsmeans=lsmeans)] == ["change_from_baseline"]
    assert trial_figure_jobs() == []
    with pytest.raises(AssayInputError, match="washout visits"):
        trial_figure_jobs(withdrawal_scores=washout_scores())


def one_line(excinfo: pytest.ExceptionInfo[AssayInputError]) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("column", ["visit", "arm", "estimate", "ci_low", "ci_high"])
def test_lsmeans_without_a_column(lsmeans: pd.DataFrame, column: str, tmp_path: Path) -> None:
    with pytest.raises(AssayInputError) as excinfo:
        plot_change_by_visit(lsmeans.drop(columns=column), tmp_path / "c.png")
    assert f"no column '{column}'" in one_line(excinfo)
    assert excinfo.value.column == column
    assert not list(tmp_path.iterdir())


def test_withdrawal_and_rates_without_a_column(tmp_path: Path) -> None:
    with pytest.raises(AssayInputError) as excinfo:
        plot_withdrawal(washout_scores().drop(columns="pwc_total"), tmp_path / "w.png", visits=[14, 17])
    assert "no column 'pwc_total'" in one_line(excinfo)
    with pytest.raises(AssayInputError) as excinfo:
        plot_responders(rate_table(outcomes()).drop(columns="rate_high"), tmp_path / "r.png")
    assert "no column 'rate_high'" in one_line(excinfo)
    assert not list(tmp_path.iterdir())


def test_other_bad_input(lsmeans: pd.DataFrame) -> None:
    with pytest.raises(AssayInputError, match="no visit 28"):
        plot_withdrawal(washout_scores(), "w.png", visits=[14, 28])
    with pytest.raises(AssayInputError, match="at least one washout visit"):
        plot_withdrawal(washout_scores(), "w.png", visits=[14])
    with pytest.raises(AssayInputError, match="given twice"):
        plot_withdrawal(washout_scores(), "w.png", visits=[14, 17, 17])
    with pytest.raises(AssayInputError, match="threshold"):
        plot_withdrawal(washout_scores(), "w.png", visits=[14, 17], threshold=-1)
    with pytest.raises(AssayInputError, match="'x', not a number"):
        text = washout_scores().astype({"pwc_total": object}).assign(pwc_total="x")
        plot_withdrawal(text, "w.png", visits=[14, 17])
    with pytest.raises(AssayInputError, match="twice"):
        plot_change_by_visit(pd.concat([lsmeans, lsmeans.iloc[:1]]), "c.png")
    with pytest.raises(AssayInputError, match="outside its interval"):
        plot_change_by_visit(lsmeans.assign(ci_low=lsmeans["ci_high"]), "c.png")
    responders = rate_table(outcomes())
    with pytest.raises(AssayInputError, match="different arms"):
        plot_responders(responders, "r.png", remission=responders.iloc[:2])
    with pytest.raises(AssayInputError, match="within its interval"):
        plot_responders(responders.assign(rate_high=0.01), "r.png")
