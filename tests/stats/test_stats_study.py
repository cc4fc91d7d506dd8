"""A study's statistics as a reviewer reads them: pre-specified tests, primary endpoint, censored latencies.

Each number is checked against an independent computation (statsmodels' multipletests, a log-rank test
written out from its definition, scipy), never against the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from assaykit.errors import AssayInputError
from assaykit.stats import compare_groups
from assaykit.stats.plan import StatisticsPlan


def _study(seed: int = 3, n: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for g, shift in (("vehicle", 0.0), ("low", 2.0), ("high", 6.0)):
        for i in range(n):
            rows.append(
                {
                    "animal": f"{g}{i}",
                    "group": g,
                    "open_time_pct": 20 + shift + rng.normal(0, 4),
                    "open_entries_pct": 25 + shift + rng.normal(0, 6),
                    "distance_cm": 1500 - 20 * shift + rng.normal(0, 150),
                }
            )
    return pd.DataFrame(rows)


def test_the_default_family_is_parametric_and_doubts_are_warnings_not_switches() -> None:
    data = _study()
    skewed = np.array([1.0, 1.1, 1.2, 1.0, 1.3, 1.1, 1.2, 40.0])  # one wild animal: Shapiro-Wilk rejects
    data.loc[data["group"] == "low", "open_time_pct"] = skewed
    result = compare_groups(data, ["open_time_pct"], control="vehicle")
    assert set(result.comparisons["test"]) == {"dunnett"}
    assert set(result.comparisons["alternative_test"]) == {"dunn_holm"}
    assert set(result.comparisons["test_choice"]) == {"parametric (pre-specified)"}
    assert any("Shapiro-Wilk rejects normality in low" in w and "kept" in w for w in result.warnings)
    explored = compare_groups(data, ["open_time_pct"], control="vehicle", test="auto")
    assert set(explored.comparisons["test"]) == {"dunn_holm"}  # auto switches: explicit opt-in only


def test_interval_kinds_are_labelled() -> None:
    result = compare_groups(_study(), ["open_time_pct"], control="vehicle")
    assert set(result.comparisons["difference_ci_type"]) == {"simultaneous (Dunnett)"}
    assert set(result.comparisons["hedges_g_ci_type"]) == {"per comparison"}
    two = _study()
    two = two[two["group"] != "high"]
    pair = compare_groups(two, ["open_time_pct"], control="vehicle")
    assert list(pair.comparisons["difference_ci_type"]) == ["per comparison (Welch)"]
    welch = stats.ttest_ind(
        two.loc[two.group == "low", "open_time_pct"],
        two.loc[two.group == "vehicle", "open_time_pct"],
        equal_var=False,
    ).confidence_interval()
    assert pair.comparisons["difference_ci_low"].iloc[0] == pytest.approx(welch.low, rel=1e-12)


def test_a_group_without_variation_gets_no_effect_size_but_a_flag() -> None:
    data = _study()
    data.loc[data["group"] == "high", "open_time_pct"] = 300.0  # all at the ceiling
    result = compare_groups(data, ["open_time_pct"], control="vehicle")
    high = result.comparisons.set_index("group").loc["high"]
    assert math.isnan(high["hedges_g"]) and math.isnan(high["hedges_g_ci_low"])
    assert high["flags"] == "zero_variance"
    assert "no variation in high: Hedges' g not reported" in high["note"]
    low = result.comparisons.set_index("group").loc["low"]
    assert np.isfinite(low["hedges_g"]) and low["flags"] == ""


def test_primary_and_holm_across_the_secondary_endpoints() -> None:
    data = _study()
    data = data[data["group"] != "high"]  # one treated group: the rule is Holm over the endpoints
    plan = StatisticsPlan(primary="open_time_pct")
    result = compare_groups(data, ["open_entries_pct", "distance_cm"], control="vehicle", plan=plan)
    table = result.comparisons.set_index("endpoint")
    assert result.endpoints[0] == "open_time_pct"  # the primary endpoint is added when not named
    assert table.loc["open_time_pct", "role"] == "primary"
    assert table.loc["open_time_pct", "p_adjusted_endpoints"] == table.loc["open_time_pct", "p_adjusted"]
    secondary = table.loc[["open_entries_pct", "distance_cm"]]
    assert set(secondary["role"]) == {"secondary"}
    expected = multipletests(secondary["p_adjusted"], method="holm")[1]
    assert np.allclose(secondary["p_adjusted_endpoints"], expected, rtol=1e-12)


def test_unknown_primary_factor_or_covariate_is_an_input_error() -> None:
    data = _study()
    with pytest.raises(
        AssayInputError,
        match="no column 'open_time_pc' for the primary endpoint.*did you mean 'open_time_pct'",
    ):
        compare_groups(data, None, control="vehicle", plan=StatisticsPlan(primary="open_time_pc"))
    with pytest.raises(AssayInputError, match=r"no column 'sx' for the factor \(--factor\)"):
        compare_groups(data, ["open_time_pct"], control="vehicle", plan=StatisticsPlan(factor="sx"))


def _logrank_k(times: np.ndarray, events: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The k-sample log-rank test from its definition (Peto & Peto 1972): (O - E)' V^- (O - E)."""
    groups = list(dict.fromkeys(labels))
    k = len(groups)
    o_minus_e = np.zeros(k)
    v = np.zeros((k, k))
    for t in np.unique(times[events]):
        at_risk = np.array([np.sum((times >= t) & (labels == g)) for g in groups], dtype=float)
        died = np.array([np.sum((times == t) & events & (labels == g)) for g in groups], dtype=float)
        n, d = at_risk.sum(), died.sum()
        o_minus_e += died - d * at_risk / n
        if n > 1:
            v += d * (n - d) / (n * n * (n - 1)) * (np.diag(at_risk) * n - np.outer(at_risk, at_risk))
    chi2 = float(o_minus_e[1:] @ np.linalg.solve(v[1:, 1:], o_minus_e[1:]))
    return chi2, float(stats.chi2.sf(chi2, k - 1))


