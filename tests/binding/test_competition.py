"""Competition binding analysis against independent computations.

Frames are built by hand (``_data.py``) from Prism's equation plus seeded noise; every expected number is
computed here with numpy/scipy from the tubes as built (control means, curve_fit of Prism's equations,
Cheng-Prusoff by hand), never taken from assaykit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _data import control_tubes, counts_frame, curve_tubes, half_log_series, prism_4pl, simulated_curve
from scipy import optimize, stats

from assaykit.binding import analyze_competition, cheng_prusoff, fit_competition, result_columns
from assaykit.errors import AssayInputError

KD_NM = 1.5
L_NM = 1.0
FACTOR = 1.0 + L_NM / KD_NM  # Cheng-Prusoff: Ki = IC50 / (1 + [L]/Kd)
KI_COLUMNS = ["log_ki", "ki_nM", "ki_ci_low_nM", "ki_ci_high_nM", "log_ki_se"]
TIGHT = {"ftol": 1e-14, "xtol": 1e-14, "gtol": 1e-14, "maxfev": 200_000}


# --------------------------------------------------------------------------------------------------------
# Hand-built data
# --------------------------------------------------------------------------------------------------------
def two_plate_tubes(seed: int = 11) -> list[dict]:
    """Two plates, three compounds on P1 and two of them again on P2 (with different controls)."""
    rng = np.random.default_rng(seed)
    x1 = half_log_series(-11.0, 10)
    x2 = half_log_series(-11.5, 11)
    tubes = control_tubes("P1", "total", [5020, 4985, 5060]) + control_tubes("P1", "nsb", [395, 412, 401])
    tubes += simulated_curve(
        "diazepam", "P1", x1, 3, top=5000, bottom=400, log_ic50=-8.2, hill_slope=-1.0, noise_sd=110, rng=rng
    )
    tubes += simulated_curve(
        "flumazenil", "P1", x1, 3, top=5000, bottom=400, log_ic50=-9.0, hill_slope=-0.9, noise_sd=110, rng=rng
    )
    tubes += simulated_curve(
        "buspirone", "P1", x1, 3, top=5000, bottom=400, log_ic50=-7.0, hill_slope=-1.1, noise_sd=110, rng=rng
    )
    tubes += control_tubes("P2", "total", [6230, 6150, 6190, 6250]) + control_tubes("P2", "nsb", [548, 560])
    tubes += simulated_curve(
        "diazepam", "P2", x2, 3, top=6200, bottom=550, log_ic50=-8.1, hill_slope=-1.0, noise_sd=140, rng=rng
    )
    tubes += simulated_curve(
        "flumazenil", "P2", x2, 3, top=6200, bottom=550, log_ic50=-9.2, hill_slope=-1.0, noise_sd=140, rng=rng
    )
    return tubes


@pytest.fixture(scope="module")
def tubes() -> list[dict]:
    return two_plate_tubes()


@pytest.fixture(scope="module")
def counts(tubes) -> pd.DataFrame:
    return counts_frame(tubes)


def tube_values(tubes: list[dict], plate: str, role: str, compound: str | None = None):
    """Signals (and log concentrations) of some tubes, straight from the hand-built list."""
    sel = [
        t
        for t in tubes
        if t["plate"] == plate and t["role"] == role and (compound is None or t["compound"] == compound)
    ]
    return np.array([t["log_conc_M"] for t in sel]), np.array([t["signal"] for t in sel])


def control_mean(tubes, plate, role) -> float:
    return float(np.mean(tube_values(tubes, plate, role)[1]))


def reference_fit(x, y, model="4pl", fixed=None, p0=None):
    """curve_fit of Prism's equations typed here; returns (values dict, SE dict, SS)."""
    fixed = dict(fixed or {})
    names = [n for n in ("top", "bottom", "log_ic50", "hill_slope") if n not in fixed]
    if model in ("one-site", "fit-ki"):
        fixed.setdefault("hill_slope", -1.0)
        names = [n for n in names if n != "hill_slope"]

    def f(x, *p):
        v = {**fixed, **dict(zip(names, p, strict=True))}
        return prism_4pl(x, v["top"], v["bottom"], v["log_ic50"], v["hill_slope"])

    if p0 is None:
        levels = np.unique(x)
        guess = {"top": y[x == levels[0]].mean(), "bottom": y[x == levels[-1]].mean()}
        guess["log_ic50"] = float(np.median(levels))
        guess["hill_slope"] = -1.0
        p0 = [guess[n] for n in names]
    popt, pcov = optimize.curve_fit(f, x, y, p0=p0, **TIGHT)
    ss = float(np.sum((y - f(x, *popt)) ** 2))
    return dict(zip(names, popt, strict=True)), dict(zip(names, np.sqrt(np.diag(pcov)), strict=True)), ss


