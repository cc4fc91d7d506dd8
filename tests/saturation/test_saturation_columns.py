"""Each saturation model's results table has exactly its documented columns, in the documented order.

The lists below are written out by hand from docs/user-guide/saturation.md ("Output: one row per data
set"), not taken from :mod:`assaykit.saturation.columns`, so that a change of the code's lists must also
change these.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.io.saturation import saturation_from_frame
from assaykit.saturation import MODEL_COLUMNS, analyze_saturation, result_columns

ROOT = Path(__file__).resolve().parents[2]
CONC = 0.03 * 10 ** (np.arange(13) * 0.3)  # 0.03 to 190 nM

IDENTITY = ["dataset", "model", "n_points", "ci_method"]
KD = ["kd_nM", "kd_se_nM", "kd_ci_low_nM", "kd_ci_high_nM"]
BMAX = ["bmax_cpm", "bmax_se_cpm", "bmax_ci_low_cpm", "bmax_ci_high_cpm"]
SITES = [
    "kd_hi_nM", "kd_hi_se_nM", "kd_hi_ci_low_nM", "kd_hi_ci_high_nM",
    "kd_lo_nM", "kd_lo_se_nM", "kd_lo_ci_low_nM", "kd_lo_ci_high_nM",
    "bmax_hi_cpm", "bmax_hi_se_cpm", "bmax_lo_cpm", "bmax_lo_se_cpm",
]  # fmt: skip
NONSPECIFIC = ["ns_slope_cpm_per_nM", "ns_slope_se_cpm_per_nM", "background_cpm", "background_se_cpm"]
CONVERTED = [
    "bmax_fmol", "bmax_fmol_se", "bmax_fmol_per_mg", "bmax_fmol_per_mg_se", "sites_per_cell",
    "sites_per_cell_se", "max_fraction_bound",
]  # fmt: skip
FIT = ["r_squared", "sy_x_cpm", "ss_cpm2", "df"]
EXPECTED = {
    "one-site-total": [*IDENTITY, *KD, *BMAX, *NONSPECIFIC, *CONVERTED, *FIT, "flags"],
    "one-site": [*IDENTITY, *KD, *BMAX, *CONVERTED, *FIT, "flags"],
    "hill": [*IDENTITY, *KD, *BMAX, "hill", "hill_se", *CONVERTED, *FIT, "flags"],
    "two-site": [*IDENTITY, *SITES, *BMAX, "fraction_hi", "fraction_hi_se", *CONVERTED, *FIT, "flags"],
    "two-site-total": [
        *IDENTITY, *SITES, *NONSPECIFIC, *BMAX, "fraction_hi", "fraction_hi_se", *CONVERTED, *FIT, "flags"
    ],
}  # fmt: skip


def tubes(two_sites: bool, unit: str = "cpm", seed: int = 3) -> pd.DataFrame:
    """Total and NSB tubes (duplicates, 2% noise): one site (Kd 2 nM) or two (0.2 and 15 nM)."""
    rng = np.random.default_rng(seed)
    x = np.repeat(CONC, 2)
    one, two = 6000 * x / (2.0 + x), 2000 * x / (0.2 + x) + 4000 * x / (15 + x)
    specific = two if two_sites else one
    nsb = 20 * x + 50
    noise = 1 + 0.02 * rng.standard_normal((2, x.size))
    return pd.DataFrame(
        {
            "kind": ["total"] * x.size + ["nsb"] * x.size,
            "conc_nM": np.concatenate([x, x]),
            unit: np.concatenate([(specific + nsb) * noise[0], nsb * noise[1]]),
        }
    )


def results(model: str, unit: str = "cpm", **options) -> pd.DataFrame:
    data = saturation_from_frame(tubes(model.startswith("two-site"), unit))
    return analyze_saturation(data, model=model, **options).results


def _check(model: str) -> None:
    table = results(model, efficiency=0.45, specific_activity_Ci_mmol=85.0, protein_mg=0.1)
    assert list(table.columns) == EXPECTED[model]
    assert table.at[0, "model"] == model
    # every estimate column holds a number: the model fits what its table shows
    numbers = [c for c in EXPECTED[model] if c not in ("dataset", "model", "ci_method", "flags")]
    missing = [c for c in numbers if c not in ("sites_per_cell", "sites_per_cell_se", "max_fraction_bound")]
    assert all(math.isfinite(table.at[0, c]) for c in missing), table.iloc[0][missing]


def test_one_site_total_columns() -> None:
    _check("one-site-total")


def test_one_site_columns() -> None:
    _check("one-site")


def test_hill_columns() -> None:
    _check("hill")


def test_two_site_columns() -> None:
    _check("two-site")


def test_two_site_total_columns() -> None:
    _check("two-site-total")


def test_every_model_is_covered_and_named_with_its_unit() -> None:
    assert set(MODEL_COLUMNS) == set(EXPECTED)
    table = results("two-site-total", unit="dpm")
    assert list(table.columns) == [c.replace("cpm", "dpm") for c in EXPECTED["two-site-total"]]
    assert result_columns("one-site", "counts")[8] == "bmax_counts"
    with pytest.raises(ValueError, match="unknown model"):
        result_columns("4pl")


def test_a_data_set_not_fitted_has_the_same_columns() -> None:
    frame = tubes(False)
    frame["dataset"] = "good"
    bad = frame[frame["kind"] == "nsb"].assign(dataset="bad")  # no total tubes
    analysis = analyze_saturation(saturation_from_frame(pd.concat([frame, bad])), model="hill")
    assert list(analysis.results.columns) == EXPECTED["hill"]
    row = analysis.results.set_index("dataset").loc["bad"]
    assert row["flags"].startswith("not_fitted") and math.isnan(row["bmax_cpm"]) and row["n_points"] == 26


def test_the_file_and_the_terminal_use_the_documented_names(tmp_path: Path) -> None:
    path, out = tmp_path / "sat.csv", tmp_path / "results.csv"
    tubes(True).to_csv(path, index=False)
    result = CliRunner().invoke(main, ["saturation", str(path), "--model", "two-site-total", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert list(pd.read_csv(out).columns) == EXPECTED["two-site-total"]
    header = result.stdout.splitlines()[0].split()
    assert header == [
        "dataset", "kd_hi_nM", "kd_hi_ci_nM", "kd_lo_nM", "kd_lo_ci_nM", "bmax_cpm", "bmax_ci_cpm",
        "fraction_hi", "r_squared", "flags",
    ]  # fmt: skip
    assert set(header) - {"kd_hi_ci_nM", "kd_lo_ci_nM", "bmax_ci_cpm"} <= set(EXPECTED["two-site-total"])


def test_the_plot_reads_the_unit_named_parameters() -> None:
    from assaykit.saturation.plots import _read_fit

    row = results("one-site-total", unit="dpm").iloc[0]
    model, params = _read_fit(row, "dpm")
    assert model is not None and model.name == "one-site-total"
    assert params == {
        "bmax": row["bmax_dpm"],
        "kd_nM": row["kd_nM"],
        "ns_slope": row["ns_slope_dpm_per_nM"],
        "background": row["background_dpm"],
    }


def test_the_user_guide_lists_every_column() -> None:
    guide = (ROOT / "docs" / "user-guide" / "saturation.md").read_text(encoding="utf-8")
    section = guide.split("## Output: one row per data set")[1].split("\n## ")[0]
    documented = set(re.findall(r"`([A-Za-z_<>0-9]+)`", section))
    for model, columns in EXPECTED.items():
        generic = {c.replace("cpm", "<u>") for c in columns}
        absent = generic - documented - {"kd_lo_se_nM", "kd_lo_ci_low_nM", "kd_hi_ci_low_nM"}
        assert not absent, (model, sorted(absent))
