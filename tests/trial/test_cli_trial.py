"""``assaykit trial`` on the example trial: its numbers are the library's, its files, figures and errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.io.trial import read_trial
from assaykit.trial.mmrm import fit_mmrm
from assaykit.trial.rates import efficacy_outcomes, rate_table
from assaykit.trial.scales import score_hama
from assaykit.trial.withdrawal import withdrawal_analysis
from assaykit.trial.workflow import SHEETS

ROOT = Path(__file__).resolve().parents[2]
VISITS = ROOT / "examples" / "trial" / "visits.csv"
PATIENTS = ROOT / "examples" / "trial" / "patients.csv"


def _run(*args: str) -> object:
    return CliRunner().invoke(main, ["trial", str(VISITS), "--patients", str(PATIENTS), *args])


@pytest.fixture(scope="module")
def xlsx(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("trial") / "trial.xlsx"
    result = _run("-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    return pd.read_excel(out, sheet_name=None, engine="openpyxl")


@pytest.fixture(scope="module")
def library() -> dict[str, object]:
    """The same analyses run with the library on the same frames (no workflow)."""
    visits, _ = read_trial(VISITS, PATIENTS)
    scored = visits[["patient", "arm", "visit"]].reset_index(drop=True)
    scored["hama_total"] = score_hama(visits)["hama_total"].to_numpy()
    base = scored[scored["visit"] == "baseline"].set_index("patient")["hama_total"]
    post = scored[scored["visit"].isin(["week 1", "week 2"])].copy()
    post["baseline"] = post["patient"].map(base)
    post["change"] = post["hama_total"] - post["baseline"]
    post = post[post["baseline"].notna()]
    outcomes = efficacy_outcomes(scored, endpoint_visit="week 2")
    return {
        "mmrm": fit_mmrm(post, visits=["week 1", "week 2"]),
        "between": fit_mmrm(post, visits=["week 1", "week 2"], control="diazepam"),
        "responders": rate_table(outcomes, outcome="responder"),
        "withdrawal": withdrawal_analysis(
            visits, end_of_treatment_visit="week 2", washout_visits=["washout day 3", "washout day 7"]
        ),
    }


def test_xlsx_has_every_sheet(xlsx: dict[str, pd.DataFrame]) -> None:
    assert set(SHEETS) <= set(xlsx)
    for name in SHEETS:
        assert len(xlsx[name]) > 0, name


def test_numbers_are_the_librarys(xlsx: dict[str, pd.DataFrame], library: dict[str, object]) -> None:
    mmrm = xlsx["mmrm"]
    versus_placebo = mmrm[mmrm["vs"] == "placebo"].reset_index(drop=True)
    want = library["mmrm"].contrasts
    for column in ("estimate", "se", "df", "p_value", "ci_low", "ci_high"):
        np.testing.assert_allclose(versus_placebo[column], want[column], rtol=1e-9, err_msg=column)
    assert (versus_placebo["primary"] == (versus_placebo["visit"] == "week 2")).all()
    between = mmrm[mmrm["vs"] == "diazepam"].iloc[0]
    ref = library["between"].primary.set_index("arm").loc["tofisopam"]
    assert between["arm"] == "tofisopam" and between["visit"] == "week 2"
    for column in ("estimate", "se", "p_value"):
        np.testing.assert_allclose(float(between[column]), float(ref[column]), rtol=1e-9, err_msg=column)
    resp = xlsx["responders"].set_index("arm")
    lib = library["responders"].set_index("arm")
    assert (resp["events"] == lib["events"]).all() and (resp["n"] == lib["n"]).all()
    np.testing.assert_allclose(
        resp["p_fisher"].dropna(), lib["p_fisher"].dropna().loc[resp["p_fisher"].dropna().index]
    )
    withdrawal = xlsx["withdrawal"]
    comparisons = withdrawal[withdrawal["table"] == "comparison"].set_index("comparison")["p_fisher"]
    lib_w = library["withdrawal"].incidence_comparisons.set_index("comparison")["p_fisher"]
    np.testing.assert_allclose(comparisons.loc[lib_w.index], lib_w, rtol=1e-12)


def test_published_pattern(xlsx: dict[str, pd.DataFrame]) -> None:
    mmrm = xlsx["mmrm"]
    primary = mmrm[mmrm["primary"].astype(bool)]
    vs_placebo = primary[primary["vs"] == "placebo"].set_index("arm")
    assert (vs_placebo.loc[["tofisopam", "diazepam"], "p_value"] < 0.05).all()
    assert (primary.loc[primary["vs"] != "placebo", "p_value"] > 0.05).all()
    incidence = xlsx["withdrawal"]
    rates = incidence[incidence["table"] == "incidence"].set_index("arm")["rate"]
    assert rates["diazepam"] > rates["tofisopam"]


def test_terminal_marks_the_primary_visit() -> None:
    result = _run()
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "vs placebo" in line and "week 2 *" in line]
    assert len(lines) == 2
    assert "Patient flow (CONSORT)" in result.output and "analysed (mITT)" in result.output


def test_text_output_writes_siblings(tmp_path: Path) -> None:
    out = tmp_path / "trial.csv"
    result = _run("-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert out.is_file()
    for name in SHEETS[1:]:
        assert (tmp_path / f"trial_{name}.csv").is_file(), name
    assert set(pd.read_csv(out)["vs"]) == {"placebo", "diazepam"}


def test_plot_writes_the_figures(tmp_path: Path) -> None:
    result = _run("--plot", str(tmp_path / "figs"), "--plot-format", "svg", "-q")
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "figs").iterdir()}
    assert names == {"change_from_baseline.svg", "responders.svg", "withdrawal.svg"}


def test_margin_gives_a_noninferiority_line() -> None:
    result = _run("--margin", "3")
    assert result.exit_code == 0, result.output
    assert "noninferiority of the active arms" in result.output


def _one_line_error(result: object, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert text.startswith("Error:") and "\n" not in text and "Traceback" not in text, text
    for needle in needles:
        assert needle in text, text


def test_missing_patients_option() -> None:
    result = CliRunner().invoke(main, ["trial", str(VISITS)])
    _one_line_error(result, "--patients")


def test_unknown_control_and_visit() -> None:
    _one_line_error(_run("--control", "plac"), "plac", "placebo, diazepam, tofisopam")
    _one_line_error(_run("--primary-visit", "week 9"), "week 9", "week 2")


def test_score_out_of_range_names_patient_visit_item(tmp_path: Path) -> None:
    table = pd.read_csv(VISITS, dtype=str, keep_default_na=False)
    row = table.index[(table["patient"] == "P02") & (table["visit"] == "week 1")][0]
    table.loc[row, "hama_05"] = "6"
    bad = tmp_path / "visits.csv"
    table.to_csv(bad, index=False)
    result = CliRunner().invoke(main, ["trial", str(bad), "--patients", str(PATIENTS)])
    _one_line_error(result, "P02", "week 1", "hama_05", "visits.csv")


def test_output_over_an_input_is_refused(tmp_path: Path) -> None:
    _one_line_error(_run("-o", str(PATIENTS)), "input")
    assert pd.read_csv(PATIENTS).shape == (66, 6)


def test_help_has_examples() -> None:
    result = CliRunner().invoke(main, ["trial", "--help"])
    assert result.exit_code == 0
    assert (
        "Examples:" in result.output and "assaykit trial visits.csv --patients patients.csv" in result.output
    )
    for option in ("--primary-visit", "--margin", "--washout", "--hierarchy", "--checklist", "--report"):
        assert option in result.output


def test_a_run_on_the_default_withdrawal_threshold_says_so() -> None:
    """The default threshold is a convention, not a published criterion: a run taking it notes that, one
    given the threshold (even the same value) does not."""
    default, given = _run(), _run("--withdrawal-threshold", "3")
    assert default.exit_code == 0 and given.exit_code == 0
    assert "assaykit's default, not a published criterion" in default.output
    assert "not a published criterion" not in given.output
    assert "--withdrawal-threshold" in default.output


def test_a_control_spelt_in_another_case_is_pointed_out(tmp_path: Path) -> None:
    for name, source in (("visits.csv", VISITS), ("patients.csv", PATIENTS)):
        table = pd.read_csv(source, dtype=str, keep_default_na=False)
        table["arm"] = table["arm"].str.capitalize()
        table.to_csv(tmp_path / name, index=False)
    args = ["trial", str(tmp_path / "visits.csv"), "--patients", str(tmp_path / "patients.csv")]
    result = CliRunner().invoke(main, args)
    _one_line_error(result, "no arm 'placebo'", "did you mean --control 'Placebo'?", "visits.csv")
    assert CliRunner().invoke(main, [*args, "--control", "Placebo", "-q"]).exit_code == 0


def test_one_workbook_with_both_tables(tmp_path: Path) -> None:
    """The example's two files as the sheets of one workbook give the same tables as the two files."""
    from assaykit.io.xlsx_write import write_xlsx

    book = tmp_path / "trial.xlsx"
    frames = {"patients": pd.read_csv(PATIENTS, dtype=str), "visits": pd.read_csv(VISITS, dtype=str)}
    write_xlsx({"Flow": frames["patients"], "Scores": frames["visits"]}, book)
    out_csv, out_book = tmp_path / "csv.csv", tmp_path / "book.csv"
    assert _run("-q", "-o", str(out_csv)).exit_code == 0
    args = ["trial", str(book), "--patients", str(book), "--sheet", "Scores", "--patients-sheet", "Flow"]
    result = CliRunner().invoke(main, [*args, "-q", "-o", str(out_book)])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_csv(out_book), pd.read_csv(out_csv))