def row_of(results: pd.DataFrame, compound: str, plate: str) -> pd.Series:
    rows = results[(results["compound"] == compound) & (results["plate"] == plate)]
    assert len(rows) == 1
    return rows.iloc[0]


def flags_of(row: pd.Series) -> list[str]:
    return [f for f in str(row["flags"]).split(";") if f]


# --------------------------------------------------------------------------------------------------------
# Cheng-Prusoff
# --------------------------------------------------------------------------------------------------------
def test_cheng_prusoff_hand_values():
    assert float(cheng_prusoff(10.0, radioligand=1.0, kd=1.5)) == pytest.approx(6.0, rel=1e-15)
    assert float(cheng_prusoff(100.0, radioligand=2.0, kd=2.0)) == pytest.approx(50.0, rel=1e-15)
    assert float(cheng_prusoff(30.0, radioligand=9.0, kd=1.0)) == pytest.approx(3.0, rel=1e-15)
    assert float(cheng_prusoff(7.3, radioligand=0.0, kd=1.5)) == 7.3  # no radioligand: Ki = IC50
    np.testing.assert_allclose(cheng_prusoff(np.array([10.0, 20.0]), 1.0, 1.5), [6.0, 12.0], rtol=1e-15)


@pytest.mark.parametrize("kd", [0.0, -1.5, math.nan, math.inf])
def test_cheng_prusoff_rejects_bad_kd(kd):
    with pytest.raises(ValueError):
        cheng_prusoff(10.0, radioligand=1.0, kd=kd)


@pytest.mark.parametrize("radioligand", [-1.0, math.nan])
def test_cheng_prusoff_rejects_bad_radioligand(radioligand):
    with pytest.raises(ValueError):
        cheng_prusoff(10.0, radioligand=radioligand, kd=1.5)


# --------------------------------------------------------------------------------------------------------
# The results table
# --------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def analysis(counts):
    return analyze_competition(counts, kd_nM=KD_NM, radioligand_nM=L_NM)


def test_one_row_per_compound_and_plate_with_result_columns(analysis, tubes):
    res = analysis.results
    assert list(res.columns) == result_columns("4pl")
    curves = {(t["compound"], t["plate"]) for t in tubes if t["role"] == "competitor"}
    assert len(res) == len(curves) == 5
    assert set(zip(res["compound"], res["plate"], strict=True)) == curves
    assert set(analysis.fits) == curves
    assert (res["model"] == "4pl").all()
    assert (res["ci_method"] == "asymptotic").all()


def test_fit_competition_is_the_results_table(counts, analysis):
    pd.testing.assert_frame_equal(fit_competition(counts, kd_nM=KD_NM, radioligand_nM=L_NM), analysis.results)


@pytest.mark.parametrize(
    ("compound", "plate"),
    [("diazepam", "P1"), ("flumazenil", "P1"), ("buspirone", "P1"), ("diazepam", "P2"), ("flumazenil", "P2")],
)
def test_each_curve_is_fitted_on_its_own_plate_tubes(analysis, tubes, compound, plate):
    row = row_of(analysis.results, compound, plate)
    x, y = tube_values(tubes, plate, "competitor", compound)
    values, se, ss = reference_fit(x, y)
    assert row["log_ic50"] == pytest.approx(values["log_ic50"], abs=1e-6)
    for name, col in (("top", "top_cpm"), ("bottom", "bottom_cpm"), ("hill_slope", "hill_slope")):
        assert row[col] == pytest.approx(values[name], rel=1e-5), name
    for name, col in (("log_ic50", "log_ic50_se"), ("top", "top_se_cpm"), ("bottom", "bottom_se_cpm")):
        assert row[col] == pytest.approx(se[name], rel=5e-3), col
    assert row["hill_slope_se"] == pytest.approx(se["hill_slope"], rel=5e-3)
    df = x.size - 4
    assert row["n_points"] == x.size
    assert row["df"] == df
    assert row["ss_cpm2"] == pytest.approx(ss, rel=1e-9)
    assert row["sy_x_cpm"] == pytest.approx(math.sqrt(ss / df), rel=1e-9)
    assert row["r_squared"] == pytest.approx(1 - ss / np.sum((y - y.mean()) ** 2), rel=1e-9)
    t = stats.t.ppf(0.975, df)
    half = t * se["log_ic50"]
    assert row["log_ic50_ci_low"] == pytest.approx(values["log_ic50"] - half, abs=5e-3 * half)
    assert row["log_ic50_ci_high"] == pytest.approx(values["log_ic50"] + half, abs=5e-3 * half)
    assert flags_of(row) == []


