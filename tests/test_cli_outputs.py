"""No output ever destroys data: every output option of every command, against every kind of clash.

Each case runs a command in a folder of real files and checks that it stops with one ``Error:`` line and
exit status 2, and that every file and folder on disk is byte for byte (and mode for mode) as before. The
expected outcome comes from the case itself (the path that clashes), not from assaykit.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from assaykit.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
KI = ["--kd", "1.5", "--radioligand", "1"]

#: Per command: the files it reads (copied into the folder), its arguments, its file-output options and
#: its folder-output option.
COMMANDS: dict[str, dict] = {
    "binding": {
        "files": {"counts.csv": EXAMPLES / "binding" / "counts.csv"},
        "args": ["binding", "counts.csv", *KI],
        "file_options": ["-o", "--points", "--compare"],
    },
    "saturation": {
        "files": {"sat.csv": EXAMPLES / "saturation" / "sat.csv"},
        "args": ["saturation", "sat.csv"],
        "file_options": ["-o", "--points"],
    },
    "epm": {
        "files": {
            "tracks.csv": EXAMPLES / "epm" / "tracks.csv",
            "design.csv": EXAMPLES / "design" / "design.csv",
        },
        "args": ["epm", "tracks.csv", "--design", "design.csv", "--control", "vehicle"],
        "file_options": ["-o", "--episodes", "--postures", "--stats"],
    },
    "ldb": {
        "files": {
            "tracks.csv": EXAMPLES / "ldb" / "tracks.csv",
            "design.csv": EXAMPLES / "design" / "design.csv",
        },
        "args": ["ldb", "tracks.csv", "--design", "design.csv", "--control", "vehicle"],
        "file_options": ["-o", "--episodes", "--stats"],
    },
    "compare": {
        "files": {
            "endpoints.csv": EXAMPLES / "design" / "epm_endpoints.csv",
            "design.csv": EXAMPLES / "design" / "study_design.csv",
        },
        "args": ["compare", "endpoints.csv", "--design", "design.csv", "--control", "vehicle"],
        "file_options": ["-o", "--summary"],
    },
}


def snapshot(root: Path) -> dict[str, object]:
    """Every file (bytes, permission bits) and folder under ``root``, and symlinks as links."""
    found: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = ("link", os.readlink(path))
        elif path.is_dir():
            found[key] = ("dir", oct(path.stat().st_mode))
        else:
            found[key] = (path.read_bytes(), oct(path.stat().st_mode))
    return found


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A folder with every command's inputs, an earlier result, a read-only result and a read-only folder."""
    for spec in COMMANDS.values():
        for name, source in spec["files"].items():
            target = tmp_path / spec["args"][0] / name
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(source, target)
    for command in COMMANDS:
        folder = tmp_path / command
        (folder / "earlier.csv").write_text("an earlier result\n")
        (folder / "notes.txt").write_text("lab notes\n")
        (folder / "kept.csv").write_text("a result marked read-only\n")
        (folder / "kept.csv").chmod(0o444)
        (folder / "locked").mkdir()
        (folder / "locked" / "old.csv").write_text("in a read-only folder\n")
        (folder / "locked").chmod(0o555)
    yield tmp_path
    for command in COMMANDS:
        (tmp_path / command / "locked").chmod(0o755)


def run_in(folder: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]):
    monkeypatch.chdir(folder)
    return CliRunner().invoke(main, args)


