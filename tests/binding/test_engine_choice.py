"""``engine="auto"`` on small jobs: the batch engine wherever its results are the lmfit path's.

The agreement criterion is the batch engine's (test_batch_engine.py): log IC50 (or log Ki) within 1e-6, SEs
within 1e-4 relative, the same flags. The curves are built by hand from Prism's equation (``_data.py``) with
fixed seeds: the README's example data, and small awkward curves (steep, shallow, few points, partial,
flat, beyond the range, noisy). Which engine produced a row is read from its fit's message; which curves are
well posed is read from the batch engine's own flags, not from the code under test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _data import control_tubes, counts_frame, curve_tubes, half_log_series, prism_4pl

import assaykit.binding.fit_loop as fit_loop
from assaykit.binding import analyze_competition, read_counts

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "binding" / "counts.csv"
KD_NM, L_NM = 1.5, 1.0
POTENCY_ABS, SE_REL = 1e-6, 1e-4
BATCH_MESSAGE = "converged (batch Levenberg-Marquardt)"
#: Flags of a fit whose sum of squares is flat along some direction (the optimisers may stop anywhere on it).
ILL_POSED = ("ambiguous", "log_ic50_se_gt_0.5", "ic50_outside_range", "not_converged")


def assert_agree(a: pd.DataFrame, b: pd.DataFrame, potency: str = "log_ic50") -> None:
    """Two results tables agree: same rows and flags, potency within 1e-6, every SE within 1e-4 relative."""
    pd.testing.assert_frame_equal(a[["compound", "plate", "flags"]], b[["compound", "plate", "flags"]])
    for name in (potency, "log_ic50"):
        np.testing.assert_array_equal(a[name].isna(), b[name].isna())
        assert np.nanmax(np.abs(a[name] - b[name]), initial=0.0) <= POTENCY_ABS, name
    for name in [c for c in a.columns if c.endswith(("_se", "_se_cpm"))]:
        x, y = a[name].to_numpy(float), b[name].to_numpy(float)
        np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=name)
        finite = np.isfinite(y)
        assert (np.abs(x[finite] / y[finite] - 1.0) <= SE_REL).all(), name


def engines(analysis) -> list[str]:
    """Which engine fitted each row: "batch", "lmfit", or "" for a curve that was not fitted."""
    out = []
    for key in zip(analysis.results["compound"], analysis.results["plate"], strict=True):
        fit = analysis.fits[key]
        out.append("" if fit is None else ("batch" if fit.message == BATCH_MESSAGE else "lmfit"))
    return out


# --------------------------------------------------------------------------------------------------------
# The README's three-curve example
# --------------------------------------------------------------------------------------------------------
def test_the_example_is_fitted_by_the_batch_engine_with_the_lmfit_paths_results():
    counts = read_counts(EXAMPLE)
    auto = analyze_competition(counts, kd_nM=KD_NM, radioligand_nM=L_NM)
    lmfit = analyze_competition(counts, kd_nM=KD_NM, radioligand_nM=L_NM, engine="lmfit")
    assert len(auto.results) == 3 < fit_loop.BATCH_MIN_CURVES
    assert engines(auto) == ["batch"] * 3 and engines(lmfit) == ["lmfit"] * 3
    assert (auto.results["flags"] == "").all()  # well posed: nothing to refit
    assert_agree(auto.results, lmfit.results)
    for ki in ("log_ki", "log_ki_se"):
        np.testing.assert_allclose(auto.results[ki], lmfit.results[ki], rtol=SE_REL, atol=POTENCY_ABS)


# --------------------------------------------------------------------------------------------------------
# Small awkward curves
# --------------------------------------------------------------------------------------------------------
KINDS = {
    #  name: (concentrations, step, replicates, top, bottom, log IC50, Hill, noise SD)
    "plain": (10, 0.5, 3, 5000.0, 400.0, -8.0, -1.0, 100.0),
    "steep": (10, 0.5, 3, 5000.0, 400.0, -8.2, -3.5, 100.0),
    "shallow": (10, 0.5, 3, 5000.0, 400.0, -7.9, -0.45, 100.0),
    "few_points": (5, 1.25, 1, 5000.0, 400.0, -8.0, -1.0, 100.0),
    "singlicate": (6, 1.0, 1, 5000.0, 400.0, -8.5, -1.0, 100.0),
    "flat_ish": (10, 0.5, 3, 5000.0, 4200.0, -8.0, -1.0, 100.0),
    "noisy": (10, 0.5, 3, 5000.0, 400.0, -8.0, -1.0, 600.0),
    "partial": (10, 0.5, 3, 5000.0, 400.0, -6.4, -1.0, 100.0),
    "beyond": (10, 0.5, 3, 5000.0, 400.0, -4.0, -1.0, 100.0),
    "flat": (10, 0.5, 3, 5000.0, 5000.0, -8.0, -1.0, 100.0),
}


def awkward_frame(seed: int, copies: int = 1) -> pd.DataFrame:
    """One plate with controls and ``copies`` curves of every kind (fewer than BATCH_MIN_CURVES)."""
    rng = np.random.default_rng(seed)
    tubes = control_tubes("A", "total", rng.normal(5000.0, 100.0, 4))
    tubes += control_tubes("A", "nsb", rng.normal(400.0, 40.0, 4))
    for copy in range(copies):
        for kind, (n, step, reps, top, bottom, log_ic50, hill, sd) in KINDS.items():
            x = half_log_series(-11.0, n, step)
            y = prism_4pl(np.repeat(x, reps), top, bottom, log_ic50, hill) + rng.normal(0.0, sd, n * reps)
            tubes += curve_tubes(f"{kind}_{copy}", "A", x, reps, y)
    return counts_frame(tubes)


#: Call every curve active, so that the flat and out-of-range kinds are fitted too (by default a screen's
#: activity test calls them inactive and nothing is fitted; see tests/binding/test_activity.py).
FIT_ALL = {"fdr": 1.0, "min_displacement_pct": 0.0}
OPTIONS = {
    "4pl": FIT_ALL,
    "4pl-plateaus-at-controls": {"top": "total", "bottom": "nsb", **FIT_ALL},
    "one-site": {"model": "one-site", **FIT_ALL},
    "fit-ki": {"model": "fit-ki", "kd_nM": KD_NM, "radioligand_nM": L_NM, **FIT_ALL},
    "4pl-poisson": {"weights": "poisson", **FIT_ALL},
}


@pytest.mark.parametrize("seed", [3, 11, 19])
@pytest.mark.parametrize("options", list(OPTIONS))
def test_small_awkward_curves_get_the_lmfit_paths_results(options, seed):
    frame = awkward_frame(seed)
    opts = OPTIONS[options]
    potency = "log_ki" if opts.get("model") == "fit-ki" else "log_ic50"
    assert len(KINDS) < fit_loop.BATCH_MIN_CURVES
    auto = analyze_competition(frame, **opts)
    batch = analyze_competition(frame, engine="batch", **opts)
    lmfit = analyze_competition(frame, engine="lmfit", **opts)
    flags = batch.results["flags"].fillna("")
    posed = ~flags.str.contains("|".join(ILL_POSED)).to_numpy()
    # the set holds both kinds of curve, or this test shows nothing
    assert 2 <= posed.sum() <= len(posed) - 2, posed.sum()
    # well posed: the batch engine's fit is kept, and it agrees with the lmfit path
    used = np.array(engines(auto))
    assert (used[posed] == "batch").all()
    pd.testing.assert_frame_equal(auto.results[posed], batch.results[posed], check_exact=True)
    assert_agree(auto.results[posed], lmfit.results[posed], potency)
    # ill posed: refitted one at a time, so the lmfit path's rows, flags included. (Not compared bit for bit:
    # on a flat sum of squares the last bits of the arithmetic move the optimum along the valley; identical
    # lmfit calls were seen to differ by 1e-8 relative under pytest, and by 5e-6 in a Hill slope of -19 when
    # one of them ran in a worker process of the pool, and by 1.5% in a Top of 3e9 cpm that runs off without
    # end. The sum of squares, the quantity minimised, agrees closely; the flags say the numbers are void.)
    assert (used[~posed] == "lmfit").all()
    ill_a, ill_m = auto.results[~posed], lmfit.results[~posed]
    pd.testing.assert_series_equal(ill_a["flags"], ill_m["flags"])
    ss = "ss_weighted" if "ss_weighted" in ill_a else "ss_cpm2"  # weighted SS is not in cpm2
    np.testing.assert_allclose(ill_a[ss], ill_m[ss], rtol=1e-6)
    assert ill_a["flags"].str.contains("|".join(ILL_POSED)).all()


def test_the_ill_posed_curves_are_where_the_engines_part():
    """Why the ill-posed curves are refitted: there the batch engine's answer is not the lmfit path's."""
    differ = 0
    for seed in (3, 11, 19):
        frame = awkward_frame(seed)
        batch = analyze_competition(frame, engine="batch", **FIT_ALL).results
        lmfit = analyze_competition(frame, engine="lmfit", **FIT_ALL).results
        ill = batch["flags"].fillna("").str.contains("|".join(ILL_POSED))
        apart = (batch["flags"] != lmfit["flags"]) | ~(
            np.abs(batch["log_ic50"] - lmfit["log_ic50"]) <= POTENCY_ABS
        )
        assert not (apart & ~ill).any(), batch.loc[apart & ~ill, "compound"].tolist()
        differ += int((apart & ill).sum())
    assert differ >= 1


def test_a_large_job_keeps_every_converged_batch_fit(monkeypatch):
    """At BATCH_MIN_CURVES curves and above, auto is the batch engine, ill-posed curves included."""
    frame = awkward_frame(3)
    monkeypatch.setattr(fit_loop, "BATCH_MIN_CURVES", 2)
    auto = analyze_competition(frame, **FIT_ALL)
    batch = analyze_competition(frame, engine="batch", **FIT_ALL)
    pd.testing.assert_frame_equal(auto.results, batch.results, check_exact=True)
    flags = ";".join(auto.results["flags"].fillna(""))
    assert "ambiguous" in flags or "not_converged: stopped" in flags  # ill-posed batch fits were kept