def test_ic50_and_ki_conversions(analysis):
    for _, row in analysis.results.iterrows():
        assert row["ic50_nM"] == pytest.approx(10 ** (row["log_ic50"] + 9), rel=1e-12)
        assert row["ic50_ci_low_nM"] == pytest.approx(10 ** (row["log_ic50_ci_low"] + 9), rel=1e-12)
        assert row["ic50_ci_high_nM"] == pytest.approx(10 ** (row["log_ic50_ci_high"] + 9), rel=1e-12)
        assert row["ic50_ci_low_nM"] < row["ic50_nM"] < row["ic50_ci_high_nM"]
        assert row["ki_nM"] == pytest.approx(row["ic50_nM"] / FACTOR, rel=1e-12)
        assert row["ki_ci_low_nM"] == pytest.approx(row["ic50_ci_low_nM"] / FACTOR, rel=1e-12)
        assert row["ki_ci_high_nM"] == pytest.approx(row["ic50_ci_high_nM"] / FACTOR, rel=1e-12)
        assert row["log_ki"] == pytest.approx(math.log10(row["ki_nM"] * 1e-9), abs=1e-12)
        # Kd taken as exact: log Ki = log IC50 - constant, same SE
        assert row["log_ki_se"] == pytest.approx(row["log_ic50_se"], rel=1e-12)


def test_without_kd_and_radioligand_ki_is_empty_and_explained(counts):
    analysis = analyze_competition(counts)
    res = analysis.results
    assert res[KI_COLUMNS].isna().all().all()
    assert res["ic50_nM"].notna().all()
    assert any("Ki" in note and "Kd" in note for note in analysis.notes)
    assert res.attrs["notes"] == list(analysis.notes)


@pytest.mark.parametrize("kwargs", [{"kd_nM": 1.5}, {"radioligand_nM": 1.0}])
def test_only_one_cheng_prusoff_constant_is_an_input_error(counts, kwargs):
    with pytest.raises(AssayInputError):
        analyze_competition(counts, **kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"kd_nM": 0.0, "radioligand_nM": 1.0}, {"kd_nM": 1.5, "radioligand_nM": -1.0}]
)
def test_non_positive_constants_are_input_errors(counts, kwargs):
    with pytest.raises(AssayInputError):
        analyze_competition(counts, **kwargs)


def test_fit_ki_model(counts, tubes):
    fit_ki = analyze_competition(counts, model="fit-ki", kd_nM=KD_NM, radioligand_nM=L_NM).results
    one_site = analyze_competition(counts, model="one-site", kd_nM=KD_NM, radioligand_nM=L_NM).results
    assert list(fit_ki.columns) == result_columns("fit-ki")
    assert (fit_ki["model"] == "fit-ki").all()
    shift = math.log10(FACTOR)
    for (_, k), (_, o) in zip(fit_ki.iterrows(), one_site.iterrows(), strict=True):
        assert (k["compound"], k["plate"]) == (o["compound"], o["plate"])
        # fit-ki fits log Ki directly; its SE is the one-site log IC50 SE (same curve, shifted)
        assert k["log_ki_se"] == pytest.approx(k["log_ic50_se"], rel=1e-12)
        assert k["log_ki_se"] == pytest.approx(o["log_ic50_se"], rel=1e-4)
        # and its Ki is the one-site fit's Cheng-Prusoff Ki
        assert k["ki_nM"] == pytest.approx(o["ic50_nM"] / FACTOR, rel=1e-6)
        assert k["log_ic50"] == pytest.approx(k["log_ki"] + shift, abs=1e-12)
        assert k["ic50_nM"] == pytest.approx(k["ki_nM"] * FACTOR, rel=1e-12)
        assert k["ki_ci_low_nM"] == pytest.approx(k["ic50_ci_low_nM"] / FACTOR, rel=1e-12)
        assert k["hill_slope"] == -1.0
        assert math.isnan(k["hill_slope_se"])
        # independently: Prism's "One site - Fit Ki" text through curve_fit
        x, y = tube_values(tubes, k["plate"], "competitor", k["compound"])

        def prism_fit_ki(x, top, bottom, log_ki):
            log_ec50 = math.log10(10**log_ki * (1 + L_NM / KD_NM))
            return bottom + (top - bottom) / (1 + 10 ** (x - log_ec50))

        p0 = [y[x == x.min()].mean(), y[x == x.max()].mean(), float(np.median(x)) - shift]
        popt, pcov = optimize.curve_fit(prism_fit_ki, x, y, p0=p0, **TIGHT)
        assert k["log_ki"] == pytest.approx(popt[2], abs=1e-6)
        assert k["log_ki_se"] == pytest.approx(math.sqrt(pcov[2, 2]), rel=5e-3)


