"""The REML fit against nlme::gls (tests/trial/reference/mmrm.R) and closed forms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from assaykit.trial import reml
from assaykit.trial.mmrm import design, fit_mmrm, prepare

REF = Path(__file__).parent / "reference"
NAMES = dict(visit="visit", arm="arm", baseline="baseline")


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "mmrm_data.csv")


@pytest.fixture(scope="module")
def problem(data):
    d, vlev, alev = prepare(
        data,
        response="change",
        baseline="baseline",
        arm="arm",
        visit="visit",
        patient="patient",
        control="placebo",
    )
    x, names = design(d, vlev, alev, **NAMES)
    pcode = pd.factorize(d["patient"])[0]
    pos = d["visit"].map({v: i for i, v in enumerate(vlev)}).to_numpy()
    return d["change"].to_numpy(float), x, names, pcode, pos, vlev


def _r_cov(structure: str, vlev) -> np.ndarray:
    c = pd.read_csv(REF / "mmrm_cov.csv")
    c = c[c["structure"] == structure]
    return c.pivot(index="row", columns="col", values="value").loc[vlev, vlev].to_numpy()


@pytest.mark.parametrize("structure", reml.STRUCTURES)
def test_likelihood_and_gls_at_nlme_covariance(problem, structure):
    """At nlme's own covariance estimate, our REML log-likelihood, beta and SEs are nlme's (the model is the
    same)."""
    y, x, names, pcode, pos, vlev = problem
    pats = reml._patterns(y, x, pcode, pos)
    loglik, beta, cov_beta, _ = reml._profile(pats, _r_cov(structure, vlev), gradient=False)
    coef = pd.read_csv(REF / "mmrm_coef.csv").query("structure == @structure").set_index("term").loc[names]
    fit = pd.read_csv(REF / "mmrm_fit.csv").set_index("structure").loc[structure]
    assert loglik == pytest.approx(fit["loglik"], abs=1e-9)
    np.testing.assert_allclose(beta, coef["estimate"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.sqrt(np.diag(cov_beta)), coef["se"], rtol=1e-9)


@pytest.mark.parametrize(
    ("structure", "rtol"),
    [
        ("unstructured", 1e-6),
        ("compound_symmetry", 1e-6),
        ("toeplitz_heterogeneous", 1e-4),
        ("ar1_heterogeneous", 1e-4),
    ],
)
def test_fit_matches_nlme(problem, structure, rtol):
    """Our REML maximum is nlme's. nlme reaches it to ~1e-11 in the log-likelihood with optim's BFGS
    (unstructured, compound symmetry) but only to ~1e-8 with nlminb, which corARMA/corAR1 need (mmrm.R),
    hence 1e-4 there; our log-likelihood is never below nlme's."""
    y, x, names, pcode, pos, vlev = problem
    f = reml.fit_reml(y, x, pcode, pos, len(vlev), structure)
    coef = pd.read_csv(REF / "mmrm_coef.csv").query("structure == @structure").set_index("term").loc[names]
    ref = pd.read_csv(REF / "mmrm_fit.csv").set_index("structure").loc[structure]
    assert f.converged
    assert f.loglik >= ref["loglik"] - 1e-10
    assert f.loglik == pytest.approx(ref["loglik"], abs=1e-7)
    se = np.sqrt(np.diag(f.cov_beta))
    # relative to each estimate, or to its SE for estimates near zero
    np.testing.assert_array_less(
        np.abs(f.beta - coef["estimate"]), rtol * np.maximum(np.abs(coef["estimate"]), se)
    )
    np.testing.assert_allclose(se, coef["se"], rtol=rtol)
    np.testing.assert_allclose(f.covariance, _r_cov(structure, vlev), rtol=10 * rtol)
    assert f.n_theta == ref["n_theta"]


def test_complete_data_closed_forms(data):
    """With every visit observed and a per-visit design, GLS is OLS visit by visit: the arm contrasts and
    their SEs are each visit's OLS ones, and the Satterthwaite df is exactly n - 4 (Wishart REML)."""
    full = data.dropna(subset=["change"]).groupby("patient").filter(lambda g: len(g) == 4)
    n = full["patient"].nunique()
    res = fit_mmrm(full)
    assert res.structure_used == "unstructured"
    for v, g in full.groupby("visit"):
        x = np.column_stack([np.ones(len(g)), g["baseline"], g["arm"] == "diazepam", g["arm"] == "tofisopam"])
        ols = sm.OLS(g["change"].to_numpy(float), x.astype(float)).fit()
        con = res.contrasts[res.contrasts["visit"] == v].set_index("arm")
        np.testing.assert_allclose(con.loc[["diazepam", "tofisopam"], "estimate"], ols.params[2:], rtol=1e-7)
        np.testing.assert_allclose(con.loc[["diazepam", "tofisopam"], "se"], ols.bse[2:], rtol=1e-6)
        np.testing.assert_allclose(con["df"], n - 4, rtol=1e-5)


def test_structures_and_their_parameters():
    """Every structure gives a symmetric positive definite matrix with the pattern it names."""
    rng = np.random.default_rng(3)
    q = 4
    for s, k in zip(reml.STRUCTURES, (10, 7, 5, 2), strict=True):
        sigma = reml.covariance_matrix(s, rng.normal(size=k), q)
        assert np.allclose(sigma, sigma.T) and np.all(np.linalg.eigvalsh(sigma) > 0)
        corr = sigma / np.sqrt(np.outer(np.diag(sigma), np.diag(sigma)))
        if s == "ar1_heterogeneous":
            assert corr[0, 2] == pytest.approx(corr[0, 1] ** 2)
        if s == "toeplitz_heterogeneous":
            assert corr[0, 2] == pytest.approx(corr[1, 3])
        if s == "compound_symmetry":
            assert sigma[0, 0] == pytest.approx(sigma[3, 3]) and corr[0, 1] == pytest.approx(corr[0, 3])


def test_estimable_names_the_missing_pair():
    pats = [(0, 1), (1, 2)]
    assert "visits 1 and 3," in reml.estimable("unstructured", pats, 3)
    assert "'a' and 'c'" in reml.estimable("unstructured", pats, 3, ["a", "b", "c"])
    assert "2 apart" in reml.estimable("toeplitz_heterogeneous", pats, 3)
    assert reml.estimable("ar1_heterogeneous", pats, 3) is None
