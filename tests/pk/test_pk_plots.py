"""PK figures read back from their Axes: log scale, marker sets, the terminal line's slope, group means.

The NCA inputs are built by hand with the names the figures read (``lambda_z_per_h``, ``lambda_z_intercept``
(natural log), ``lambda_z_first_h``, ``lambda_z_last_h``, ``tmax_h``, ``cmax_ng_mL``, points with
``lambda_z_used``), so these tests do not depend on the NCA's code.
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
from assaykit.pk.plots import group_mean_profile, pk_figure_jobs, plot_group_means, plot_profile

TIMES = np.array([0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0])
KA, K, A = 2.0, 0.3, 100.0


def one_compartment(t: np.ndarray) -> np.ndarray:
    """An oral one-compartment profile, A (e^-kt - e^-ka t), in ng/mL."""
    return A * (np.exp(-K * np.asarray(t)) - np.exp(-KA * np.asarray(t)))


def profile_points(blq_last: bool = True) -> pd.DataFrame:
    conc = one_compartment(TIMES)
    blq = np.zeros(len(TIMES), dtype=bool)
    if blq_last:
        blq[-1] = True
        conc[-1] = np.nan
    used = np.isin(TIMES, [4.0, 8.0, 12.0])
    return pd.DataFrame({"time_h": TIMES, "conc": conc, "blq": blq, "lambda_z_used": used})


RESULT = {
    "lambda_z_per_h": 0.3,
    "lambda_z_intercept": math.log(A),
    "lambda_z_first_h": 4.0,
    "lambda_z_last_h": 12.0,
    "tmax_h": 1.0,
    "cmax_ng_mL": float(one_compartment(1.0)),
    "half_life_h": math.log(2) / 0.3,
}


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The figures saved, kept open (nothing is written)."""
    kept: list[Any] = []
    monkeypatch.setattr(assaykit.plotting, "save_figure", lambda fig, path: kept.append(fig) or Path(path))
    return kept


def panels(fig: Any) -> tuple[Any, Any]:
    (linear,) = [ax for ax in fig.axes if ax.get_label() == "linear"]
    (semilog,) = [ax for ax in fig.axes if ax.get_label() == "semilog"]
    return linear, semilog


def line(ax: Any, label_start: str) -> Any:
    found = [ln for ln in ax.get_lines() if ln.get_label().startswith(label_start)]
    assert len(found) == 1, [ln.get_label() for ln in ax.get_lines()]
    return found[0]


def test_profile_panels_are_linear_and_semilog(figures: list[Any]) -> None:
    plot_profile(profile_points(), RESULT, "x.png", title="r01", conc_unit="ng/mL", lloq=1.0)
    linear, semilog = panels(figures[0])
    assert linear.get_yscale() == "linear"
    assert semilog.get_yscale() == "log"
    assert figures[0].get_suptitle() == "r01"
    assert semilog.get_ylim()[0] > 0


def test_lambda_z_points_samples_and_blq_are_separate_marker_sets(figures: list[Any]) -> None:
    points = profile_points()
    plot_profile(points, RESULT, "x.png", conc_unit="ng/mL", lloq=1.0)
    for ax in panels(figures[0]):
        used = line(ax, "λ$_z$ points")
        np.testing.assert_allclose(used.get_xdata(), [4.0, 8.0, 12.0])
        samples = line(ax, "samples")
        np.testing.assert_allclose(samples.get_xdata(), [0.25, 0.5, 1.0, 2.0])
        np.testing.assert_allclose(samples.get_ydata(), one_compartment(samples.get_xdata()))
        assert used.get_markerfacecolor() != samples.get_markerfacecolor()
        blq = line(ax, "BLQ (at LLOQ/2)")
        assert blq.get_markerfacecolor() == "none"  # open
        np.testing.assert_allclose(blq.get_xdata(), [24.0])
        np.testing.assert_allclose(blq.get_ydata(), [0.5])


def test_terminal_line_has_slope_minus_lambda_z_on_the_log_axis(figures: list[Any]) -> None:
    plot_profile(profile_points(), RESULT, "x.png", conc_unit="ng/mL", lloq=1.0)
    _, semilog = panels(figures[0])
    terminal = line(semilog, "terminal")
    x, y = terminal.get_xdata(), terminal.get_ydata()
    slope, intercept = np.polyfit(x, np.log(y), 1)
    assert slope == pytest.approx(-0.3, rel=1e-9)
    assert intercept == pytest.approx(math.log(A), rel=1e-9)
    assert (x.min(), x.max()) == (4.0, 12.0)
    assert terminal.get_linestyle() == "-"
    assert "2.31 h" in terminal.get_label()  # t1/2 = ln 2 / 0.3
    (extended,) = [ln for ln in semilog.get_lines() if ln.get_label() == "_extended"]
    assert extended.get_linestyle() == "--"
    assert (extended.get_xdata().min(), extended.get_xdata().max()) == (12.0, 24.0)
    slope, _ = np.polyfit(extended.get_xdata(), np.log(extended.get_ydata()), 1)
    assert slope == pytest.approx(-0.3, rel=1e-9)