def test_fit_ki_without_constants_is_an_input_error(counts):
    with pytest.raises(AssayInputError):
        analyze_competition(counts, model="fit-ki")


# --------------------------------------------------------------------------------------------------------
# Top / Bottom constraints
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("top", "bottom"), [("free", "nsb"), ("total", "free"), ("total", "nsb"), ("TOTAL", "NSB")]
)
def test_control_constraints_fix_plateaus_at_the_plate_means(counts, tubes, top, bottom):
    res = analyze_competition(counts, top=top, bottom=bottom).results
    for _, row in res.iterrows():
        plate = row["plate"]
        fixed = {}
        if bottom.lower() == "nsb":
            fixed["bottom"] = control_mean(tubes, plate, "nsb")
            assert row["bottom_cpm"] == pytest.approx(fixed["bottom"], rel=1e-14)
            assert math.isnan(row["bottom_se_cpm"])
        if top.lower() == "total":
            fixed["top"] = control_mean(tubes, plate, "total")
            assert row["top_cpm"] == pytest.approx(fixed["top"], rel=1e-14)
            assert math.isnan(row["top_se_cpm"])
        x, y = tube_values(tubes, plate, "competitor", row["compound"])
        values, se, _ = reference_fit(x, y, fixed=fixed)
        assert row["log_ic50"] == pytest.approx(values["log_ic50"], abs=1e-6)
        assert row["log_ic50_se"] == pytest.approx(se["log_ic50"], rel=5e-3)
        assert row["df"] == x.size - len(values)


@pytest.mark.parametrize(("top", "bottom"), [(5000.0, 420.0), ("5000", "420"), (5000, "free")])
def test_numeric_constraints(counts, tubes, top, bottom):
    res = analyze_competition(counts, top=top, bottom=bottom, model="one-site").results
    for _, row in res.iterrows():
        fixed = {"top": float(top)}
        if bottom != "free":
            fixed["bottom"] = float(bottom)
        for name, value in fixed.items():
            assert row[f"{name}_cpm"] == value
        x, y = tube_values(tubes, row["plate"], "competitor", row["compound"])
        values, _, _ = reference_fit(x, y, model="one-site", fixed=fixed)
        assert row["log_ic50"] == pytest.approx(values["log_ic50"], abs=1e-6)


def test_bottom_nsb_on_plate_without_nsb_is_an_error_row_for_that_plate(tubes):
    no_nsb = [t for t in tubes if not (t["plate"] == "P2" and t["role"] == "nsb")]
    frame = counts_frame(no_nsb)
    with pytest.warns(UserWarning, match=r"--bottom nsb needs NSB tubes, but plate 'P2' has none \(2 curves"):
        results = analyze_competition(frame, bottom="nsb").results
    p2 = results["plate"] == "P2"
    assert (
        results.loc[p2, "flags"] == "not_fitted: --bottom nsb needs NSB tubes, but plate 'P2' has none"
    ).all()
    assert results.loc[p2, "log_ic50"].isna().all()
    # P1 is fitted as if alone, Bottom at its own NSB mean
    for compound in ("diazepam", "flumazenil", "buspirone"):
        row = row_of(results, compound, "P1")
        assert row["bottom_cpm"] == pytest.approx(control_mean(tubes, "P1", "nsb"), rel=1e-12)
        assert np.isfinite(row["log_ic50"])
    no_total = [t for t in tubes if not (t["plate"] == "P1" and t["role"] == "total")]
    with pytest.warns(UserWarning, match="plate 'P1' has none"):
        results = analyze_competition(counts_frame(no_total), top="total").results
    assert results.loc[results["plate"] == "P1", "flags"].str.startswith("not_fitted: --top total").all()
    assert results.loc[results["plate"] == "P2", "log_ic50"].notna().all()
    # free plateaus need no controls
    assert len(analyze_competition(frame).results) == 5


