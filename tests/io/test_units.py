"""The plausibility check of concentrations (assaykit.plausible), on its own.

Every case starts from molar concentrations chosen by hand (what an assay tests), writes them in some unit,
and checks the verdict and the wording against that construction: the values a message quotes are computed
here from the molar values, never read back from assaykit.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from assaykit.errors import AssayInputError
from assaykit.plausible import (
    PLAUSIBLE_MOLAR,
    TOP_RANGES,
    check_concentrations,
    check_nM_value,
    format_molar,
    looks_like_log_molar,
    outside_plausible,
    report_range,
)
from assaykit.units import parse_conc_column

FACTORS = {"M": 1.0, "mM": 1e-3, "uM": 1e-6, "nM": 1e-9, "pM": 1e-12}
#: A competition series: 10 pM to 100 uM in half-log steps (the example data's range).
COMPETITION_M = 10.0 ** np.arange(-11.0, -3.9, 0.5)
#: A saturation series: 0.05 to 20 nM.
SATURATION_M = np.array([0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20]) * 1e-9


def written(molar: np.ndarray, unit: str) -> np.ndarray:
    """The values a user writes in a conc_<unit> column for these molar concentrations."""
    return molar / FACTORS[unit]


def check(values, column: str, **kwargs):
    return check_concentrations(np.asarray(values, dtype=float), parse_conc_column(column), **kwargs)


# --------------------------------------------------------------------------------------------------------
# The window and the formatting
# --------------------------------------------------------------------------------------------------------
def test_the_window_is_one_femtomolar_to_100_millimolar():
    assert PLAUSIBLE_MOLAR == (1e-15, 1e-1)
    logs = np.log10([1e-15, 1e-1, 0.99e-15, 1.01e-1, 1e-9, np.nan])
    assert outside_plausible(logs).tolist() == [False, False, True, True, False, False]


@pytest.mark.parametrize(
    ("molar", "text"),
    [(1.6e-14, "16 fM"), (1e-15, "1 fM"), (0.1, "100 mM"), (3.162e-6, "3.16 uM"), (1e-9, "1 nM"),
     (2.5e-12, "2.5 pM"), (1e-19, "1e-19 M"), (1e4, "1e+04 M"), (5.0, "5 M"), (999.4e-9, "999 nM")],
)  # fmt: skip
def test_format_molar(molar, text):
    assert format_molar(molar) == text


# --------------------------------------------------------------------------------------------------------
# Columns: plausible data pass, in every unit
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", ["M", "mM", "uM", "nM", "pM"])
def test_a_competition_series_in_its_own_unit_passes(unit):
    assert check(written(COMPETITION_M, unit), f"conc_{unit}") is None
    assert check(np.log10(COMPETITION_M), "log_conc_M") is None


@pytest.mark.parametrize("unit", ["M", "nM", "pM"])
def test_a_saturation_series_in_its_own_unit_passes(unit):
    assert check(written(SATURATION_M, unit), f"conc_{unit}", kind="radioligand") is None


def test_values_that_are_no_concentrations_are_left_to_the_readers():
    values = np.r_[written(COMPETITION_M, "nM"), 0.0, -5.0, np.nan, np.inf]
    assert check(values, "conc_nM") is None
    assert check([np.nan, -1.0, 0.0], "conc_nM") is None  # nothing to judge


# --------------------------------------------------------------------------------------------------------
# Columns: the bulk outside the window is an error that names the likely unit
# --------------------------------------------------------------------------------------------------------
def test_molar_values_in_a_nM_column_are_an_error_suggesting_conc_M():
    values = COMPETITION_M  # molar numbers, under a conc_nM name
    found = check(values, "conc_nM")
    assert found.error and found.suggestion == "conc_M"
    read = values * 1e-9  # what the column name makes of them
    n_out = int(((read < 1e-15) | (read > 0.1)).sum())
    assert n_out * 2 > len(values)  # the construction is what the rule is about
    assert found.message == (
        f"read as nM, the concentrations {values.min():g} to {values.max():g} are {format_molar(read.min())} "
        f"to {format_molar(read.max())}, outside the plausible 1 fM to 100 mM ({n_out} of {len(values)} "
        "distinct values); these look like molar values: name the column conc_M"
    )


def test_nM_values_in_a_molar_column_are_an_error_suggesting_conc_nM():
    values = written(COMPETITION_M, "nM")  # 0.01 ... 100000
    found = check(values, "conc_M")
    assert found.error and found.suggestion == "conc_nM"
    assert "read as molar, the concentrations 0.01 to 100000 are 10 mM to 1e+05 M" in found.message
    assert found.message.endswith("these look like nM values: name the column conc_nM")


def test_minus_log_values_in_a_log_column_are_an_error_saying_negate():
    values = -np.log10(COMPETITION_M)  # 4 ... 11, as pKi-style numbers are written
    found = check(values, "log_conc_M")
    assert found.error and found.suggestion == "log_conc_M"
    assert "read as log10(mol/L), the concentrations 4 to 11 are 1e+04 M to 1e+11 M" in found.message
    assert "(all 15 distinct values)" in found.message
    assert found.message.endswith(
        "these look like -log10 molar values (9 for 1 nM): log_conc_M holds log10(mol/L), so negate them"
    )


def test_log_nM_values_in_a_log_column_say_subtract_nine():
    found = check(np.log10(COMPETITION_M / 1e-9), "log_conc_M")  # -2 ... 5
    assert found.error
    assert "these look like log10 nM values: log_conc_M holds log10(mol/L), so subtract 9" in found.message


def test_molar_values_of_a_saturation_file_read_as_nM_are_an_error():
    found = check(SATURATION_M, "conc_nM", kind="radioligand")
    assert found.error and found.suggestion == "conc_M"
    assert "(all 9 distinct values)" in found.message


def test_a_fixed_unit_column_is_told_to_convert_not_to_rename():
    found = check([0.3e-9, 3e-9], "conc_nM", kind="radioligand", renamable=False)  # molar hot_nM values
    assert found.error
    assert found.message.endswith("these look like molar values: give them in nM (multiply by 1e+09)")


def test_replicates_do_not_weigh_in():
    # two plausible concentrations in 20 replicates each, three implausible ones once: 3 of 5 distinct
    values = [1.0] * 20 + [10.0] * 20 + [1e-9, 2e-9, 3e-9]
    found = check(values, "conc_nM")
    assert found.error and "(3 of 5 distinct values)" in found.message


# --------------------------------------------------------------------------------------------------------
# Columns: a few values outside is a warning naming them, their rows and their compounds
# --------------------------------------------------------------------------------------------------------
def test_a_few_cells_outside_the_window_are_a_warning_with_rows_and_compounds():
    values = np.r_[written(COMPETITION_M, "nM"), 3e-9, 3e-9]  # two cells typed in molar
    rows = np.arange(2, values.size + 2)
    labels = ["diazepam"] * COMPETITION_M.size + ["flumazenil", "flumazenil"]
    found = check(values, "conc_nM", rows=rows, labels=labels)
    assert not found.error and found.suggestion is None
    assert found.message == (
        "read as nM, 1 of 16 distinct concentrations (3e-18 M) lies outside the plausible 1 fM to 100 mM "
        f"(compound flumazenil; rows {rows[-2]}, {rows[-1]}); check those cells"
    )


def test_nM_values_in_a_mM_column_warn_with_the_unit_when_only_the_top_is_outside():
    values = written(COMPETITION_M, "nM")  # read as mM: 10 nM ... 100 M, the upper four beyond 100 mM
    found = check(values, "conc_mM")
    read = values * 1e-3
    n_out = int((read > 0.1 * (1 + 1e-9)).sum())
    assert 0 < n_out * 2 < len(values)
    assert not found.error and found.suggestion == "conc_nM"
    assert f"{n_out} of {len(values)} distinct concentrations" in found.message
    assert found.message.endswith("these look like nM values: name the column conc_nM")


# --------------------------------------------------------------------------------------------------------
# Columns: every value plausible, but the top is not where such assays put it
# --------------------------------------------------------------------------------------------------------
def test_nM_values_in_a_uM_column_warn_when_the_top_is_beyond_10_mM():
    values = written(COMPETITION_M, "nM")  # read as uM: 10 pM ... 100 mM, all in the window
    found = check(values, "conc_uM")
    assert not found.error and found.suggestion == "conc_nM"
    assert found.message == (
        "read as uM, the highest competitor concentration 100000 is 100 mM, far from where such assays put "
        "it (typically 1 uM to 1 mM); if these are nM values, name the column conc_nM"
    )


def test_pM_values_in_a_nM_saturation_column_warn_and_suggest_conc_pM():
    values = written(SATURATION_M, "pM")  # 50 ... 20000, read as nM: top 20 uM
    found = check(values, "conc_nM", kind="radioligand")
    assert not found.error and found.suggestion == "conc_pM"
    assert "the highest radioligand concentration 20000 is 20 uM" in found.message


def test_nM_values_in_a_pM_saturation_column_warn_and_suggest_conc_nM():
    found = check(written(SATURATION_M, "nM"), "conc_pM", kind="radioligand")
    assert not found.error and found.suggestion == "conc_nM"
    assert "the highest radioligand concentration 20 is 20 pM" in found.message


def test_the_nearest_unit_wins_a_tie():
    # a top of 1 "nM" is 1 uM read as uM and 1 mM read as mM, both typical: a 1000-fold slip is likelier
    found = check([0.001, 0.01, 0.1, 1.0], "conc_nM")
    assert found.suggestion == "conc_uM"


def test_unusual_values_that_no_unit_explains_are_left_alone():
    # log_conc_M with a top of 10 nM: unusual for a competition curve, but no reading is better
    assert check(np.log10(COMPETITION_M[:6]), "log_conc_M") is None


@pytest.mark.parametrize("kind", sorted(TOP_RANGES))
def test_every_kind_accepts_its_own_typical_range(kind):
    low, high = TOP_RANGES[kind].typical
    for top in (low, high, math.sqrt(low * high)):
        assert check([top / 1e3 / 1e-9, top / 1e-9], "conc_nM", kind=kind) is None


# --------------------------------------------------------------------------------------------------------
# Single values in nM (--kd, --radioligand)
# --------------------------------------------------------------------------------------------------------
def test_a_molar_kd_is_an_error_giving_the_value_in_nM():
    found = check_nM_value(1.5e-9, "--kd", kind="kd")
    assert found.error and found.suggestion == "1.5"
    assert found.message == (
        "--kd 1.5e-09 nM is 1.5e-18 M, outside the plausible 1 fM to 100 mM; --kd is in nM: this looks like "
        "a molar value, so give --kd 1.5"
    )


def test_a_pM_kd_typed_as_nM_is_a_warning():
    found = check_nM_value(1500.0, "--kd", kind="kd")  # 1.5 uM
    assert not found.error and found.suggestion == "1.5"
    assert found.message == (
        "--kd 1500 nM is 1.5 uM, unusual for a radioligand's Kd (typically 10 pM to 100 nM); if it is a pM "
        "value, give --kd 1.5"
    )


def test_a_radioligand_in_molar_is_an_error_and_a_usual_one_passes():
    assert check_nM_value(1e-9, "--radioligand", kind="radioligand").error
    for nM in (0.1, 1.0, 20.0, 1000.0):
        assert check_nM_value(nM, "--radioligand", kind="radioligand") is None


def test_a_value_beyond_every_unit_gets_no_suggestion():
    found = check_nM_value(1e12, "--radioligand", kind="radioligand")  # 1000 M
    assert found.error and found.suggestion is None
    assert found.message.endswith("--radioligand is in nM")


# --------------------------------------------------------------------------------------------------------
# Log values in a linear column, and reporting
# --------------------------------------------------------------------------------------------------------
def test_negative_values_that_read_as_log_molar():
    assert looks_like_log_molar(np.log10(COMPETITION_M))
    assert not looks_like_log_molar([-9.0, -20.0])
    assert not looks_like_log_molar([-0.5])
    assert not looks_like_log_molar([])


def test_report_range_raises_or_warns_in_one_line():
    error = check(COMPETITION_M, "conc_nM")
    with pytest.raises(AssayInputError) as info:
        report_range(error, path="plate.csv", column="conc_nM")
    assert str(info.value) == f"plate.csv, column 'conc_nM': {error.message}"
    assert info.value.column == "conc_nM"
    warning = check(written(COMPETITION_M, "nM"), "conc_uM")
    with pytest.warns(UserWarning) as caught:
        report_range(warning, path="plate.csv", column="conc_uM")
    assert str(caught[0].message) == f"plate.csv, column 'conc_uM': {warning.message}"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report_range(None, path="plate.csv")
