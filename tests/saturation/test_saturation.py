"""Saturation binding: the reader, the analysis (against independent scipy fits and hand arithmetic), plots.

Expected numbers come from scipy's ``curve_fit`` on Prism's equations typed here, or from arithmetic done
by hand in the comments. Data are built here with numpy, not with assaykit.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from assaykit.errors import AssayInputError, FitWarning
from assaykit.io.saturation import (
    SATURATION_COLUMNS,
    read_saturation,
    read_saturation_files,
    saturation_from_frame,
)
from assaykit.saturation import analyze_saturation, fit_saturation, result_columns
from assaykit.saturation.plots import plot_saturation

CONC = (0.1, 0.2, 0.35, 0.6, 1.0, 1.75, 3.0, 5.5, 10.0, 20.0)
TIGHT = {"ftol": 1e-15, "xtol": 1e-15, "gtol": 1e-15}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# 0.45 cpm/dpm x 85 Ci/mmol x 2.22 dpm/fmol per Ci/mmol = 84.915 cpm/fmol
# (1 Ci = 2.22e12 dpm and 1 mmol = 1e12 fmol)
CPM_PER_FMOL = 84.915


def experiment(
    bmax: float = 10000.0,
    kd: float = 1.5,
    ns: float = 150.0,
    background: float = 30.0,
    conc: tuple[float, ...] = CONC,
    reps: int = 3,
    cv: float = 0.04,
    seed: int = 1,
    dataset: str | None = None,
) -> pd.DataFrame:
    """Tubes of one experiment: at each concentration ``reps`` total tubes, then ``reps`` NSB tubes."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in conc:
        nonspecific = ns * c + background
        for kind, mean in (("total", bmax * c / (kd + c) + nonspecific), ("nsb", nonspecific)):
            for rep in range(1, reps + 1):
                rows.append(
                    {"kind": kind, "replicate": rep, "conc_nM": c, "cpm": mean * (1 + cv * rng.normal())}
                )
    frame = pd.DataFrame(rows)
    if dataset is not None:
        frame.insert(0, "dataset", dataset)
    return frame


def prism_global(xt, bmax, kd, ns, background):
    """Prism "One site -- Total and nonspecific binding": <A> specific + nonspecific, <B> nonspecific."""
    x, is_total = xt
    nonspecific = ns * x + background
    return np.where(is_total == 1, bmax * x / (kd + x) + nonspecific, nonspecific)


def one_site(x, bmax, kd):
    return bmax * x / (kd + x)


def scipy_global(tubes: pd.DataFrame):
    x = tubes["conc_nM"].to_numpy(float)
    xt = np.vstack([x, (tubes["kind"] == "total").to_numpy(float)])
    y = tubes["cpm"].to_numpy(float)
    popt, pcov = optimize.curve_fit(prism_global, xt, y, p0=[8000, 1.0, 100, 10], maxfev=100_000, **TIGHT)
    return popt, np.sqrt(np.diag(pcov)), float(np.sum((y - prism_global(xt, *popt)) ** 2))


@pytest.fixture(scope="module")
def tubes() -> pd.DataFrame:
    return experiment()


@pytest.fixture(scope="module")
def data(tubes: pd.DataFrame) -> pd.DataFrame:
    return saturation_from_frame(tubes, source="sat")


# --------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------
def write(tmp_path: Path, text: str, name: str = "sat.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_saturation_gives_the_canonical_frame(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Experiment,Kind,replicate,conc_pM,CPM\n"
        "A,Total,1,100,650\n"
        "A,NSB,1,100,47\n"
        "A,ns,2,100,45\n"
        "A,nonspecific,3,100,46\n"
        "B,total,,2500,6000\n",
    )
    frame = read_saturation(path)
    assert list(frame.columns) == list(SATURATION_COLUMNS)
    assert frame["dataset"].tolist() == ["A", "A", "A", "A", "B"]
    assert frame["kind"].tolist() == ["total", "nsb", "nsb", "nsb", "total"]
    assert frame["conc_nM"].tolist() == pytest.approx([0.1, 0.1, 0.1, 0.1, 2.5], rel=1e-15)  # pM / 1000
    assert frame["signal"].tolist() == [650.0, 47.0, 45.0, 46.0, 6000.0]
    assert frame["replicate"].tolist()[:4] == ["1", "1", "2", "3"] and pd.isna(frame["replicate"].iloc[4])
    assert frame["source_row"].tolist() == [2, 3, 4, 5, 6]
    assert frame.attrs == {
        "source": str(path),
        "signal_unit": "cpm",
        "conc_column": "conc_pM",
        "specific": False,
        "dataset_column": "Experiment",
    }