def test_the_terminal_span_comes_from_the_points_when_the_result_lacks_it(figures: list[Any]) -> None:
    result = {k: v for k, v in RESULT.items() if k not in ("lambda_z_first_h", "lambda_z_last_h")}
    plot_profile(profile_points(), result, "x.png", conc_unit="ng/mL")
    x = line(panels(figures[0])[1], "terminal").get_xdata()
    assert (x.min(), x.max()) == (4.0, 12.0)


def test_cmax_is_marked_at_tmax(figures: list[Any]) -> None:
    plot_profile(profile_points(), RESULT, "x.png", conc_unit="ng/mL")
    for ax in panels(figures[0]):
        mark = line(ax, "C$_{max}$")
        assert mark.get_marker() == "s"
        np.testing.assert_allclose(mark.get_xdata(), [1.0])
        np.testing.assert_allclose(mark.get_ydata(), [RESULT["cmax_ng_mL"]])


def test_the_compartmental_curve_is_drawn_when_given(figures: list[Any]) -> None:
    plot_profile(profile_points(), RESULT, "x.png", conc_unit="ng/mL", fitted=one_compartment)
    for ax in panels(figures[0]):
        curve = line(ax, "compartmental fit")
        x = curve.get_xdata()
        np.testing.assert_allclose(curve.get_ydata(), one_compartment(x))
        assert x.max() == 24.0
    plot_profile(profile_points(), RESULT, "y.png", conc_unit="ng/mL")
    assert not any(ln.get_label() == "compartmental fit" for ln in figures[1].axes[0].get_lines())


def test_no_terminal_phase_draws_no_line(figures: list[Any]) -> None:
    result = dict(RESULT, lambda_z_per_h=float("nan"))
    points = profile_points().assign(lambda_z_used=False)
    plot_profile(points, result, "x.png", conc_unit="ng/mL")
    for ax in panels(figures[0]):
        assert not any(ln.get_label().startswith("terminal") for ln in ax.get_lines())
        assert "no terminal phase" in [t.get_text() for t in ax.texts]


def test_blq_without_an_lloq_sits_at_zero_and_at_the_log_floor(figures: list[Any]) -> None:
    points = profile_points()
    plot_profile(points, RESULT, "x.png", conc_unit="ng/mL")
    linear, semilog = panels(figures[0])
    np.testing.assert_allclose(line(linear, "BLQ (at 0)").get_ydata(), [0.0])
    lowest = np.nanmin(points["conc"])
    np.testing.assert_allclose(line(semilog, "BLQ (at half the lowest value)").get_ydata(), [lowest / 2])


def test_a_real_file_is_written(tmp_path: Path) -> None:
    path = plot_profile(profile_points(), RESULT, tmp_path / "p.svg", title="r01", conc_unit="ng/mL")
    assert path.read_text(encoding="utf-8").lstrip().startswith("<?xml")


# ---------------------------------------------------------------------------------------------------------
# Group means
# ---------------------------------------------------------------------------------------------------------
def group_points() -> pd.DataFrame:
    rows = []
    values = {"a": (10.0, 2.0, None), "b": (20.0, 4.0, None), "c": (30.0, None, 1.5)}
    for subject, concs in values.items():
        for t, c in zip((1.0, 8.0, 24.0), concs, strict=True):
            rows.append(("low", subject, t, np.nan if c is None else c, c is None))
    for subject, scale in (("d", 2.0), ("e", 3.0)):
        for t, c in zip((1.0, 8.0, 24.0), (10.0, 5.0, 2.0), strict=True):
            rows.append(("high", subject, t, c * scale, False))
    return pd.DataFrame(rows, columns=["group", "subject", "time_h", "conc", "blq"])


def test_group_means_leave_blq_out_and_need_two_thirds_measurable() -> None:
    means = group_mean_profile(group_points(), by=("group",))
    low = means[means["group"] == "low"].set_index("time_h")
    assert low.loc[1.0, "mean"] == pytest.approx(20.0)
    assert low.loc[1.0, "sd"] == pytest.approx(10.0)  # SD of 10, 20, 30 (n - 1)
    assert low.loc[8.0, "mean"] == pytest.approx(3.0)  # 2 and 4; c is BLQ: left out, not 0
    assert (low.loc[8.0, "n"], low.loc[8.0, "n_measured"]) == (3, 2)
    assert bool(low.loc[8.0, "drawn"])  # 2 of 3
    assert not bool(low.loc[24.0, "drawn"])  # 1 of 3
    high = means[means["group"] == "high"].set_index("time_h")
    assert high.loc[8.0, "mean"] == pytest.approx(12.5)
    assert high.loc[8.0, "sd"] == pytest.approx(np.std([10.0, 15.0], ddof=1))