def test_censored_latencies_are_headlined_by_the_log_rank_test() -> None:
    rng = np.random.default_rng(11)
    rows = []
    for g, scale in (("vehicle", 200.0), ("low", 120.0), ("high", 40.0)):
        for i in range(9):
            latency = min(float(rng.exponential(scale)), 300.0)
            rows.append(
                {"animal": f"{g}{i}", "group": g, "latency_open_s": round(latency, 1), "session_s": 300.0}
            )
    data = pd.DataFrame(rows)
    result = compare_groups(data, ["latency_open_s"], control="vehicle")
    table = result.comparisons.set_index("group")
    assert set(table["test"]) == {"logrank"}
    assert set(table["alternative_test"]) == {"dunnett"}  # the plan's tests are kept beside it
    times = data["latency_open_s"].to_numpy()
    events = times < 300.0
    labels = data["group"].to_numpy()
    raw = []
    for g in ("low", "high"):
        keep = np.isin(labels, ["vehicle", g])
        chi2, p = _logrank_k(times[keep], events[keep], labels[keep])
        assert table.loc[g, "statistic"] == pytest.approx(chi2, rel=1e-9)
        raw.append(p)
    assert np.allclose(
        table.loc[["low", "high"], "p_adjusted"], multipletests(raw, method="holm")[1], rtol=1e-9
    )
    chi2, p = _logrank_k(times, events, labels)
    assert table["omnibus_statistic"].iloc[0] == pytest.approx(chi2, rel=1e-9)
    assert table["omnibus_p"].iloc[0] == pytest.approx(p, rel=1e-9)
    censored = {g: int(np.sum(~events & (labels == g))) for g in ("vehicle", "low", "high")}
    for g in ("low", "high"):
        if censored[g] + censored["vehicle"]:
            assert "censored" in table.loc[g, "flags"] and math.isnan(table.loc[g, "hedges_g"])
    km = result.latency.set_index("group")
    assert list(km["n_censored"]) == [censored[g] for g in km.index]
    assert any("never entered within the session" in note for note in result.notes)


def test_latencies_without_a_session_length_get_a_warning() -> None:
    data = pd.DataFrame(
        {
            "animal": [f"a{i}" for i in range(8)],
            "group": ["vehicle"] * 4 + ["drug"] * 4,
            "latency_open_s": [300, 250, 80, 300, 20, 30, 300, 12],
        }
    )
    result = compare_groups(data, ["latency_open_s"], control="vehicle")
    assert result.comparisons["test"].iloc[0] == "welch_t"
    assert any("no session length" in w for w in result.warnings)
    censored = compare_groups(
        data, ["latency_open_s"], control="vehicle", plan=StatisticsPlan(session_s=300.0)
    )
    assert censored.comparisons["test"].iloc[0] == "logrank"