@pytest.mark.parametrize("name", ["dataset", "set", "experiment", "plate"])
def test_data_set_column_names(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, f"{name},kind,conc_nM,dpm\nx,total,1,100\ny,nsb,1,10\n")
    frame = read_saturation(path)
    assert frame["dataset"].tolist() == ["x", "y"]
    assert frame.attrs["signal_unit"] == "dpm"


def test_a_file_without_data_set_column_is_one_data_set_named_by_its_stem(tmp_path: Path) -> None:
    frame = read_saturation(write(tmp_path, "kind,conc_uM,counts\ntotal,0.001,100\n", "rat cortex.csv"))
    assert frame["dataset"].tolist() == ["rat cortex"]
    assert frame["conc_nM"].tolist() == pytest.approx([1.0])
    assert frame.attrs["signal_unit"] == "counts"


def test_several_files_keep_their_data_sets_apart(tmp_path: Path) -> None:
    a = write(tmp_path, "dataset,kind,conc_nM,cpm\n1,total,1,100\n2,total,1,200\n", "a.csv")
    b = write(tmp_path, "kind,conc_nM,cpm\ntotal,1,300\n", "b.csv")
    frame = read_saturation_files([a, b])
    assert frame["dataset"].tolist() == ["a:1", "a:2", "b"]
    assert frame.attrs["source"] == f"{a}, {b}"
    assert read_saturation_files([a]).equals(read_saturation(a))