@pytest.mark.parametrize("bad", ["nsbb", "total", math.nan])
def test_bad_bottom_constraint_is_an_input_error(counts, bad):
    with pytest.raises(AssayInputError):
        analyze_competition(counts, bottom=bad)


# --------------------------------------------------------------------------------------------------------
# Flags: each on data built to trigger it, and the same design without the defect
# --------------------------------------------------------------------------------------------------------
CONTROLS = control_tubes("A", "total", [5010, 4990, 5000]) + control_tubes("A", "nsb", [402, 398, 400])
X10 = half_log_series(-11.0, 10)  # -11 .. -6.5


def curve(compound, log_ic50, *, hill=-1.0, noise=40.0, x=X10, reps=3, bottom=400.0, seed=1):
    rng = np.random.default_rng(seed)
    return simulated_curve(
        compound,
        "A",
        x,
        reps,
        top=5000,
        bottom=bottom,
        log_ic50=log_ic50,
        hill_slope=hill,
        noise_sd=noise,
        rng=rng,
    )


def analyse(tube_list, **kwargs) -> pd.DataFrame:
    return analyze_competition(counts_frame(tube_list), **kwargs).results


#: Activity options that call every tested curve active, so that every curve is fitted.
FIT_ALL = {"fdr": 1.0, "min_displacement_pct": 0.0}


def test_flag_ic50_outside_range():
    # IC50 two log units above the highest concentration (-6.5): 1% of the window displaced at the top
    tube_list = CONTROLS + curve("far", -4.5) + curve("mid", -8.5, seed=2)
    # by default such a curve is called inactive, not fitted, its IC50 above the top concentration
    far = row_of(analyse(tube_list), "far", "A")
    assert far["activity"] == "inactive" and flags_of(far)[0] in ("no_displacement", "weak_displacement")
    assert far["ic50_above_nM"] == pytest.approx(10 ** (X10.max() + 9)) and np.isnan(far["log_ic50"])
    # all plateaus free, these data have no finite least-squares 4PL (a step fits best): never reported clean
    assert flags_of(row_of(analyse(tube_list, **FIT_ALL), "far", "A")) != []
    for kwargs in ({"bottom": "nsb"}, {"model": "one-site", "top": "total", "bottom": "nsb"}):
        res = analyse(tube_list, **kwargs, **FIT_ALL)
        far, mid = row_of(res, "far", "A"), row_of(res, "mid", "A")
        assert "ic50_outside_range" in flags_of(far)
        assert far["log_ic50"] > X10.max()
        assert "ic50_outside_range" not in flags_of(mid)
        assert X10.min() <= mid["log_ic50"] <= X10.max()
    # with both plateaus fixed the out-of-range IC50 is well estimated near the truth
    res = analyse(tube_list, model="one-site", top="total", bottom="nsb", **FIT_ALL)
    assert row_of(res, "far", "A")["log_ic50"] == pytest.approx(-4.5, abs=0.3)


def test_flag_log_ic50_se_gt_half():
    sparse = half_log_series(-11.0, 6, step=1.0)
    tube_list = CONTROLS + curve("noisy", -8.5, x=sparse, reps=1, noise=1000.0, seed=5)
    tube_list += curve("clean", -8.5, x=sparse, reps=3, noise=100.0, seed=5)
    res = analyse(tube_list)
    noisy, clean = row_of(res, "noisy", "A"), row_of(res, "clean", "A")
    assert noisy["log_ic50_se"] > 0.5
    assert "log_ic50_se_gt_0.5" in flags_of(noisy)
    assert clean["log_ic50_se"] < 0.5
    assert "log_ic50_se_gt_0.5" not in flags_of(clean)


