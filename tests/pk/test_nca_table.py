"""The study table, BLQ rules, flags, units and bad input of assaykit.pk.nca."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.flag_text import explain_flags
from assaykit.pk.flags import FLAG_MEANINGS
from assaykit.pk.nca import NCAOptions, nca_profile, nca_table
from assaykit.pk.units import clearance_factor, result_columns

T = [0.0, 0.5, 1, 2, 4, 6, 8, 12, 24]


def _frame(rows, conc_unit="ng/mL", dose_unit="mg/kg"):
    frame = pd.DataFrame(
        rows, columns=["subject", "analyte", "group", "time_h", "conc", "blq", "dose", "route"]
    )
    frame.attrs.update({"source": "pk.csv", "conc_unit": conc_unit, "dose_unit": dose_unit})
    return frame


def _profile(subject, conc, dose=1.0, group="A", analyte="parent", blq=None):
    blq = blq or [False] * len(conc)
    return [(subject, analyte, group, t, c, b, dose, "") for t, c, b in zip(T, conc, blq, strict=True)]


GOOD = [0.0, 40, 80, 95, 70, 50, 35, 17, 2]


def test_bad_profile_names_subject_and_analyte() -> None:
    rows = _profile("1", GOOD) + _profile("3", GOOD)
    rows[-1], rows[-2] = rows[-2], rows[-1]
    with pytest.raises(
        AssayInputError, match=r"pk.csv, subject 3, analyte parent: times are not in increasing"
    ):
        nca_table(_frame(rows))
    dup = _profile("3", GOOD)
    dup[2] = (*dup[2][:3], 0.5, *dup[2][4:])
    with pytest.raises(AssayInputError, match="time 0.5 h appears twice"):
        nca_table(_frame(dup))
    neg = _profile("3", [0.0, -1, *GOOD[2:]])
    with pytest.raises(AssayInputError, match="negative concentration"):
        nca_table(_frame(neg))


def test_unmeasurable_profile_gets_a_row_and_the_rest_finish() -> None:
    blq = [True] * len(T)
    tables = nca_table(_frame(_profile("1", GOOD) + _profile("2", [math.nan] * len(T), blq=blq)))
    res = tables.results.set_index("subject")
    assert res.loc["2", "flags"] == "not_analysed: no measurable concentration"
    assert math.isnan(res.loc["2", "cmax_ng_mL"]) and res.loc["1", "cmax_ng_mL"] == 95
    assert len(tables.points) == 2 * len(T)


def test_blq_before_first_measurable_zero_or_missing() -> None:
    t = np.array([0.5, 1.0, 2.0, 4.0])
    c = np.array([np.nan, 10.0, 8.0, 4.0])
    blq = np.array([True, False, False, False])
    zero = nca_profile(t, c, blq=blq, options=NCAOptions(blq_before="zero"))
    missing = nca_profile(t, c, blq=blq, options=NCAOptions(blq_before="missing"))
    # zero: (0,0) (0.5,0) (1,10) ...; missing: (0,0) inserted, then (1,10)
    assert zero.auc_last - missing.auc_last == pytest.approx(10 * 0.25 - 10 * 0.5)
    assert zero.conc_used[0] == 0 and math.isnan(missing.conc_used[0])


def test_blq_between_measurable_missing_or_zero_and_flagged() -> None:
    t = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 6.0])
    c = np.array([0.0, 10.0, np.nan, 6.0, 4.0, 2.0])
    blq = np.array([False, False, True, False, False, False])
    missing = nca_profile(t, c, blq=blq)
    zero = nca_profile(t, c, blq=blq, options=NCAOptions(blq_after="zero"))
    assert "blq_between_measurable" in missing.flags
    assert missing.auc_last - zero.auc_last == pytest.approx((10 + 6) / 2 * 2 - (10 / 2 + 6 / 2))


def test_trailing_blq_does_not_change_auclast() -> None:
    t = np.array([0.0, 1.0, 2.0, 4.0, 8.0, 12.0])
    c = np.array([0.0, 10.0, 8.0, 4.0, 1.0, np.nan])
    blq = np.array([False] * 5 + [True])
    a = nca_profile(t, c, blq=blq)
    b = nca_profile(t, c, blq=blq, options=NCAOptions(blq_after="zero"))
    assert a.auc_last == b.auc_last and a.tlast == 8.0 and b.conc_used[-1] == 0


def test_flags() -> None:
    rising = nca_profile(np.array([0.0, 1, 2, 4]), np.array([0.0, 1, 2, 3]))
    assert {"tmax_at_last_sample", "lambda_z_too_few_points", "dose_missing"} <= set(rising.flags)
    first = nca_profile(np.array([0.5, 1, 2, 4, 6]), np.array([9.0, 6, 4, 2, 1]), dose=1)
    assert "cmax_at_first_sample" in first.flags
    bolus = nca_profile(
        np.array([0.5, 1, 2, 4, 6]), np.array([9.0, 6, 4, 2, 1]), options=NCAOptions(route="iv-bolus")
    )
    assert "cmax_at_first_sample" not in bolus.flags
    short = nca_profile(np.array([0.0, 1, 2, 3, 4]), np.array([0.0, 10, 9.5, 9.0, 8.4]), dose=1)
    assert {"lambda_z_span_short", "auc_extrap_high"} <= set(short.flags)
    noisy = nca_profile(np.array([0.0, 1, 2, 3, 4, 5]), np.array([0.0, 10, 4, 6, 2, 3]), dose=1)
    assert "lambda_z_r2adj_low" in noisy.flags or "lambda_z_not_declining" in noisy.flags
    for r in (rising, first, short, noisy):
        for code, text in explain_flags(r.flags_cell, FLAG_MEANINGS):
            assert "no recorded explanation" not in text, code


def test_units_and_clearance() -> None:
    assert clearance_factor("ng/mL", "mg/kg") == pytest.approx(1000.0)
    # 1 mg at MW 300 = 3.333 umol; AUC 1000 h*nM = 1 h*umol/L -> CL 3.333 L/h
    assert 1.0 / 1000.0 * clearance_factor("nM", "mg", mw_g_mol=300.0) == pytest.approx(10 / 3)
    assert 1.0 / 1.0 * clearance_factor("ng/mL", "nmol", mw_g_mol=500.0) == pytest.approx(0.5)
    with pytest.raises(AssayInputError, match="molecular weight"):
        clearance_factor("nM", "mg/kg")
    assert math.isnan(clearance_factor("ng/g", "mg"))
    cols = result_columns("ng/mL", "mg/kg")
    assert (
        cols["auc_last"] == "auc_last_h_ng_mL" and cols["cl_f"] == "cl_f_L_h_kg" and cols["vz"] == "vz_L_kg"
    )
    assert "cl_f" not in result_columns("ng/g", "mg")


def test_table_columns_cl_in_l_per_h_per_kg() -> None:
    tables = nca_table(_frame(_profile("1", GOOD, dose=2.0)))
    row = tables.results.iloc[0]
    assert list(tables.results.columns[:5]) == ["subject", "analyte", "group", "dose_mg_kg", "route"]
    # dose 2 mg/kg over AUC in h*ng/mL (1e-3 h*mg/L)
    assert row["cl_f_L_h_kg"] == pytest.approx(2.0 / (row["auc_inf_obs_h_ng_mL"] * 1e-3), rel=1e-12)
    assert row["vz_f_L_kg"] == pytest.approx(row["cl_f_L_h_kg"] / row["lambda_z_per_h"], rel=1e-12)
    assert "cl_L_h_kg" not in tables.results.columns and "c0_ng_mL" not in tables.results.columns


def test_lambda_z_column_and_mapping_pick_points() -> None:
    frame = _frame(_profile("1", GOOD))
    frame["lambda_z"] = pd.array([None] * 5 + [True, True, True, None], dtype="boolean")
    points = nca_table(frame).points
    assert list(points.loc[points["lambda_z_used"], "time_h"]) == [6, 8, 12]
    frame["lambda_z"] = pd.array([None] * 8 + [False], dtype="boolean")
    points = nca_table(frame).points
    assert not points["lambda_z_used"].iloc[-1] and points["lambda_z_used"].sum() >= 3
    mapped = nca_table(_frame(_profile("1", GOOD)), lambda_z_times={"1": [8, 12, 24]}).points
    assert list(mapped.loc[mapped["lambda_z_used"], "time_h"]) == [8, 12, 24]
    with pytest.raises(AssayInputError, match="lambda_z time 7 h is not a sample time"):
        nca_table(_frame(_profile("1", GOOD)), lambda_z_times={"1": [7, 12, 24]})


def test_infusion_without_duration_and_mixed_units_are_errors() -> None:
    rows = [(*r[:7], "iv-infusion") for r in _profile("4", GOOD)]
    with pytest.raises(AssayInputError, match="subject 4, analyte parent: an iv-infusion needs its duration"):
        nca_table(_frame(rows))
    with pytest.raises(AssayInputError, match="molecular weight"):
        nca_table(_frame(_profile("1", GOOD), conc_unit="nM", dose_unit="mg"))


def test_every_unit_the_reader_accepts_is_one_the_engine_computes_with() -> None:
    from assaykit.io.pk.columns import CONC_UNITS as READ_CONC
    from assaykit.io.pk.columns import DOSE_UNITS as READ_DOSE
    from assaykit.pk.units import CONC_UNITS, DOSE_UNITS

    assert set(READ_CONC.values()) <= set(CONC_UNITS)
    assert set(READ_DOSE.values()) <= set(DOSE_UNITS)


@pytest.mark.parametrize(
    ("conc", "dose", "litres_per_h"),
    [
        ("mg/mL", "mg", 1e-3),  # 1 mg / (1 h mg/mL) = 1 mL/h
        ("ng/L", "ng", 1.0),  # 1 ng / (1 h ng/L) = 1 L/h
        ("g/L", "g/kg", 1.0),  # 1 g/kg / (1 h g/L) = 1 L/h/kg
        ("mM", "mmol/kg", 1.0),  # 1 mmol/kg / (1 h mmol/L) = 1 L/h/kg
        ("ng/mL", "ng/kg", 1e-3),  # 1 ng/kg / (1 h ng/mL) = 1 mL/h/kg
    ],
)
def test_clearance_units_by_hand(conc: str, dose: str, litres_per_h: float) -> None:
    assert clearance_factor(conc, dose) == pytest.approx(litres_per_h, rel=1e-12)