def test_files_in_different_units_are_an_error(tmp_path: Path) -> None:
    a = write(tmp_path, "kind,conc_nM,cpm\ntotal,1,100\n", "a.csv")
    b = write(tmp_path, "kind,conc_nM,dpm\ntotal,1,300\n", "b.csv")
    with pytest.raises(AssayInputError, match=r"different units \(cpm in .*a.csv, dpm in .*b.csv\)"):
        read_saturation_files([a, b])


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("kind,log_conc_M,cpm\ntotal,-9,100\n", ["column 'log_conc_M'", "log concentration", "conc_nM"]),
        ("kind,logconc_M,cpm\ntotal,-9,100\n", ["column 'logconc_M'", "log concentration"]),
        ("conc_nM,cpm\n1,100\n", ["no kind column", "'conc_nM', 'cpm'"]),
        ("conc_nM,specific\n1,100\n", ["no kind column", "--specific"]),
        ("kind,conc_nM,cpm\ntotal,1,100\nbound,1,5\n", ["row 3", "column 'kind'", "unknown kind 'bound'"]),
        ("kind,conc_nM,cpm\ntotal,1,100\n,1,5\n", ["row 3", "empty kind"]),
        ("kind,conc_nM,cpm\ntotal,0,100\n", ["row 2", "column 'conc_nM'", "not > 0"]),
        ("kind,conc_nM,cpm\ntotal,-1,100\nnsb,0,1\n", ["row 2", "not > 0", "other rows with problems: 3"]),
        ("kind,conc_nM,cpm\ntotal,,100\n", ["row 2", "empty concentration"]),
        ("kind,conc_nM,cpm\ntotal,1 nM,100\n", ["row 2", "'1 nM' is not a number"]),
        ("kind,conc_nM,cpm\ntotal,inf,100\n", ["not a finite concentration"]),
        ("kind,conc_nM,cpm\ntotal,1,-5\n", ["row 2", "column 'cpm'", "negative signal -5"]),
        ("kind,conc_nM,cpm\ntotal,1,lots\n", ["row 2", "'lots' is not a number"]),
        ("kind,conc,cpm\ntotal,1,100\n", ["column 'conc'", "has no unit"]),
        ("kind,conc_nm,cpm\ntotal,1,100\n", ["unknown unit 'nm'"]),
        ("kind,concentration_nM,cpm\ntotal,1,100\n", ["no radioligand concentration column", "did you mean"]),
        ("kind,conc_nM,conc_pM,cpm\ntotal,1,1000,100\n", ["2 concentration columns"]),
        ("kind,conc_nM,cpm,dpm\ntotal,1,100,200\n", ["2 columns could be the signal column"]),
        ("dataset,kind,conc_nM,cpm\n,total,1,100\n", ["row 2", "empty data set"]),
    ],
)
def test_bad_input_is_one_line_naming_file_row_and_column(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(AssayInputError) as info:
        read_saturation(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message, message


def test_an_empty_count_cell_drops_the_tube_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "kind,conc_nM,cpm\ntotal,1,100\ntotal,1,\nnsb,1,5\n")
    with pytest.warns(UserWarning, match=r"dropped 1 row with an empty 'cpm' cell \(rows 3\)"):
        frame = read_saturation(path)
    assert frame["source_row"].tolist() == [2, 4]


def test_specific_binding_files(tmp_path: Path) -> None:
    path = write(tmp_path, "conc_nM,Specific_DPM,replicate\n0.1,-12.5,1\n1,800,1\n")
    frame = read_saturation(path, specific=True)
    assert frame["kind"].tolist() == ["specific", "specific"]
    assert frame["signal"].tolist() == [-12.5, 800.0]  # specific binding may be negative
    assert frame.attrs["signal_unit"] == "dpm" and frame.attrs["specific"] is True
    assert (
        read_saturation(write(tmp_path, "conc_nM,specific\n1,5\n", "b.csv"), specific=True).attrs[
            "signal_unit"
        ]
        == ""
    )
    with pytest.raises(AssayInputError, match="no specific-binding column.*leave out --specific"):
        read_saturation(write(tmp_path, "kind,conc_nM,cpm\ntotal,1,5\n", "c.csv"), specific=True)


def test_xlsx_and_decimal_commas(tmp_path: Path) -> None:
    frame = pd.DataFrame({"kind": ["total", "nsb"], "conc_nM": [0.5, 0.5], "cpm": [1200, 80]})
    frame.to_excel(tmp_path / "sat.xlsx", index=False, sheet_name="counts")
    got = read_saturation(tmp_path / "sat.xlsx", sheet="counts")
    assert got["signal"].tolist() == [1200.0, 80.0] and got["source_row"].tolist() == [2, 3]
    semicolon = read_saturation(write(tmp_path, "kind;conc_nM;cpm\ntotal;0,5;1200\n", "eu.csv"))
    assert semicolon["conc_nM"].tolist() == [0.5]


# --------------------------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------------------------
def test_global_fit_matches_scipy(data: pd.DataFrame, tubes: pd.DataFrame) -> None:
    row = analyze_saturation(data).results.iloc[0]
    popt, se, ss = scipy_global(tubes)
    df = len(tubes) - 4
    assert row["model"] == "one-site-total" and row["n_points"] == 60 and row["df"] == df
    for column, i in (("bmax_cpm", 0), ("kd_nM", 1), ("ns_slope_cpm_per_nM", 2), ("background_cpm", 3)):
        assert row[column] == pytest.approx(popt[i], rel=1e-6), column
    for column, i in (
        ("bmax_se_cpm", 0), ("kd_se_nM", 1), ("ns_slope_se_cpm_per_nM", 2), ("background_se_cpm", 3)
    ):  # fmt: skip
        assert row[column] == pytest.approx(se[i], rel=1e-4), column
    t = stats.t.ppf(0.975, df)
    assert row["kd_ci_low_nM"] == pytest.approx(popt[1] - t * se[1], rel=1e-5)
    assert row["bmax_ci_high_cpm"] == pytest.approx(popt[0] + t * se[0], rel=1e-5)
    assert row["ss_cpm2"] == pytest.approx(ss, rel=1e-9)
    assert row["sy_x_cpm"] == pytest.approx(math.sqrt(ss / df), rel=1e-9)
    y = tubes["cpm"].to_numpy()
    assert row["r_squared"] == pytest.approx(1 - ss / np.sum((y - y.mean()) ** 2), rel=1e-9)
    assert row["ci_method"] == "asymptotic" and row["flags"] == ""
    assert all(math.isnan(row[c]) for c in ("bmax_fmol", "max_fraction_bound"))


def test_one_row_per_data_set_with_the_result_columns() -> None:
    frame = pd.concat([experiment(dataset="exp1", seed=1), experiment(kd=3.0, dataset="exp2", seed=2)])
    analysis = analyze_saturation(saturation_from_frame(frame))
    results = analysis.results
    assert list(results.columns) == result_columns("one-site-total", "cpm")
    assert results["dataset"].tolist() == ["exp1", "exp2"]
    for name, group in frame.groupby("dataset"):
        popt, _, _ = scipy_global(group)
        assert results.set_index("dataset").at[name, "kd_nM"] == pytest.approx(popt[1], rel=1e-6)
    assert set(analysis.fits) == {"exp1", "exp2"}
    assert fit_saturation(saturation_from_frame(frame)).equals(results)


def test_unit_conversions_by_hand(data: pd.DataFrame) -> None:
    options = {"efficiency": 0.45, "specific_activity_Ci_mmol": 85.0, "protein_mg": 0.1}
    row = analyze_saturation(data, **options).results.iloc[0]
    assert row["bmax_fmol"] == pytest.approx(row["bmax_cpm"] / CPM_PER_FMOL, rel=1e-12)
    assert row["bmax_fmol_se"] == pytest.approx(row["bmax_se_cpm"] / CPM_PER_FMOL, rel=1e-12)
    assert row["bmax_fmol_per_mg"] == pytest.approx(row["bmax_cpm"] / CPM_PER_FMOL / 0.1, rel=1e-12)
    assert row["bmax_fmol_per_mg_se"] == pytest.approx(row["bmax_se_cpm"] / CPM_PER_FMOL / 0.1, rel=1e-12)
    assert math.isnan(row["sites_per_cell"])
    # sites/cell: 1 fmol = 1e-15 mol x 6.02214076e23 /mol = 602,214,076 molecules
    cells = analyze_saturation(
        data, efficiency=0.45, specific_activity_Ci_mmol=85.0, cells=2.5e5
    ).results.iloc[0]
    assert cells["sites_per_cell"] == pytest.approx(row["bmax_fmol"] * 602_214_076 / 2.5e5, rel=1e-12)
    assert cells["sites_per_cell_se"] == pytest.approx(row["bmax_fmol_se"] * 602_214_076 / 2.5e5, rel=1e-12)


def test_dpm_data_need_no_efficiency(tubes: pd.DataFrame) -> None:
    dpm = saturation_from_frame(tubes.rename(columns={"cpm": "dpm"}))
    analysis = analyze_saturation(dpm, specific_activity_Ci_mmol=85.0, efficiency=0.45)
    row = analysis.results.iloc[0]
    # 85 Ci/mmol x 2.22 dpm/fmol per Ci/mmol = 188.7 dpm/fmol
    assert row["bmax_fmol"] == pytest.approx(row["bmax_dpm"] / 188.7, rel=1e-12)
    assert "bmax_cpm" not in row
    assert any("--efficiency ignored" in note for note in analysis.notes)


@pytest.mark.parametrize(
    ("unit", "options", "fragment"),
    [
        ("cpm", {"specific_activity_Ci_mmol": 85.0, "protein_mg": 0.1}, "cpm data need --efficiency"),
        ("cpm", {"efficiency": 0.4}, "need --specific-activity"),
        ("dpm", {"protein_mg": 0.1}, "dpm data need --specific-activity (Ci/mmol)"),
        ("counts", {"efficiency": 0.4, "specific_activity_Ci_mmol": 85.0}, "the signal is 'counts'"),
    ],
)
def test_missing_unit_options_leave_bmax_unconverted_with_a_note(
    tubes: pd.DataFrame, unit: str, options: dict, fragment: str
) -> None:
    analysis = analyze_saturation(saturation_from_frame(tubes.rename(columns={"cpm": unit})), **options)
    assert analysis.results[["bmax_fmol", "bmax_fmol_per_mg"]].isna().all().all()
    assert any(fragment in note for note in analysis.notes), analysis.notes


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"model": "three-site"}, "unknown model 'three-site'"),
        ({"protein_mg": 0.1, "cells": 1e5}, "not both"),
        ({"efficiency": 1.5}, "at most 1"),
        ({"specific_activity_Ci_mmol": -85.0}, "--specific-activity must be a positive number"),
        ({"volume_ml": 0}, "--volume-ml must be a positive number"),
        ({"ci": "bootstrap"}, "ci must be asymptotic or profile"),
        ({"level": 95}, "level must be between 0 and 1"),
    ],
)
def test_bad_options_are_input_errors(data: pd.DataFrame, options: dict, fragment: str) -> None:
    with pytest.raises(AssayInputError, match=fragment):
        analyze_saturation(data, **options)


