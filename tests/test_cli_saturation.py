"""`assaykit saturation` through click's CliRunner: outputs, errors and exit codes, the example data."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import optimize

from assaykit.cli import main
from assaykit.saturation import result_columns

# The files hold each float rounded to 10 significant digits (relative error at most 5e-10 each); a
# relation between two file values holds to about 1e-9, and 10**log_ic50 to ln(10) x 5e-10 more.
IN_FILE = 2e-9

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "saturation" / "sat.csv"
UNITS = ["--efficiency", "0.45", "--specific-activity", "85", "--protein-mg", "0.1"]


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def write(tmp_path: Path, text: str, name: str = "sat.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def tubes_csv(kd: float = 1.5, dataset: str | None = None, conc=(0.1, 0.3, 1.0, 3.0, 10.0, 20.0)) -> str:
    """Noise-free-ish tubes (2% alternating deviations) in the long layout, without a header."""
    lines = []
    for c in conc:
        nsb = 150 * c + 30
        for kind, mean in (("total", 10000 * c / (kd + c) + nsb), ("nsb", nsb)):
            for rep, factor in enumerate((0.98, 1.0, 1.02), start=1):
                cells = [kind, str(rep), f"{c:g}", f"{mean * factor:.1f}"]
                lines.append(",".join(([dataset] if dataset else []) + cells))
    return "\n".join(lines) + "\n"


# --- the example ----------------------------------------------------------------------------------------


def test_the_example_file_is_the_generator_output(tmp_path: Path) -> None:
    generator = runpy.run_path(str(ROOT / "examples" / "saturation" / "make_sat.py"))
    tubes = generator["simulate"](np.random.default_rng(2026))
    assert tubes.equals(pd.read_csv(EXAMPLE))
    assert generator["BMAX_CPM"] == pytest.approx(1200 * 0.1 * 85 * 2.22 * 0.45)
    conc = sorted(set(tubes["conc_nM"]))
    assert len(conc) == 10 and conc[0] == 0.1 and conc[-1] >= 10 * generator["KD_NM"]
    assert (tubes.groupby(["conc_nM", "kind"]).size() == 3).all()


def test_example_prints_kd_and_bmax_in_fmol_per_mg() -> None:
    result = run("saturation", EXAMPLE, *UNITS, "--volume-ml", "1")
    assert result.exit_code == 0, result.output
    header, line = result.stdout.splitlines()[:2]
    assert header.split() == [
        "dataset", "kd_nM", "kd_ci_nM", "bmax_cpm", "bmax_ci_cpm", "bmax_fmol_per_mg", "r_squared", "flags"
    ]  # fmt: skip
    # The true values are Kd 1.5 nM and 1200 fmol/mg; the fit is within the noise.
    table = pd.read_csv(EXAMPLE)
    x = table["conc_nM"].to_numpy()
    xt = np.vstack([x, (table["kind"] == "total").to_numpy(float)])

    def prism(xt, bmax, kd, ns, bg):
        return np.where(xt[1] == 1, bmax * xt[0] / (kd + xt[0]), 0) + ns * xt[0] + bg

    popt, _ = optimize.curve_fit(prism, xt, table["cpm"].to_numpy(float), p0=[9000, 1, 100, 10])
    assert f"{popt[1]:.3g}" in line  # Kd
    assert f"{popt[0] / 84.915 / 0.1:.4g}" in line  # fmol/mg: cpm / (0.45 x 85 x 2.22) / 0.1 mg
    assert abs(popt[1] - 1.5) < 0.15 and abs(popt[0] / 84.915 / 0.1 - 1200) < 60
    assert "warning" not in result.stderr  # about 8% bound at most: no depletion


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".json", ".xlsx"])
def test_output_formats_hold_the_tidy_table(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"results{suffix}"
    result = run("saturation", EXAMPLE, *UNITS, "-o", out)
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        table = pd.read_csv(out)
    elif suffix == ".tsv":
        table = pd.read_csv(out, sep="\t")
    elif suffix == ".json":
        table = pd.DataFrame(json.loads(out.read_text()))
    else:
        table = pd.read_excel(out, sheet_name="results")
        assert pd.ExcelFile(out).sheet_names == ["results", "points"]
        points = pd.read_excel(out, sheet_name="points")
        assert len(points) == 60 and "specific_cpm" in points.columns
    assert list(table.columns) == result_columns("one-site-total", "cpm")
    assert len(table) == 1 and table.at[0, "dataset"] == "sat"
    np.testing.assert_allclose(table["bmax_fmol_per_mg"], table["bmax_cpm"] / 84.915 / 0.1, rtol=IN_FILE)
    assert {"kd_nM", "kd_se_nM"} <= set(table.columns)  # what a competition analysis needs from it


def test_points_and_plots(tmp_path: Path) -> None:
    two = write(
        tmp_path,
        "dataset,kind,replicate,conc_nM,cpm\n" + tubes_csv(dataset="rat 1") + tubes_csv(2.0, "rat/2"),
    )
    plots, points = tmp_path / "plots", tmp_path / "points.csv"
    result = run("saturation", two, "--plot", plots, "--points", points)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in plots.iterdir()) == ["rat_1.png", "rat_2.png"]
    for png in plots.iterdir():
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(points)
    assert len(table) == 72
    assert {"nonspecific_cpm", "specific_cpm", "fitted_cpm", "residual_cpm"} <= set(table.columns)
    assert f"wrote {plots / 'rat_1.png'}" in result.stderr


def test_plots_in_pdf(tmp_path: Path) -> None:
    plots = tmp_path / "plots"
    result = run("saturation", EXAMPLE, "--plot", plots, "--plot-format", "pdf", "-q")
    assert result.exit_code == 0, result.output
    assert [p.name for p in plots.iterdir()] == ["sat.pdf"]
    assert (plots / "sat.pdf").read_bytes().startswith(b"%PDF")


def test_models_specific_data_and_profile_intervals(tmp_path: Path) -> None:
    path = write(tmp_path, "kind,replicate,conc_nM,cpm\n" + tubes_csv())
    out = tmp_path / "r.csv"
    assert run("saturation", path, "--model", "hill", "--ci", "profile", "-o", out).exit_code == 0
    row = pd.read_csv(out).iloc[0]
    assert row["model"] == "hill" and row["ci_method"] == "profile" and row["hill_se"] > 0
    specific = write(
        tmp_path, "conc_nM,specific_dpm\n0.1,600\n0.3,1700\n1,4000\n3,6700\n10,8700\n20,9300\n", "s.csv"
    )
    result = run("saturation", specific, "--specific", "--specific-activity", "85", "-o", out)
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out).iloc[0]
    assert row["model"] == "one-site" and "bmax_unit" not in row and "bmax_cpm" not in row
    assert row["bmax_fmol"] == pytest.approx(row["bmax_dpm"] / 188.7, rel=IN_FILE)  # 85 x 2.22 dpm/fmol
    assert result.stdout.splitlines()[0].split()[3:6] == ["bmax_dpm", "bmax_ci_dpm", "bmax_fmol"]


def test_two_site_table_shows_both_sites(tmp_path: Path) -> None:
    conc = 0.03 * 10 ** (np.arange(13) * 0.3)
    rows = [f"{c:.6g},{2000 * c / (0.2 + c) + 4000 * c / (15 + c):.2f}" for c in conc for _ in range(2)]
    path = write(tmp_path, "conc_nM,specific_cpm\n" + "\n".join(rows) + "\n")
    result = run("saturation", path, "--specific", "--model", "two-site")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split() == [
        "dataset", "kd_hi_nM", "kd_hi_ci_nM", "kd_lo_nM", "kd_lo_ci_nM", "bmax_cpm", "bmax_ci_cpm",
        "fraction_hi", "r_squared", "flags",
    ]  # fmt: skip


def test_depletion_is_a_warning_and_a_flag(tmp_path: Path) -> None:
    path = write(tmp_path, "kind,replicate,conc_nM,cpm\n" + tubes_csv())
    result = run(
        "saturation", path, "--efficiency", "0.45", "--specific-activity", "85", "--volume-ml", "0.2"
    )
    assert result.exit_code == 0, result.output
    assert "warning: data set 'sat': up to" in result.stderr
    assert "depletion" in result.stdout and "1 data set(s) flagged (sat)" in result.stderr


def test_one_bad_data_set_is_reported_in_its_row_and_the_rest_finish(tmp_path: Path) -> None:
    bad = "\n".join(line for line in tubes_csv(dataset="bad").splitlines() if ",total," not in line)
    path = write(tmp_path, "dataset,kind,replicate,conc_nM,cpm\n" + tubes_csv(dataset="good") + bad + "\n")
    out = tmp_path / "r.csv"
    result = run("saturation", path, "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False).set_index("dataset")
    assert table.at["good", "flags"] == "" and table.at["bad", "flags"] == "not_fitted: no total tubes"
    only_bad = write(tmp_path, "dataset,kind,replicate,conc_nM,cpm\n" + bad + "\n", "bad.csv")
    result = run("saturation", only_bad, "-o", tmp_path / "nothing.csv")
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"Error: {only_bad}: no data set could be fitted; data set 'bad': no total tubes"
    )
    assert not (tmp_path / "nothing.csv").exists()


# --- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("conc_nM,cpm\n1,100\n", ["no kind column"]),
        ("kind,log_conc_M,cpm\ntotal,-9,100\n", ["column 'log_conc_M'", "log concentration"]),
        ("kind,conc_nM,cpm\ntotal,0,100\n", ["row 2", "column 'conc_nM'", "not > 0"]),
    ],
    ids=["missing-kind", "log-concentration", "zero-concentration"],
)
def test_bad_input_is_one_clear_line(tmp_path: Path, text: str, fragments: list[str]) -> None:
    result = run("saturation", write(tmp_path, text))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_mixed_units_across_files(tmp_path: Path) -> None:
    a = write(tmp_path, "kind,conc_nM,cpm\ntotal,1,100\n", "a.csv")
    b = write(tmp_path, "kind,conc_nM,dpm\ntotal,1,300\n", "b.csv")
    result = run("saturation", a, b)
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("Error: the files measure in different units (cpm in")


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--model", "three-site"], "Invalid value for '--model'"),
        (["--protein-mg", "0.1", "--cells", "1e5"], "give --protein-mg or --cells, not both"),
        (["--efficiency", "45"], "at most 1"),
        (["--specific-activity", "0"], "--specific-activity must be a positive number"),
        (["--specific"], "no specific-binding column"),
        (["--ci", "exact"], "Invalid value for '--ci'"),
    ],
)
def test_bad_options_are_one_clear_line(options: list[str], fragment: str) -> None:
    result = run("saturation", EXAMPLE, *options)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert fragment in result.stderr


def test_global_model_with_specific_data_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "conc_nM,specific_cpm\n1,100\n2,150\n3,170\n")
    result = run("saturation", path, "--specific", "--model", "one-site-total")
    assert result.exit_code == 2
    assert "fits total and nsb tubes together, but the data are specific binding" in result.stderr


def test_quiet_prints_nothing_but_writes(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = run("saturation", EXAMPLE, "-q", "-o", out)
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    assert out.exists()