def test_group_means_figure_one_curve_per_group(figures: list[Any]) -> None:
    plot_group_means(group_points(), "m.png", conc_unit="ng/mL", by=("group", "analyte"))
    linear, semilog = panels(figures[0])
    assert semilog.get_yscale() == "log" and linear.get_yscale() == "linear"
    for ax in (linear, semilog):
        curves = {c.get_label(): c for c in ax.containers}
        assert set(curves) == {"low", "high"}
        low = curves["low"].lines[0]
        np.testing.assert_allclose(low.get_xdata(), [1.0, 8.0])  # 24 h not drawn
        np.testing.assert_allclose(low.get_ydata(), [20.0, 3.0])
        assert curves["low"].lines[0].get_color() != curves["high"].lines[0].get_color()
    legend = linear.get_legend()
    assert "2/3" in legend.get_title().get_text() and "BLQ left out" in legend.get_title().get_text()


def test_on_the_log_panel_a_bar_reaching_zero_points_up_only(figures: list[Any]) -> None:
    points = pd.DataFrame(
        {"group": "g", "subject": ["a", "b"], "time_h": [1.0, 1.0], "conc": [1.0, 9.0], "blq": False}
    )  # mean 5, SD 5.66: mean - SD < 0
    plot_group_means(points, "m.png", conc_unit="ng/mL", by=("group",))
    linear, semilog = panels(figures[0])
    (bars,) = semilog.containers[0].lines[2]
    segment = bars.get_segments()[0]
    assert segment[:, 1].min() == pytest.approx(5.0)  # starts at the mean
    assert segment[:, 1].max() == pytest.approx(5.0 + np.std([1.0, 9.0], ddof=1))
    (bars,) = linear.containers[0].lines[2]
    assert bars.get_segments()[0][:, 1].min() == pytest.approx(5.0 - np.std([1.0, 9.0], ddof=1))


# ---------------------------------------------------------------------------------------------------------
# Figure jobs
# ---------------------------------------------------------------------------------------------------------
def test_figure_jobs_one_profile_per_subject_and_analyte_and_means_per_analyte(tmp_path: Path) -> None:
    one = profile_points()
    points = pd.concat(
        [
            one.assign(subject="r1", analyte="diazepam", group="dz"),
            one.assign(subject="r1", analyte="nordazepam", group="dz"),
            one.assign(subject="r2", analyte="diazepam", group="dz"),
        ],
        ignore_index=True,
    )
    results = pd.DataFrame(
        [dict(RESULT, subject=s, analyte=a, group="dz") for s, a in (("r1", "diazepam"), ("r1", "nordazepam"),
                                                                      ("r2", "diazepam"))]
    )  # fmt: skip
    jobs = pk_figure_jobs(points, results, conc_unit="ng/mL", lloq=1.0)
    stems = [stem for stem, _ in jobs]
    assert stems == [
        "profile_r1_diazepam",
        "profile_r1_nordazepam",
        "profile_r2_diazepam",
        "means_diazepam",
        "means_nordazepam",
    ]
    pickle.dumps(jobs)  # drawn in worker processes
    profile = jobs[1][1]
    assert profile.kwargs["title"] == "r1 · dz · nordazepam"
    assert profile.args[0]["time_h"].tolist() == TIMES.tolist()
    written = profile.draw(tmp_path / "p.png")
    assert written.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    single = pk_figure_jobs(points[points["analyte"] == "diazepam"], results.iloc[[0, 2]], conc_unit="ng/mL")
    assert [stem for stem, _ in single] == ["profile_r1", "profile_r2", "means"]


@pytest.mark.parametrize("blq_last", [True, False])
def test_the_log_axis_holds_every_marker(figures: list[Any], blq_last: bool) -> None:
    points = profile_points(blq_last=blq_last)
    plot_profile(points, RESULT, "x.png", conc_unit="ng/mL", lloq=1.0)
    _, semilog = panels(figures[0])
    low, high = semilog.get_ylim()
    markers = [ln for ln in semilog.get_lines() if ln.get_marker() not in ("None", None, "")]
    y = np.concatenate([ln.get_ydata() for ln in markers])
    assert low < y.min() and y.max() < high
    assert low > y.min() / 3  # no empty decades below the data
