"""Competition analysis with two sites, homologous competition, weights, ROUT, Kd uncertainty, comparisons
and relative potency, against independent computations.

Frames are built by hand (``_data.py``); every expected number comes from scipy fits of Prism's equations
typed here, closed-form hand formulas (Cheng-Prusoff, delta method, Welch-Satterthwaite), or simulation.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _data import control_tubes, counts_frame, curve_tubes, half_log_series, prism_4pl, simulated_curve
from scipy import optimize, stats

from assaykit.binding import COMPARISON_COLUMNS, POTENCY_COLUMNS, analyze_competition, result_columns
from assaykit.errors import AssayInputError

TIGHT = {"ftol": 1e-15, "xtol": 1e-15, "gtol": 1e-15, "max_nfev": 100_000, "method": "trf", "jac": "3-point"}
KD, L = 1.5, 1.0
X15 = half_log_series(-12.0, 17)  # -12 .. -4
CONTROLS = control_tubes("A", "total", [5010, 4990, 5000]) + control_tubes("A", "nsb", [402, 398, 400])
WORST: dict[str, float] = {}


@pytest.fixture(scope="module", autouse=True)
def report_worst():
    yield
    print("\nworst relative differences (binding rows vs scipy):", {k: f"{v:.2g}" for k, v in WORST.items()})


def close(got: float, want: float, rel: float, key: str) -> None:
    assert got == pytest.approx(want, rel=rel), key
    WORST[key] = max(WORST.get(key, 0.0), abs(got / want - 1))


def prism_two_site(x, top, bottom, log_hi, log_lo, fraction):
    span = top - bottom
    return (
        bottom + span * fraction / (1 + 10 ** (x - log_hi)) + span * (1 - fraction) / (1 + 10 ** (x - log_lo))
    )


def prism_homologous(x, log_kd, bmax, bottom, hot):
    return bmax * hot / (hot + 10 ** (x + 9) + 10 ** (log_kd + 9)) + bottom


def row_of(results: pd.DataFrame, compound: str, plate: str = "A") -> pd.Series:
    rows = results[(results["compound"] == compound) & (results["plate"] == plate)]
    assert len(rows) == 1
    return rows.iloc[0]


def tubes_of(tubes, compound, plate="A"):
    sel = [
        t for t in tubes if t["compound"] == compound and t["plate"] == plate and t["role"] == "competitor"
    ]
    return np.array([t["log_conc_M"] for t in sel]), np.array([t["signal"] for t in sel])


def to_nm(log_molar):
    return 10.0 ** (log_molar + 9.0)


# --------------------------------------------------------------------------------------------------------
# Two sites
# --------------------------------------------------------------------------------------------------------
def two_site_tubes(seed=1):
    rng = np.random.default_rng(seed)
    x = np.repeat(X15, 3)
    y = prism_two_site(x, 5000, 400, -9.5, -6.5, 0.4) + rng.normal(0, 60, x.size)
    y2 = prism_two_site(x, 5000, 400, -9.0, -7.2, 0.6) + rng.normal(0, 60, x.size)
    return CONTROLS + curve_tubes("mixed", "A", X15, 3, y) + curve_tubes("other", "A", X15, 3, y2)


@pytest.fixture(scope="module")
def two_site_analysis():
    tubes = two_site_tubes()
    return tubes, analyze_competition(counts_frame(tubes), model="two-site", kd_nM=KD, radioligand_nM=L)


@pytest.mark.parametrize("compound", ["mixed", "other"])
def test_two_site_rows_match_scipy_and_hand_conversions(two_site_analysis, compound):
    tubes, analysis = two_site_analysis
    res = analysis.results
    assert list(res.columns) == result_columns("two-site")
    row = row_of(res, compound)
    x, y = tubes_of(tubes, compound)
    p0 = [5000, 400, -9.5, -6.5, 0.4] if compound == "mixed" else [5000, 400, -9.0, -7.2, 0.6]
    popt, pcov = optimize.curve_fit(prism_two_site, x, y, p0=p0, **TIGHT)
    se = np.sqrt(np.diag(pcov))
    names = ["top", "bottom", "log_ic50_hi", "log_ic50_lo", "fraction_hi"]
    for i, name in enumerate(names):
        unit = "_cpm" if name in ("top", "bottom") else ""  # Top and Bottom carry the signal unit
        close(row[name + unit], popt[i], 1e-5, "two-site parameter")
        close(row[f"{name}_se{unit}"], se[i], 5e-3, "two-site SE")
    df = x.size - 5
    assert row["df"] == df and row["model"] == "two-site"
    t = stats.t.ppf(0.975, df)
    factor_hi = factor_lo = 1 + L / KD  # the same radioligand Kd at both sites by default
    for i, site in ((2, "hi"), (3, "lo")):
        assert row[f"log_ic50_{site}_ci_low"] == pytest.approx(popt[i] - t * se[i], abs=5e-3 * t * se[i])
        assert row[f"ic50_{site}_nM"] == pytest.approx(to_nm(row[f"log_ic50_{site}"]), rel=1e-12)
        assert row[f"ic50_{site}_ci_high_nM"] == pytest.approx(
            to_nm(row[f"log_ic50_{site}_ci_high"]), rel=1e-12
        )
        factor = factor_hi if site == "hi" else factor_lo
        assert row[f"ki_{site}_nM"] == pytest.approx(row[f"ic50_{site}_nM"] / factor, rel=1e-12)
        assert row[f"ki_{site}_ci_low_nM"] == pytest.approx(row[f"ic50_{site}_ci_low_nM"] / factor, rel=1e-12)
        assert row[f"log_ki_{site}_se"] == pytest.approx(row[f"log_ic50_{site}_se"], rel=1e-12)
    assert row["log_ic50_hi"] < row["log_ic50_lo"]  # "hi" is the high-affinity site
    assert row["fraction_hi_ci_low"] == pytest.approx(popt[4] - t * se[4], abs=5e-3 * t * se[4])
    # the one-site and homologous columns are not in a two-site table
    for column in ("log_ic50", "ic50_nM", "ki_nM", "log_ki", "hill_slope", "log_kd", "bmax_cpm"):
        assert column not in res, column
    assert math.isnan(row["n_outliers"])
    assert row["weights"] == "none"
    assert row["flags"] == ""


def test_two_site_points_are_the_prism_curve(two_site_analysis):
    tubes, analysis = two_site_analysis
    row = row_of(analysis.results, "mixed")
    pts = analysis.points[(analysis.points["compound"] == "mixed")]
    params = [row[n] for n in ("top_cpm", "bottom_cpm", "log_ic50_hi", "log_ic50_lo", "fraction_hi")]
    np.testing.assert_allclose(
        pts["fitted_cpm"], prism_two_site(pts["log_conc_M"].to_numpy(), *params), rtol=1e-10
    )
    assert not pts["outlier"].any()


def test_two_site_ki_with_a_second_radioligand_kd():
    tubes = two_site_tubes(seed=4)
    kd_lo = 6.0
    res = analyze_competition(
        counts_frame(tubes), model="two-site-ki", kd_nM=KD, kd_lo_nM=kd_lo, radioligand_nM=L
    ).results
    row = row_of(res, "mixed")
    x, y = tubes_of(tubes, "mixed")

    def prism_ki(x, top, bottom, log_ki_hi, log_ki_lo, fraction):
        log_ec50_hi = math.log10(10**log_ki_hi * (1 + L / KD))
        log_ec50_lo = math.log10(10**log_ki_lo * (1 + L / kd_lo))
        return prism_two_site(x, top, bottom, log_ec50_hi, log_ec50_lo, fraction)

    p0 = [5000, 400, -9.5 - math.log10(1 + L / KD), -6.5 - math.log10(1 + L / kd_lo), 0.4]
    popt, pcov = optimize.curve_fit(prism_ki, x, y, p0=p0, **TIGHT)
    close(row["log_ki_hi"], popt[2], 1e-5, "two-site-ki parameter")
    close(row["log_ki_lo"], popt[3], 1e-5, "two-site-ki parameter")
    close(row["log_ki_lo_se"], math.sqrt(pcov[3, 3]), 5e-3, "two-site-ki SE")
    # IC50 of each site by Cheng-Prusoff with its own radioligand Kd
    assert row["log_ic50_hi"] == pytest.approx(row["log_ki_hi"] + math.log10(1 + L / KD), abs=1e-12)
    assert row["log_ic50_lo"] == pytest.approx(row["log_ki_lo"] + math.log10(1 + L / kd_lo), abs=1e-12)


# --------------------------------------------------------------------------------------------------------
# Homologous competition
# --------------------------------------------------------------------------------------------------------
def homologous_tubes(hots=(0.3, 3.0), seed=2):
    rng = np.random.default_rng(seed)
    tubes = list(CONTROLS)
    for hot in hots:
        x = np.repeat(half_log_series(-12.0, 13), 3)
        y = prism_homologous(x, -9.0, 4000.0, 200.0, hot) + rng.normal(0, 40, x.size)
        for tube in curve_tubes("flunitrazepam", "A", half_log_series(-12.0, 13), 3, y):
            tubes.append({**tube, "hot_nM": hot})
    return tubes


def test_homologous_global_fit_of_two_hot_concentrations_matches_scipy():
    tubes = homologous_tubes()
    frame = counts_frame(tubes)
    frame["hot_nM"] = [t.get("hot_nM", np.nan) for t in tubes]
    analysis = analyze_competition(frame, model="homologous")
    row = row_of(analysis.results, "flunitrazepam")
    x, y = tubes_of(tubes, "flunitrazepam")
    hot = np.array([t["hot_nM"] for t in tubes if t["role"] == "competitor"])
    popt, pcov = optimize.curve_fit(
        lambda x, a, b, c: prism_homologous(x, a, b, c, hot), x, y, p0=[-9.0, 4000, 200], **TIGHT
    )
    se = np.sqrt(np.diag(pcov))
    for i, name in enumerate(("log_kd", "bmax", "bottom")):
        unit = "" if name == "log_kd" else "_cpm"  # Bmax and Bottom carry the signal unit
        close(row[name + unit], popt[i], 1e-5, "homologous parameter")
        close(row[f"{name}_se{unit}"], se[i], 5e-3, "homologous SE")
    assert row["kd_nM"] == pytest.approx(to_nm(row["log_kd"]), rel=1e-12)
    assert row["kd_se_nM"] == pytest.approx(math.log(10) * row["kd_nM"] * row["log_kd_se"], rel=1e-12)
    t = stats.t.ppf(0.975, x.size - 3)
    assert math.log10(row["kd_ci_low_nM"]) - 9 == pytest.approx(popt[0] - t * se[0], abs=5e-3 * t * se[0])
    assert row["bmax_ci_high_cpm"] == pytest.approx(popt[1] + t * se[1], rel=1e-4)
    for column in ("top_cpm", "log_ic50", "ic50_nM", "ki_nM", "hill_slope", "fraction_hi", "activity"):
        assert column not in analysis.results, column
    assert row["model"] == "homologous" and "ambiguous" not in row["flags"]
    # the fitted values follow each tube's own hot concentration
    pts = analysis.points[analysis.points["role"] == "competitor"]
    want = prism_homologous(
        pts["log_conc_M"].to_numpy(), row["log_kd"], row["bmax_cpm"], row["bottom_cpm"], hot
    )
    np.testing.assert_allclose(pts["fitted_cpm"], want, rtol=1e-10)


def test_homologous_hot_from_radioligand_and_errors():
    tubes = homologous_tubes(hots=(1.0,), seed=3)
    frame = counts_frame(tubes)  # no hot_nM column: the hot concentration comes from radioligand_nM
    res = analyze_competition(frame, model="homologous", radioligand_nM=1.0, kd_nM=2.0).results
    x, y = tubes_of(tubes, "flunitrazepam")
    popt, _ = optimize.curve_fit(
        lambda x, a, b, c: prism_homologous(x, a, b, c, 1.0), x, y, p0=[-9.0, 4000, 200], **TIGHT
    )
    close(row_of(res, "flunitrazepam")["log_kd"], popt[0], 1e-5, "homologous parameter")
    assert any("--kd not used" in n for n in res.attrs["notes"])
    with pytest.raises(AssayInputError, match="hot_nM column"):
        analyze_competition(frame, model="homologous")
    with pytest.raises(AssayInputError, match="--top"):
        analyze_competition(frame, model="homologous", radioligand_nM=1.0, top="total")
    with pytest.raises(AssayInputError, match="--compare"):
        analyze_competition(frame, model="homologous", radioligand_nM=1.0, compare=True)


# --------------------------------------------------------------------------------------------------------
# Kd uncertainty carried into Ki
# --------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def one_site_tubes():
    rng = np.random.default_rng(11)
    tubes = list(CONTROLS)
    for name, log_ic50, noise in (("ref", -8.0, 80.0), ("fast", -9.1, 120.0), ("slow", -6.9, 60.0)):
        tubes += simulated_curve(
            name, "A", half_log_series(-11.5, 12), 3, top=5000, bottom=400, log_ic50=log_ic50, hill_slope=-1,
            noise_sd=noise, rng=rng,
        )  # fmt: skip
    tubes += simulated_curve(
        "elsewhere", "B", half_log_series(-11.5, 12), 2, top=5000, bottom=400, log_ic50=-8.0, hill_slope=-1,
        noise_sd=80, rng=rng,
    )  # fmt: skip
    return tubes


@pytest.mark.parametrize("model", ["one-site", "fit-ki", "4pl"])
def test_kd_se_gives_total_ki_limits_by_the_delta_method(one_site_tubes, model):
    kd_se = 0.3
    frame = counts_frame(one_site_tubes)
    with_se = analyze_competition(frame, model=model, kd_nM=KD, radioligand_nM=L, kd_se_nM=kd_se).results
    without = analyze_competition(frame, model=model, kd_nM=KD, radioligand_nM=L).results
    # existing columns do not change; the _total columns are empty without an SE
    total_columns = ["log_ki_se_total", "ki_ci_low_total_nM", "ki_ci_high_total_nM"]
    kept = [c for c in result_columns(model) if c not in total_columns]
    pd.testing.assert_frame_equal(with_se[kept], without[kept])
    assert without[["log_ki_se_total", "ki_ci_low_total_nM", "ki_ci_high_total_nM"]].isna().all().all()
    h = 1e-6
    d_shift = (math.log10(1 + L / (KD + h)) - math.log10(1 + L / (KD - h))) / (2 * h)  # by central difference
    for _, row in with_se.iterrows():
        se_total = math.sqrt(row["log_ki_se"] ** 2 + (d_shift * kd_se) ** 2)
        assert row["log_ki_se_total"] == pytest.approx(se_total, rel=1e-8)
        t = stats.t.ppf(0.975, row["df"])
        assert row["ki_ci_low_total_nM"] == pytest.approx(to_nm(row["log_ki"] - t * se_total), rel=1e-10)
        assert row["ki_ci_high_total_nM"] == pytest.approx(to_nm(row["log_ki"] + t * se_total), rel=1e-10)
        assert row["ki_ci_low_total_nM"] < row["ki_ci_low_nM"] < row["ki_nM"] < row["ki_ci_high_nM"]
        assert row["ki_ci_high_nM"] < row["ki_ci_high_total_nM"]


def test_delta_method_matches_a_monte_carlo_simulation():
    """Draw log IC50 ~ N(est, SE^2) and Kd ~ N(Kd, SE_Kd^2) independently; the SD of log10 Ki =
    log IC50 - log10(1 + L/Kd) agrees with the delta-method SE within 3% while SE_Kd/Kd is 10%."""
    from assaykit.binding import log_ki_se_with_kd

    rng = np.random.default_rng(0)
    for log_se, kd, kd_se, radioligand in (
        (0.05, 1.5, 0.15, 1.0),
        (0.02, 0.5, 0.05, 2.0),
        (0.1, 3.0, 0.3, 0.3),
    ):
        draws = 400_000
        log_ic50 = rng.normal(-8.0, log_se, draws)
        kds = rng.normal(kd, kd_se, draws)
        log_ki = log_ic50 - np.log10(1 + radioligand / kds)
        assert log_ki_se_with_kd(log_se, radioligand, kd, kd_se) == pytest.approx(np.std(log_ki), rel=0.03)


def test_kd_se_needs_kd():
    frame = counts_frame(two_site_tubes())
    with pytest.raises(AssayInputError, match="--kd-se needs --kd"):
        analyze_competition(frame, kd_se_nM=0.2)
    with pytest.raises(AssayInputError, match="--kd-lo"):
        analyze_competition(frame, kd_nM=KD, radioligand_nM=L, kd_lo_nM=3.0)  # not a two-site model
    with pytest.raises(AssayInputError, match="two-site-ki needs"):
        analyze_competition(frame, model="two-site-ki")


# --------------------------------------------------------------------------------------------------------
# Relative potency
# --------------------------------------------------------------------------------------------------------
def test_relative_potency_by_hand(one_site_tubes):
    analysis = analyze_competition(counts_frame(one_site_tubes), model="one-site", potency_vs="ref")
    pot, res = analysis.potency, analysis.results
    assert list(pot.columns) == list(POTENCY_COLUMNS)
    assert set(pot["compound"]) == {"fast", "slow"}  # 'elsewhere' never shares a plate with 'ref'
    assert any("elsewhere" in note for note in analysis.notes)
    ref = row_of(res, "ref")
    for _, p in pot.iterrows():
        row = row_of(res, p["compound"])
        log_ratio = row["log_ic50"] - ref["log_ic50"]
        va, vb = row["log_ic50_se"] ** 2, ref["log_ic50_se"] ** 2
        se = math.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / row["df"] + vb**2 / ref["df"])
        assert min(row["df"], ref["df"]) <= df <= row["df"] + ref["df"]
        t = stats.t.ppf(0.975, df)
        assert p["ratio"] == pytest.approx(row["ic50_nM"] / ref["ic50_nM"], rel=1e-10)
        assert p["log_ratio_se"] == pytest.approx(se, rel=1e-12)
        assert p["df"] == pytest.approx(df, rel=1e-12)
        assert p["ratio_ci_low"] == pytest.approx(10 ** (log_ratio - t * se), rel=1e-10)
        assert p["ratio_ci_high"] == pytest.approx(10 ** (log_ratio + t * se), rel=1e-10)
        assert (p["reference"], p["plate"]) == ("ref", "A")
    assert pot.set_index("compound").loc["fast", "ratio"] < 1 < pot.set_index("compound").loc["slow", "ratio"]
    with pytest.raises(AssayInputError, match="not among the compounds"):
        analyze_competition(counts_frame(one_site_tubes), potency_vs="nope")


# --------------------------------------------------------------------------------------------------------
# Poisson weights
# --------------------------------------------------------------------------------------------------------
def test_poisson_weights_match_an_independent_iterated_curve_fit():
    rng = np.random.default_rng(21)
    x = np.repeat(half_log_series(-11.0, 11), 3)
    y = rng.poisson(prism_4pl(x, 6000, 300, -8.2, -1.0)).astype(float)
    tubes = CONTROLS + curve_tubes("counts", "A", half_log_series(-11.0, 11), 3, y)
    row = row_of(analyze_competition(counts_frame(tubes), weights="poisson").results, "counts")
    # independent: curve_fit unweighted, then with sigma = sqrt(curve) from the last fit, until it settles
    popt, _ = optimize.curve_fit(prism_4pl, x, y, p0=[6000, 300, -8, -1], **TIGHT)
    for _ in range(100):
        sigma = np.sqrt(prism_4pl(x, *popt))
        new, pcov = optimize.curve_fit(prism_4pl, x, y, p0=popt, sigma=sigma, **TIGHT)
        if np.allclose(new, popt, rtol=1e-13, atol=0):
            break
        popt = new
    popt = new
    for i, name in enumerate(("top", "bottom", "log_ic50", "hill_slope")):
        unit = "_cpm" if name in ("top", "bottom") else ""
        close(row[name + unit], popt[i], 1e-5, "poisson parameter")
        close(row[f"{name}_se{unit}"], math.sqrt(pcov[i, i]), 5e-3, "poisson SE")
    assert row["weights"] == "poisson"
    assert row["ss_weighted"] == pytest.approx(
        np.sum((y - prism_4pl(x, *popt)) ** 2 / prism_4pl(x, *popt)), rel=1e-6
    )
    assert "ss_cpm2" not in row and "sy_x_cpm" not in row  # weighted SS and Sy.x are not in cpm


# --------------------------------------------------------------------------------------------------------
# ROUT in the analysis
# --------------------------------------------------------------------------------------------------------
def test_rout_marks_points_counts_them_flags_the_curve_and_refits_without_them():
    rng = np.random.default_rng(8)
    x = np.repeat(half_log_series(-11.0, 11), 3)
    y = prism_4pl(x, 5000, 400, -8.3, -1.0) + rng.normal(0, 100, x.size)
    y[[4, 20]] += [900.0, -850.0]
    clean = prism_4pl(x, 5000, 400, -7.0, -1.0) + rng.normal(0, 100, x.size)
    tubes = CONTROLS + curve_tubes("dirty", "A", half_log_series(-11.0, 11), 3, y)
    tubes += curve_tubes("clean", "A", half_log_series(-11.0, 11), 3, clean)
    analysis = analyze_competition(counts_frame(tubes), outliers="rout")
    pts = analysis.points
    dirty = pts[pts["compound"] == "dirty"]
    assert set(np.flatnonzero(dirty["outlier"].to_numpy())) == {4, 20}
    assert not pts.loc[pts["compound"] == "clean", "outlier"].any()
    assert not pts.loc[pts["role"] != "competitor", "outlier"].any()
    row, clean_row = row_of(analysis.results, "dirty"), row_of(analysis.results, "clean")
    assert row["n_outliers"] == 2 and "outliers_excluded" in row["flags"].split(";")
    assert clean_row["n_outliers"] == 0 and clean_row["flags"] == ""
    keep = np.ones(x.size, bool)
    keep[[4, 20]] = False
    popt, pcov = optimize.curve_fit(prism_4pl, x[keep], y[keep], p0=[5000, 400, -8.3, -1], **TIGHT)
    close(row["log_ic50"], popt[2], 1e-5, "ROUT refit parameter")
    close(row["log_ic50_se"], math.sqrt(pcov[2, 2]), 5e-3, "ROUT refit SE")
    assert row["n_points"] == keep.sum()
    # without ROUT: no outliers counted, the column says so (NaN), every tube fitted
    plain = analyze_competition(counts_frame(tubes)).results
    assert plain["n_outliers"].isna().all() and (plain["n_points"] == x.size).all()
    with pytest.raises(AssayInputError, match="--rout-q"):
        analyze_competition(counts_frame(tubes), outliers="rout", rout_q=0.0)


# --------------------------------------------------------------------------------------------------------
# Model comparison table
# --------------------------------------------------------------------------------------------------------
def test_comparison_table_against_independent_fits(two_site_analysis):
    tubes = two_site_tubes()
    analysis = analyze_competition(counts_frame(tubes), compare=True)
    comp = analysis.comparisons
    assert list(comp.columns) == list(COMPARISON_COLUMNS)
    assert len(comp) == 4  # two curves x two comparisons
    x, y = tubes_of(tubes, "mixed")
    n = x.size

    def ss(f, p0):
        popt, _ = optimize.curve_fit(f, x, y, p0=p0, **TIGHT)
        return float(np.sum((y - f(x, *popt)) ** 2))

    ss1 = ss(lambda x, top, bottom, log_ic50: prism_4pl(x, top, bottom, log_ic50, -1.0), [5000, 400, -8])
    ss4 = ss(prism_4pl, [5000, 400, -8, -0.6])
    ss2 = ss(prism_two_site, [5000, 400, -9.5, -6.5, 0.4])
    rows = comp[comp["compound"] == "mixed"].set_index("complex")
    for complex_, ss_c, k in (("two-site", ss2, 5), ("4pl", ss4, 4)):
        r = rows.loc[complex_]
        f = ((ss1 - ss_c) / (k - 3)) / (ss_c / (n - k))
        assert r["simpler"] == "one-site" and r["plate"] == "A"
        assert r["ss_simple"] == pytest.approx(ss1, rel=1e-9)
        assert r["ss_complex"] == pytest.approx(ss_c, rel=1e-9)
        assert r["f"] == pytest.approx(f, rel=1e-6)
        assert r["p_value"] == pytest.approx(stats.f.sf(f, k - 3, n - k), rel=1e-5, abs=1e-300)
        aicc = [
            n * math.log(s / n) + 2 * (p + 1) + 2 * (p + 1) * (p + 2) / (n - p - 2)
            for s, p in ((ss1, 3), (ss_c, k))
        ]
        assert r["delta_aicc"] == pytest.approx(aicc[1] - aicc[0], abs=1e-6)
        assert r["preferred"] == complex_
    # without compare the table is empty but has its columns
    assert analyze_competition(counts_frame(tubes)).comparisons.empty


def test_comparison_uses_the_points_rout_kept(one_site_tubes):
    frame = counts_frame(one_site_tubes)
    analysis = analyze_competition(
        frame, compare=True, outliers="rout", model="fit-ki", kd_nM=KD, radioligand_nM=L
    )
    comp = analysis.comparisons
    results = analysis.results.set_index(["compound", "plate"])
    for _, r in comp.iterrows():
        n_points = results.loc[(r["compound"], r["plate"]), "n_points"]
        assert r["df_simple"] == n_points - 3


# --------------------------------------------------------------------------------------------------------
# Plots of the new models
# --------------------------------------------------------------------------------------------------------
def test_plot_fit_draws_the_fitted_curves(two_site_analysis, tmp_path):
    from assaykit.binding.plots import plot_competition, plot_fit

    _, analysis = two_site_analysis
    row = row_of(analysis.results, "mixed")
    fit = plot_fit(row, analysis.fits[("mixed", "A")])
    (label, drawn), grid = next(iter(fit["curves"].items())), np.linspace(-13, -3, 50)
    params = [row[n] for n in ("top_cpm", "bottom_cpm", "log_ic50_hi", "log_ic50_lo", "fraction_hi")]
    np.testing.assert_allclose(drawn(grid), prism_two_site(grid, *params), rtol=1e-10)
    assert "two-site" in label and "fraction hi = 0.4" in fit["annotation"]
    tubes = analysis.points[analysis.points["compound"] == "mixed"].rename(columns={"cpm": "signal"})
    assert plot_competition(tubes, fit, tmp_path / "two.png").stat().st_size > 0

    tubes = homologous_tubes()
    frame = counts_frame(tubes)
    frame["hot_nM"] = [t.get("hot_nM", np.nan) for t in tubes]
    hom = analyze_competition(frame, model="homologous")
    row = row_of(hom.results, "flunitrazepam")
    fit = plot_fit(row, hom.fits[("flunitrazepam", "A")])
    assert len(fit["curves"]) == 2  # one curve per hot concentration
    for (label, drawn), hot in zip(fit["curves"].items(), (0.3, 3.0), strict=True):
        assert f"hot {hot:.3g}" in label.replace("0.300", "0.3").replace("3.00", "3")
        want = prism_homologous(grid, row["log_kd"], row["bmax_cpm"], row["bottom_cpm"], hot)
        np.testing.assert_allclose(drawn(grid), want, rtol=1e-10)
    points = hom.points[hom.points["role"] == "competitor"].rename(columns={"cpm": "signal"})
    assert plot_competition(points, fit, tmp_path / "hom.png").stat().st_size > 0


def test_homologous_input_checks():
    tubes = homologous_tubes()
    frame = counts_frame(tubes)
    frame["hot_nM"] = [t.get("hot_nM", np.nan) for t in tubes]
    with pytest.raises(AssayInputError, match="mixes hot concentrations"):
        analyze_competition(frame, model="homologous", bottom="nsb")
    frame.loc[frame["role"] == "competitor", "hot_nM"] = -1.0
    with pytest.raises(AssayInputError, match="positive"):
        analyze_competition(frame, model="homologous")
