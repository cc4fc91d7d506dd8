"""Each competition model's results table has exactly its documented columns, in the documented order.

The lists below are written out by hand from docs/user-guide/binding.md ("Output: one row per curve"), not
taken from :mod:`assaykit.binding.columns`, so that a change of the code's lists must also change these.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _data import control_tubes, counts_frame, curve_tubes, half_log_series, prism_4pl
from click.testing import CliRunner

from assaykit.binding import MODEL_COLUMNS, analyze_competition, result_columns
from assaykit.cli import main

ROOT = Path(__file__).resolve().parents[2]
X = half_log_series(-12.0, 17)
CONTROLS = control_tubes("A", "total", [5010, 4990, 5000]) + control_tubes("A", "nsb", [402, 398, 400])

IDENTITY = ["compound", "plate", "model", "n_points", "n_outliers", "weights", "ci_method"]
FIT = ["r_squared", "sy_x_cpm", "ss_cpm2", "df"]
ACTIVITY = ["activity", "p_displacement", "q_displacement", "displacement_pct", "ic50_above_nM"]
ONE_SITE = [
    *IDENTITY,
    "top_cpm", "top_se_cpm", "bottom_cpm", "bottom_se_cpm", "hill_slope", "hill_slope_se",
    "log_ic50", "log_ic50_se", "log_ic50_ci_low", "log_ic50_ci_high", "ic50_nM", "ic50_ci_low_nM",
    "ic50_ci_high_nM",
    "log_ki", "log_ki_se", "ki_nM", "ki_ci_low_nM", "ki_ci_high_nM",
    "log_ki_se_total", "ki_ci_low_total_nM", "ki_ci_high_total_nM",
    *FIT, *ACTIVITY, "flags",
]  # fmt: skip
TWO_SITES = [
    *IDENTITY,
    "top_cpm", "top_se_cpm", "bottom_cpm", "bottom_se_cpm",
    "log_ic50_hi", "log_ic50_hi_se", "log_ic50_hi_ci_low", "log_ic50_hi_ci_high", "ic50_hi_nM",
    "ic50_hi_ci_low_nM", "ic50_hi_ci_high_nM",
    "log_ic50_lo", "log_ic50_lo_se", "log_ic50_lo_ci_low", "log_ic50_lo_ci_high", "ic50_lo_nM",
    "ic50_lo_ci_low_nM", "ic50_lo_ci_high_nM",
    "fraction_hi", "fraction_hi_se", "fraction_hi_ci_low", "fraction_hi_ci_high",
    "log_ki_hi", "log_ki_hi_se", "ki_hi_nM", "ki_hi_ci_low_nM", "ki_hi_ci_high_nM",
    "log_ki_lo", "log_ki_lo_se", "ki_lo_nM", "ki_lo_ci_low_nM", "ki_lo_ci_high_nM",
    *FIT, *ACTIVITY, "flags",
]  # fmt: skip
HOMOLOGOUS = [
    *IDENTITY,
    "bottom_cpm", "bottom_se_cpm",
    "log_kd", "log_kd_se", "kd_nM", "kd_se_nM", "kd_ci_low_nM", "kd_ci_high_nM",
    "bmax_cpm", "bmax_se_cpm", "bmax_ci_low_cpm", "bmax_ci_high_cpm",
    *FIT, "flags",
]  # fmt: skip


def two_site(x, top, bottom, log_hi, log_lo, fraction):
    """Prism's "Two sites - Fit logIC50", by hand."""
    hi = fraction / (1 + 10 ** (x - log_hi))
    return bottom + (top - bottom) * (hi + (1 - fraction) / (1 + 10 ** (x - log_lo)))


def one_site_frame(unit: str = "cpm") -> pd.DataFrame:
    rng = np.random.default_rng(4)
    x = np.repeat(X, 3)
    y = prism_4pl(x, 5000.0, 400.0, -8.0, -1.0) + rng.normal(0, 50, x.size)
    return counts_frame(CONTROLS + curve_tubes("drug", "A", X, 3, y), unit=unit)


def two_site_frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    x = np.repeat(X, 3)
    y = two_site(x, 5000, 400, -9.5, -6.5, 0.4) + rng.normal(0, 60, x.size)
    return counts_frame(CONTROLS + curve_tubes("mixed", "A", X, 3, y))