def test_flag_ambiguous_on_flat_curve():
    tube_list = CONTROLS + curve_tubes("inactive", "A", X10, 3, np.full(30, 3000.0)) + curve("active", -8.5)
    # by default a flat curve is called inactive and not fitted: one flag, no numbers
    default = analyse(tube_list)
    flat = row_of(default, "inactive", "A")
    assert flags_of(flat) == ["no_displacement"] and flat["p_displacement"] == 1.0
    assert flat[["top_cpm", "bottom_cpm", "log_ic50", "hill_slope", "r_squared"]].isna().all()
    res = analyse(tube_list, **FIT_ALL)
    assert "ambiguous" in flags_of(row_of(res, "inactive", "A"))
    assert "ambiguous" not in flags_of(row_of(res, "active", "A"))
    assert flags_of(row_of(res, "active", "A")) == []


def test_flag_bottom_vs_nsb():
    # the curve bottoms out at 1500 cpm while the NSB tubes read 400 (window 4600): |1500-400| > 10% of it
    off = CONTROLS + curve("c", -8.5, bottom=1500.0)
    res = analyse(off)
    row = row_of(res, "c", "A")
    assert abs(row["bottom_cpm"] - 400.0) > 0.1 * (5000.0 - 400.0)
    assert "bottom_vs_nsb" in flags_of(row)
    # same curve, NSB tubes at the curve's bottom
    on = control_tubes("A", "total", [5010, 4990, 5000]) + control_tubes("A", "nsb", [1490, 1510, 1500])
    on += curve("c", -8.5, bottom=1500.0)
    assert "bottom_vs_nsb" not in flags_of(row_of(analyse(on), "c", "A"))
    # a fixed bottom is not compared with NSB
    assert "bottom_vs_nsb" not in flags_of(row_of(analyse(off, bottom=1500.0), "c", "A"))


@pytest.mark.parametrize("hill", [-3.0, -0.3])
def test_flag_hill_slope_out_of_range(hill):
    x = half_log_series(-12.0, 14) if hill > -0.5 else X10
    tube_list = (
        CONTROLS + curve("odd", -8.5, hill=hill, noise=20.0, x=x) + curve("normal", -8.5, noise=20.0, seed=3)
    )
    res = analyse(tube_list)
    odd, normal = row_of(res, "odd", "A"), row_of(res, "normal", "A")
    assert odd["hill_slope"] == pytest.approx(hill, rel=0.05)
    assert "hill_slope_out_of_range" in flags_of(odd)
    assert "hill_slope_out_of_range" not in flags_of(normal)
    # one-site fixes the slope at -1: nothing to flag
    assert "hill_slope_out_of_range" not in flags_of(row_of(analyse(tube_list, model="one-site"), "odd", "A"))


def test_flag_not_fitted_leaves_other_compounds_fitted():
    two = curve("two-conc", -8.5, x=np.array([-9.0, -8.0]))
    tube_list = CONTROLS + curve("good", -8.5) + two + curve("good2", -7.5, seed=4)
    analysis = analyze_competition(counts_frame(tube_list), kd_nM=KD_NM, radioligand_nM=L_NM)
    res = analysis.results
    bad = row_of(res, "two-conc", "A")
    assert str(bad["flags"]).startswith("not_fitted")
    assert bad["n_points"] == 6
    for col in ("log_ic50", "ic50_nM", "ki_nM", "top_cpm", "bottom_cpm", "log_ic50_se", "r_squared"):
        assert math.isnan(bad[col]), col
    assert analysis.fits[("two-conc", "A")] is None
    for name in ("good", "good2"):
        row = row_of(res, name, "A")
        assert flags_of(row) == []
        assert math.isfinite(row["log_ic50"]) and math.isfinite(row["ki_nM"])
        x, y = tube_values(tube_list, "A", "competitor", name)
        assert row["log_ic50"] == pytest.approx(reference_fit(x, y)[0]["log_ic50"], abs=1e-6)