def test_depletion_is_flagged_and_warned() -> None:
    # 0.5 ml: at 0.1 nM, 0.1 x 0.5 x 1000 = 50 fmol added
    frame = experiment(bmax=10000.0, cv=0.0)
    data = saturation_from_frame(frame)
    options = {"efficiency": 0.45, "specific_activity_Ci_mmol": 85.0, "volume_ml": 0.5}
    with pytest.warns(FitWarning, match=r"data set '<data>': up to \d+% of the added radioligand is bound"):
        row = analyze_saturation(data, **options).results.iloc[0]
    total = frame[frame["kind"] == "total"].groupby("conc_nM")["cpm"].mean()
    by_hand = max(cpm / CPM_PER_FMOL / (c * 0.5 * 1000) for c, cpm in total.items())
    assert row["max_fraction_bound"] == pytest.approx(by_hand, rel=1e-12)
    assert by_hand > 0.10 and "depletion" in row["flags"].split(";")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        relaxed = analyze_saturation(data, **{**options, "volume_ml": 5.0}).results.iloc[0]
    assert relaxed["max_fraction_bound"] == pytest.approx(by_hand / 10, rel=1e-12)
    assert "depletion" not in relaxed["flags"]


def test_top_concentration_three_times_kd_flags_bmax_extrapolated() -> None:
    conc = tuple(np.geomspace(0.1, 6.0, 8))  # Kd 2 nM: the top is 3 x Kd
    row = analyze_saturation(saturation_from_frame(experiment(kd=2.0, conc=conc))).results.iloc[0]
    assert row["kd_nM"] > 0.6  # the top concentration (6 nM) is below 10 x Kd
    assert row["flags"].split(";") == ["bmax_extrapolated"]
    full = analyze_saturation(saturation_from_frame(experiment(kd=1.5))).results.iloc[0]
    assert full["kd_nM"] <= 2.0 and full["flags"] == ""  # 20 nM >= 10 x Kd


