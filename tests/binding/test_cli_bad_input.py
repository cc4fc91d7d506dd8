"""``assaykit binding`` and ``assaykit saturation`` on the mistakes users make: exit status 2 and one
``Error:`` line, or exit 0 with ``warning:`` lines and error rows while the other curves are fitted.

Files are written here from hand-chosen molar concentrations and Prism's equations (no noise where a
number is checked: the fit must return the log IC50 or Kd the file was built from).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main

LOG_M = np.arange(-11.0, -3.9, 0.5)  # 10 pM to 100 uM
TRUE_LOG_IC50 = {"diazepam": -8.0, "clonazepam": -9.0, "flumazenil": -8.5}


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_error(result, *fragments: str) -> str:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def counts_rows(plates: dict[str, tuple[float, float]], *, conc_scale: float = 1e9) -> list[str]:
    """Long-layout rows: per plate TOTAL and NSB (total, nsb), and each compound's 4PL counts.

    ``conc_scale`` turns molar into the number written (1e9 for a conc_nM column holding nM).
    """
    rows = ["plate,compound,conc_nM,cpm"]
    for plate, (total, nsb) in plates.items():
        rows += [f"{plate},TOTAL,,{total:g}"] * 3 + [f"{plate},NSB,,{nsb:g}"] * 3
        top, bottom = max(total, nsb), min(total, nsb)  # the curves are right; only the labels may not be
        for compound, log_ic50 in TRUE_LOG_IC50.items():
            y = bottom + (top - bottom) / (1 + 10 ** (LOG_M - log_ic50))
            rows += [
                f"{plate},{compound},{10**x * conc_scale:.6g},{v:.6f}" for x, v in zip(LOG_M, y, strict=True)
            ]
    return rows


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------------
# Concentrations in the wrong unit
# --------------------------------------------------------------------------------------------------------
def test_molar_values_in_conc_nM_exit_2_naming_file_column_and_unit(tmp_path: Path) -> None:
    path = write(tmp_path / "counts.csv", counts_rows({"1": (3000, 250)}, conc_scale=1.0))
    line = one_line_error(run("binding", path), f"{path}, column 'conc_nM': read as nM")
    assert line.endswith("these look like molar values: name the column conc_M")
    renamed = write(
        tmp_path / "renamed.csv", [r.replace("conc_nM", "conc_M") for r in path.read_text().splitlines()]
    )
    out = tmp_path / "r.csv"
    result = run("binding", renamed, "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out).set_index("compound")
    for compound, log_ic50 in TRUE_LOG_IC50.items():
        assert table.at[compound, "log_ic50"] == pytest.approx(log_ic50, abs=1e-6)


def test_kd_in_molar_on_the_command_line_in_a_preset_and_in_a_kd_table(tmp_path: Path) -> None:
    counts = write(tmp_path / "counts.csv", counts_rows({"1": (3000, 250)}))
    one_line_error(
        run("binding", counts, "--kd", "1.5e-9", "--radioligand", "1"),
        "Error: --kd 1.5e-09 nM is 1.5e-18 M, outside the plausible 1 fM to 100 mM; --kd is in nM: this "
        "looks like a molar value, so give --kd 1.5",
    )
    preset = tmp_path / "lab.toml"
    preset.write_text("[preset]\nassay = 'binding'\n[binding]\nkd_nM = 1.5e-9\nradioligand_nM = 1.0\n")
    one_line_error(
        run("binding", counts, "--protocol", preset), f"Error: {preset}: kd_nM 1.5e-09 nM is 1.5e-18 M"
    )
    preset.write_text("[preset]\nassay = 'binding'\n[binding]\nkd_nM = '1.5'\nradioligand_nM = 1.0\n")
    one_line_error(
        run("binding", counts, "--protocol", preset),
        f"Error: {preset}: kd_nM in [binding] must be a positive number of nM, not '1.5'",
    )
    table = write(tmp_path / "kd.csv", ["dataset,kd_nM,kd_se_nM,flags", "A,1.5e-9,1e-10,"])
    one_line_error(
        run("binding", counts, "--kd-from", table, "--radioligand", "1"),
        f"Error: {table}, row 2, column 'kd_nM': kd_nM 1.5e-09 nM is 1.5e-18 M",
    )
    table = write(tmp_path / "kd.csv", ["dataset,kd_nM,kd_se_nM,flags", "A,,,not_fitted: no total tubes"])
    one_line_error(
        run("binding", counts, "--kd-from", table, "--radioligand", "1"),
        "empty kd_nM (a positive number); the row was not fitted (not_fitted: no total tubes)",
    )


def test_a_radioligand_far_from_its_kd_is_a_printed_warning(tmp_path: Path) -> None:
    counts = write(tmp_path / "counts.csv", counts_rows({"1": (3000, 250)}))
    result = run("binding", counts, "--kd", "1.5", "--radioligand", "1000")
    assert result.exit_code == 0, result.output
    assert "warning: --radioligand 1000 nM is 667 times --kd 1.5 nM;" in result.stderr


# --------------------------------------------------------------------------------------------------------
# Swapped controls
# --------------------------------------------------------------------------------------------------------
def test_a_plate_with_swapped_controls_gets_error_rows_and_the_other_plate_finishes(tmp_path: Path) -> None:
    path = write(tmp_path / "counts.csv", counts_rows({"1": (237, 3194), "2": (3000, 250)}))
    out = tmp_path / "r.csv"
    result = run("binding", path, "-o", out)
    assert result.exit_code == 0, result.output
    reason = "TOTAL mean 237 cpm is not above the NSB mean 3194 cpm; are the TOTAL and NSB labels swapped?"
    assert f"warning: plate '1' not analysed (3 curves not fitted): {reason}" in result.stderr
    table = pd.read_csv(out, dtype={"plate": str})
    table["flags"] = table["flags"].fillna("")
    bad = table[table["plate"] == "1"]
    assert (bad["flags"] == f"not_fitted: {reason}").all() and bad["log_ic50"].isna().all()
    good = table[table["plate"] == "2"].set_index("compound")
    for compound, log_ic50 in TRUE_LOG_IC50.items():
        assert good.at[compound, "log_ic50"] == pytest.approx(log_ic50, abs=1e-6)
        assert good.at[compound, "flags"] == ""


def test_every_plate_swapped_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path / "counts.csv", counts_rows({"1": (237, 3194)}))
    one_line_error(
        run("binding", path),
        f"Error: {path}: no curve could be fitted; compound 'diazepam': TOTAL mean 237 cpm is not above the "
        "NSB mean 3194 cpm; are the TOTAL and NSB labels swapped?",
    )


def saturation_rows(datasets: dict[str, bool], conc_nM=(0.1, 0.3, 1.0, 3.0, 10.0, 20.0)) -> list[str]:  # noqa: N803
    """Tubes of exact one-site data (Kd 1.5 nM); a True value swaps that data set's kind labels."""
    rows = ["dataset,kind,conc_nM,cpm"]
    for dataset, swapped in datasets.items():
        for c in conc_nM:
            nsb = 40 * c + 30
            total = 3000 * c / (1.5 + c) + nsb
            kinds = ("nsb", "total") if swapped else ("total", "nsb")
            rows += [f"{dataset},{kinds[0]},{c:g},{total:.6f}", f"{dataset},{kinds[1]},{c:g},{nsb:.6f}"] * 2
    return rows


