"""Implausible competition input, in the analysis: swapped controls, implausible concentrations of one curve,
counts far outside the plate's controls, plates without controls, options far from their usual values.

Frames are built by hand (``_data.py``); control means, Z', medians and reference fits are computed here with
numpy and scipy from the tubes as built.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from _data import control_tubes, counts_frame, half_log_series, prism_4pl, simulated_curve
from scipy import optimize

from assaykit.binding import analyze_competition
from assaykit.errors import AssayInputError

X = half_log_series(-11.0, 13)  # 10 pM to 10 uM


def plate(name: str, total, nsb, compounds, rng, *, top=None, bottom=None, scale=1.0) -> list[dict]:
    """Controls and one curve per (compound, log IC50) on a plate; ``scale`` multiplies the curves' counts."""
    tubes = control_tubes(name, "total", total) + control_tubes(name, "nsb", nsb)
    top = float(np.mean(total)) if top is None else top
    bottom = float(np.mean(nsb)) if bottom is None else bottom
    for compound, log_ic50 in compounds:
        curve = simulated_curve(
            compound,
            name,
            X,
            2,
            top=top,
            bottom=bottom,
            log_ic50=log_ic50,
            hill_slope=-1.0,
            noise_sd=40,
            rng=rng,
        )
        for tube in curve:
            tube["signal"] *= scale
        tubes += curve
    return tubes


def reference_log_ic50(tubes: list[dict], compound: str, plate_name: str) -> float:
    """curve_fit of Prism's 4PL to one curve's tubes, as built."""
    sel = [t for t in tubes if t["compound"] == compound and t["plate"] == plate_name]
    x = np.array([t["log_conc_M"] for t in sel])
    y = np.array([t["signal"] for t in sel])
    p0 = [y[x == x.min()].mean(), y[x == x.max()].mean(), float(np.median(x)), -1.0]
    popt, _ = optimize.curve_fit(prism_4pl, x, y, p0=p0, maxfev=100_000)
    return float(popt[2])


def control_stats(tubes: list[dict], plate_name: str, role: str) -> tuple[float, float]:
    values = np.array([t["signal"] for t in tubes if t["plate"] == plate_name and t["role"] == role])
    return float(values.mean()), float(values.std(ddof=1))


# --------------------------------------------------------------------------------------------------------
# Swapped TOTAL and NSB
# --------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def swapped_tubes() -> list[dict]:
    rng = np.random.default_rng(7)
    good = plate("A", [3010, 2985, 3050], [240, 255, 251], [("diazepam", -8.2), ("flumazenil", -9.0)], rng)
    # plate B: the curves go from 3000 down to 250 as usual, but the control labels are swapped
    bad = plate("B", [250, 236, 261], [3190, 3204, 3188], [("diazepam", -8.1), ("clonazepam", -9.2)], rng,
                top=3000, bottom=250)  # fmt: skip
    return good + bad


def test_swapped_controls_give_error_rows_and_the_other_plate_is_fitted(swapped_tubes):
    with pytest.warns(UserWarning) as caught:
        analysis = analyze_competition(counts_frame(swapped_tubes))
    results = analysis.results.set_index(["compound", "plate"])
    total_b, _ = control_stats(swapped_tubes, "B", "total")
    nsb_b, _ = control_stats(swapped_tubes, "B", "nsb")
    reason = (
        f"TOTAL mean {total_b:.0f} cpm is not above the NSB mean {nsb_b:.0f} cpm; are the TOTAL and NSB "
        "labels swapped?"
    )
    for compound in ("diazepam", "clonazepam"):
        row = results.loc[(compound, "B")]
        assert row["flags"] == f"not_fitted: {reason}"
        assert math.isnan(row["log_ic50"]) and math.isnan(row["ic50_nM"])
        assert analysis.fits[(compound, "B")] is None
    messages = [str(w.message) for w in caught]
    assert f"plate 'B' not analysed (2 curves not fitted): {reason}" in messages
    for compound in ("diazepam", "flumazenil"):
        row = results.loc[(compound, "A")]
        assert row["flags"] == ""
        assert row["log_ic50"] == pytest.approx(reference_log_ic50(swapped_tubes, compound, "A"), abs=1e-5)