def test_flag_ic50_ci_open_with_profile_intervals():
    # IC50 two log units above the top concentration, bottom fixed at NSB (Prism's advice for such curves):
    # the displacement at the top concentration (~45 cpm) is within the noise, so the upper limit is open
    tube_list = CONTROLS + curve("beyond", -4.5, noise=100.0) + curve("mid", -8.5, noise=100.0, seed=2)
    res = analyse(tube_list, ci="profile", model="one-site", bottom="nsb", **FIT_ALL)
    beyond, mid = row_of(res, "beyond", "A"), row_of(res, "mid", "A")
    assert beyond["log_ic50_ci_high"] == math.inf
    assert beyond["ic50_ci_high_nM"] == math.inf
    assert "ic50_ci_open" in flags_of(beyond)
    assert math.isfinite(mid["log_ic50_ci_low"]) and math.isfinite(mid["log_ic50_ci_high"])
    assert mid["log_ic50_ci_low"] < mid["log_ic50"] < mid["log_ic50_ci_high"]
    assert "ic50_ci_open" not in flags_of(mid)
    assert (res["ci_method"] == "profile").all()
    # independently: 12 log units above the best fit the constrained SS is still below the F threshold
    x, y = tube_values(tube_list, "A", "competitor", "beyond")
    values, _, ss = reference_fit(x, y, model="one-site", fixed={"bottom": 400.0})
    df = x.size - 2
    threshold = ss * (1 + stats.f.ppf(0.95, 1, df) / df)
    _, _, ss_far = reference_fit(
        x,
        y,
        model="one-site",
        fixed={"bottom": 400.0, "log_ic50": values["log_ic50"] + 12},
        p0=[values["top"]],
    )
    assert ss_far < threshold
    # asymptotic intervals are never "open"
    assert "ic50_ci_open" not in flags_of(
        row_of(analyse(tube_list, model="one-site", bottom="nsb"), "beyond", "A")
    )


def test_profile_intervals_do_not_abort_the_analysis_on_an_ill_defined_curve():
    # A compound that barely displaces (IC50 ~0.5 log above the top concentration, 2% noise), 4PL with all
    # plateaus free. The fit is ambiguous (Bottom runs off to -3e8); its profile limits cannot be trusted,
    # but that must be reported in the row's flags, not raised out of the whole analysis.
    tube_list = CONTROLS + curve("weak", -6.0, noise=100.0, seed=2) + curve("good", -8.5, noise=100.0, seed=3)
    res = analyse(tube_list, ci="profile")
    good, weak = row_of(res, "good", "A"), row_of(res, "weak", "A")
    assert math.isfinite(good["log_ic50_ci_low"]) and math.isfinite(good["log_ic50_ci_high"])
    assert flags_of(good) == []
    assert flags_of(weak) != []


def test_profile_limits_of_a_result_row_reach_the_f_threshold(tubes):
    frame = counts_frame([t for t in tubes if t["plate"] == "P1"])
    row = row_of(analyze_competition(frame, ci="profile").results, "diazepam", "P1")
    x, y = tube_values(tubes, "P1", "competitor", "diazepam")
    values, _, ss = reference_fit(x, y)
    df = x.size - 4
    threshold = ss * (1 + stats.f.ppf(0.95, 1, df) / df)
    for limit in (row["log_ic50_ci_low"], row["log_ic50_ci_high"]):
        _, _, ss_limit = reference_fit(
            x, y, fixed={"log_ic50": limit}, p0=[values["top"], values["bottom"], values["hill_slope"]]
        )
        assert ss_limit == pytest.approx(threshold, rel=1e-6)


# --------------------------------------------------------------------------------------------------------
# Points and plate tables
# --------------------------------------------------------------------------------------------------------
def test_points_table(analysis, counts, tubes):
    pts = analysis.points
    assert len(pts) == len(tubes)
    for col in ("cpm", "specific_cpm", "specific_pct", "fitted_cpm", "residual_cpm"):
        assert col in pts.columns
    res = analysis.results
    for i, tube in enumerate(tubes):
        p = pts.iloc[i]
        assert p["cpm"] == tube["signal"]
        nsb = control_mean(tubes, tube["plate"], "nsb")
        total = control_mean(tubes, tube["plate"], "total")
        assert p["specific_cpm"] == pytest.approx(tube["signal"] - nsb, rel=1e-12, abs=1e-9)
        assert p["specific_pct"] == pytest.approx(
            100 * (tube["signal"] - nsb) / (total - nsb), rel=1e-12, abs=1e-9
        )
        if tube["role"] == "competitor":
            row = row_of(res, tube["compound"], tube["plate"])
            want = prism_4pl(
                tube["log_conc_M"], row["top_cpm"], row["bottom_cpm"], row["log_ic50"], row["hill_slope"]
            )
            assert p["fitted_cpm"] == pytest.approx(want, rel=1e-10)
            assert p["residual_cpm"] == pytest.approx(tube["signal"] - want, abs=1e-7 * abs(want))
        else:
            assert math.isnan(p["fitted_cpm"]) and math.isnan(p["residual_cpm"])
    # the residuals of a curve add up to its SS
    for _, row in res.iterrows():
        sel = (pts["compound"] == row["compound"]) & (pts["plate"] == row["plate"])
        assert float(np.sum(pts.loc[sel, "residual_cpm"] ** 2)) == pytest.approx(row["ss_cpm2"], rel=1e-9)