def test_kd_above_the_range_is_flagged() -> None:
    row = analyze_saturation(saturation_from_frame(experiment(kd=30.0, cv=0.01))).results.iloc[0]
    assert row["kd_nM"] > 20.0
    assert {"bmax_extrapolated", "kd_outside_range"} <= set(row["flags"].split(";"))


def test_profile_intervals_contain_the_estimate(data: pd.DataFrame) -> None:
    asymptotic = analyze_saturation(data).results.iloc[0]
    row = analyze_saturation(data, ci="profile").results.iloc[0]
    assert row["ci_method"] == "profile"
    assert row["kd_ci_low_nM"] < row["kd_nM"] < row["kd_ci_high_nM"]
    assert row["kd_ci_low_nM"] != pytest.approx(asymptotic["kd_ci_low_nM"], rel=1e-6)
    # Bmax stays asymptotic
    assert row["bmax_ci_low_cpm"] == pytest.approx(asymptotic["bmax_ci_low_cpm"], rel=1e-8)


def test_an_open_lower_profile_limit_is_zero_and_flagged() -> None:
    # Kd far below the lowest concentration: every tube is on the plateau, so any smaller Kd fits as well.
    frame = experiment(bmax=3000.0, kd=0.01, conc=(1.0, 2.0, 4.0, 8.0, 12.0, 20.0), cv=0.02, seed=5)
    row = analyze_saturation(saturation_from_frame(frame), ci="profile").results.iloc[0]
    assert row["kd_ci_low_nM"] == 0.0
    assert row["kd_nM"] < row["kd_ci_high_nM"] < math.inf
    assert {"kd_outside_range", "kd_ci_open"} <= set(row["flags"].split(";"))


def test_two_sites_fitted_to_one_keep_asymptotic_limits_with_a_note(data: pd.DataFrame) -> None:
    analysis = analyze_saturation(data, model="two-site", ci="profile")
    row = analysis.results.iloc[0]
    assert "ambiguous" in row["flags"].split(";")
    assert row["ci_method"] == "asymptotic"
    assert any(
        note.startswith("profile intervals not computed for data set(s) sat") for note in analysis.notes
    )


def test_a_negative_bmax_is_flagged() -> None:
    # Specific binding of tubes without receptors: total and NSB do not differ, and 3% less total makes
    # specific binding fall below zero as the concentration rises.
    frame = experiment(bmax=0.0, cv=0.03, seed=4)
    total, nsb = (frame[frame["kind"] == k].reset_index(drop=True) for k in ("total", "nsb"))
    specific = pd.DataFrame({"conc_nM": total["conc_nM"], "specific_cpm": 0.97 * total["cpm"] - nsb["cpm"]})
    row = analyze_saturation(saturation_from_frame(specific, specific=True)).results.iloc[0]
    assert row["bmax_cpm"] < 0 and "negative_bmax" in row["flags"].split(";")


