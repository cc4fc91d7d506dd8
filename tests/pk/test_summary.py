"""Group summaries against numpy/scipy on hand-made values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from assaykit.pk.summary import summarize_groups


def _results():
    return pd.DataFrame(
        {
            "subject": ["1", "2", "3", "4", "5"],
            "analyte": "parent",
            "group": ["A", "A", "A", "B", "B"],
            "dose_mg_kg": 1.0,
            "route": "extravascular",
            "cmax_ng_mL": [10.0, 20.0, 40.0, 5.0, np.nan],
            "tmax_h": [0.5, 1.0, 2.0, 1.0, 4.0],
            "auc_extrap_pct": [0.0, 3.0, 6.0, 2.0, 1.0],
            "flags": "",
        }
    )


def test_statistics_match_numpy_and_scipy() -> None:
    out = summarize_groups(_results()).set_index(["group", "parameter"])
    x = np.array([10.0, 20.0, 40.0])
    row = out.loc[("A", "cmax_ng_mL")]
    assert row["n"] == 3
    assert row["mean"] == pytest.approx(x.mean())
    assert row["sd"] == pytest.approx(np.std(x, ddof=1))
    assert row["cv_pct"] == pytest.approx(100 * np.std(x, ddof=1) / x.mean())
    assert row["geo_mean"] == pytest.approx(stats.gmean(x))
    assert row["geo_cv_pct"] == pytest.approx(100 * math.sqrt(math.exp(np.var(np.log(x), ddof=1)) - 1))
    assert (row["median"], row["min"], row["max"]) == (20.0, 10.0, 40.0)
    single = out.loc[("B", "cmax_ng_mL")]
    assert single["n"] == 1 and single["mean"] == 5 and math.isnan(single["sd"])


def test_tmax_median_and_range_only_and_geo_needs_positive_values() -> None:
    out = summarize_groups(_results()).set_index(["group", "parameter"])
    tmax = out.loc[("A", "tmax_h")]
    assert tmax["median"] == 1.0 and tmax["min"] == 0.5 and tmax["max"] == 2.0
    assert all(math.isnan(tmax[k]) for k in ("mean", "sd", "geo_mean", "geo_cv_pct"))
    assert math.isnan(out.loc[("A", "auc_extrap_pct"), "geo_mean"])  # a zero among the values
    assert out.loc[("A", "auc_extrap_pct"), "mean"] == pytest.approx(3.0)
    assert "dose_mg_kg" not in out.index.get_level_values("parameter")
    assert list(summarize_groups(_results()).columns[:3]) == ["group", "analyte", "parameter"]