def test_saturation_with_swapped_kinds_gets_an_error_row_and_the_other_data_set_finishes(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "sat.csv", saturation_rows({"good": False, "swapped": True}))
    out = tmp_path / "r.csv"
    result = run("saturation", path, "-o", out)
    assert result.exit_code == 0, result.output
    top_total, top_nsb = 3000 * 20 / 21.5 + 830, 830  # the tubes at 20 nM, as built
    reason = (
        f"its nsb tubes are not below its total tubes at 6 of 6 concentrations (at 20 nM: total {top_nsb} "
        f"cpm, nsb {top_total:.0f} cpm); are the kind labels total and nsb swapped?"
    )
    assert f"warning: data set 'swapped' not analysed: {reason}" in result.stderr
    table = pd.read_csv(out).set_index("dataset")
    assert table.at["swapped", "flags"] == f"not_fitted: {reason}"
    assert table.at["good", "kd_nM"] == pytest.approx(1.5, rel=1e-6)
    only = write(tmp_path / "only.csv", saturation_rows({"swapped": True}))
    one_line_error(run("saturation", only), "no data set could be fitted; data set 'swapped': its nsb tubes")


def test_saturation_concentrations_in_the_wrong_unit(tmp_path: Path) -> None:
    rows = saturation_rows({"s": False})
    molar = [rows[0]] + [",".join([*r.split(",")[:2], f"{float(r.split(',')[2]) * 1e-9:g}", r.split(",")[3]])
                         for r in rows[1:]]  # fmt: skip
    line = one_line_error(run("saturation", write(tmp_path / "m.csv", molar)), "column 'conc_nM': read as nM")
    assert line.endswith("these look like molar values: name the column conc_M")
    pm = [rows[0].replace("conc_nM", "conc_pM"), *rows[1:]]  # nM numbers under a pM name
    result = run("saturation", write(tmp_path / "p.csv", pm))
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stderr and "if these are nM values, name the column conc_nM" in result.stderr


