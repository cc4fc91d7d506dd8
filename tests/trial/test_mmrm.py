"""The MMRM: LS means and contrasts against emmeans (tests/trial/reference/mmrm.R), fallbacks and bad
input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.trial.mmrm import fit_mmrm

REF = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "mmrm_data.csv")


@pytest.fixture(scope="module")
def result(data):
    return fit_mmrm(data, df_method="residual")


def test_contrasts_match_emmeans(result):
    ref = pd.read_csv(REF / "mmrm_contrasts.csv").query("structure == 'unstructured'")
    ours = result.contrasts
    assert list(ours["visit"]) == list(ref["visit"])
    assert [f"{a} - {v}" for a, v in zip(ours["arm"], ours["vs"], strict=True)] == list(ref["contrast"])
    for col in ("estimate", "se", "t", "ci_low", "ci_high"):
        np.testing.assert_allclose(ours[col], ref[col], rtol=1e-6, atol=1e-6 * ref["se"].min(), err_msg=col)
    np.testing.assert_array_equal(ours["df"], ref["df"])  # emmeans mode "df.error": N - p - 9
    np.testing.assert_allclose(ours["p_value"], ref["p_value"], rtol=1e-5)


def test_lsmeans_match_emmeans(result):
    ref = pd.read_csv(REF / "mmrm_emmeans.csv").query("structure == 'unstructured'")
    np.testing.assert_allclose(result.lsmeans["estimate"], ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose(result.lsmeans["se"], ref["se"], rtol=1e-6)
    assert list(result.lsmeans["arm"]) == list(ref["arm"])


def test_primary_visit_and_fit_facts(result, data):
    assert list(result.primary["visit"]) == [14, 14]
    assert result.structure_used == "unstructured" and result.converged
    assert result.n_obs == data["change"].notna().sum()
    assert result.covariance.shape == (4, 4) and list(result.covariance.index) == [4, 7, 10, 14]
    assert any("no LOCF" in n for n in result.notes)
    early = fit_mmrm(data, primary_visit=7)
    assert list(early.primary["visit"]) == [7, 7]


def test_satterthwaite_df_is_below_the_residual_df(data, result):
    sat = fit_mmrm(data)
    assert sat.df_method == "satterthwaite"
    np.testing.assert_allclose(sat.contrasts["estimate"], result.contrasts["estimate"])
    assert (sat.contrasts["df"] < result.contrasts["df"]).all() and (sat.contrasts["df"] > 20).all()


def test_text_visits_keep_their_order(data):
    d = data.assign(visit=data["visit"].map({4: "day 4", 7: "week 1", 10: "day 10", 14: "week 2"}))
    r = fit_mmrm(d, df_method="residual")
    assert list(r.covariance.index) == ["day 4", "week 1", "day 10", "week 2"]
    ref = fit_mmrm(data, df_method="residual")
    np.testing.assert_allclose(r.contrasts["estimate"], ref.contrasts["estimate"], rtol=1e-9)


def test_falls_back_when_the_unstructured_covariance_is_not_estimable(data):
    """No patient seen at both day 4 and day 14: neither that covariance nor the lag-3 Toeplitz correlation
    exists, so the heterogeneous AR(1) is used, and said."""
    seen14 = set(data.loc[(data["visit"] == 14) & data["change"].notna(), "patient"])
    d = data[~((data["visit"] == 4) & data["patient"].isin(seen14))]
    r = fit_mmrm(d)
    assert r.structure_used == "ar1_heterogeneous"
    assert "visits 4 and 10; 4 and 14," in r.notes[0]
    assert "3 apart" in r.notes[1] and "heterogeneous AR(1)" in r.notes[2]
    direct = fit_mmrm(d, covariance="ar1_heterogeneous")
    np.testing.assert_allclose(r.contrasts["estimate"], direct.contrasts["estimate"])


def _bad(data, **changes):
    return data.copy().assign(**changes) if changes else data.copy()


@pytest.mark.parametrize(
    ("mutate", "column", "words"),
    [
        (lambda d: d.drop(columns="baseline"), "baseline", "no column 'baseline'"),
        (lambda d: d.assign(arm=d["arm"].where(d.index != 0, "diazepam")), "arm", "two arms"),
        (lambda d: d.assign(arm=d["arm"].replace("placebo", "vehicle")), "arm", "control arm 'placebo'"),
        (lambda d: pd.concat([d, d.iloc[[0]]]), "visit", "twice"),
        (lambda d: d.assign(change=d["change"].astype(object).where(d.index != 2, "n/a")), "change", "'n/a'"),
        (
            lambda d: d.assign(change=d["change"].where(~((d["arm"] == "tofisopam") & (d["visit"] == 10)))),
            "change",
            "arm 'tofisopam' has no patient with a value at visit 10",
        ),
        (lambda d: d.assign(visit=d["visit"].where(d.index != 0, 0)), "visit", "is the baseline"),
    ],
)
def test_bad_input_is_one_line_naming_the_column(data, mutate, column, words):
    with pytest.raises(AssayInputError) as err:
        fit_mmrm(mutate(data))
    assert err.value.column == column
    assert words in str(err.value) and "\n" not in str(err.value)


def test_given_visit_without_patients(data):
    with pytest.raises(AssayInputError, match="visit 21 has no patients"):
        fit_mmrm(data, visits=[4, 7, 10, 14, 21])