def assert_refused(result, folder: Path, before: dict[str, object], *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for fragment in fragments:  # a fragment, or alternatives joined by " | "
        assert any(f in lines[0] for f in fragment.split(" | ")), (fragment, lines[0])
    assert result.stdout == ""
    assert snapshot(folder) == before


def other_option(command: str, option: str) -> str:
    return next(o for o in COMMANDS[command]["file_options"] if o != option)


FILE_CASES = [(c, o) for c, spec in COMMANDS.items() for o in spec["file_options"]]
IDS = [f"{c} {o}" for c, o in FILE_CASES]


@pytest.mark.parametrize(("command", "option"), FILE_CASES, ids=IDS)
@pytest.mark.parametrize("spelling", ["{}", "./{}", "sub/../{}", "link-to-{}"])
def test_an_output_that_is_an_input_is_refused(
    lab: Path, monkeypatch: pytest.MonkeyPatch, command: str, option: str, spelling: str
) -> None:
    folder = lab / command
    (folder / "sub").mkdir()
    for name in COMMANDS[command]["files"]:
        (folder / f"link-to-{name}").symlink_to(name)
    before = snapshot(folder)
    for name in COMMANDS[command]["files"]:  # the data, and the design where there is one
        result = run_in(folder, monkeypatch, [*COMMANDS[command]["args"], option, spelling.format(name)])
        assert_refused(result, folder, before, option, "would overwrite an input file")


def test_a_hard_link_to_an_input_is_an_input(lab: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = lab / "binding"
    os.link(folder / "counts.csv", folder / "same-inode.csv")
    before = snapshot(folder)
    result = run_in(folder, monkeypatch, [*COMMANDS["binding"]["args"], "-o", "same-inode.csv"])
    assert_refused(result, folder, before, "would overwrite an input file (counts.csv)")


@pytest.mark.parametrize(("command", "option"), FILE_CASES, ids=IDS)
def test_two_outputs_naming_one_file_are_refused(
    lab: Path, monkeypatch: pytest.MonkeyPatch, command: str, option: str
) -> None:
    folder = lab / command
    other = other_option(command, option)
    before = snapshot(folder)
    for first, second in (("earlier.csv", "earlier.csv"), ("new.csv", "./new.csv")):
        args = [*COMMANDS[command]["args"], option, first, other, second]
        assert_refused(run_in(folder, monkeypatch, args), folder, before, "name the same file", option, other)


@pytest.mark.parametrize(("command", "option"), FILE_CASES, ids=IDS)
@pytest.mark.parametrize(
    ("target", "message"),
    [
        pytest.param("no/such/out.csv", "the folder no/such does not exist", id="missing folder"),
        pytest.param("notes.txt/out.csv", "notes.txt is a file, not a folder", id="file for a folder"),
        pytest.param("kept.csv", "the file is read-only", id="read-only target"),
        pytest.param("locked/old.csv", "the folder locked is read-only", id="read-only folder"),
        pytest.param("locked", "names a folder | 'locked' is a directory", id="a folder"),
        pytest.param("out.pdf", "unknown output format '.pdf'", id="unknown format"),
    ],
)
def test_an_output_file_that_cannot_be_written_is_refused_before_any_work(
    lab: Path, monkeypatch: pytest.MonkeyPatch, command: str, option: str, target: str, message: str
) -> None:
    folder = lab / command
    before = snapshot(folder)
    args = [
        *COMMANDS[command]["args"],
        "-o" if option != "-o" else other_option(command, "-o"),
        "earlier.csv",
    ]
    result = run_in(folder, monkeypatch, [*args, option, target])
    assert_refused(result, folder, before, option, message)


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(
    ("target", "message"),
    [
        pytest.param("notes.txt/plots", "notes.txt is a file, not a folder", id="file for a folder"),
        pytest.param("locked/plots", "the folder locked is read-only", id="read-only parent"),
        pytest.param("locked", "the folder locked is read-only", id="read-only folder"),
        pytest.param("notes.txt", "is a file", id="a file"),
        pytest.param(
            "new.csv",
            "-o and --plot name the same file | --plot and -o name the same file",
            id="another output",
        ),
    ],
)
def test_a_plot_folder_that_cannot_be_written_is_refused_before_any_work(
    lab: Path, monkeypatch: pytest.MonkeyPatch, command: str, target: str, message: str
) -> None:
    folder = lab / command
    before = snapshot(folder)
    result = run_in(folder, monkeypatch, [*COMMANDS[command]["args"], "-o", "new.csv", "--plot", target])
    assert_refused(result, folder, before, message)


#: The function that draws each command's plots, called after every table is staged.
DRAWERS = {
    "binding": "assaykit.binding.plots.plot_competition",
    "saturation": "assaykit.saturation.plots.plot_saturation",
    "epm": "assaykit.stats.plots.plot_group_dots",  # the group plots come after the track plots
    "ldb": "assaykit.stats.plots.plot_group_dots",
    "compare": "assaykit.stats.plots.plot_group_dots",
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_disk_that_fills_up_at_the_last_plot_changes_no_file(
    lab: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    folder = lab / command
    calls = []

    def full_disk(*args: object, **kwargs: object) -> None:
        calls.append(1)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(DRAWERS[command], full_disk)
    monkeypatch.setenv("ASSAYKIT_WORKERS", "1")  # figures drawn in this process, where the drawer is patched
    options = COMMANDS[command]["file_options"]
    args = [*COMMANDS[command]["args"], "--plot", "new/plots"]
    for n, option in enumerate(options):  # every table output, the first one over an earlier result
        args += [option, "earlier.csv" if n == 0 else f"out{n}.csv"]
    before = snapshot(folder)
    result = run_in(folder, monkeypatch, args)
    assert calls, "the failure was not reached"
    assert_refused(result, folder, before, "No space left on device", "new/plots/")


def test_a_late_failure_in_the_statistics_leaves_the_endpoint_files_unwritten(
    lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = lab / "epm"
    (folder / "other_design.csv").write_text("animal,group\nm1,vehicle\nm2,vehicle\nm3,drug\nm4,drug\n")
    before = snapshot(folder)
    args = ["epm", "tracks.csv", "-o", "earlier.csv", "--episodes", "visits.csv", "--plot", "plots"]
    args += ["--design", "other_design.csv", "--control", "vehicle", "--stats", "stats.csv"]
    result = run_in(folder, monkeypatch, args)
    assert_refused(result, folder, before)


def test_binding_writes_nothing_when_no_curve_can_be_fitted(
    lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = lab / "binding"
    (folder / "flat.csv").write_text("compound,conc_nM,cpm\nTOTAL,,3000\nNSB,,200\nx,1,abc\n")
    (folder / "flat.csv").write_text("compound,conc_nM,cpm\nTOTAL,,3000\nNSB,,200\nx,1,1500\n")
    before = snapshot(folder)
    args = ["binding", "flat.csv", "-o", "earlier.csv", "--points", "p.csv", "--plot", "plots"]
    result = run_in(folder, monkeypatch, args)
    assert_refused(result, folder, before, "no curve could be fitted")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_output_of_a_good_run_is_written_and_nothing_else(
    lab: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    folder = lab / command
    args = [*COMMANDS[command]["args"], "--plot", "plots/run1"]
    names = []
    for n, option in enumerate(COMMANDS[command]["file_options"]):
        if option == "--postures":
            continue  # the example tracks have no keypoints: no posture table (a warning says so)
        name = "earlier.csv" if n == 0 else f"out{n}.csv"
        args += [option, name]
        names.append(name)
    before = snapshot(folder)
    result = run_in(folder, monkeypatch, args)
    assert result.exit_code == 0, result.output
    after = snapshot(folder)
    changed = {k for k in after if before.get(k) != after[k]}
    plots = {k for k in changed if k.startswith("plots")}
    assert changed - plots == set(names)
    assert "plots" in plots and "plots/run1" in plots and len(plots) > 2
    assert not [k for k in after if Path(k).name.startswith(".")]  # no temporary file left
    for name in names:
        assert f"wrote {name}" in result.stderr


@pytest.mark.parametrize("command", list(COMMANDS))
def test_quiet_hides_notes_never_the_results(
    lab: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    folder = lab / command
    loud = run_in(folder, monkeypatch, COMMANDS[command]["args"])
    quiet = run_in(folder, monkeypatch, [*COMMANDS[command]["args"], "-q"])
    assert loud.exit_code == quiet.exit_code == 0
    assert quiet.stdout.strip() and quiet.stdout == loud.stdout  # the results table, as without -q
    assert [line for line in quiet.stderr.splitlines() if not line.startswith("warning: ")] == []
    filed = run_in(folder, monkeypatch, [*COMMANDS[command]["args"], "-q", "-o", "r.csv"])
    assert filed.exit_code == 0 and (folder / "r.csv").exists()
    if command in ("epm", "ldb"):  # the endpoints went to the file; the comparison still has none
        assert filed.stdout.strip() and filed.stdout in loud.stdout
    else:
        assert filed.stdout == ""


def test_a_bug_is_one_line_that_says_so_and_writes_nothing(
    lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("plate")

    monkeypatch.setattr("assaykit.binding.workflow.fit_prepared", broken)
    folder = lab / "binding"
    before = snapshot(folder)
    args = [*COMMANDS["binding"]["args"], "-o", "earlier.csv", "--plot", "plots"]
    result = run_in(folder, monkeypatch, args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: internal error (KeyError: 'plate')")
    assert "bug in assaykit" in lines[0] and "Traceback" not in result.output
    assert snapshot(folder) == before
    monkeypatch.setenv("ASSAYKIT_TRACEBACK", "1")
    shown = run_in(folder, monkeypatch, args)
    assert isinstance(shown.exception, KeyError)
    assert snapshot(folder) == before
