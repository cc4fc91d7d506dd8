"""The logic of benchmarks/check_identical.py: what it counts as a difference, and what it normalises.

No full run here (that takes minutes): hand-built records and folders, and two tiny cases through the CLI.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load():
    spec = importlib.util.spec_from_file_location(
        "check_identical", ROOT / "benchmarks" / "check_identical.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_identical"] = module
    spec.loader.exec_module(module)
    return module


ci = _load()


def record(**changes) -> dict:
    base = {
        "command": "assaykit binding counts.csv -o r.csv",
        "exit": 0,
        "stdout": "table\n",
        "stderr": "wrote r.csv\n",
        "files": {"r.csv": "aa mode 644", "plots": "dir", "plots/x.png": "bb mode 644"},
        "inputs": {"counts.csv": "cc"},
        "seconds": 1.0,
    }
    base.update(changes)
    return base


def test_identical_records_report_nothing_whatever_the_time_taken() -> None:
    assert ci.differences({"a": record()}, {"a": record(seconds=9.0)}) == []


def test_a_changed_output_is_reported_with_its_file_and_command() -> None:
    changed = record(files={"r.csv": "ab mode 644", "plots": "dir", "plots/x.png": "bb mode 644"})
    report = ci.differences({"a": record()}, {"a": changed})
    assert report[0] == "a: assaykit binding counts.csv -o r.csv"
    assert report[1:] == ["  file r.csv differs (aa mode 644 -> ab mode 644)"]


def test_missing_and_new_files_exit_codes_and_text_are_each_reported() -> None:
    now = record(
        exit=2, stderr="Error: counts.csv, row 3: bad\n", files={"r.csv": "aa mode 644", "extra.csv": "x"}
    )
    report = "\n".join(ci.differences({"a": record()}, {"a": now}))
    assert "exit code 0 -> 2" in report
    assert "stderr differs:" in report
    assert "-wrote r.csv" in report and "+Error: counts.csv, row 3: bad" in report
    assert "file plots missing" in report and "file plots/x.png missing" in report
    assert "file extra.csv new" in report


def test_changed_inputs_and_cases_on_one_side_only_are_reported() -> None:
    report = ci.differences({"a": record(), "gone": record()}, {"a": record(inputs={"counts.csv": "dd"})})
    assert any("inputs differ" in line and "counts.csv" in line for line in report)
    assert "gone: only in the manifest" in report


def _workbook(created: str, cell: str, when: tuple) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        created = f"<dcterms:created xsi:type='W3CDTF'>{created}</dcterms:created>"
        core = f"<cp:coreProperties>{created}</cp:coreProperties>"
        book.writestr(zipfile.ZipInfo("docProps/core.xml", when), core)
        book.writestr(zipfile.ZipInfo("xl/worksheets/sheet1.xml", when), f"<c><v>{cell}</v></c>")
    return buffer.getvalue()


def test_a_workbook_is_compared_by_its_parts_without_its_creation_time() -> None:
    one = _workbook("2026-01-01T10:00:00Z", "1.5", (2026, 1, 1, 10, 0, 0))
    later = _workbook("2026-03-04T11:12:13Z", "1.5", (2026, 3, 4, 11, 12, 14))
    other_cell = _workbook("2026-01-01T10:00:00Z", "1.6", (2026, 1, 1, 10, 0, 0))
    assert one != later  # the bytes differ (time stamps in core.xml and in the zip headers) ...
    assert ci.output_digest("r.xlsx", one) == ci.output_digest("r.xlsx", later)  # ... the digest does not
    assert ci.output_digest("r.xlsx", one) != ci.output_digest("r.xlsx", other_cell)
    # any other file is hashed as it is
    assert ci.output_digest("r.csv", b"a,b\n") == hashlib.sha256(b"a,b\n").hexdigest()


def test_the_case_folder_the_checkout_and_temporary_names_are_normalised(tmp_path: Path) -> None:
    text = f"Error: {tmp_path}/out/.r.csv.k3j_9x2a.tmp.csv: disk full; see {ci.REPO}/README.md\n"
    assert (
        ci.normalise_text(text, tmp_path)
        == "Error: <CASE>/out/.r.csv.<TMP>.tmp.csv: disk full; see <REPO>/README.md\n"
    )


def test_collect_lists_what_a_run_wrote_rewrote_or_deleted_and_not_its_inputs(tmp_path: Path) -> None:
    case = {
        "repo_files": ["examples/binding/counts.csv"],
        "files": {
            "locked": {"dir": True, "mode": 0o755},
            "link.csv": {"symlink": "examples/binding/counts.csv"},
        },
    }
    inputs = ci.materialise(case, tmp_path)
    assert (tmp_path / "link.csv").is_symlink()
    assert (tmp_path / "examples/binding/counts.csv").read_bytes() == (
        ROOT / "examples/binding/counts.csv"
    ).read_bytes()
    assert ci.collect(tmp_path, inputs) == {}
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "a.png").write_bytes(b"png")
    (tmp_path / "examples/binding/counts.csv").write_text("overwritten\n")
    (tmp_path / "link.csv").unlink()
    found = ci.collect(tmp_path, inputs)
    assert found["plots"] == "dir"
    assert found["plots/a.png"].startswith(hashlib.sha256(b"png").hexdigest() + " mode ")
    assert found["examples/binding/counts.csv"].endswith("(an input, rewritten)")
    assert found["link.csv"] == "deleted"
    assert set(found) == {"plots", "plots/a.png", "examples/binding/counts.csv", "link.csv"}


def test_a_recorded_manifest_compares_clean_and_a_tampered_one_does_not(tmp_path: Path, capsys) -> None:
    manifest = tmp_path / "manifest.json"
    flags = ["-k", "ex:binding-tsv", "-j", "1"]
    assert ci.main(["--record", str(manifest), *flags]) == 0  # forked from a worker
    cases = json.loads(manifest.read_text())["cases"]
    assert list(cases) == ["ex:binding-tsv"]
    run = cases["ex:binding-tsv"]
    assert run["exit"] == 0 and "wrote results.tsv" in run["stderr"]
    assert set(run["files"]) == {"results.tsv"}
    assert ci.main(["--compare", str(manifest), *flags, "--fresh"]) == 0  # a new interpreter: the same
    run["files"]["results.tsv"] = "0" * 64 + " mode 644"
    manifest.write_text(json.dumps({"version": 1, "cases": cases}))
    capsys.readouterr()
    assert ci.main(["--compare", str(manifest), *flags]) == 1
    out = capsys.readouterr().out
    assert "ex:binding-tsv: assaykit binding examples/binding/counts.csv" in out
    assert "file results.tsv differs" in out and "1 differ" in out


def test_a_file_that_is_not_a_manifest_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    for content, expected in [
        (None, "cannot read it"),
        ("{oops", "not JSON"),
        ('{"a": 1}', "not a manifest of check_identical.py --record"),
        ('{"version": 0, "cases": {}}', "manifest version 0"),
    ]:
        path = tmp_path / "m.json"
        path.unlink(missing_ok=True)
        if content is not None:
            path.write_text(content)
        try:
            ci.main(["--compare", str(path)])
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError("no error")
        err = capsys.readouterr().err
        assert f"error: {path}: {expected}" in err and "Traceback" not in err
