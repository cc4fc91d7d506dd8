"""The command line, driven through click's CliRunner: outputs, errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.binding import result_columns
from assaykit.cli import main

# The files hold each float rounded to 10 significant digits (relative error at most 5e-10 each); a
# relation between two file values holds to about 1e-9, and 10**log_ic50 to ln(10) x 5e-10 more.
IN_FILE = 2e-9

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "binding" / "counts.csv"
EXAMPLE_WIDE = ROOT / "examples" / "binding" / "counts_wide.csv"
KI = ["--kd", "1.5", "--radioligand", "1"]


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def write(tmp_path: Path, text: str, name: str = "counts.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def curve_rows(compound: str = "drug", log_ic50: float = -8.0, plate: str = "1", n_conc: int = 8) -> str:
    """Noise-free one-site curve in the long layout (conc_nM, cpm)."""
    lines = []
    for log_c in np.linspace(-11, -5, n_conc):
        y = 200 + 2800 / (1 + 10 ** (log_c - log_ic50))
        for rep, factor in enumerate((0.98, 1.0, 1.03)):
            lines.append(f"{plate},{compound},{rep + 1},{10 ** (log_c + 9):.6g},{y * factor:.1f}")
    return "\n".join(lines)


CONTROLS = "1,TOTAL,1,,3000\n1,TOTAL,2,,3050\n1,NSB,1,,200\n1,NSB,2,,210"
HEADER = "plate,compound,replicate,conc_nM,cpm"


# --- help, version, start-up ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [[], ["binding"], ["saturation"], ["epm"], ["ldb"], ["compare"], ["protocols"], ["info"]],
    ids=["main", "binding", "saturation", "epm", "ldb", "compare", "protocols", "info"],
)
def test_every_command_has_help_with_examples(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert "\\b" not in result.output and "\b" not in result.output  # click's marker must not show
    if command != ["info"]:
        lines = result.output.splitlines()
        at = lines.index("  Examples:")  # on a line of its own, examples below it one per line, unwrapped
        assert lines[at + 1].strip().startswith("assaykit")


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in main.commands:
        assert f"assaykit {name}" in readme, name


def test_version() -> None:
    from assaykit import __version__

    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


def test_cli_import_is_light() -> None:
    """`assaykit --help` must not pay for pandas, lmfit, scipy or matplotlib (lazy imports)."""
    code = (
        "import sys, assaykit.cli; "
        "heavy = [m for m in ('pandas', 'lmfit', 'scipy', 'matplotlib', 'numpy') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("command", ["epm", "ldb"])
def test_a_tracking_run_without_a_design_does_not_pay_for_the_statistics(
    command: str, tmp_path: Path
) -> None:
    """scipy.stats costs about 0.6 s to import: only ``--design`` (the group comparison) needs it."""
    tracks = Path(__file__).resolve().parents[1] / "examples" / command / "tracks.csv"
    code = (
        "import sys; from assaykit.cli import main\n"
        f"sys.argv = ['assaykit', '{command}', {str(tracks)!r}, '-q', '-o', {str(tmp_path / 'o.csv')!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print(','.join(m for m in ('scipy.stats', 'lmfit', 'h5py', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_python_dash_m_works() -> None:
    out = subprocess.run([sys.executable, "-m", "assaykit", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "assaykit" in out.stdout


# --- the example data, end to end ----------------------------------------------------------------------


def test_binding_example_prints_table_with_ki() -> None:
    result = run("binding", EXAMPLE, *KI)
    assert result.exit_code == 0, result.output
    for compound in ("diazepam", "clonazepam", "chlordiazepoxide"):
        assert compound in result.stdout
    assert "ki_nM" in result.stdout
    assert "z_prime" in result.stdout


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".json", ".xlsx"])
def test_output_formats_hold_the_tidy_table(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"results{suffix}"
    result = run("binding", EXAMPLE, *KI, "-o", out)
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        table = pd.read_csv(out)
    elif suffix == ".tsv":
        table = pd.read_csv(out, sep="\t")
    elif suffix == ".json":
        table = pd.DataFrame(json.loads(out.read_text()))
    else:
        table = pd.read_excel(out, sheet_name="results")
        sheets = pd.ExcelFile(out).sheet_names
        assert sheets == ["results", "plates", "points"]
    assert list(table.columns) == result_columns("4pl")
    assert len(table) == 3
    # Cheng-Prusoff, by hand: Ki = IC50 / (1 + 1 nM / 1.5 nM)
    np.testing.assert_allclose(table["ki_nM"], table["ic50_nM"] / (1 + 1 / 1.5), rtol=IN_FILE)
    np.testing.assert_allclose(table["ic50_nM"], 10 ** (table["log_ic50"] + 9), rtol=IN_FILE)


def test_long_and_wide_example_give_the_same_fits(tmp_path: Path) -> None:
    a, b = tmp_path / "long.csv", tmp_path / "wide.csv"
    assert run("binding", EXAMPLE, *KI, "-o", a).exit_code == 0
    assert run("binding", EXAMPLE_WIDE, *KI, "-o", b).exit_code == 0
    long, wide = pd.read_csv(a).set_index("compound"), pd.read_csv(b).set_index("compound")
    np.testing.assert_allclose(wide.loc[long.index, "log_ic50"], long["log_ic50"], rtol=0, atol=1e-9)


def test_plots_and_points(tmp_path: Path) -> None:
    plots, points = tmp_path / "plots", tmp_path / "points.csv"
    result = run("binding", EXAMPLE, *KI, "--plot", plots, "--points", points)
    assert result.exit_code == 0, result.output
    pngs = sorted(p.name for p in plots.glob("*.png"))
    curves = ["chlordiazepoxide.png", "clonazepam.png", "diazepam.png"]
    assert pngs == [*curves, "plate-1_overlay.png", "plate-2_overlay.png"]  # one overlay per plate
    for png in plots.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(points)
    assert {"cpm", "specific_cpm", "specific_pct", "fitted_cpm", "residual_cpm"} <= set(table.columns)
    assert len(table) == len(pd.read_csv(EXAMPLE))


def test_plots_on_a_percent_axis_in_svg(tmp_path: Path) -> None:
    plots = tmp_path / "plots"
    result = run(
        "binding", EXAMPLE, *KI, "--plot", plots, "--plot-y", "percent", "--plot-format", "svg", "-q"
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in plots.iterdir())
    assert names == sorted(
        [
            "chlordiazepoxide.svg",
            "clonazepam.svg",
            "diazepam.svg",
            "plate-1_overlay.svg",
            "plate-2_overlay.svg",
        ]
    )
    svg = (plots / "diazepam.svg").read_text()
    assert svg.startswith("<?xml") and "Specific binding (%)" in svg  # svg.fonttype none: text stays text


def test_an_unknown_plot_axis_is_a_usage_error(tmp_path: Path) -> None:
    result = run("binding", EXAMPLE, *KI, "--plot", tmp_path / "p", "--plot-y", "fraction")
    assert result.exit_code == 2 and "--plot-y" in result.output
    assert not (tmp_path / "p").exists()


def test_without_kd_the_ki_columns_are_empty_and_the_output_says_why(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    result = run("binding", EXAMPLE, "-o", out)
    assert result.exit_code == 0
    assert "Ki not computed" in result.stderr
    table = pd.read_csv(out)
    assert table["ki_nM"].isna().all() and table["ic50_nM"].notna().all()


def test_protocol_preset_supplies_kd_and_radioligand(tmp_path: Path) -> None:
    out_preset, out_flags = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run("binding", EXAMPLE, "--protocol", "bzd-flunitrazepam", "-o", out_preset).exit_code == 0
    assert run("binding", EXAMPLE, *KI, "-o", out_flags).exit_code == 0
    pd.testing.assert_frame_equal(pd.read_csv(out_preset), pd.read_csv(out_flags))


def test_command_line_overrides_preset(tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    assert run("binding", EXAMPLE, "--protocol", "bzd-flunitrazepam", "--kd", "3", "-o", out).exit_code == 0
    table = pd.read_csv(out)
    np.testing.assert_allclose(table["ki_nM"], table["ic50_nM"] / (1 + 1 / 3), rtol=IN_FILE)


def test_models_and_profile_ci(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    result = run("binding", EXAMPLE, *KI, "--model", "fit-ki", "--ci", "profile", "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert (table["model"] == "fit-ki").all() and (table["ci_method"] == "profile").all()
    assert (table["hill_slope"] == -1).all()
    assert (table["ki_ci_low_nM"] < table["ki_nM"]).all() and (table["ki_nM"] < table["ki_ci_high_nM"]).all()


def test_bottom_nsb_fixes_bottom_to_plate_nsb_mean(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    assert run("binding", EXAMPLE, "--bottom", "nsb", "--top", "total", "-o", out).exit_code == 0
    counts = pd.read_csv(EXAMPLE)
    nsb = counts[counts["compound"] == "NSB"].groupby("plate")["cpm"].mean()
    total = counts[counts["compound"] == "TOTAL"].groupby("plate")["cpm"].mean()
    table = pd.read_csv(out)
    np.testing.assert_allclose(table["bottom_cpm"], table["plate"].map(nsb), rtol=IN_FILE)
    np.testing.assert_allclose(table["top_cpm"], table["plate"].map(total), rtol=IN_FILE)


# --- batch behaviour -----------------------------------------------------------------------------------


def test_one_bad_curve_is_reported_in_its_row_and_the_rest_finish(tmp_path: Path) -> None:
    text = "\n".join([HEADER, CONTROLS, curve_rows("good"), "1,bad,1,1,1500", "1,bad,2,10,900"])
    out = tmp_path / "r.csv"
    result = run("binding", write(tmp_path, text), "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out).set_index("compound")
    assert table.loc["bad", "flags"].startswith("not_fitted:")
    assert np.isnan(table.loc["bad", "log_ic50"])
    assert abs(table.loc["good", "log_ic50"] - (-8.0)) < 0.05
    assert "1 curve(s) flagged (bad)" in result.stderr


def test_several_files_keep_their_controls_apart(tmp_path: Path) -> None:
    a = write(tmp_path, "\n".join([HEADER, CONTROLS, curve_rows("drug_a", -8)]), "a.csv")
    b_controls = CONTROLS.replace("3000", "6000").replace("3050", "6050")
    b = write(tmp_path, "\n".join([HEADER, b_controls, curve_rows("drug_b", -7)]), "b.csv")
    out = tmp_path / "r.csv"
    result = run("binding", a, b, "--top", "total", "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out).set_index("compound")
    assert table.loc["drug_a", "top_cpm"] == pytest.approx(3025)
    assert table.loc["drug_b", "top_cpm"] == pytest.approx(6025)


# --- errors: one line, file and row/column named, exit status 2 ----------------------------------------


def assert_user_error(result: object, *fragments: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    message = result.stderr.strip()
    assert message.startswith("Error: "), message
    assert "\n" not in message, message
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        pytest.param("compound,conc_nM\nx,1\n", ["counts.csv", "cpm"], id="missing-signal-column"),
        pytest.param("compund,conc_nM,cpm\nx,1,10\n", ["counts.csv", "compound"], id="misspelt-compound"),
        pytest.param(
            "compound,conc,cpm\nx,1,10\n", ["counts.csv", "'conc'", "conc_nM"], id="conc-without-unit"
        ),
        pytest.param(f"{HEADER}\n1,x,1,1,abc\n", ["counts.csv", "row 2", "cpm"], id="non-numeric-counts"),
        pytest.param(f"{HEADER}\n1,x,1,1,-5\n", ["counts.csv", "row 2", "cpm"], id="negative-counts"),
        pytest.param(f"{HEADER}\n1,x,1,-1,50\n", ["counts.csv", "row 2", "conc_nM"], id="negative-conc"),
        pytest.param(f"{HEADER}\n1,x,1,ten,50\n", ["counts.csv", "row 2", "conc_nM"], id="non-numeric-conc"),
        pytest.param("", ["counts.csv"], id="empty-file"),
        pytest.param(f"{HEADER}\n", ["counts.csv"], id="header-only"),
        pytest.param(
            f"{HEADER}\n{CONTROLS}\n1,x,1,1,100\n1,x,2,1,120\n1,x,1,10,50\n",
            ["counts.csv", "x"],
            id="too-few-concs",
        ),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path: Path, text: str, fragments: list[str]) -> None:
    assert_user_error(run("binding", write(tmp_path, text)), *fragments)


def test_bottom_nsb_without_nsb_rows(tmp_path: Path) -> None:
    text = "\n".join([HEADER, "1,TOTAL,1,,3000", curve_rows()])
    assert_user_error(
        run("binding", write(tmp_path, text), "--bottom", "nsb"), "counts.csv", "NSB", "plate '1'"
    )


def test_missing_file() -> None:
    assert_user_error(run("binding", "no/such/file.csv"), "file.csv")


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--protocol", "no-such-preset"], "no-such-preset"),
        (["--kd", "1.5"], "--radioligand"),
        (["--kd", "-1", "--radioligand", "1"], "--kd"),
        (["--top", "maximum"], "--top"),
        (["--model", "three-site"], "--model"),
        (["--kd", "abc", "--radioligand", "1"], "--kd"),
        (["--model", "fit-ki"], "fit-ki"),
    ],
    ids=[
        "unknown-preset",
        "kd-without-radioligand",
        "negative-kd",
        "bad-top",
        "bad-model",
        "kd-not-number",
        "fit-ki-no-kd",
    ],
)
def test_bad_options_are_one_clear_line(options: list[str], fragment: str) -> None:
    assert_user_error(run("binding", EXAMPLE, *options), fragment)


def test_unknown_output_format_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "results.docx"
    assert_user_error(run("binding", EXAMPLE, "-o", out), "results.docx")
    assert not out.exists()


def test_output_in_missing_folder_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "nowhere" / "results.csv"
    assert_user_error(run("binding", EXAMPLE, "-o", out), "results.csv")
    assert list(tmp_path.iterdir()) == []


def test_failed_run_leaves_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    out.write_text("previous")
    bad = write(tmp_path, "compound,conc,cpm\nx,1,10\n", "bad.csv")
    assert run("binding", bad, "-o", out).exit_code == 2
    assert out.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "results.csv"]


# --- protocols and info --------------------------------------------------------------------------------


def test_protocols_lists_and_prints_presets() -> None:
    listing = run("protocols")
    assert listing.exit_code == 0 and "bzd-flunitrazepam" in listing.output
    shown = run("protocols", "bzd-flunitrazepam")
    assert shown.exit_code == 0 and "kd_nM = 1.5" in shown.output
    assert_user_error(run("protocols", "nope"), "nope")


def test_protocol_from_path_and_bad_key(tmp_path: Path) -> None:
    good = write(
        tmp_path, '[preset]\nassay = "binding"\n[binding]\nkd_nM = 2.0\nradioligand_nM = 1.0\n', "p.toml"
    )
    out = tmp_path / "r.csv"
    assert run("binding", EXAMPLE, "--protocol", good, "-o", out).exit_code == 0
    table = pd.read_csv(out)
    np.testing.assert_allclose(table["ki_nM"], table["ic50_nM"] / 1.5, rtol=IN_FILE)
    bad = write(tmp_path, '[preset]\nassay = "binding"\n[binding]\nkd = 2.0\n', "bad.toml")
    assert_user_error(run("binding", EXAMPLE, "--protocol", bad), "bad.toml", "kd")


def test_info() -> None:
    result = run("info")
    assert result.exit_code == 0 and "lmfit" in result.output and "presets:" in result.output
