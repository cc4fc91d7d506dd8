"""Activity calls of a screen: the displacement test, its null distribution, BH q-values and the FDR.

References used here, independent of the code under test: scipy's Benjamini-Hochberg
(``scipy.stats.false_discovery_control``), straight-line least squares by ``numpy.linalg.lstsq`` at each
grid point, fresh simulations of flat curves with non-Gaussian (Poisson and proportional) noise, and the
known truth of simulated screens.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from assaykit.binding import analyze_competition
from assaykit.binding.simulate import simulate_screen
from assaykit.cli import main
from assaykit.fitting import displacement
from assaykit.fitting.displacement import displacement_test
from assaykit.io.counts import counts_from_frame
from assaykit.multiplicity import bh_qvalues

X = np.repeat(np.arange(-11.0, -5.9, 0.5), 3)  # 11 half-log concentrations in triplicate


def test_bh_qvalues_match_scipy_and_leave_untested_out():
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.uniform(size=200), rng.uniform(0, 1e-3, 30)])
    np.testing.assert_allclose(bh_qvalues(p), stats.false_discovery_control(p, method="bh"), rtol=1e-12)
    with_nan = np.insert(p, [3, 50], np.nan)
    q = bh_qvalues(with_nan)
    assert np.isnan(q[[3, 51]]).all()
    np.testing.assert_allclose(q[np.isfinite(with_nan)], bh_qvalues(p), rtol=1e-12)
    assert np.isnan(bh_qvalues(np.array([np.nan]))).all()


def test_r2_is_the_best_falling_sigmoid_on_the_grid_by_least_squares():
    rng = np.random.default_rng(1)
    y = np.vstack(
        [
            3000 + rng.normal(0, 100, X.size),  # flat
            250 + 2750 / (1 + 10 ** ((-8.0 - X) * -1.0)) + rng.normal(0, 100, X.size),  # falls
            250 + 2750 / (1 + 10 ** ((-8.0 - X) * 1.0)) + rng.normal(0, 100, X.size),  # rises
        ]
    )
    test = displacement_test(np.tile(X, (3, 1)), y)
    centres = np.arange(-1.0, 5.0 + 1.0 + 1e-9, displacement.GRID_STEP) - 11.0
    for row in range(3):
        ss0 = ((y[row] - y[row].mean()) ** 2).sum()
        best = 0.0
        for centre in centres:
            for slope in displacement.GRID_SLOPES:
                g = 1 / (1 + 10 ** ((centre - X) * slope))
                design = np.column_stack([np.ones_like(g), g])
                coef, *_ = np.linalg.lstsq(design, y[row], rcond=None)
                if coef[1] > 0:  # Top - Bottom > 0: the curve falls
                    ss = ((y[row] - design @ coef) ** 2).sum()
                    best = max(best, 1 - ss / ss0)
        assert test.r2[row] == pytest.approx(best, rel=1e-9, abs=1e-12)
    assert test.p_value[1] < 1e-10 < test.p_value[0]
    assert test.r2[2] < 0.05 and test.p_value[2] > 0.2  # a rising curve is no displacement
    # the fall of the best sigmoid over the range is close to the true 2750 cpm x (g(-11) - g(-6))
    assert test.drop[1] == pytest.approx(2750 * (1 / (1 + 10**-3) - 1 / (1 + 10**2)), rel=0.05)


@pytest.mark.parametrize("noise", ["gaussian", "poisson-proportional"])
def test_p_values_of_flat_curves_are_uniform(noise):
    rng = np.random.default_rng(2)
    n = 20_000
    mean = 3000.0
    if noise == "gaussian":
        y = rng.normal(mean, 150.0, (n, X.size))
    else:  # the simulator's noise: 5% proportional, then Poisson counting
        y = rng.poisson(mean * rng.normal(1.0, 0.05, (n, X.size))).astype(float)
    p = displacement_test(np.tile(X, (n, 1)), y).p_value
    for alpha in (0.001, 0.01, 0.05, 0.2, 0.5):
        share = (p <= alpha).mean()
        sd = np.sqrt(alpha * (1 - alpha) / n)
        assert abs(share - alpha) <= 4 * sd + 1.0 / displacement.N_NULL, (alpha, share)


def test_order_padding_and_design_grouping_do_not_change_the_test():
    rng = np.random.default_rng(4)
    c = 40
    x = np.tile(X, (c, 1))
    x[:10] += 0.25  # a second design: the same shape, shifted (shares the first's null)
    x[10:20, :3] -= 1.0  # a third design
    y = rng.normal(3000.0, 150.0, x.shape)
    y[::3] -= 2500 / (1 + 10 ** ((-8.0 - x[::3]) * -1.0))
    base = displacement_test(x, y)
    order = rng.permuted(np.tile(np.arange(X.size), (c, 1)), axis=1)
    shuffled = displacement_test(np.take_along_axis(x, order, 1), np.take_along_axis(y, order, 1))
    np.testing.assert_allclose(shuffled.p_value, base.p_value, rtol=1e-12)
    padded_x = np.hstack([x, np.zeros((c, 4))])
    padded_y = np.hstack([y, np.full((c, 4), 1e9)])
    mask = np.hstack([np.ones(x.shape, bool), np.zeros((c, 4), bool)])
    padded = displacement_test(padded_x, padded_y, mask)
    np.testing.assert_allclose(padded.p_value, base.p_value, rtol=1e-12)
    np.testing.assert_allclose(padded.drop, base.drop, rtol=1e-9)
    # a design shifted as a whole has the same null distribution: equal data give equal p-values
    y2 = np.vstack([y[30], y[30]])
    x2 = np.vstack([X, X + 0.25])
    p2 = displacement_test(x2, y2).p_value
    assert p2[0] == p2[1]


def _screen_calls(seed: int, n: int, **options) -> pd.DataFrame:
    screen = simulate_screen(n, inactive=0.85, partial=0.05, seed=seed)
    counts = counts_from_frame(screen.counts)
    results = analyze_competition(counts, **options).results
    return results.merge(screen.truth, on=["compound", "plate"], suffixes=("", "_true"))


@pytest.mark.parametrize("min_displacement", [0.0, 20.0])
def test_the_false_discovery_proportion_is_controlled_over_seeds(min_displacement):
    fdp, power = [], []
    for seed in range(12):
        table = _screen_calls(seed, 1_500, fdr=0.05, min_displacement_pct=min_displacement)
        called = table["activity"] == "active"
        false = called & (table["kind"] == "inactive")
        fdp.append(false.sum() / max(called.sum(), 1))
        power.append((called & (table["kind"] == "active")).sum() / (table["kind"] == "active").sum())
        # q-values are BH of the p-values over the run (scipy as the reference)
        np.testing.assert_allclose(
            table["q_displacement"], stats.false_discovery_control(table["p_displacement"]), rtol=1e-10
        )
    assert np.mean(fdp) <= 0.05
    assert np.mean(power) >= 0.99  # the mid-range actives are found
    if min_displacement == 0.0:
        assert np.mean(fdp) > 0.01  # BH alone lets some through: the FDR is used, not wasted


def test_inactive_curves_are_reported_as_such_with_one_flag_and_no_estimates():
    table = _screen_calls(7, 300)
    inactive = table[table["kind"] == "inactive"]
    assert (inactive["activity"] == "inactive").all()
    assert set(inactive["flags"]) <= {"no_displacement", "weak_displacement"}
    assert (
        inactive[["top_cpm", "bottom_cpm", "log_ic50", "hill_slope", "ic50_nM", "r_squared"]]
        .isna()
        .all()
        .all()
    )
    np.testing.assert_allclose(inactive["ic50_above_nM"], 10 ** (-6.0 + 9))  # 1 uM, the top concentration
    active = table[table["kind"] == "active"]
    assert (active["activity"] == "active").all() and active["ic50_above_nM"].isna().all()
    assert (np.abs(active["log_ic50"] - active["log_ic50_true"]) < 0.3).all()
    # a weak_displacement curve is significant but falls by less than the threshold
    weak = table[table["flags"] == "weak_displacement"]
    assert ((weak["q_displacement"] <= 0.05) & (weak["displacement_pct"] < 20)).all()


def test_fdr_one_and_no_threshold_fit_every_curve():
    table = _screen_calls(8, 60, fdr=1.0, min_displacement_pct=0.0)
    assert (table["activity"] == "active").all()
    assert not table["flags"].str.contains("displacement").any()


def test_cli_options_and_their_errors(tmp_path):
    screen = simulate_screen(90, seed=3)
    path = tmp_path / "screen.csv"
    screen.counts.to_csv(path, index=False)
    runner = CliRunner()
    out = tmp_path / "results.csv"
    result = runner.invoke(main, ["binding", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "called inactive" in result.output and "--fdr 1 --min-displacement 0" in result.output
    table = pd.read_csv(out)
    assert {"activity", "p_displacement", "q_displacement", "displacement_pct", "ic50_above_nM"} <= set(table)
    assert "> 1000" in result.output  # the terminal shows an inactive curve's IC50 as above 1 uM
    strict = runner.invoke(main, ["binding", str(path), "--fdr", "0.01", "--min-displacement", "50"])
    assert strict.exit_code == 0
    for bad, text in (
        (["--fdr", "0"], "--fdr must be a false-discovery rate in (0, 1]"),
        (["--fdr", "1.5"], "--fdr must be"),
        (["--min-displacement", "-5"], "--min-displacement must be a percentage"),
        (["--min-displacement", "120"], "--min-displacement must be"),
    ):
        result = runner.invoke(main, ["binding", str(path), *bad])
        assert result.exit_code == 2 and result.output.startswith("Error:") and text in result.output


def test_simulated_screen_has_the_kinds_asked_for():
    screen = simulate_screen(1_000, inactive=0.8, partial=0.1, seed=0)
    counts = screen.truth["kind"].value_counts()
    assert counts.to_dict() == {"inactive": 800, "partial": 100, "active": 100}
    assert screen.truth.loc[screen.truth["kind"] == "inactive", "log_ic50"].isna().all()
    tubes = screen.counts
    assert len(tubes) == 1_000 * 33 + tubes["plate"].nunique() * 8
    assert set(tubes.loc[tubes["conc_nM"].isna(), "compound"]) == {"TOTAL", "NSB"}


def test_bottom_vs_nsb_spares_correctly_specified_noisy_curves():
    """At 10% noise a fixed 10%-of-window rule flags many correct curves; the test against the SEs, few."""
    rng = np.random.default_rng(11)
    n, top, bottom = 300, 5000.0, 1500.0
    noise = 0.10 * (top - bottom)  # every tube: Gaussian noise of 10% of the window
    log_ic50 = rng.uniform(-9.0, -8.0, n)
    y = bottom + (top - bottom) / (1 + 10 ** ((log_ic50[:, None] - X[None, :]) * -1.0))
    y = y + rng.normal(0.0, noise, y.shape)
    rows = [
        {"plate": str(i // 30), "compound": f"c{i}", "conc_nM": 10 ** (x + 9), "cpm": v}
        for i in range(n)
        for x, v in zip(X, y[i], strict=True)
    ]
    for plate in range(n // 30):
        for name, level in (("TOTAL", top), ("NSB", bottom)):
            rows += [
                {
                    "plate": str(plate),
                    "compound": name,
                    "conc_nM": np.nan,
                    "cpm": level + rng.normal(0, noise),
                }
                for _ in range(4)
            ]
    frame = pd.DataFrame(rows)
    results = analyze_competition(counts_from_frame(frame)).results
    assert (results["activity"] == "active").all() and not results["flags"].str.contains("not_").any()
    flagged = results["flags"].str.contains("bottom_vs_nsb")
    # 1% per curve on average; the plate's NSB mean is shared by its 30 curves, so they are flagged together
    assert flagged.mean() <= 0.05
    # the old rule, |Bottom - NSB| > 10% of the window, flags many of these correct curves
    controls = frame[frame["compound"].isin(["TOTAL", "NSB"])].groupby(["plate", "compound"])["cpm"].mean()
    nsb = controls.xs("NSB", level="compound").reindex(results["plate"]).to_numpy()
    window = controls.xs("TOTAL", level="compound").reindex(results["plate"]).to_numpy() - nsb
    old_rule = np.abs(results["bottom_cpm"].to_numpy() - nsb) > 0.1 * window
    assert old_rule.mean() > 0.10


def test_the_docs_screen_example_runs_and_its_fdp_is_small(capsys):
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "user-guide" / "python.md"
    (block,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)
        if "simulate_screen(" in b
    ]
    exec(compile(block, str(page), "exec"), {})
    assert 0.0 <= float(capsys.readouterr().out.strip()) <= 0.05
