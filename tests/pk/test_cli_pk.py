"""``assaykit pk`` end to end: the example, outputs, options, presets, study parts, reports and wrong input.

The numbers themselves are checked against R, closed forms and published WinNonlin values in the other
test modules; here the command must hand the engine what the user asked for and write what it computed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.io.pk import read_pk
from assaykit.pk.nca import NCAOptions, nca_table

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "pk" / "pk.csv"


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_command_writes_what_the_engine_computes(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = run("pk", EXAMPLE, "--auc-method", "linear-up-log-down", "--lloq", "1", "-o", out, "-q")
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out)
    engine = nca_table(read_pk(EXAMPLE, lloq=1.0), NCAOptions(auc_method="linear-up-log-down")).results
    assert len(written) == len(engine) == 24
    for column in ("cmax_ng_mL", "auc_last_h_ng_mL", "auc_inf_obs_h_ng_mL", "half_life_h", "cl_f_L_h_kg"):
        np.testing.assert_allclose(written[column], engine[column], rtol=1e-9)
    groups = pd.read_csv(tmp_path / "results_groups.csv")
    cmax = groups[(groups["group"] == "bzd23-3") & (groups["parameter"] == "cmax_ng_mL")].iloc[0]
    values = engine.loc[engine["group"] == "bzd23-3", "cmax_ng_mL"]
    assert cmax["geo_mean"] == pytest.approx(np.exp(np.log(values).mean()), rel=1e-9)


def test_the_preset_sets_the_defaults_and_options_win(tmp_path: Path) -> None:
    preset, given = tmp_path / "p.csv", tmp_path / "g.csv"
    assert run("pk", EXAMPLE, "--protocol", "pk-rodent-oral", "-o", preset, "-q").exit_code == 0
    result = run("pk", EXAMPLE, "--protocol", "pk-rodent-oral", "--auc-method", "linear", "-o", given, "-q")
    assert result.exit_code == 0, result.output
    frame = read_pk(EXAMPLE, lloq=1.0)
    for path, method in ((preset, "linear-up-log-down"), (given, "linear")):
        expected = nca_table(frame, NCAOptions(auc_method=method)).results["auc_last_h_ng_mL"]
        np.testing.assert_allclose(pd.read_csv(path)["auc_last_h_ng_mL"], expected, rtol=1e-9)


def test_partial_aucs_and_lambda_z_points_by_hand(tmp_path: Path) -> None:
    out, points = tmp_path / "r.csv", tmp_path / "points.csv"
    result = run(
        "pk", EXAMPLE, "--partial-auc", "0-4", "--partial-auc", "0-8", "--lambda-z-points", "r01=4,8,12",
        "-o", out, "--points", points, "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert {"auc_0_4_h_ng_mL", "auc_0_8_h_ng_mL"} <= set(table.columns)
    used = pd.read_csv(points)
    chosen = used[(used["subject"] == "r01") & used["lambda_z_used"]]["time_h"].tolist()
    assert chosen == [4.0, 8.0, 12.0]
    r01 = table[table["subject"] == "r01"].iloc[0]
    rows = used[(used["subject"] == "r01") & used["time_h"].isin(chosen)]
    slope = np.polyfit(rows["time_h"], np.log(rows["conc_used_ng_mL"]), 1)[0]
    assert r01["lambda_z_per_h"] == pytest.approx(-slope, rel=1e-9)
    assert r01["n_lambda_z"] == 3


def test_xlsx_holds_every_table_and_compartment_fits(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = run("pk", EXAMPLE, "--compartmental", "both", "-o", out, "-q")
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(out, sheet_name=None, engine="openpyxl")
    assert set(sheets) == {"results", "groups", "points", "compartmental"}
    fits = sheets["compartmental"]
    assert set(fits["model"]) == {"1cmt", "2cmt"}
    assert "desmethyldiazepam" not in set(fits["analyte"])  # a metabolite is no dosed compartment
    assert set(fits["preferred"].dropna()) <= {"1cmt", "2cmt"}


def test_figures_and_report(tmp_path: Path) -> None:
    report, plots = tmp_path / "pk.html", tmp_path / "figs"
    result = run("pk", EXAMPLE, "--lloq", "1", "--plot", plots, "--report", report, "-q")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in plots.iterdir())
    assert "profile_r01_bzd23.png" in names and "means_diazepam.png" in names
    html = report.read_text(encoding="utf-8")
    assert 'data-table="pk-results"' in html and "Gabrielsson" in html and "lambda_z" in html


def test_a_study_file_runs_a_pk_part(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "pk.csv")
    study = tmp_path / "study.toml"
    study.write_text('[study]\ntitle = "PK"\n[[pk]]\nfiles = ["pk.csv"]\nprotocol = "pk-rodent-oral"\n')
    result = run("report", study, "-o", tmp_path / "s.html", "--tables", tmp_path / "tables")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tables" / "pk-1.csv").is_file() and (
        tmp_path / "tables" / "pk-1_groups.csv"
    ).is_file()


@pytest.mark.parametrize(
    ("edit", "args", "expected"),
    [
        (lambda t: t.rename(columns={"time_h": "time"}), (), "name it time_h or time_min"),
        (lambda t: t.assign(conc_ng_mL=t["conc_ng_mL"].replace("47.2", "-47.2")), (), "negative"),
        (lambda t: t.iloc[[1, 0, *range(2, len(t))]], (), "r01"),
        (lambda t: t, ("--dose", "3"), "--dose needs --dose-unit"),
        (lambda t: t, ("--route", "nasal spray"), "unknown route"),
        (lambda t: t, ("--lambda-z-points", "r01"), "SUBJECT=T1,T2,T3"),
        (lambda t: t, ("--partial-auc", "4-0"), "start < end"),
        (lambda t: t.drop(columns=["dose_mg_kg"]).assign(conc_nM="1"), (), "mixed units"),
    ],
    ids=["time-unit", "negative", "unsorted", "dose-unit", "route", "lambda-z", "partial", "mixed"],
)
def test_wrong_input_gets_one_line(tmp_path: Path, edit, args: tuple, expected: str) -> None:
    table = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    path = tmp_path / "bad.csv"
    edit(table).to_csv(path, index=False)
    result = run("pk", path, *args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
    assert expected in result.output, result.output


def test_an_output_never_replaces_an_input(tmp_path: Path) -> None:
    data = Path(shutil.copy(EXAMPLE, tmp_path / "pk.csv"))
    before = data.read_bytes()
    result = run("pk", data, "-o", data)
    assert result.exit_code == 2 and data.read_bytes() == before
