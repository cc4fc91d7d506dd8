"""The ``assaykit binding`` options for two sites, homologous competition, model comparison, ROUT, weights,
Kd uncertainty and relative potency: outputs, files, errors and exit codes (click's CliRunner)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.binding import COMPARISON_COLUMNS, POTENCY_COLUMNS, result_columns
from assaykit.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "binding" / "counts.csv"
KI = ["--kd", "1.5", "--radioligand", "1"]


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def two_site_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    lines = ["compound,conc_nM,cpm", "TOTAL,,5000", "TOTAL,,5020", "NSB,,400", "NSB,,410"]
    for log_c in np.arange(-12.0, -3.9, 0.5):
        mean = 400 + 4600 * (0.4 / (1 + 10 ** (log_c + 9.5)) + 0.6 / (1 + 10 ** (log_c + 6.5)))
        for _ in range(3):
            lines.append(f"mixed,{10 ** (log_c + 9):.6g},{mean + rng.normal(0, 50):.1f}")
    path = tmp_path / "two_site.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def homologous_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(4)
    lines = ["compound,conc_nM,cpm,hot_nM"]
    for hot in (0.3, 3.0):
        for log_c in np.arange(-12.0, -5.9, 0.5):
            mean = 4000 * hot / (hot + 10 ** (log_c + 9) + 1.0) + 200
            for _ in range(2):
                lines.append(f"flunitrazepam,{10 ** (log_c + 9):.6g},{mean + rng.normal(0, 30):.1f},{hot}")
    path = tmp_path / "homologous.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_help_lists_the_new_options():
    result = run("binding", "--help")
    assert result.exit_code == 0
    for option in ("--compare", "--outliers", "--rout-q", "--weights", "--kd-se", "--kd-from", "--kd-dataset",
                   "--kd-lo", "--potency-vs", "two-site-ki", "homologous"):  # fmt: skip
        assert option in result.output, option


def test_compare_prints_the_table_and_writes_the_file(tmp_path: Path):
    out = tmp_path / "comparison.csv"
    printed = run("binding", EXAMPLE, *KI, "--compare")
    assert printed.exit_code == 0, printed.output
    assert "Model comparison" in printed.stdout and "one-site vs two-site" in printed.stdout
    written = run("binding", EXAMPLE, *KI, "--compare", out)
    assert written.exit_code == 0, written.output
    table = pd.read_csv(out)
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    assert len(table) == 2 * 3  # three curves, two comparisons each
    assert set(table["preferred"]) <= {"one-site", "two-site", "4pl"}
    assert f"wrote {out}" in written.stderr


def test_compare_will_not_overwrite_an_input(tmp_path: Path):
    counts = tmp_path / "counts.csv"
    counts.write_text(EXAMPLE.read_text())
    result = run("binding", "--compare", counts, counts)
    assert result.exit_code == 2
    assert "overwrite an input" in result.stderr
    assert counts.read_text() == EXAMPLE.read_text()


def test_two_site_model_output_and_xlsx_sheets(tmp_path: Path):
    out = tmp_path / "r.xlsx"
    result = run("binding", two_site_file(tmp_path), "--model", "two-site", *KI, "--compare", "-o", out)
    assert result.exit_code == 0, result.output
    assert "ic50_hi_nM" in result.stdout and "fraction_hi" in result.stdout
    assert pd.ExcelFile(out).sheet_names == ["results", "plates", "points", "comparisons"]
    row = pd.read_excel(out, sheet_name="results").iloc[0]
    assert row["ic50_hi_nM"] == pytest.approx(10**-0.5, rel=0.15)
    assert row["ic50_lo_nM"] == pytest.approx(10**2.5, rel=0.15)
    assert row["fraction_hi"] == pytest.approx(0.4, abs=0.05)
    comparisons = pd.read_excel(out, sheet_name="comparisons")
    assert comparisons.set_index("complex").loc["two-site", "preferred"] == "two-site"


def test_homologous_reads_hot_per_tube(tmp_path: Path):
    out = tmp_path / "hom.csv"
    result = run(
        "binding", homologous_file(tmp_path), "--model", "homologous", "-o", out, "--plot", tmp_path / "p"
    )
    assert result.exit_code == 0, result.output
    assert "kd_nM" in result.stdout and "bmax_cpm" in result.stdout
    row = pd.read_csv(out).iloc[0]
    assert row["kd_nM"] == pytest.approx(1.0, rel=0.2)
    assert row["bmax_cpm"] == pytest.approx(4000, rel=0.1)
    assert (tmp_path / "p" / "flunitrazepam.png").stat().st_size > 0
    # the homologous results carry kd_nM and kd_se_nM: they feed --kd-from directly
    again = run("binding", EXAMPLE, "--kd-from", out, "--radioligand", "1")
    assert again.exit_code == 0, again.output


def test_rout_weights_and_points(tmp_path: Path):
    points, out = tmp_path / "points.csv", tmp_path / "r.csv"
    options = ["--outliers", "rout", "--rout-q", "1", "--weights", "poisson", "--points", points, "-o", out]
    result = run("binding", EXAMPLE, *KI, *options, "--plot", tmp_path / "plots")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == result_columns("4pl", weighted=True)
    assert (table["weights"] == "poisson").all() and table["n_outliers"].notna().all()
    assert "outlier" in pd.read_csv(points).columns


def test_kd_se_and_kd_from(tmp_path: Path):
    with_se = tmp_path / "se.csv"
    assert run("binding", EXAMPLE, *KI, "--kd-se", "0.2", "-o", with_se).exit_code == 0
    table = pd.read_csv(with_se)
    assert table["log_ki_se_total"].notna().all()
    assert (table["ki_ci_low_total_nM"] < table["ki_ci_low_nM"]).all()
    # the same Kd and SE from a saturation-style table (one row), and by dataset name
    sat = tmp_path / "saturation.csv"
    sat.write_text(
        "dataset,model,kd_nM,kd_se_nM,flags\ncortex,one-site,1.5,0.2,\nstriatum,one-site,2.5,0.4,\n"
    )
    from_file = tmp_path / "from_file.csv"
    result = run(
        "binding", EXAMPLE, "--radioligand", "1", "--kd-from", sat, "--kd-dataset", "cortex", "-o", from_file
    )
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_csv(from_file), table)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--kd-se", "0.2"], "--kd-se needs --kd"),
        (["--kd-dataset", "x"], "--kd-dataset chooses a row"),
        (["--rout-q", "5"], "needs --outliers rout"),
        (["--outliers", "rout", "--rout-q", "150"], "between 0 and 100"),
        (["--potency-vs", "nope"], "not among the compounds"),
        (["--model", "two-site-ki"], "needs --kd and --radioligand"),
        (["--kd-lo", "3", *KI], "two-site models"),
        (["--model", "homologous", "--top", "total"], "--top does not apply"),
    ],
)
def test_option_errors_are_one_line_exit_2(args, fragment):
    result = run("binding", EXAMPLE, *args)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_kd_from_errors(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("dataset,kd\ncortex,1.5\n")
    result = run("binding", EXAMPLE, "--radioligand", "1", "--kd-from", bad)
    assert result.exit_code == 2 and "kd_nM and kd_se_nM" in result.stderr
    two = tmp_path / "two.csv"
    two.write_text("dataset,kd_nM,kd_se_nM\na,1.5,0.2\nb,2,0.3\n")
    result = run("binding", EXAMPLE, "--radioligand", "1", "--kd-from", two)
    assert result.exit_code == 2 and "--kd-dataset" in result.stderr and "a, b" in result.stderr
    result = run("binding", EXAMPLE, "--radioligand", "1", "--kd-from", two, "--kd-dataset", "c")
    assert result.exit_code == 2 and "no row with dataset 'c'" in result.stderr
    result = run("binding", EXAMPLE, *KI, "--kd-from", two, "--kd-dataset", "a")
    assert result.exit_code == 2 and "not both" in result.stderr
    flagged = tmp_path / "flagged.csv"
    flagged.write_text("dataset,kd_nM,kd_se_nM,flags\na,1.5,0.2,ambiguous\n")
    result = run("binding", EXAMPLE, "--radioligand", "1", "--kd-from", flagged)
    assert result.exit_code == 0 and "warning:" in result.stderr and "flagged" in result.stderr


def test_potency_vs_prints_and_writes_a_sibling_table(tmp_path: Path):
    counts = tmp_path / "counts.csv"
    counts.write_text(EXAMPLE.read_text())
    out = tmp_path / "r.csv"
    result = run("binding", counts, "--potency-vs", "diazepam", "-o", out)
    assert result.exit_code == 0, result.output
    assert "Potency relative to diazepam" in result.stdout
    table = pd.read_csv(tmp_path / "r_potency.csv")
    assert list(table.columns) == list(POTENCY_COLUMNS)
    assert list(table["compound"]) == ["clonazepam"]  # chlordiazepoxide is on another plate
    assert "chlordiazepoxide never shared a plate" in result.stderr


def test_preset_sets_the_new_options(tmp_path: Path):
    preset = tmp_path / "assay.toml"
    preset.write_text(
        '[preset]\nassay = "binding"\ndescription = "test"\n\n[binding]\nradioligand_nM = 1.0\nkd_nM = 1.5\n'
        'kd_se_nM = 0.2\nweights = "poisson"\noutliers = "rout"\nrout_q = 5.0\ncompare = true\n'
        'potency_vs = "diazepam"\n'
    )
    out = tmp_path / "r.xlsx"
    result = run("binding", EXAMPLE, "--protocol", preset, "-o", out)
    assert result.exit_code == 0, result.output
    assert pd.ExcelFile(out).sheet_names == ["results", "plates", "points", "comparisons", "potency"]
    table = pd.read_excel(out, sheet_name="results")
    assert (table["weights"] == "poisson").all() and table["log_ki_se_total"].notna().all()
    # the command line wins over the preset
    plain = run(
        "binding", EXAMPLE, "--protocol", preset, "--weights", "none", "--outliers", "none", "-o", out
    )
    assert plain.exit_code == 0, plain.output
    assert (pd.read_excel(out, sheet_name="results")["weights"] == "none").all()


def screen_file(tmp_path: Path, n_curves: int = 35) -> Path:
    """A small screen: ``n_curves`` compounds on one plate, 8 concentrations in duplicate."""
    rng = np.random.default_rng(11)
    lines = ["compound,conc_nM,cpm", "TOTAL,,3000", "TOTAL,,3040", "NSB,,250", "NSB,,262"]
    for i in range(n_curves):
        log_ic50 = rng.uniform(-9.0, -7.0)
        for log_c in np.arange(-11.0, -4.9, 0.875):
            mean = 250 + 2750 / (1 + 10 ** (log_c - log_ic50))
            for _ in range(2):
                lines.append(f"c{i:03d},{10 ** (log_c + 9):.6g},{mean + rng.normal(0, 40):.1f}")
    path = tmp_path / "screen.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_engine_option_batch_and_lmfit_agree_through_the_command_line(tmp_path: Path):
    counts = screen_file(tmp_path)
    tables = {}
    for engine in ("batch", "lmfit"):
        out = tmp_path / f"{engine}.csv"
        result = run("binding", counts, *KI, "--engine", engine, "-o", out, "-q")
        assert result.exit_code == 0, result.output
        tables[engine] = pd.read_csv(out, dtype={"flags": "string"})
    batch, lmfit = tables["batch"], tables["lmfit"]
    assert list(batch["compound"]) == list(lmfit["compound"])
    assert (batch["flags"].fillna("") == lmfit["flags"].fillna("")).all()
    np.testing.assert_allclose(batch["log_ic50"], lmfit["log_ic50"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(batch["log_ic50_se"], lmfit["log_ic50_se"], rtol=1e-4)


def test_engine_batch_refuses_options_it_does_not_cover(tmp_path: Path):
    result = run("binding", screen_file(tmp_path), *KI, "--engine", "batch", "--outliers", "rout")
    assert result.exit_code == 2
    assert result.output.startswith("Error: --engine batch") and result.output.count("\n") == 1


def test_a_screen_written_to_a_file_shows_its_first_curves_on_the_terminal(tmp_path: Path):
    counts = screen_file(tmp_path, n_curves=35)
    shown = run("binding", counts, *KI, "-o", tmp_path / "out.csv")
    assert shown.exit_code == 0, shown.output
    assert "c029" in shown.output and "c030" not in shown.output
    assert "... and 5 more curves" in shown.output
    assert len(pd.read_csv(tmp_path / "out.csv")) == 35
    everything = run("binding", counts, *KI)  # no file: the terminal is the output, so all rows
    assert "c034" in everything.output and "more curves" not in everything.output
