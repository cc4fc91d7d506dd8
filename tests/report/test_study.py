"""The study file of ``assaykit report``: its schema, its paths, and a study that fails writes nothing.

The study's report has the tables of the separate commands' reports (built once, ``conftest.py``) and
lists every input with its SHA-256.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import click
import pytest
from _reports import STUDY_PARTS, page_tables
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.errors import AssayInputError
from assaykit.report.study import read_study
from assaykit.report.study_keys import PART_KEYS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the example data a study refers to, beside a ``study/`` folder for the study file."""
    for name in ("binding", "saturation", "design"):
        shutil.copytree(EXAMPLES / name, tmp_path / name)
    (tmp_path / "epm").mkdir()
    shutil.copy(EXAMPLES / "epm" / "tracks.csv", tmp_path / "epm" / "tracks.csv")
    (tmp_path / "study").mkdir()
    return tmp_path


def write_study(folder: Path, text: str) -> Path:
    path = folder / "study" / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


BINDING = '[[binding]]\nfiles = ["../binding/counts.csv"]\nkd = 1.5\nradioligand = 1\n'

#: A study's text, and what its one-line error must say after the file's name.
BAD_STUDIES = [
    ("[[binding]\n", ["not valid TOML"]),
    ("[[plates]]\nfiles = 'x.csv'\n", ["unknown table 'plates'", "[[binding]]"]),
    ("[binding]\nfiles = '../binding/counts.csv'\n", ["'binding' must be an array of tables", "[[binding]]"]),
    ("[study]\ntitel = 'x'\n" + BINDING, ["[study]: unknown key 'titel'", "did you mean 'title'"]),
    ("[study]\n", ["the study has no parts"]),
    (BINDING + "kdd = 2\n", ["[[binding]] #1: unknown key 'kdd'", "did you mean 'kd'"]),
    (BINDING + "kd_lo = 2\nkd-lo = 2\n", ["[[binding]] #1: 'kd_lo' and 'kd-lo' are the same key"]),
    (BINDING.replace("kd = 1.5", "kd = '1.5'"), ["[[binding]] #1, kd: must be a number, not '1.5'"]),
    (BINDING.replace("kd = 1.5", "kd = true"), ["[[binding]] #1, kd: must be a number, not True"]),
    (BINDING + "model = '5pl'\n", ["[[binding]] #1, model: must be one of 4pl, one-site"]),
    (BINDING + "compare = 'yes'\n", ["[[binding]] #1, compare: must be true or false"]),
    (
        BINDING + BINDING.replace("counts.csv", "missing.csv"),
        ["[[binding]] #2, files: ../binding/missing.csv"],
    ),
    (
        BINDING.replace("../binding/counts.csv", "../binding"),
        ["[[binding]] #1, files: ../binding: is a folder"],
    ),
    ("[[binding]]\nkd = 1.5\n", ["[[binding]] #1: no files"]),
    (BINDING + "protocol = 'no-such-preset'\n", ["[[binding]] #1: unknown protocol preset 'no-such-preset'"]),
    (
        BINDING + "protocol = 'presets/mine.toml'\n",
        ["[[binding]] #1, protocol: presets/mine.toml: not found"],
    ),
    (BINDING + "rout-q = 5\n", ["[[binding]] #1: --rout-q is ROUT's Q: it needs --outliers rout"]),
    ("[[saturation]]\nfiles = '../saturation/sat.csv'\nspecific = 1\n", ["[[saturation]] #1, specific:"]),
    (
        "[[saturation]]\nfiles = '../saturation/sat.csv'\nprotein-mg = 0.1\ncells = 1e5\n",
        ["[[saturation]] #1: give protein-mg or cells, not both"],
    ),
    (
        "[[epm]]\nfiles = '../epm/tracks.csv'\nmax-gap = 2.5\n",
        ["[[epm]] #1, max-gap: must be a whole number"],
    ),
    ("[[epm]]\nfiles = '../epm/tracks.csv'\nfps = 5000\n", ["[[epm]] #1: --fps (fps) 5000 is not a video"]),
    (
        "[[epm]]\nfiles = '../epm/tracks.csv'\nzone-kind = 'a=open'\n",
        ["[[epm]] #1, zone-kind: must be a table"],
    ),
    ("[[epm]]\nfiles = '../epm/tracks.csv'\ncontrol = 'vehicle'\n", ["[[epm]] #1: 'control' need(s) design"]),
    (
        "[[epm]]\nfiles = '../epm/tracks.csv'\ndesign = '../design/design.csv'\n",
        ["[[epm]] #1: design needs control"],
    ),
    (
        "[[ldb]]\nfiles = '../epm/tracks.csv'\nhead-dip-min-s = 1\n",
        ["[[ldb]] #1: unknown key 'head-dip-min-s'"],
    ),
    ("[[compare]]\nfiles = '../design/epm_endpoints.csv'\n", ["[[compare]] #1: no control"]),
    (
        "[[compare]]\nfiles = ['../design/epm_endpoints.csv', '../design/design.csv']\ncontrol = 'vehicle'\n",
        ["[[compare]] #1, files: give the one endpoint table"],
    ),
    (
        "[[compare]]\nfiles = '../design/epm_endpoints.csv'\ncontrol = 'vehicle'\ninteraction-alpha = 2\n",
        ["[[compare]] #1: interaction_alpha must lie between 0 and 1"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_STUDIES, ids=lambda v: str(v)[:40])
def test_a_bad_study_is_one_line_naming_the_file_the_part_and_the_key(
    data: Path, text: str, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    study = write_study(data, text)
    monkeypatch.chdir(data / "study")  # paths in messages are shown relative to the current folder
    with pytest.raises(AssayInputError) as caught:
        read_study(study)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{study}: "), message
    for fragment in expected:
        assert fragment in message, message


def test_the_command_prints_a_bad_study_as_one_error_line(data: Path) -> None:
    study = write_study(data, BINDING.replace("kd = 1.5", "kd = 'high'"))
    result = CliRunner().invoke(main, ["report", str(study), "-o", str(data / "report.html")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {study}"), result.output
    assert "[[binding]] #1" in lines[0] and "kd" in lines[0]
    assert not (data / "report.html").exists()


def test_paths_are_relative_to_the_study_file_not_the_current_folder(
    data: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = write_study(
        data,
        "[study]\ntables = 'out'\n"
        + BINDING
        + "[[compare]]\nfiles = '../design/epm_endpoints.csv'\ndesign = '../design/study_design.csv'\n"
        + "control = 'vehicle'\nprotocol = '../design/study_plan.toml'\n",
    )
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    read = read_study(study)
    binding, compare = read.parts
    assert binding.options["files"][0].resolve() == (data / "binding" / "counts.csv").resolve()
    assert compare.options["design"].resolve() == (data / "design" / "study_design.csv").resolve()
    assert compare.options["protocol"].resolve() == (data / "design" / "study_plan.toml").resolve()
    assert read.tables is not None and read.tables.resolve() == (data / "study" / "out").resolve()
    assert [p.name for p in read.inputs] == [
        "study.toml",
        "counts.csv",
        "epm_endpoints.csv",
        "study_design.csv",
        "study_plan.toml",
    ]
    # a preset name stays a name
    named = write_study(data, BINDING + "protocol = 'bzd-flunitrazepam'\n")
    assert read_study(named).parts[0].options["protocol"] == "bzd-flunitrazepam"


def _long_options(command: click.Command) -> dict[str, click.Parameter]:
    return {opt: param for param in command.params for opt in (*param.opts, *param.secondary_opts)}


@pytest.mark.parametrize("kind", sorted(PART_KEYS))
def test_every_key_of_a_part_is_an_option_of_its_command_with_the_same_choices(kind: str) -> None:
    options = _long_options(main.commands[kind])
    for name, key in PART_KEYS[kind].items():
        if name in ("files", "title"):
            continue
        assert f"--{name}" in options, f"[[{kind}]] {name}: no --{name} in 'assaykit {kind}'"
        choice = options[f"--{name}"].type
        if key.choices:
            assert isinstance(choice, click.Choice), name
            assert tuple(key.choices) == tuple(choice.choices), name
        else:
            assert not isinstance(choice, click.Choice), f"{name}: the command has choices, the key none"


# --- running a study ------------------------------------------------------------------------------------


def test_a_failing_part_stops_the_study_and_nothing_is_written(data: Path) -> None:
    (data / "epm" / "broken.csv").write_text("animal,time_s,x_cm,y_cm\nm1,0,zero,1\n", encoding="utf-8")
    study = write_study(
        data,
        "[study]\ntables = '../out/tables'\n"  # a folder (and its parent) the study would make
        + "[[epm]]\nfiles = '../epm/tracks.csv'\n"  # runs, and stages its table
        + "[[epm]]\nfiles = '../epm/broken.csv'\n",
    )
    report = data / "report.html"
    result = CliRunner().invoke(main, ["report", str(study), "-o", str(report)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {study}: [[epm]] #2: "), result.output
    assert "broken.csv" in lines[0]
    assert not report.exists()
    assert not (data / "out").exists()  # the tables folder made for the run is gone again
    assert sorted(p.name for p in (data / "study").iterdir()) == ["study.toml"]  # no temporary file left


def test_a_study_refuses_an_output_over_one_of_its_inputs(data: Path) -> None:
    tables_over_the_data = "[study]\ntables = '../binding'\n"
    study = write_study(data, tables_over_the_data + BINDING.replace("counts.csv", "binding-1.csv"))
    shutil.copy(data / "binding" / "counts.csv", data / "binding" / "binding-1.csv")
    before = (data / "binding" / "binding-1.csv").read_bytes()
    result = CliRunner().invoke(main, ["report", str(study), "-o", str(data / "report.html")])
    assert result.exit_code == 2
    assert "would overwrite an input file" in result.output and "[[binding]] #1" in result.output
    assert (data / "binding" / "binding-1.csv").read_bytes() == before
    assert not (data / "report.html").exists()


def _parts(html: Path) -> dict[str, list[str]]:
    """The table keys of each part of a study's page, by the part's stem."""
    found: dict[str, list[str]] = {}
    for key in page_tables(html):
        stem, _, inner = key.partition(".")
        if inner:
            found.setdefault(stem, []).append(inner)
    return found


def test_the_study_report_has_the_tables_of_the_separate_commands_reports(example_reports) -> None:
    study = page_tables(example_reports["study"].html)
    assert list(_parts(example_reports["study"].html)) == list(STUDY_PARTS)  # a section per part, in order
    for stem, command in STUDY_PARTS.items():
        alone = page_tables(example_reports[command].html)
        keys = [k for k in alone if not k.startswith("provenance")]
        assert keys, command
        assert _parts(example_reports["study"].html)[stem] == keys, stem
        for key in keys:
            assert study[f"{stem}.{key}"] == alone[key], f"{stem}: {key} differs from 'assaykit {command}'"


def test_the_study_report_lists_every_input_with_its_sha256(example_reports) -> None:
    html = example_reports["study"].html
    inputs = page_tables(html)["provenance-inputs"]
    listed = {(ROOT / row[0]).resolve(): row[1] for row in inputs[1]}  # as named, from the project root
    study = read_study(EXAMPLES / "study" / "study.toml")
    expected = [p.resolve() for p in study.inputs]
    assert list(listed) == expected  # the study file first, then each part's files, each once
    assert len(expected) >= 9
    for path, digest in listed.items():
        assert digest == hashlib.sha256(path.read_bytes()).hexdigest(), path
    text = html.read_text(encoding="utf-8")
    assert "kd = 1.5" in text and "[[ldb]]" in text  # the study file itself, as written
