"""NCA of R's Theoph and Indometh data sets against base R (tests/pk/reference/*.R, run with Rscript).

The R scripts write the trapezoids, the log-down segments and the adjusted-R^2 selection of lambda_z out
in base R (``lm(log(conc) ~ time)`` on every candidate tail), independently of assaykit; their outputs are
the stored CSVs beside them, compared here to 1e-10 relative.

Published per-subject results on the same data sets (Phoenix WinNonlin beside NonCompart, from the
NonCompart validation report) are matched in ``test_nca_published.py``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.pk.nca import NCAOptions, nca_table

REF = Path(__file__).parent / "reference"
METHODS = {"linear": "linear", "log": "linear-up-log-down"}
PARAMETERS = [
    "cmax", "tmax", "clast", "tlast", "c0", "auc_last", "aumc_last", "lambda_z", "lambda_z_intercept", "r2",
    "r2adj", "n_lambda_z", "lambda_z_first_h", "lambda_z_last_h", "half_life", "clast_pred", "auc_inf_obs",
    "auc_inf_pred", "auc_extrap_pct", "aumc_inf_obs", "mrt", "cmax_dose",
]  # fmt: skip


def _frame(data: pd.DataFrame, time: str, conc_unit: str, dose_unit: str, dose, route: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "subject": data["Subject"].astype(str),
            "analyte": "parent",
            "group": "",
            "time_h": data[time].astype(float),
            "conc": data["conc"].astype(float),
            "blq": False,
            "dose": dose,
            "route": route,
            "source_row": np.arange(len(data)) + 2,
        }
    )
    frame.attrs.update(
        {"source": "r.csv", "conc_unit": conc_unit, "dose_unit": dose_unit, "time_column": time}
    )
    return frame


def _compare(tables, expected: pd.DataFrame, cl: str, vz: str, intervals) -> None:
    results = tables.results.set_index("subject")
    assert list(results.index) == list(expected["subject"].astype(str))
    for _, row in expected.iterrows():
        got = results.loc[str(row["subject"])]
        for key in PARAMETERS:
            want = row[key]
            value = got[tables.columns[key]] if key in tables.columns else math.nan
            if isinstance(want, float) and math.isnan(want):
                assert math.isnan(value), (row["subject"], key)
            else:
                assert value == pytest.approx(want, rel=1e-10, abs=1e-13), (row["subject"], key)
        assert got[cl] == pytest.approx(row["cl"], rel=1e-10)
        assert got[vz] == pytest.approx(row["vz"], rel=1e-10)
        for start, end in intervals:
            want = row[f"auc_{start:g}_{end:g}"]
            assert got[tables.columns[f"auc_{start:g}_{end:g}"]] == pytest.approx(want, rel=1e-10)


@pytest.mark.parametrize("method", ["linear", "log"])
def test_theoph_matches_base_r(method: str) -> None:
    data = pd.read_csv(REF / "theoph_data.csv")
    expected = pd.read_csv(REF / "nca_theoph.csv")
    expected = expected[expected["method"] == method]
    frame = _frame(data, "Time", "mg/L", "mg/kg", data["Dose"].astype(float), "extravascular")
    intervals = ((0.0, 2.0), (1.5, 12.0), (0.0, 30.0))
    tables = nca_table(frame, NCAOptions(auc_method=METHODS[method], partial_aucs=intervals))
    assert tables.columns["cl_f"] == "cl_f_L_h_kg" and "cl" not in tables.columns
    _compare(tables, expected, "cl_f_L_h_kg", "vz_f_L_kg", intervals)


@pytest.mark.parametrize("route", ["iv-bolus", "iv-infusion"])
@pytest.mark.parametrize("method", ["linear", "log"])
def test_indometh_matches_base_r(route: str, method: str) -> None:
    data = pd.read_csv(REF / "indometh_data.csv")
    expected = pd.read_csv(REF / "nca_indometh.csv")
    expected = expected[(expected["method"] == method) & (expected["route"] == route)]
    frame = _frame(data, "time", "ug/mL", "mg", 25.0, route)
    intervals = ((0.0, 1.0), (0.5, 4.0), (0.0, 10.0))
    options = NCAOptions(auc_method=METHODS[method], partial_aucs=intervals, infusion_h=0.5)
    tables = nca_table(frame, options)
    assert "cl_f" not in tables.columns
    _compare(tables, expected, "cl_L_h", "vz_L", intervals)


def test_theoph_points_table_marks_the_lambda_z_points_r_chose() -> None:
    data = pd.read_csv(REF / "theoph_data.csv")
    expected = pd.read_csv(REF / "nca_theoph.csv").query("method == 'linear'").set_index("subject")
    frame = _frame(data, "Time", "mg/L", "mg/kg", data["Dose"].astype(float), "extravascular")
    points = nca_table(frame).points
    for subject, rows in points.groupby("subject"):
        used = rows.loc[rows["lambda_z_used"], "time_h"]
        want = expected.loc[int(subject)]
        assert len(used) == want["n_lambda_z"]
        assert used.min() == want["lambda_z_first_h"] and used.max() == want["lambda_z_last_h"]
        # the chosen points are the last n of the profile
        assert list(rows["lambda_z_used"])[-len(used) :] == [True] * len(used)