def test_z_prime_and_window_pct_only_for_a_positive_window(swapped_tubes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        analysis = analyze_competition(counts_frame(swapped_tubes))
    plates = analysis.plates.set_index("plate")
    t_mean, t_sd = control_stats(swapped_tubes, "A", "total")
    n_mean, n_sd = control_stats(swapped_tubes, "A", "nsb")
    assert plates.at["A", "z_prime"] == pytest.approx(1 - 3 * (t_sd + n_sd) / (t_mean - n_mean), rel=1e-12)
    assert plates.at["A", "specific_window_pct"] == pytest.approx(100 * (t_mean - n_mean) / t_mean, rel=1e-12)
    tb, _ = control_stats(swapped_tubes, "B", "total")
    nb, _ = control_stats(swapped_tubes, "B", "nsb")
    assert plates.at["B", "specific_window_cpm"] == pytest.approx(tb - nb, rel=1e-12)  # negative, as it is
    assert math.isnan(plates.at["B", "z_prime"]) and math.isnan(plates.at["B", "specific_window_pct"])
    points = analysis.points
    assert points.loc[points["plate"] == "B", "specific_pct"].isna().all()
    a = points[(points["plate"] == "A") & (points["role"] == "competitor")]
    np.testing.assert_allclose(a["specific_pct"], 100 * (a["cpm"] - n_mean) / (t_mean - n_mean), rtol=1e-12)


def test_equal_controls_say_there_is_no_specific_binding():
    rng = np.random.default_rng(1)
    tubes = plate("P", [1000, 1000], [1000, 1000], [("d", -8.0)], rng, top=1000, bottom=1000)
    tubes += plate("Q", [3000, 3020], [250, 260], [("d", -8.0)], rng)
    with pytest.warns(UserWarning, match="plate 'P' not analysed"):
        results = analyze_competition(counts_frame(tubes)).results.set_index("plate")
    reason = "TOTAL mean 1000 cpm is not above the NSB mean 1000 cpm; the plate has no specific binding"
    assert results.at["P", "flags"] == f"not_fitted: {reason}"
    assert results.at["Q", "flags"] == ""


def test_the_batch_engine_skips_the_same_curves():
    rng = np.random.default_rng(3)
    compounds = [(f"c{i:02d}", -9.0 + 0.1 * i) for i in range(12)]
    tubes = plate("A", [3000, 3010], [250, 252], compounds, rng)
    tubes += plate("B", [251, 248], [3005, 2990], compounds, rng, top=3000, bottom=250)
    frame = counts_frame(tubes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        batch = analyze_competition(frame, engine="batch").results
        single = analyze_competition(frame, engine="lmfit").results
    assert len(batch) == 24
    pd.testing.assert_series_equal(batch["flags"], single["flags"])
    assert batch.loc[batch["plate"] == "B", "flags"].str.startswith("not_fitted: TOTAL mean").all()
    fitted = batch["plate"] == "A"
    np.testing.assert_allclose(batch.loc[fitted, "log_ic50"], single.loc[fitted, "log_ic50"], atol=1e-6)
    first = reference_log_ic50(tubes, "c00", "A")
    assert batch.loc[0, "log_ic50"] == pytest.approx(first, abs=1e-5)


# --------------------------------------------------------------------------------------------------------
# One curve with implausible concentrations; counts far outside the controls; plates without controls
# --------------------------------------------------------------------------------------------------------
def test_a_curve_whose_concentrations_are_implausible_is_not_fitted():
    rng = np.random.default_rng(5)
    tubes = plate("A", [3000, 3010], [250, 252], [("good", -8.0), ("molar", -8.0)], rng)
    for tube in tubes:
        if tube["compound"] == "molar":  # its molar numbers were read as nM: 1e9 times too small
            tube["log_conc_M"] -= 9
            tube["conc_M"] = 10 ** tube["log_conc_M"]
    results = analyze_competition(counts_frame(tubes)).results.set_index("compound")
    assert (X.min(), X.max()) == (-11.0, -5.0)  # so read 1e9 times too small: 1e-20 M to 1e-14 M (10 fM)
    assert results.at["molar", "flags"] == (
        "not_fitted: its concentrations (1e-20 M to 10 fM) lie outside the plausible 1 fM to 100 mM; check "
        "their unit"
    )
    assert results.at["good", "flags"] == ""


def test_counts_far_outside_the_controls_are_flagged():
    rng = np.random.default_rng(9)
    tubes = plate("A", [3000, 3020, 2990], [250, 255, 245], [("normal", -8.0), ("enhancer", -8.0)], rng)
    tubes += plate("A", [], [], [("ten_times", -8.0)], rng, top=3000, bottom=250, scale=10.0)
    for tube in tubes:
        if tube["compound"] == "enhancer":  # binding raised by half the window: real pharmacology
            tube["signal"] += 1400
    t_mean, _ = control_stats(tubes, "A", "total")
    n_mean, _ = control_stats(tubes, "A", "nsb")
    window = t_mean - n_mean
    medians = {
        c: float(np.median([t["signal"] for t in tubes if t["compound"] == c]))
        for c in ("normal", "enhancer", "ten_times")
    }
    assert medians["ten_times"] > t_mean + 2 * window  # the construction
    assert medians["enhancer"] < t_mean + 2 * window
    with pytest.warns(UserWarning) as caught:
        results = analyze_competition(counts_frame(tubes)).results.set_index("compound")
    flags = {c: results.at[c, "flags"].split(";") for c in medians}
    assert "signal_outside_controls" in flags["ten_times"]
    assert "signal_outside_controls" not in flags["normal"] + flags["enhancer"]
    (message,) = [str(w.message) for w in caught if "outside the plate's controls" in str(w.message)]
    assert message.startswith(
        f"1 curve lies far outside the plate's controls (the median tube more than 2 specific windows above "
        f"TOTAL or below NSB; flag signal_outside_controls): 'ten_times' on plate 'A' (median "
        f"{medians['ten_times']:.0f} cpm; TOTAL {t_mean:.0f}, NSB {n_mean:.0f})"
    )


def test_plates_without_controls_get_a_note_and_fixed_plateaus_error_rows():
    rng = np.random.default_rng(2)
    tubes = plate("A", [3000, 3010], [250, 252], [("d", -8.0)], rng)
    tubes += plate("B", [], [], [("d", -8.0)], rng, top=3000, bottom=250)
    analysis = analyze_competition(counts_frame(tubes))
    assert (
        "plate 'B' has no TOTAL or NSB tubes: specific binding, % specific, the window and Z' are empty "
        "there, and Bottom is not checked against NSB"
    ) in analysis.notes
    assert (analysis.results["flags"] == "").all()
    with pytest.warns(
        UserWarning, match=r"^--top total needs TOTAL tubes, but plate 'B' has none \(1 curve not"
    ):
        results = analyze_competition(counts_frame(tubes), top="total").results.set_index("plate")
    assert results.at["B", "flags"] == "not_fitted: --top total needs TOTAL tubes, but plate 'B' has none"
    assert results.at["A", "top_cpm"] == pytest.approx(3005.0)


# --------------------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def good_counts() -> pd.DataFrame:
    return counts_frame(plate("A", [3000, 3010], [250, 252], [("d", -8.0)], np.random.default_rng(4)))


def test_a_molar_kd_is_an_error_and_a_radioligand_far_from_kd_a_warning(good_counts):
    with pytest.raises(AssayInputError, match=r"^--kd 1.5e-09 nM is 1.5e-18 M, .*so give --kd 1.5$"):
        analyze_competition(good_counts, kd_nM=1.5e-9, radioligand_nM=1.0)
    with pytest.raises(AssayInputError, match=r"^--radioligand 1e-09 nM is 1e-18 M"):
        analyze_competition(good_counts, kd_nM=1.5, radioligand_nM=1e-9)
    with pytest.warns(UserWarning) as caught:
        results = analyze_competition(good_counts, kd_nM=1.5, radioligand_nM=1000.0).results
    ratio = 1000.0 / 1.5
    assert [str(w.message) for w in caught] == [
        f"--radioligand 1000 nM is {ratio:.3g} times --kd 1.5 nM; competition assays use the radioligand "
        "near its Kd (typically 0.1 to 10 times), so check that both are in nM (Cheng-Prusoff divides IC50 "
        f"by {1 + ratio:.4g})"
    ]
    assert results.at[0, "ki_nM"] == pytest.approx(results.at[0, "ic50_nM"] / (1 + ratio), rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        analyze_competition(good_counts, kd_nM=1.5, radioligand_nM=1.0)  # the usual case: no warning


def test_a_fixed_top_not_above_a_fixed_bottom_is_an_error(good_counts):
    with pytest.raises(AssayInputError, match=r"^--top 200 is not above --bottom 3000: .*; swap them$"):
        analyze_competition(good_counts, top=200.0, bottom=3000.0)
    results = analyze_competition(good_counts, top=3005.0, bottom=251.0).results
    assert (results.at[0, "top_cpm"], results.at[0, "bottom_cpm"]) == (3005.0, 251.0)


def test_many_plates_with_swapped_controls_share_one_warning():
    rng = np.random.default_rng(6)
    tubes = plate("good", [3000, 3010], [250, 252], [("d", -8.0)], rng)
    for k in range(7):
        tubes += plate(f"S{k}", [250, 252], [3000, 3010], [("d", -8.0)], rng, top=3000, bottom=250)
    with pytest.warns(UserWarning) as caught:
        results = analyze_competition(counts_frame(tubes)).results.set_index("plate")
    (message,) = [str(w.message) for w in caught]
    first = (
        "plate 'S0' not analysed (1 curve not fitted): TOTAL mean 251 cpm is not above the NSB mean 3005 cpm"
    )
    assert message.startswith(f"7 plates have curves not fitted: {first};") and message.endswith("; ...")
    assert message.count("not analysed") == 5
    assert results.loc[[f"S{k}" for k in range(7)], "flags"].str.startswith("not_fitted: TOTAL mean").all()
    assert results.at["good", "flags"] == ""