def test_total_below_nsb_is_not_fitted_but_the_other_data_sets_are() -> None:
    # The same tubes as total and nsb: nsb above total at every concentration is not a curve to fit.
    flat = experiment(bmax=0.0, cv=0.03, seed=4, dataset="flat")
    flat.loc[flat["kind"] == "total", "cpm"] *= 0.97
    swapped = experiment(dataset="swapped")
    swapped["kind"] = swapped["kind"].map({"total": "nsb", "nsb": "total"})
    good = experiment(dataset="good")
    with pytest.warns(UserWarning) as caught:
        results = analyze_saturation(saturation_from_frame(pd.concat([flat, swapped, good]))).results
    results = results.set_index("dataset")
    for name, frame in (("flat", flat), ("swapped", swapped)):
        means = frame.groupby(["conc_nM", "kind"])["cpm"].mean().unstack()
        assert (means["nsb"] > means["total"]).all()  # the data are as intended
        top = means.index.max()
        expected = (
            f"not_fitted: its nsb tubes are not below its total tubes at {len(means)} of {len(means)} "
            f"concentrations (at {top:g} nM: total {means.at[top, 'total']:.0f} cpm, nsb "
            f"{means.at[top, 'nsb']:.0f} cpm); are the kind labels total and nsb swapped?"
        )
        assert results.at[name, "flags"] == expected
        assert math.isnan(results.at[name, "kd_nM"]) and results.at[name, "n_points"] == len(frame)
        assert any(f"data set '{name}' not analysed: its nsb tubes" in str(w.message) for w in caught)
    assert results.at["good", "flags"] == "" and results.at["good", "kd_nM"] > 0


def test_level_changes_the_t_multiplier(data: pd.DataFrame) -> None:
    row = analyze_saturation(data, level=0.9).results.iloc[0]
    t = stats.t.ppf(0.95, row["df"])
    assert row["kd_ci_high_nM"] - row["kd_nM"] == pytest.approx(t * row["kd_se_nM"], rel=1e-9)


def test_a_data_set_that_cannot_be_fitted_gets_its_row_and_the_others_finish() -> None:
    good = experiment(dataset="good")
    only_nsb = experiment(dataset="nsb only").query("kind == 'nsb'")
    two_conc = experiment(dataset="two conc", conc=(1.0, 5.0))
    analysis = analyze_saturation(saturation_from_frame(pd.concat([good, only_nsb, two_conc])))
    results = analysis.results.set_index("dataset")
    assert results.at["good", "flags"] == ""
    assert results.at["nsb only", "flags"] == "not_fitted: no total tubes"
    assert results.at["two conc", "flags"].startswith("not_fitted: 2 distinct concentration(s)")
    assert math.isnan(results.at["two conc", "kd_nM"]) and results.at["two conc", "n_points"] == 12
    assert analysis.fits["nsb only"] is None and analysis.fits["good"] is not None
    points = analysis.points
    assert points.loc[points["dataset"] == "two conc", "fitted_cpm"].isna().all()


def test_points_table_of_the_global_model(data: pd.DataFrame, tubes: pd.DataFrame) -> None:
    analysis = analyze_saturation(data)
    row, points = analysis.results.iloc[0], analysis.points
    assert list(points.columns) == [
        "dataset", "kind", "replicate", "conc_nM", "cpm", "source_row",
        "nonspecific_cpm", "specific_cpm", "fitted_cpm", "residual_cpm",
    ]  # fmt: skip
    x = tubes["conc_nM"].to_numpy()
    line = row["ns_slope_cpm_per_nM"] * x + row["background_cpm"]
    total = (tubes["kind"] == "total").to_numpy()
    np.testing.assert_allclose(points["nonspecific_cpm"], line, rtol=1e-12)
    np.testing.assert_allclose(points["specific_cpm"][total], tubes["cpm"][total] - line[total], rtol=1e-12)
    assert points["specific_cpm"][~total].isna().all()
    fitted = np.where(total, row["bmax_cpm"] * x / (row["kd_nM"] + x) + line, line)
    np.testing.assert_allclose(points["fitted_cpm"], fitted, rtol=1e-12)
    np.testing.assert_allclose(points["residual_cpm"], tubes["cpm"].to_numpy() - fitted, rtol=1e-9, atol=1e-9)


