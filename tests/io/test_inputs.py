"""A file given twice is refused before any is read: its data would count twice."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.errors import AssayInputError
from assaykit.io.input_files import distinct_files

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    ("second", "match"),
    [
        pytest.param("a.csv", "a.csv: this file is given twice:", id="same name"),
        pytest.param("./a.csv", "a.csv: this file is given twice:", id="dot slash"),
        pytest.param(
            "sub/../a.csv", r"sub/../a.csv: this file is given twice \(also as a.csv\)", id="dot dot"
        ),
        pytest.param("link.csv", r"link.csv: this file is given twice \(also as a.csv\)", id="symlink"),
        pytest.param("hard.csv", r"hard.csv: this file is given twice \(also as a.csv\)", id="hard link"),
    ],
)
def test_one_file_under_two_names_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second: str, match: str
) -> None:
    (tmp_path / "a.csv").write_text("x\n")
    (tmp_path / "b.csv").write_text("x\n")  # same bytes, another file: fine
    (tmp_path / "link.csv").symlink_to("a.csv")
    (tmp_path / "sub").mkdir()
    os.link(tmp_path / "a.csv", tmp_path / "hard.csv")
    monkeypatch.chdir(tmp_path)
    distinct_files(["a.csv", "b.csv", "missing.csv"])
    with pytest.raises(AssayInputError, match=match):
        distinct_files(["a.csv", "b.csv", second])


@pytest.mark.parametrize(
    ("command", "source", "extra"),
    [
        ("binding", EXAMPLES / "binding" / "counts.csv", ["--kd", "1.5", "--radioligand", "1"]),
        ("saturation", EXAMPLES / "saturation" / "sat.csv", []),
        ("epm", EXAMPLES / "epm" / "tracks.csv", []),
        ("ldb", EXAMPLES / "ldb" / "tracks.csv", []),
    ],
)
def test_each_command_refuses_a_file_given_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, source: Path, extra: list[str]
) -> None:
    shutil.copyfile(source, tmp_path / "data.csv")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [command, "data.csv", "./data.csv", *extra, "-o", "out.csv"])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "Error: data.csv: this file is given twice: its data would count twice; give each file once"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]
