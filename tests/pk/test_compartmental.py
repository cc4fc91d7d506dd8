"""Compartmental fits against exact profiles, R's nls (SSfol: Theoph; SSbiexp: Indometh), bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from assaykit.errors import AssayInputError
from assaykit.fitting import aicc as prism_aicc
from assaykit.pk.compartmental import compare_compartments, compartmental_table, fit_compartments
from assaykit.pk.models import (
    one_compartment_iv,
    one_compartment_oral,
    two_compartment_iv,
    two_compartment_oral,
)

REFERENCE = Path(__file__).parent / "reference"
T = np.array([0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 10, 12, 16, 24])


def _rel(got: float, want: float) -> float:
    return abs(got / want - 1.0)


def test_one_compartment_iv_recovers_exact_parameters() -> None:
    fit = fit_compartments(
        T, one_compartment_iv(T, 10.0, 2.5, 0.3), dose=10.0, route="iv-bolus", model="1cmt"
    )
    assert fit.converged and fit.flags == ()
    assert fit.params["v"].value == pytest.approx(2.5, rel=1e-6)
    assert fit.params["k"].value == pytest.approx(0.3, rel=1e-6)
    assert fit.derived["cl"].value == pytest.approx(0.75, rel=1e-6)
    assert fit.derived["auc_inf"].value == pytest.approx(10.0 / 0.75, rel=1e-6)
    assert fit.half_lives["elimination"].value == pytest.approx(math.log(2) / 0.3, rel=1e-6)


def test_two_compartment_iv_recovers_exact_parameters_and_derived_values() -> None:
    a, alpha, b, beta, dose = 8.0, 1.5, 2.0, 0.12, 100.0
    fit = fit_compartments(
        T, two_compartment_iv(T, a, alpha, b, beta), dose=dose, route="iv-bolus", model="2cmt"
    )
    p = fit.params
    for name, want in {"a": a, "alpha": alpha, "b": b, "beta": beta}.items():
        assert p[name].value == pytest.approx(want, rel=1e-6), name
    auc = a / alpha + b / beta
    assert fit.derived["auc_inf"].value == pytest.approx(auc, rel=1e-6)
    assert fit.derived["cl"].value == pytest.approx(dose / auc, rel=1e-6)
    assert fit.derived["v1"].value == pytest.approx(dose / (a + b), rel=1e-6)
    assert fit.derived["vz"].value == pytest.approx(dose / auc / beta, rel=1e-6)
    assert fit.half_lives["alpha"].value == pytest.approx(math.log(2) / alpha, rel=1e-6)
    assert fit.half_lives["beta"].value == pytest.approx(math.log(2) / beta, rel=1e-6)
    assert np.allclose(fit.predict(T), two_compartment_iv(T, a, alpha, b, beta), rtol=1e-8)


def test_one_compartment_oral_with_lag_recovers_exact_parameters() -> None:
    t = np.concatenate([[0.0, 0.25], T[1:]])
    conc = one_compartment_oral(t, 50.0, 20.0, 1.8, 0.15, 0.4)
    fit = fit_compartments(t, conc, dose=50.0, route="extravascular", model="1cmt", lag=True)
    for name, want in {"v_f": 20.0, "ka": 1.8, "k": 0.15, "tlag": 0.4}.items():
        assert fit.params[name].value == pytest.approx(want, rel=1e-6), name
    assert fit.derived["cl_f"].value == pytest.approx(3.0, rel=1e-6)
    tmax = 0.4 + math.log(1.8 / 0.15) / (1.8 - 0.15)
    assert fit.derived["tmax"].value == pytest.approx(tmax, rel=1e-6)
    assert fit.half_lives["absorption"].value == pytest.approx(math.log(2) / 1.8, rel=1e-6)


def test_two_compartment_oral_recovers_exact_parameters() -> None:
    t = np.concatenate([[0.1], T])
    a, alpha, b, beta, ka = 6.0, 0.9, 1.5, 0.08, 3.0
    conc = two_compartment_oral(t, a, alpha, b, beta, ka)
    fit = fit_compartments(t, conc, dose=10.0, route="extravascular", model="2cmt", weights="1/y2")
    for name, want in {"a": a, "alpha": alpha, "b": b, "beta": beta, "ka": ka}.items():
        assert fit.params[name].value == pytest.approx(want, rel=1e-6), name
    auc = a / alpha + b / beta - (a + b) / ka
    assert fit.derived["cl_f"].value == pytest.approx(10.0 / auc, rel=1e-6)


def test_half_life_se_and_ci_follow_from_the_log_rate() -> None:
    rng = np.random.default_rng(20)
    conc = two_compartment_iv(T, 8.0, 1.5, 2.0, 0.12) * np.exp(rng.normal(0, 0.05, T.size))
    fit = fit_compartments(T, conc, dose=None, route="iv-bolus", model="2cmt")
    log_beta, beta, half = fit.params["log_beta"], fit.params["beta"], fit.half_lives["beta"]
    assert half.value == pytest.approx(math.log(2) / beta.value, rel=1e-12)
    assert half.se == pytest.approx(half.value * log_beta.se, rel=1e-6)  # delta method
    assert beta.ci_lo == pytest.approx(math.exp(log_beta.ci_lo), rel=1e-6)
    assert half.ci_lo == pytest.approx(math.log(2) / beta.ci_hi, rel=1e-6)
    assert half.ci_hi == pytest.approx(math.log(2) / beta.ci_lo, rel=1e-6)
    t_crit = stats.t.ppf(0.975, fit.df)
    assert log_beta.ci_hi == pytest.approx(log_beta.value + t_crit * log_beta.se, rel=1e-9)
    assert "cl" not in fit.derived  # no dose: no clearance


def test_theoph_one_compartment_fits_match_r_ssfol() -> None:
    data = pd.read_csv(REFERENCE / "theoph.csv")
    reference = pd.read_csv(REFERENCE / "compartmental_theoph.csv")
    assert len(reference) == 12
    for ref in reference.itertuples():
        rows = data[data["Subject"] == ref.subject]
        fit = fit_compartments(
            rows["Time"], rows["conc"], dose=float(ref.dose), route="extravascular", model="1cmt"
        )
        cl = fit.derived["cl_f"]
        assert fit.n == ref.n == 11
        assert _rel(fit.params["log_k"].value, ref.lKe) < 1e-6
        assert _rel(fit.params["log_ka"].value, ref.lKa) < 1e-6
        assert _rel(math.log(cl.value), ref.lCl) < 1e-6
        assert _rel(fit.params["log_k"].se, ref.lKe_se) < 1e-4
        assert _rel(fit.params["log_ka"].se, ref.lKa_se) < 1e-4
        assert _rel(cl.se / cl.value, ref.lCl_se) < 1e-4  # SE of log CL by the delta method
        assert _rel(math.sqrt(fit.sse / fit.df), ref.sigma) < 1e-6
        assert fit.aic == pytest.approx(ref.aic, abs=1e-6)
        assert fit.bic == pytest.approx(ref.bic, abs=1e-6)


def test_indometh_biexponential_fits_match_r_ssbiexp() -> None:
    data = pd.read_csv(REFERENCE / "indometh.csv")
    reference = pd.read_csv(REFERENCE / "compartmental_indometh.csv")
    assert len(reference) == 6
    for ref in reference.itertuples():
        rows = data[data["Subject"] == ref.subject]
        fit = fit_compartments(rows["time"], rows["conc"], dose=None, route="iv-bolus", model="2cmt")
        p = fit.params
        for name, want, se in [
            ("a", ref.A1, ref.A1_se),
            ("log_alpha", ref.lrc1, ref.lrc1_se),
            ("b", ref.A2, ref.A2_se),
            ("log_beta", ref.lrc2, ref.lrc2_se),
        ]:
            assert _rel(p[name].value, want) < 1e-6, (ref.subject, name)
            assert _rel(p[name].se, se) < 1e-4, (ref.subject, name)
        assert fit.aic == pytest.approx(ref.aic, abs=1e-6)
        # R's AIC and Prism's AICc differ by the same constant N (ln 2 pi + 1) for any model of these points
        k = fit.n_params + 1
        corrected = ref.aic + 2 * k * (k + 1) / (fit.n - k - 1)
        assert fit.aicc == pytest.approx(corrected, abs=1e-6)
        constant = fit.n * (math.log(2 * math.pi) + 1)
        assert fit.aicc - prism_aicc(fit.sse, fit.n, fit.n_params) == pytest.approx(constant, abs=1e-9)


def test_compare_compartments_is_the_extra_sum_of_squares_f_test() -> None:
    data = pd.read_csv(REFERENCE / "indometh.csv")
    rows = data[data["Subject"] == 6]
    one = fit_compartments(rows["time"], rows["conc"], dose=25.0, route="iv-bolus", model="1cmt")
    two = fit_compartments(rows["time"], rows["conc"], dose=25.0, route="iv-bolus", model="2cmt")
    result = compare_compartments(one, two)
    f = ((one.sse - two.sse) / 2) / (two.sse / two.df)
    assert result["f"] == pytest.approx(f, rel=1e-9)
    assert result["p_value"] == pytest.approx(stats.f.sf(f, 2, two.df), rel=1e-6)
    assert result["delta_aicc"] == pytest.approx(two.aicc - one.aicc, rel=1e-12)
    assert result["preferred"] == "2cmt" and result["p_value"] < 0.05
    assert "AICc agrees" in result["reason"]
    with pytest.raises(AssayInputError):
        compare_compartments(two, one)


def _frame(data: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "subject": data["Subject"].astype(str),
            "analyte": "parent",
            "group": "",
            "time_h": data["Time"].astype(float),
            "conc": data["conc"].astype(float),
            "blq": False,
            "dose": data["Dose"].astype(float),
            "route": "extravascular",
            "source_row": np.arange(len(data)) + 2,
        }
    )
    frame.attrs.update(source="theoph.csv", conc_unit="mg/L", dose_unit="mg/kg", time_column="Time")
    return frame


def test_compartmental_table_rows_units_and_not_fitted_subjects() -> None:
    frame = _frame(pd.read_csv(REFERENCE / "theoph.csv"))
    frame.loc[frame["subject"] == "3", "conc"] = 0.0  # all-zero profile
    frame.loc[frame["subject"] == "4", "dose"] = np.nan  # dose unknown
    frame = frame[(frame["subject"] != "5") | (frame["time_h"] < 1.5)]  # too few points for 2cmt
    table, fits = compartmental_table(frame, route=None)
    assert len(table) == 24 and list(table.columns[:5]) == ["subject", "analyte", "group", "route", "model"]
    by = table.set_index(["subject", "model"])
    assert by.loc[("3", "1cmt"), "flags"].startswith("not_fitted: no concentration above zero")
    assert by.loc[("3", "2cmt"), "flags"].startswith("not_fitted:")
    assert (
        by.loc[("4", "1cmt"), "flags"].startswith("not_fitted:") and "dose" in by.loc[("4", "1cmt"), "flags"]
    )
    assert by.loc[("4", "2cmt"), "converged"] and np.isnan(by.loc[("4", "2cmt"), "cl_f_L_h_kg"])
    assert by.loc[("5", "2cmt"), "flags"].startswith("not_fitted:")
    reference = pd.read_csv(REFERENCE / "compartmental_theoph.csv").set_index("subject")
    # mg/kg over mg/L is L/kg; R's lCl is log(CL/F) in the same units
    assert math.log(by.loc[("1", "1cmt"), "cl_f_L_h_kg"]) == pytest.approx(reference.loc[1, "lCl"], rel=1e-6)
    assert by.loc[("1", "1cmt"), "half_life_beta_h"] == pytest.approx(
        math.log(2) / math.exp(reference.loc[1, "lKe"]), rel=1e-6
    )
    assert fits[("1", "parent")]["1cmt"].converged and set(fits[("3", "parent")]) == set()
    assert by.loc[("1", "1cmt"), "preferred"] in ("1cmt", "2cmt")


def test_table_converts_ng_per_ml_and_mg_to_litres() -> None:
    t = np.array([0.25, 0.5, 1, 2, 4, 6, 8, 12, 24.0])
    conc = one_compartment_iv(t, 1.0, 2.0, 0.2) * 1e3  # mg/L to ng/mL: 1 mg in 2 L is 500 ng/mL
    frame = pd.DataFrame({"subject": "r1", "analyte": "parent", "time_h": t, "conc": conc, "dose": 1.0})
    frame.attrs.update(conc_unit="ng/mL", dose_unit="mg")
    table, _ = compartmental_table(frame, route="iv-bolus", models=("1cmt",))
    assert table.loc[0, "v_L"] == pytest.approx(2.0, rel=1e-6)
    assert table.loc[0, "cl_L_h"] == pytest.approx(0.4, rel=1e-6)
    assert table.loc[0, "c0_ng_mL"] == pytest.approx(500.0, rel=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "2cmt", "route": "iv-bolus", "dose": 1.0, "n": 4}, "cannot fit the 4 parameters"),
        ({"model": "1cmt", "route": "iv-bolus", "dose": None}, "needs a positive dose"),
        ({"model": "1cmt", "route": "extravascular", "dose": float("nan")}, "needs a positive dose"),
        ({"model": "1cmt", "route": "iv-bolus", "dose": 1.0, "zero": True}, "no concentration above zero"),
        ({"model": "1cmt", "route": "iv-bolus", "dose": 1.0, "lag": True}, "lag time applies"),
        ({"model": "3cmt", "route": "iv-bolus", "dose": 1.0}, "model must be"),
        ({"model": "1cmt", "route": "iv-infusion", "dose": 1.0}, "route must be"),
        ({"model": "1cmt", "route": "iv-bolus", "dose": 1.0, "negative": True}, "not negative"),
    ],
)
def test_bad_input_is_an_assay_input_error(kwargs: dict, match: str) -> None:
    n = kwargs.pop("n", T.size)
    t = T[:n]
    conc = one_compartment_iv(t, 1.0, 1.0, 0.2)
    if kwargs.pop("zero", False):
        conc = np.zeros_like(t)
    if kwargs.pop("negative", False):
        conc[3] = -0.1
    with pytest.raises(AssayInputError, match=match):
        fit_compartments(t, conc, **kwargs)


def test_weights_leave_zero_concentrations_out_with_a_flag() -> None:
    t = np.concatenate([[0.0], T])
    conc = one_compartment_oral(t, 5.0, 2.0, 1.2, 0.2)
    fit = fit_compartments(t, conc, dose=5.0, route="extravascular", model="1cmt", weights="1/y")
    assert fit.n == T.size and any(flag.startswith("weights:") for flag in fit.flags)
    assert fit.params["ka"].value == pytest.approx(1.2, rel=1e-6)
