"""``--report FILE.html`` on every command: the page of a real run read back and held against its files.

Each command runs once on the example data (in a folder of copies) with ``-o`` and ``--report``; the page's
tables must hold exactly the numbers of the ``-o`` table, every flagged curve or animal must be listed with
each of its flags explained as the protocol's ``FLAG_MEANINGS`` explain them, and the provenance must give
the command line as typed and each input's SHA-256 as hashlib computes it.
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from _page import Page, read_page, same_numbers
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.methods import explain_flags

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PARTS = ["summary", "flags", "tables", "thumbnails", "figures", "methods", "notes"]

#: Per command: its input files (copied), its arguments, the kind of its section, the key of its main
#: table, the ``-o`` file, the column naming a row, and the module of its flag meanings.
RUNS = {
    "binding": {
        "files": {"counts.csv": EXAMPLES / "binding" / "counts.csv"},
        "args": ["binding", "counts.csv", "--kd", "1.5", "--radioligand", "1", "-o", "results.csv"],
        "key": "binding-results",
        "name": "compound",
        "meanings": "assaykit.binding.flags",
    },
    "saturation": {
        "files": {"sat.csv": EXAMPLES / "saturation" / "sat.csv"},
        "args": ["saturation", "sat.csv", "-o", "results.csv"],
        "key": "saturation-results",
        "name": "dataset",
        "meanings": "assaykit.saturation.flags",
    },
    "epm": {
        "files": {
            "tracks.csv": EXAMPLES / "epm" / "tracks.csv",
            "design.csv": EXAMPLES / "design" / "design.csv",
        },
        "args": [
            "epm", "tracks.csv", "-o", "results.csv", "--design", "design.csv", "--control", "vehicle",
            "--stats", "stats.csv",
        ],
        "key": "epm-endpoints",
        "name": "animal",
        "meanings": "assaykit.epm.endpoints",
    },
    "ldb": {
        "files": {"tracks.csv": EXAMPLES / "ldb" / "tracks.csv"},
        "args": ["ldb", "tracks.csv", "-o", "results.csv"],
        "key": "ldb-endpoints",
        "name": "animal",
        "meanings": "assaykit.ldb.endpoints",
    },
    "compare": {
        "files": {
            "endpoints.csv": EXAMPLES / "design" / "epm_endpoints.csv",
            "design.csv": EXAMPLES / "design" / "study_design.csv",
        },
        "args": [
            "compare", "endpoints.csv", "--design", "design.csv", "--control", "vehicle", "-o", "results.csv",
        ],
        "key": "compare-comparisons",
        "name": "endpoint",
        "meanings": "assaykit.stats.comparison_rows",
    },
}  # fmt: skip


def copy_inputs(folder: Path, command: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in RUNS[command]["files"].items():
        shutil.copyfile(source, folder / name)


def invoke(folder: Path, args: list[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "argv", ["/usr/bin/assaykit", *args])
    return CliRunner().invoke(main, args)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[str], Page, str]]:
    """Each command run once with ``--report report.html``: its folder, arguments, page and HTML."""
    done = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for command, spec in RUNS.items():
            folder = tmp_path_factory.mktemp(command)
            copy_inputs(folder, command)
            args = [*spec["args"], "--report", "report.html", "-q"]
            result = invoke(folder, args, monkeypatch)
            assert result.exit_code == 0, (command, result.output)
            html = (folder / "report.html").read_text(encoding="utf-8")
            done[command] = (folder, args, read_page(html), html)
    return done


@pytest.mark.parametrize("command", list(RUNS))
def test_the_section_holds_its_parts_in_order_and_requests_nothing(runs, command: str) -> None:
    _, _, page, html = runs[command]
    assert page.sections == [command]
    parts = [part for where, part in page.parts if where == "s1"]
    assert parts == [p for p in PARTS if p in parts] and parts[:3] == ["summary", "flags", "tables"]
    assert "methods" in parts and page.parts[-1] == ("provenance", "provenance")
    assert not any(tag in ("script", "link", "iframe") for tag, _ in page.tags)
    for _, attrs in page.tags:
        assert (attrs.get("src") or "data:image/").startswith("data:image/")
        assert (attrs.get("href") or "#").startswith("#")
    assert "http://" not in html and "https://" not in html


@pytest.mark.parametrize("command", list(RUNS))
def test_the_main_table_is_the_o_table(runs, command: str) -> None:
    folder, _, page, _ = runs[command]
    written = pd.read_csv(folder / "results.csv", keep_default_na=False, na_values=[""])
    table = page.tables[RUNS[command]["key"]]
    assert table.header == list(written.columns)
    assert len(table.rows) == len(written)
    for column in written.columns:
        values = table.values(column)
        if all(v is None for v in values):  # a text column: shown as written
            assert table.texts(column) == ["" if pd.isna(v) else str(v) for v in written[column]], column
        else:
            assert same_numbers(values, written[column]), column


def test_the_comparison_of_a_design_is_the_stats_table(runs) -> None:
    folder, _, page, _ = runs["epm"]
    written = pd.read_csv(folder / "stats.csv")
    table = page.tables["epm-compare-comparisons"]
    assert table.header == list(written.columns)
    for column in written.select_dtypes("number").columns:
        assert same_numbers(table.values(column), written[column]), column


def flags_of(path: Path, name: str, module: str) -> list[tuple[str, str, str]]:
    """Every (row name, code, meaning) of a written table's ``flags`` column, explained by ``module``'s."""
    import importlib

    meanings = importlib.import_module(module).FLAG_MEANINGS
    written = pd.read_csv(path, keep_default_na=False, na_values=[""])
    found = []
    for subject, cell in zip(written[name], written["flags"], strict=True):
        if isinstance(cell, str) and cell.strip():
            found += [(str(subject), code, meaning) for code, meaning in explain_flags(cell, meanings)]
    return found


@pytest.mark.parametrize("command", list(RUNS))
def test_every_flag_of_the_o_table_is_listed_and_explained(runs, command: str) -> None:
    folder, _, page, _ = runs[command]
    expected = flags_of(folder / "results.csv", RUNS[command]["name"], RUNS[command]["meanings"])
    if command == "epm":  # and the comparisons of its design
        expected += flags_of(folder / "stats.csv", "endpoint", RUNS["compare"]["meanings"])
    for subject, code, meaning in expected:
        assert any(s.startswith(subject) and c == code and m == meaning for s, c, m in page.flags), (
            subject,
            code,
        )
    assert all(m and "no recorded explanation" not in m for _, _, m in page.flags)
    assert len(page.flags) == len(expected)
    if command in ("epm", "compare"):
        assert expected, "the example should have flags to check"


@pytest.mark.parametrize("command", list(RUNS))
def test_the_provenance_gives_the_command_and_each_input_hash(runs, command: str) -> None:
    folder, args, page, _ = runs[command]
    assert page.fields["command"] == shlex.join(["assaykit", *args])
    inputs = page.tables["provenance-inputs"]
    names = inputs.texts("file")
    for name in RUNS[command]["files"]:
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert inputs.texts("SHA-256")[names.index(name)] == digest


def test_a_thumbnail_per_curve_and_an_overlay_per_plate(runs) -> None:
    folder, _, page, _ = runs["binding"]
    written = pd.read_csv(folder / "results.csv")
    thumbs = [a for tag, a in page.tags if tag == "figure" and a.get("class") == "thumb"]
    figures = [a for tag, a in page.tags if tag == "figure" and a.get("class") == "figure"]
    assert len(thumbs) == len(written)
    assert len(figures) == written["plate"].nunique()


def test_a_thumbnail_per_animal_and_the_group_figures(runs) -> None:
    folder, _, page, _ = runs["epm"]
    animals = pd.read_csv(folder / "results.csv")["animal"]
    alts = [a["alt"] for tag, a in page.tags if tag == "img"]
    assert alts[: len(animals)] == list(animals)
    endpoints = pd.read_csv(folder / "stats.csv")["endpoint"].unique()
    for endpoint in endpoints:
        assert any(alt.endswith(endpoint) for alt in alts[len(animals) :]), endpoint


def test_a_failed_run_writes_no_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_inputs(tmp_path, "binding")
    counts = tmp_path / "counts.csv"
    # TOTAL and NSB swapped: read, prepared and fitted, but no curve can be fitted (its window is negative)
    swapped = (
        counts.read_text().replace(",TOTAL,", ",TMP,").replace(",NSB,", ",TOTAL,").replace(",TMP,", ",NSB,")
    )
    counts.write_text(swapped)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = invoke(tmp_path, [*RUNS["binding"]["args"], "--report", "report.html"], monkeypatch)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1
    assert "no curve could be fitted" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("command", list(RUNS))
def test_a_report_naming_an_input_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    copy_inputs(tmp_path, command)
    first = next(iter(RUNS[command]["files"]))
    (tmp_path / "report.html").symlink_to(first)  # the report would be written over the input
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for target, message in (
        ("report.html", "would overwrite an input file"),
        (first, "unknown output format"),
    ):
        result = invoke(tmp_path, [*RUNS[command]["args"], "--report", target], monkeypatch)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and "--report" in lines[0], lines
        assert message in lines[0], lines
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