def test_specific_models_fit_total_minus_the_mean_nsb_at_each_concentration(tubes: pd.DataFrame) -> None:
    analysis = analyze_saturation(saturation_from_frame(tubes), model="one-site")
    row, points = analysis.results.iloc[0], analysis.points
    nsb_mean = tubes[tubes["kind"] == "nsb"].groupby("conc_nM")["cpm"].mean()
    total = tubes[tubes["kind"] == "total"]
    specific = total["cpm"].to_numpy() - total["conc_nM"].map(nsb_mean).to_numpy()
    popt, pcov = optimize.curve_fit(one_site, total["conc_nM"].to_numpy(), specific, p0=[9000, 1.0], **TIGHT)
    assert (row["bmax_cpm"], row["kd_nM"]) == pytest.approx(tuple(popt), rel=1e-6)
    assert (row["bmax_se_cpm"], row["kd_se_nM"]) == pytest.approx(tuple(np.sqrt(np.diag(pcov))), rel=1e-4)
    assert row["n_points"] == 30 and "ns_slope_cpm_per_nM" not in row
    is_total = (points["kind"] == "total").to_numpy()
    np.testing.assert_allclose(points["specific_cpm"][is_total], specific, rtol=1e-12)
    np.testing.assert_allclose(
        points["residual_cpm"][is_total], specific - one_site(total["conc_nM"].to_numpy(), *popt), rtol=1e-4
    )
    assert points["fitted_cpm"][~is_total].isna().all()


def test_specific_models_need_nsb_tubes_at_every_total_concentration(tubes: pd.DataFrame) -> None:
    missing = tubes[~((tubes["kind"] == "nsb") & (tubes["conc_nM"] == 3.0))]
    row = analyze_saturation(saturation_from_frame(missing), model="hill").results.iloc[0]
    assert row["flags"].startswith("not_fitted: no NSB tube at 3 nM")


def test_specific_binding_data(tubes: pd.DataFrame) -> None:
    rng = np.random.default_rng(3)
    x = np.repeat(CONC, 2)
    frame = pd.DataFrame({"conc_nM": x, "specific_cpm": one_site(x, 9000, 2.0) + rng.normal(0, 150, x.size)})
    data = saturation_from_frame(frame, specific=True)
    analysis = analyze_saturation(data)
    row = analysis.results.iloc[0]
    popt, _ = optimize.curve_fit(one_site, x, frame["specific_cpm"].to_numpy(), p0=[9000, 2], **TIGHT)
    assert row["model"] == "one-site"
    assert row["kd_nM"] == pytest.approx(popt[1], rel=1e-6)
    np.testing.assert_allclose(analysis.points["specific_cpm"], frame["specific_cpm"], rtol=0)
    assert analysis.points["nonspecific_cpm"].isna().all()
    assert analyze_saturation(data, model="hill").results.iloc[0]["hill_se"] > 0
    with pytest.raises(
        AssayInputError, match="one-site-total fits total and nsb tubes together.*one-site, hill"
    ):
        analyze_saturation(data, model="one-site-total")


def two_site_truth():
    conc = tuple(0.03 * 10 ** (np.arange(13) * 0.3))
    x = np.repeat(conc, 3)
    rng = np.random.default_rng(9)
    y = (2000 * x / (0.2 + x) + 4000 * x / (15 + x)) * (1 + 0.02 * rng.standard_normal(x.size))
    return x, y


def test_two_site_columns_by_hand() -> None:
    x, y = two_site_truth()
    data = saturation_from_frame(pd.DataFrame({"conc_nM": x, "specific_cpm": y}), specific=True)
    row = analyze_saturation(data, model="two-site").results.iloc[0]

    def two_site(x, bhi, khi, blo, klo):
        return bhi * x / (khi + x) + blo * x / (klo + x)

    popt, pcov = optimize.curve_fit(two_site, x, y, p0=[2000, 0.2, 4000, 15], **TIGHT)
    bhi, khi, blo, klo = popt
    assert [row[c] for c in ("bmax_hi_cpm", "kd_hi_nM", "bmax_lo_cpm", "kd_lo_nM")] == pytest.approx(
        list(popt), rel=1e-5
    )
    assert row["kd_hi_nM"] < row["kd_lo_nM"]
    assert "kd_nM" not in row and "hill" not in row
    # Bmax = BmaxHi + BmaxLo; var = C11 + C33 + 2 C13
    assert row["bmax_cpm"] == pytest.approx(bhi + blo, rel=1e-6)
    assert row["bmax_se_cpm"] == pytest.approx(math.sqrt(pcov[0, 0] + pcov[2, 2] + 2 * pcov[0, 2]), rel=1e-3)
    # fraction = BmaxHi / (BmaxHi + BmaxLo); gradient (BmaxLo, -BmaxHi) / B^2 on (BmaxHi, BmaxLo)
    b = bhi + blo
    g = np.array([blo / b**2, 0.0, -bhi / b**2, 0.0])
    assert row["fraction_hi"] == pytest.approx(bhi / b, rel=1e-6)
    assert row["fraction_hi_se"] == pytest.approx(math.sqrt(g @ pcov @ g), rel=1e-3)
    assert row["kd_hi_se_nM"] == pytest.approx(math.sqrt(pcov[1, 1]), rel=1e-3)


