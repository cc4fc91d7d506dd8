"""--compare at screening scale: the batch comparison against the one-curve path and scipy, and the pool.

The one-curve path (``compare_curve``: lmfit fits of each model, Prism's F test and AICc) is the reference
for the batch table on well-posed curves; an independent curve_fit of the equations typed here checks a
two-site row; ROUT and profile intervals, fitted one curve at a time, must give the same numbers in a
process pool as in this process.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _data import control_tubes, counts_frame, curve_tubes, prism_4pl
from click.testing import CliRunner
from scipy import optimize, stats

from assaykit.binding.comparisons import compare_curve
from assaykit.binding.competition import analyze_competition
from assaykit.cli import main

X = np.arange(-12.0, -3.9, 0.5)
TIGHT = {"ftol": 1e-15, "xtol": 1e-15, "gtol": 1e-15, "max_nfev": 20_000, "method": "trf", "jac": "3-point"}


def two_site(x, top, bottom, log_hi, log_lo, fraction):
    hi, lo = 1 / (1 + 10 ** (x - log_hi)), 1 / (1 + 10 ** (x - log_lo))
    return bottom + (top - bottom) * (fraction * hi + (1 - fraction) * lo)


def screen(seed=0, n_two=12, n_one=12, outliers=False):
    """Two-site curves (sites 1.5-3 log units apart), then one-site curves (Hill -0.7 to -1.2)."""
    rng = np.random.default_rng(seed)
    x = np.repeat(X, 3)
    tubes = []
    for k in range(n_two + n_one):
        plate = f"P{k // 8}"
        if k % 8 == 0:
            tubes += control_tubes(plate, "total", rng.normal(5000, 60, 4))
            tubes += control_tubes(plate, "nsb", rng.normal(400, 20, 4))
        if k < n_two:
            hi = rng.uniform(-10.0, -9.0)
            y = two_site(x, 5000, 400, hi, hi + rng.uniform(1.5, 3.0), rng.uniform(0.3, 0.7))
        else:
            y = prism_4pl(x, 5000, 400, rng.uniform(-9.0, -7.5), rng.uniform(-1.2, -0.7))
        y = y + rng.normal(0, 60, x.size)
        if outliers and k % 3 == 0:
            y[[5, 30]] += [1500.0, -1400.0]
        tubes += curve_tubes(f"c{k:02d}", plate, X, 3, y)
    return counts_frame(tubes)


def reference_rows(frame, analysis):
    """The one-curve path's comparison rows for every fitted curve, in the analysis's order."""
    rows = []
    points = analysis.points
    for (compound, plate), fit in analysis.fits.items():
        if fit is None:
            continue
        tubes = points[(points["compound"] == compound) & (points["plate"] == plate)]
        keep = ~tubes["outlier"].to_numpy()
        x, y = tubes["log_conc_M"].to_numpy()[keep], tubes["cpm"].to_numpy()[keep]
        for row in compare_curve(x, y, fixed={}, main=fit):
            rows.append({"compound": compound, "plate": plate, **row})
    return pd.DataFrame(rows)


def check_same_table(got: pd.DataFrame, want: pd.DataFrame) -> None:
    got, want = got.set_index(["compound", "complex"]), want.set_index(["compound", "complex"])
    assert set(got.index) == set(want.index)
    got = got.loc[want.index]
    assert (got["preferred"] == want["preferred"]).all()
    tested = want["f"].notna() & got["f"].notna()  # both paths ran the test: a well-posed comparison
    assert tested.sum() >= len(want) // 2
    # Elsewhere a path found no usable fit of one model (ambiguous, not converged); where the batch found
    # a lower SS than the one-curve path (a local minimum there), its fit is the better one.
    differ = ~tested & want["f"].notna()
    assert (got.loc[differ, "ss_complex"] <= want.loc[differ, "ss_complex"] * (1 + 1e-9)).all()
    np.testing.assert_allclose(got.loc[tested, "f"], want.loc[tested, "f"], rtol=1e-6)
    np.testing.assert_allclose(
        got.loc[tested, "p_value"], want.loc[tested, "p_value"], rtol=1e-5, atol=1e-300
    )
    np.testing.assert_allclose(got.loc[tested, "ss_complex"], want.loc[tested, "ss_complex"], rtol=1e-8)
    np.testing.assert_allclose(got["ss_simple"], want["ss_simple"], rtol=1e-8)
    np.testing.assert_allclose(got["delta_aicc"][tested], want["delta_aicc"][tested], atol=1e-5)
    assert (got["df_complex"] == want["df_complex"]).all()


@pytest.mark.parametrize("options", [{}, {"weights": "poisson"}, {"model": "one-site"}], ids=str)
def test_batch_comparison_is_the_one_curve_table(options):
    frame = screen()
    analysis = analyze_competition(frame, compare=True, **options)
    assert len(analysis.comparisons) == 2 * 24
    check_same_table(analysis.comparisons, reference_rows(frame, analysis))
    two = analysis.comparisons[analysis.comparisons["complex"] == "two-site"]
    assert (two.loc[two["compound"] < "c12", "preferred"] == "two-site").mean() >= 0.75


def test_two_site_row_against_curve_fit_by_hand():
    frame = screen(n_two=20, n_one=4)
    comp = analyze_competition(frame, compare=True).comparisons.set_index(["compound", "complex"])
    tubes = frame[frame["compound"] == "c03"]
    x, y = tubes["log_conc_M"].to_numpy(), tubes["signal"].to_numpy()
    n = x.size

    def ss(f, p0):
        popt, _ = optimize.curve_fit(f, x, y, p0=p0, **TIGHT)
        return float(np.sum((y - f(x, *popt)) ** 2))

    ss1 = ss(lambda x, t, b, m: prism_4pl(x, t, b, m, -1.0), [5000, 400, -8])
    ss2 = min(ss(two_site, [5000, 400, hi, lo, 0.5]) for hi in (-10.0, -9.0) for lo in (-7.5, -6.5))
    f = ((ss1 - ss2) / 2) / (ss2 / (n - 5))
    row = comp.loc[("c03", "two-site")]
    assert row["ss_simple"] == pytest.approx(ss1, rel=1e-9)
    assert row["ss_complex"] == pytest.approx(ss2, rel=1e-9)
    assert row["f"] == pytest.approx(f, rel=1e-6)
    assert row["p_value"] == pytest.approx(stats.f.sf(f, 2, n - 5), rel=1e-5, abs=1e-300)
    aicc = [
        n * math.log(s / n) + 2 * (p + 1) + 2 * (p + 1) * (p + 2) / (n - p - 2)
        for s, p in ((ss1, 3), (ss2, 5))
    ]
    assert row["delta_aicc"] == pytest.approx(aicc[1] - aicc[0], abs=1e-6)


def test_rout_in_a_pool_gives_the_serial_numbers_and_the_comparison_uses_its_points(monkeypatch):
    frame = screen(seed=2, n_two=4, n_one=12, outliers=True)
    monkeypatch.setenv("ASSAYKIT_WORKERS", "1")
    serial = analyze_competition(frame, outliers="rout", compare=True)
    monkeypatch.setenv("ASSAYKIT_WORKERS", "2")
    pooled = analyze_competition(frame, outliers="rout", compare=True)
    pd.testing.assert_frame_equal(serial.results, pooled.results)
    pd.testing.assert_frame_equal(serial.points, pooled.points)
    pd.testing.assert_frame_equal(serial.comparisons, pooled.comparisons)
    assert serial.results["n_outliers"].sum() >= 8  # ROUT found the planted outliers
    check_same_table(pooled.comparisons, reference_rows(frame, pooled))


def test_profile_intervals_in_a_pool_are_the_serial_ones(monkeypatch):
    frame = screen(seed=4, n_two=0, n_one=10)
    monkeypatch.setenv("ASSAYKIT_WORKERS", "1")
    serial = analyze_competition(frame, ci="profile", model="one-site")
    monkeypatch.setenv("ASSAYKIT_WORKERS", "2")
    pooled = analyze_competition(frame, ci="profile", model="one-site")
    pd.testing.assert_frame_equal(serial.results, pooled.results)
    assert serial.results["log_ic50_ci_low"].notna().all()


def test_a_bad_worker_count_is_an_input_error(tmp_path, monkeypatch):
    path = tmp_path / "counts.csv"
    path.write_text("compound,conc_nM,cpm\n" + "".join(f"A,{c},{1000 - c}\n" for c in (1, 10, 100, 1000)))
    monkeypatch.setenv("ASSAYKIT_WORKERS", "two")
    result = CliRunner().invoke(main, ["binding", str(path), "--compare"])
    assert result.exit_code == 2
    assert "Error: ASSAYKIT_WORKERS must be a whole number of at least 1, not 'two'" in result.output