def test_points_fitted_values_for_fit_ki(counts, tubes):
    analysis = analyze_competition(counts, model="fit-ki", kd_nM=KD_NM, radioligand_nM=L_NM)
    pts, res = analysis.points, analysis.results
    for i, tube in enumerate(tubes):
        if tube["role"] != "competitor":
            continue
        row = row_of(res, tube["compound"], tube["plate"])
        log_ec50 = math.log10(10 ** row["log_ki"] * (1 + L_NM / KD_NM))
        want = row["bottom_cpm"] + (row["top_cpm"] - row["bottom_cpm"]) / (
            1 + 10 ** (tube["log_conc_M"] - log_ec50)
        )
        assert pts.iloc[i]["fitted_cpm"] == pytest.approx(want, rel=1e-10)


def test_points_for_unfitted_curve_have_no_fitted_value():
    tube_list = CONTROLS + curve("two-conc", -8.5, x=np.array([-9.0, -8.0]))
    pts = analyze_competition(counts_frame(tube_list)).points
    comp = pts[pts["role"] == "competitor"]
    assert comp["fitted_cpm"].isna().all() and comp["residual_cpm"].isna().all()
    assert comp["specific_cpm"].notna().all()


def test_plate_summary(analysis, tubes):
    plates = analysis.plates.set_index("plate")
    assert list(plates.index) == ["P1", "P2"]
    for plate in ("P1", "P2"):
        total = tube_values(tubes, plate, "total")[1]
        nsb = tube_values(tubes, plate, "nsb")[1]
        p = plates.loc[plate]
        assert p["n_total"] == total.size and p["n_nsb"] == nsb.size
        assert p["total_mean_cpm"] == pytest.approx(total.mean(), rel=1e-14)
        assert p["nsb_mean_cpm"] == pytest.approx(nsb.mean(), rel=1e-14)
        assert p["total_sd_cpm"] == pytest.approx(np.std(total, ddof=1), rel=1e-12)
        assert p["nsb_sd_cpm"] == pytest.approx(np.std(nsb, ddof=1), rel=1e-12)
        window = total.mean() - nsb.mean()
        assert p["specific_window_cpm"] == pytest.approx(window, rel=1e-13)
        assert p["specific_window_pct"] == pytest.approx(100 * window / total.mean(), rel=1e-13)
        z = 1 - 3 * (np.std(total, ddof=1) + np.std(nsb, ddof=1)) / abs(window)
        assert p["z_prime"] == pytest.approx(z, rel=1e-12)


def test_plate_summary_hand_values():
    # TOTAL 1000, 1100, 900 (mean 1000, SD 100); NSB 100, 120, 80 (mean 100, SD 20)
    # Z' = 1 - 3 (100 + 20) / 900 = 0.6
    tube_list = control_tubes("Q", "total", [1000, 1100, 900]) + control_tubes("Q", "nsb", [100, 120, 80])
    tube_list += curve_tubes("c", "Q", [-9.0, -8.0, -7.0, -6.0, -5.0], 1, [990, 900, 550, 200, 110])
    plates = analyze_competition(counts_frame(tube_list)).plates
    p = plates.iloc[0]
    assert p["total_mean_cpm"] == pytest.approx(1000.0)
    assert p["total_sd_cpm"] == pytest.approx(100.0)
    assert p["nsb_sd_cpm"] == pytest.approx(20.0)
    assert p["specific_window_cpm"] == pytest.approx(900.0)
    assert p["specific_window_pct"] == pytest.approx(90.0)
    assert p["z_prime"] == pytest.approx(0.6)
