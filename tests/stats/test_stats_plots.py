"""The group dot plot: written atomically in the house style, deterministic, marks from the headline p."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.stats import plots
from assaykit.stats.compare import compare_groups
from assaykit.stats.plots import axis_label, jitter, plot_group_dots, significance_mark

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
