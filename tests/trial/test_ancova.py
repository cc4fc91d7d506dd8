"""The endpoint ANCOVA against lm + emmeans (tests/trial/reference/mmrm.R); the margin tests by closed
forms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from assaykit.errors import AssayInputError
from assaykit.trial.ancova import fit_ancova
from assaykit.trial.noninferiority import noninferiority

REF = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def result():
    return fit_ancova(pd.read_csv(REF / "mmrm_data.csv"))


def test_coefficients_match_lm(result):
    ref = pd.read_csv(REF / "ancova_coef.csv")
    assert list(result.coefficients["term"]) == list(ref["term"])
    for col in ("estimate", "se", "t", "p_value"):
        np.testing.assert_allclose(result.coefficients[col], ref[col], rtol=1e-9, err_msg=col)


def test_lsmeans_and_contrasts_match_emmeans(result):
    lsm = pd.read_csv(REF / "ancova_emmeans.csv")
    for col in ("estimate", "se", "df", "ci_low", "ci_high"):
        np.testing.assert_allclose(result.lsmeans[col], lsm[col], rtol=1e-9, err_msg=col)
    con = pd.read_csv(REF / "ancova_contrasts.csv")
    assert [
        f"{a} - {v}" for a, v in zip(result.contrasts["arm"], result.contrasts["vs"], strict=True)
    ] == list(con["contrast"])
    for col in ("estimate", "se", "df", "t", "p_value", "ci_low", "ci_high"):
        np.testing.assert_allclose(result.contrasts[col], con[col], rtol=1e-9, err_msg=col)
    d = pd.read_csv(REF / "mmrm_data.csv")
    assert result.visit == 14 and result.n_patients == d.loc[d["visit"] == 14, "change"].notna().sum()


def test_unknown_endpoint():
    with pytest.raises(AssayInputError, match="endpoint visit 28"):
        fit_ancova(pd.read_csv(REF / "mmrm_data.csv"), endpoint=28)


def test_noninferiority_lower_is_better():
    """d = -0.5, SE 1, df 40, margin 2.5: the upper 97.5% bound -0.5 + t(0.975, 40) < 2.5; p = P(T < -3)."""
    r = noninferiority(-0.5, 1.0, 40, 2.5)
    q = stats.t.ppf(0.975, 40)
    assert (r.ci_low, r.ci_high) == pytest.approx((-0.5 - q, -0.5 + q))
    assert r.p_value == pytest.approx(stats.t.cdf(-3.0, 40)) and r.conclusion
    worse = noninferiority(1.0, 1.0, 40, 2.5)
    assert not worse.conclusion and worse.p_value == pytest.approx(stats.t.cdf(-1.5, 40))
    assert "non-inferiority not shown" in worse.statement


def test_noninferiority_higher_is_better_mirrors():
    a = noninferiority(-0.7, 0.9, 30, 2.0)
    b = noninferiority(0.7, 0.9, 30, 2.0, higher_is_better=True)
    assert a.p_value == pytest.approx(b.p_value) and a.conclusion == b.conclusion


def test_equivalence_is_tost_with_the_90_percent_ci():
    r = noninferiority(0.4, 0.8, np.inf, 2.0, kind="equivalence")
    assert r.ci_level == pytest.approx(0.90)
    assert (r.ci_low, r.ci_high) == pytest.approx(
        (0.4 - 1.6448536269514722 * 0.8, 0.4 + 1.6448536269514722 * 0.8)
    )
    assert r.p_value == pytest.approx(stats.norm.sf((2.0 - 0.4) / 0.8)) and r.conclusion
    wide = noninferiority(0.4, 1.2, np.inf, 2.0, kind="equivalence")
    assert not wide.conclusion and wide.ci_high > 2.0


@pytest.mark.parametrize(("kw", "word"), [({"margin": -1}, "positive"), ({"kind": "superiority"}, "unknown")])
def test_margin_errors(kw, word):
    args = {"estimate": 0.0, "se": 1.0, "df": 10, "margin": 1.0} | kw
    with pytest.raises(AssayInputError, match=word):
        noninferiority(**args)