def test_two_sites_found_in_the_other_order_are_relabelled(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from assaykit.fitting.saturation_models import SATURATION_MODELS
    from assaykit.saturation import analysis as module

    x, y = two_site_truth()
    data = saturation_from_frame(pd.DataFrame({"conc_nM": x, "specific_cpm": y}), specific=True)
    expected = analyze_saturation(data, model="two-site", ci="profile").results.iloc[0]
    swapped_start = {"bmax_hi": 4000.0, "kd_hi_nM": 15.0, "bmax_lo": 2000.0, "kd_lo_nM": 0.2}
    model = dataclasses.replace(SATURATION_MODELS["two-site"], guess=lambda x, y, c: dict(swapped_start))
    monkeypatch.setattr(module, "SATURATION_MODELS", {**SATURATION_MODELS, "two-site": model})
    analysis = analyze_saturation(data, model="two-site", ci="profile")
    row = analysis.results.iloc[0]
    sites = ("kd_hi_nM", "kd_lo_nM", "bmax_hi_cpm", "bmax_lo_cpm", "kd_hi_ci_low_nM", "kd_hi_ci_high_nM")
    for column in sites:
        assert row[column] == pytest.approx(expected[column], rel=1e-6), column
    assert analysis.fits["<data>"].model is model  # the registered model, not the relabelled copy


def test_missing_columns_and_mixed_kinds_are_input_errors(data: pd.DataFrame) -> None:
    with pytest.raises(AssayInputError, match="lacks column"):
        analyze_saturation(data.drop(columns="kind"))
    mixed = data.copy()
    mixed.loc[0, "kind"] = "specific"
    with pytest.raises(AssayInputError, match="expected total and nsb, or specific"):
        analyze_saturation(mixed)


# --------------------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------------------
def plot_points(analysis) -> pd.DataFrame:
    return analysis.points.rename(columns={"cpm": "signal", "specific_cpm": "specific"})


def assert_png(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 10_000
    assert not list(path.parent.glob(".*.tmp"))


@pytest.mark.parametrize("model", ["one-site-total", "hill", "two-site-total"])
def test_plot_saturation_writes_a_png(tmp_path: Path, data: pd.DataFrame, model: str) -> None:
    analysis = analyze_saturation(
        data, model=model, efficiency=0.45, specific_activity_Ci_mmol=85, protein_mg=0.1
    )
    out = plot_saturation(
        plot_points(analysis), analysis.results.iloc[0], tmp_path / "sat.png", title="cortex"
    )
    assert out == tmp_path / "sat.png"
    assert_png(out)


def test_a_failed_fit_still_plots_the_points(tmp_path: Path, data: pd.DataFrame) -> None:
    analysis = analyze_saturation(data)
    row = analysis.results.iloc[0].copy()
    row["kd_nM"] = math.nan
    assert_png(plot_saturation(plot_points(analysis), row, tmp_path / "failed.png"))
    assert_png(plot_saturation(plot_points(analysis), {"model": None}, tmp_path / "none.png"))


def test_plot_needs_its_columns(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="missing column"):
        plot_saturation(pd.DataFrame({"conc_nM": [1.0]}), {}, tmp_path / "x.png")
    with pytest.raises(AssayInputError, match="unknown figure format"):
        plot_saturation(
            pd.DataFrame({"kind": ["total"], "conc_nM": [1.0], "signal": [5.0], "specific": [4.0]}),
            {},
            tmp_path / "x.gif",
        )
    assert not list(tmp_path.iterdir())
