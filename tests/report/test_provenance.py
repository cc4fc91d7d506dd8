"""The provenance of a report: SHA-256 of every input as hashlib computes it, the command line, the date."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from assaykit.errors import AssayInputError
from assaykit.report.provenance import command_line, file_sha256, provenance


def test_each_input_is_listed_once_with_its_sha256(tmp_path: Path) -> None:
    first, second = tmp_path / "counts.csv", tmp_path / "design.csv"
    first.write_bytes(b"compound,conc_nM,cpm\n" * 100_000)  # several read chunks
    second.write_bytes(b"")
    record = provenance([first, second, first], command="assaykit binding counts.csv")
    assert record.inputs == [
        (str(first), hashlib.sha256(first.read_bytes()).hexdigest()),
        (str(second), hashlib.sha256(b"").hexdigest()),
    ]
    assert record.command == "assaykit binding counts.csv"
    assert record.study is None


def test_a_folder_stands_for_every_file_in_it(tmp_path: Path) -> None:
    (tmp_path / "pose" / "b").mkdir(parents=True)
    (tmp_path / "pose" / "a.h5").write_bytes(b"a")
    (tmp_path / "pose" / "b" / "c.csv").write_bytes(b"c")
    record = provenance([tmp_path / "pose"], command="x")
    assert [Path(name).name for name, _ in record.inputs] == ["a.h5", "c.csv"]
    assert record.inputs[1][1] == hashlib.sha256(b"c").hexdigest()


def test_the_study_file_is_kept_whole_and_listed_first(tmp_path: Path) -> None:
    study, data = tmp_path / "study.toml", tmp_path / "counts.csv"
    study.write_text("[study]\ntitle = 'Ro 15-4513 & <diazepam>'\n", encoding="utf-8")
    data.write_text("x\n")
    record = provenance([data], command="assaykit report study.toml", study=study)
    assert record.study == study.read_text(encoding="utf-8")
    assert [name for name, _ in record.inputs] == [str(study), str(data)]
    assert record.inputs[0][1] == hashlib.sha256(study.read_bytes()).hexdigest()


def test_the_date_is_now_with_its_time_zone() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    created = dt.datetime.fromisoformat(provenance([], command="x").created)
    assert created.tzinfo is not None
    assert before <= created <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)


def test_the_version_is_the_installed_one() -> None:
    import assaykit

    assert provenance([], command="x").version == assaykit.__version__


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["/usr/local/bin/assaykit", "binding", "my counts.csv", "--kd", "1.5"],
            "assaykit binding 'my counts.csv' --kd 1.5",
        ),
        (["/src/assaykit/__main__.py", "epm", "t.csv"], "python -m assaykit epm t.csv"),
        (
            ["assaykit", "compare", "e.csv", "--control", "veh; rm -rf x"],
            "assaykit compare e.csv --control 'veh; rm -rf x'",
        ),
    ],
)
def test_the_command_line_is_the_one_typed_quoted_for_a_shell(argv: list[str], expected: str) -> None:
    assert command_line(argv) == expected


def test_the_default_command_line_is_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["/opt/bin/assaykit", "ldb", "tracks.csv", "--report", "r.html"])
    assert provenance([], command=None).command == "assaykit ldb tracks.csv --report r.html"


def test_an_input_that_cannot_be_read_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(AssayInputError, match="cannot read it"):
        file_sha256(tmp_path / "missing.csv")