def homologous_frame() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    tubes = list(CONTROLS)
    for hot in (0.3, 3.0):
        x = np.repeat(half_log_series(-12.0, 13), 3)
        bound = 4000.0 * hot / (hot + 10 ** (x + 9) + 1.0)  # Kd 1 nM: hot / (hot + cold + Kd) of Bmax
        y = bound + 200.0 + rng.normal(0, 40, x.size)
        tubes += [
            {**t, "hot_nM": hot} for t in curve_tubes("flunitrazepam", "A", half_log_series(-12, 13), 3, y)
        ]
    frame = counts_frame(tubes)
    frame["hot_nM"] = [t.get("hot_nM", np.nan) for t in tubes]
    return frame


@pytest.mark.parametrize("model", ["4pl", "one-site", "fit-ki"])
def test_one_site_models_have_exactly_their_documented_columns(model):
    results = analyze_competition(one_site_frame(), model=model, kd_nM=1.5, radioligand_nM=1.0).results
    assert list(results.columns) == ONE_SITE
    assert results.loc[0, "flags"] == "" and np.isfinite(results.loc[0, "top_cpm"])


@pytest.mark.parametrize("model", ["two-site", "two-site-ki"])
def test_two_site_models_have_exactly_their_documented_columns(model):
    results = analyze_competition(two_site_frame(), model=model, kd_nM=1.5, radioligand_nM=1.0).results
    assert list(results.columns) == TWO_SITES
    assert np.isfinite(results.loc[0, "ic50_hi_nM"])


def test_homologous_has_exactly_its_documented_columns():
    results = analyze_competition(homologous_frame(), model="homologous").results
    assert list(results.columns) == HOMOLOGOUS
    assert results.loc[0, "kd_nM"] == pytest.approx(1.0, rel=0.3)
    assert results.loc[0, "bmax_cpm"] == pytest.approx(4000, rel=0.2)


def test_the_signal_unit_and_the_weighting_are_in_the_names():
    results = analyze_competition(one_site_frame("dpm"), weights="poisson").results
    want = [c.replace("_cpm", "_dpm") for c in ONE_SITE]
    want[want.index("sy_x_dpm")], want[want.index("ss_dpm2")] = "sy_x_weighted", "ss_weighted"
    assert list(results.columns) == want


def test_a_table_of_several_models_has_the_union_in_the_documented_order():
    union = result_columns(["homologous", "4pl", "two-site"])
    assert set(union) == set(ONE_SITE) | set(TWO_SITES) | set(HOMOLOGOUS)
    for own in (ONE_SITE, TWO_SITES, HOMOLOGOUS):  # each model's own order is kept
        assert [c for c in union if c in own] == own
    assert union[:7] == IDENTITY and union[-1] == "flags"
    assert (
        union.index("bmax_cpm") < union.index("log_ki") < union.index("r_squared") < union.index("activity")
    )
    with pytest.raises(ValueError, match="unknown model"):
        result_columns("5pl")


def test_every_column_is_in_the_user_guide():
    guide = (ROOT / "docs" / "user-guide" / "binding.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-Za-z0-9_<>]+)`", guide))
    for model, templates in MODEL_COLUMNS.items():
        for name in templates:
            assert name.replace("{u}", "<u>") in documented, (model, name)


def test_the_terminal_headers_are_the_file_columns(tmp_path):
    out = tmp_path / "r.csv"
    example = ROOT / "examples" / "binding" / "counts.csv"
    result = CliRunner().invoke(
        main, ["binding", str(example), "--kd", "1.5", "--radioligand", "1", "-o", out]
    )
    assert result.exit_code == 0, result.output
    written = set(pd.read_csv(out).columns)
    header = result.stdout.splitlines()[0].split()
    for word in header:  # a CI column joins the file's _ci_low_ and _ci_high_ columns
        low = word.replace("_ci_", "_ci_low_")
        assert word in written or (low in written and word.replace("_ci_", "_ci_high_") in written), word
    assert header == ["compound", "plate", "ic50_nM", "ic50_ci_nM", "ki_nM", "ki_ci_nM", "hill_slope",
                      "r_squared", "flags"]  # fmt: skip
