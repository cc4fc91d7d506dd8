"""The Kaplan-Meier plot of a latency: censored animals marked where they were censored, control first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.stats.survival import latency_comparisons
from assaykit.stats.survival_plots import latency_km_figure, plot_latency_km

PNG = b"\x89PNG\r\n\x1a\n"


def data() -> pd.DataFrame:
    """Vehicle: 3 of 6 never enter (300 s) and one session ended at 240 s; drug: one never enters."""
    return pd.DataFrame(
        {
            "animal": [f"a{i}" for i in range(12)],
            "group": ["drug"] * 6 + ["vehicle"] * 6,  # the control is not first in the table
            "latency_open_s": [12.0, 30.5, 30.5, 44.0, 61.0, 300.0, 80.0, 300.0, 150.0, 300.0, 240.0, 300.0],
            "session_s": [300.0] * 10 + [240.0, 300.0],
        }
    )


def censored_times(frame: pd.DataFrame, name: str) -> list[float]:
    """The distinct times at which animals of a group were censored, read from the raw table."""
    rows = frame[(frame["group"] == name) & (frame["latency_open_s"] >= frame["session_s"])]
    return sorted(set(rows["latency_open_s"]))


def test_censor_marks_sit_at_the_censoring_times_on_the_curve() -> None:
    frame = data()
    result = latency_comparisons(frame, "latency_open_s", control="vehicle")
    fig = latency_km_figure(result)
    ax = fig.axes[0]
    marks = {line.get_gid(): line for line in ax.lines if str(line.get_gid()).startswith("censored:")}
    assert set(marks) == {"censored:vehicle", "censored:drug"}
    assert list(marks["censored:vehicle"].get_xdata()) == censored_times(frame, "vehicle") == [240.0, 300.0]
    assert list(marks["censored:drug"].get_xdata()) == censored_times(frame, "drug") == [300.0]
    assert all(line.get_marker() == "+" for line in marks.values())
    # on the curve: vehicle entries at 80 and 150 s leave 5/6 and then 5/6 * 4/5 = 2/3 not yet entered
    np.testing.assert_allclose(marks["censored:vehicle"].get_ydata(), [2 / 3, 2 / 3])
    np.testing.assert_allclose(marks["censored:drug"].get_ydata(), [1 / 6])
    assert ax.get_xlim() == (0.0, 300.0)  # the session length
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend[0] == "vehicle (n = 6)"  # the control first, without a p
    p = result.comparisons.query("analysis == 'logrank'")["p_adjusted"].iloc[0]
    assert legend[1].startswith("drug (n = 6), p = ") and f"{p:.2g}"[:4] in legend[1]


def test_plot_writes_a_png_and_an_svg(tmp_path: Path) -> None:
    result = latency_comparisons(data(), "latency_open_s", control="vehicle")
    out = plot_latency_km(result, tmp_path / "km.png", title="EPM")
    assert out.read_bytes()[:8] == PNG and out.stat().st_size > 10_000
    assert "<svg" in plot_latency_km(result, tmp_path / "km.svg").read_text()
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(AssayInputError, match="unknown figure format"):
        plot_latency_km(result, tmp_path / "km.txt")
    assert not (tmp_path / "km.txt").exists()


def test_plotting_never_goes_through_pyplot() -> None:
    code = (
        "import sys, pandas as pd\n"
        "from assaykit.stats.survival_plots import latency_km_figure\n"
        "assert 'matplotlib' not in sys.modules\n"  # matplotlib is imported only when drawing
        "from assaykit.stats.survival import latency_comparisons\n"
        "t = pd.DataFrame({'group': list('vvdd'), 'latency_open_s': [300.0, 20, 5, 9], 'session_s': 300.0})\n"
        "latency_km_figure(latency_comparisons(t, 'latency_open_s', control='v'))\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