def test_saturation_unit_options_far_from_usual_are_printed_warnings(tmp_path: Path) -> None:
    path = write(tmp_path / "sat.csv", saturation_rows({"s": False}))
    result = run(
        "saturation", path, "--efficiency", "0.45", "--specific-activity", "85", "--protein-mg", "100"
    )
    assert result.exit_code == 0, result.output
    expected = "--protein-mg 100 is above the usual range of mg of protein per tube (0.001 to 10)"
    assert f"warning: {expected}; if it is in ug, give --protein-mg 0.1" in result.stderr


# --------------------------------------------------------------------------------------------------------
# Files that are not what the command reads
# --------------------------------------------------------------------------------------------------------
def test_other_assays_files_and_a_file_given_twice(tmp_path: Path) -> None:
    sat = write(tmp_path / "sat.csv", saturation_rows({"s": False}))
    counts = write(tmp_path / "counts.csv", counts_rows({"1": (3000, 250)}))
    one_line_error(
        run("binding", sat), "this looks like a saturation binding file: use 'assaykit saturation'"
    )
    one_line_error(
        run("saturation", counts), "this looks like a competition binding file: use 'assaykit binding'"
    )
    one_line_error(run("binding", counts, counts), f"Error: {counts}: this file is given twice")
    one_line_error(run("saturation", sat, sat), f"Error: {sat}: this file is given twice")


def test_thousands_separators_exit_2(tmp_path: Path) -> None:
    # Whole counts as Excel in German saves them when displayed with a thousands separator: 3185 -> 3.185,
    # in a semicolon file whose decimal separator is the comma (0,1 nM).
    german = ["plate;compound;conc_nM;cpm"]
    for row in counts_rows({"1": (3185, 250)})[1:]:
        plate, compound, conc, cpm = row.split(",")
        count = round(float(cpm))
        shown = f"{count:,}".replace(",", ".")
        german.append(";".join([plate, compound, conc.replace(".", ","), shown]))
    path = write(tmp_path / "de.csv", german)
    assert "1;TOTAL;;3.185" in german and "1;NSB;;250" in german  # the construction
    one_line_error(
        run("binding", path), "'3.185' reads as 3.185", "thousands separator; write them without one (3185)"
    )
