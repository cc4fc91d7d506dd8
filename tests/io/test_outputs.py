"""OutputSet: output paths checked before the work, staged beside their targets, committed all or none."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.io import outputs as outputs_module
from assaykit.io.outputs import OutputSet, run_outputs

TABLE = pd.DataFrame({"compound": ["diazepam", "flumazenil"], "ki_nM": [4.2, 1.1]})


def snapshot(root: Path) -> dict[str, object]:
    """Every file (bytes and permission bits) and folder under ``root``."""
    found: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = ("link", os.readlink(path))
        elif path.is_dir():
            found[key] = ("dir", stat.S_IMODE(path.stat().st_mode))
        else:
            found[key] = (path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
    return found


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "counts.csv").write_text("compound,conc_nM,cpm\nTOTAL,,3000\n")
    (tmp_path / "old.csv").write_text("an earlier result\n")
    return tmp_path


def test_a_run_writes_every_staged_file_and_leaves_no_temporary_file(folder: Path) -> None:
    with OutputSet([folder / "counts.csv"]) as out:
        results = out.add_file(folder / "old.csv", "-o")
        points = out.add_file(folder / "points.tsv", "--points")
        plots = out.add_folder(folder / "plots" / "run1", "--plot")
        assert results is not None and points is not None and plots is not None
        out.table(TABLE, results)
        out.table(TABLE, points)
        with out.stage(plots / "a.png", into="--plot") as tmp:
            assert tmp.parent == plots and tmp.suffix == ".png"
            tmp.write_bytes(b"png bytes")
        assert not (folder / "points.tsv").exists()  # nothing is in place before the commit
        written = out.commit()
    assert written == [results, points, plots / "a.png"]
    assert pd.read_csv(results).equals(TABLE)
    assert pd.read_csv(points, sep="\t").equals(TABLE)
    assert (plots / "a.png").read_bytes() == b"png bytes"
    assert sorted(p.name for p in folder.rglob(".*")) == []


def test_new_files_get_the_permissions_of_a_normal_new_file(folder: Path) -> None:
    umask = os.umask(0o022)
    try:
        with OutputSet() as out:
            out.table(TABLE, out.add_file(folder / "r.csv", "-o"))  # type: ignore[arg-type]
            out.commit()
    finally:
        os.umask(umask)
    assert stat.S_IMODE((folder / "r.csv").stat().st_mode) == 0o644


def test_leaving_the_block_without_commit_changes_nothing(folder: Path) -> None:
    before = snapshot(folder)
    with OutputSet() as out:
        out.table(TABLE, out.add_file(folder / "old.csv", "-o"))  # type: ignore[arg-type]
        plots = out.add_folder(folder / "new" / "plots", "--plot")
        with out.stage(plots / "a.png", into="--plot") as tmp:  # type: ignore[operator]
            tmp.write_bytes(b"x")
        assert (folder / "new" / "plots").is_dir()  # made to stage into ...
    assert snapshot(folder) == before  # ... and removed again with the temporary files


def test_an_error_while_writing_changes_nothing(folder: Path) -> None:
    before = snapshot(folder)
    with pytest.raises(RuntimeError), OutputSet() as out:
        out.table(TABLE, out.add_file(folder / "old.csv", "-o"))  # type: ignore[arg-type]
        with out.stage(out.add_file(folder / "b.csv", "--points")) as tmp:  # type: ignore[arg-type]
            tmp.write_text("half")
            raise RuntimeError("the job failed")
    assert snapshot(folder) == before


def test_a_full_disk_is_one_error_naming_the_target(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    before = snapshot(folder)
    with OutputSet() as out:
        out.table(TABLE, out.add_file(folder / "a.csv", "-o"))  # type: ignore[arg-type]
        target = out.add_file(folder / "old.csv", "--points")
        monkeypatch.setattr("assaykit.io.writers.write_csv", full)
        with pytest.raises(AssayInputError) as caught:
            out.table(TABLE, target)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith(str(folder / "old.csv")) and "No space left on device" in message
    assert "\n" not in message
    assert snapshot(folder) == before


def test_a_failed_rename_puts_back_the_files_already_replaced(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "second.csv").write_text("second, earlier\n")
    before = snapshot(folder)
    real_replace = os.replace
    calls = []

    def flaky(src: object, dst: object) -> None:
        calls.append(Path(str(dst)).name)
        if Path(str(dst)).name == "second.csv" and calls.count("second.csv") == 1:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)  # type: ignore[arg-type]

    with OutputSet() as out:
        out.table(TABLE, out.add_file(folder / "old.csv", "-o"))  # type: ignore[arg-type]
        out.table(TABLE, out.add_file(folder / "second.csv", "--points"))  # type: ignore[arg-type]
        monkeypatch.setattr(outputs_module.os, "replace", flaky)
        with pytest.raises(AssayInputError, match="second.csv: could not write it"):
            out.commit()
    assert calls[:2] == ["old.csv", "second.csv"]  # the first was replaced, then put back
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    ("name", "match"),
    [
        pytest.param("counts.csv", "-o would overwrite an input file", id="same name"),
        pytest.param("./counts.csv", "-o would overwrite an input file", id="dot slash"),
        pytest.param("sub/../counts.csv", "-o would overwrite an input file", id="dot dot"),
        pytest.param("link.csv", r"-o would overwrite an input file \(.*counts.csv\)", id="symlink"),
        pytest.param("hard.csv", r"-o would overwrite an input file \(.*counts.csv\)", id="hard link"),
    ],
)
def test_an_output_that_is_an_input_is_refused(
    folder: Path, monkeypatch: pytest.MonkeyPatch, name: str, match: str
) -> None:
    (folder / "sub").mkdir()
    (folder / "link.csv").symlink_to("counts.csv")
    os.link(folder / "counts.csv", folder / "hard.csv")
    monkeypatch.chdir(folder)
    out = OutputSet([Path("counts.csv")])
    with pytest.raises(AssayInputError, match=match):
        out.add_file(name, "-o")


def test_an_input_added_after_the_output_is_still_checked(folder: Path) -> None:
    out = OutputSet()
    out.add_file(folder / "counts.csv", "-o")
    with pytest.raises(AssayInputError, match="would overwrite an input file"):
        out.add_inputs([None, folder / "counts.csv"])


@pytest.mark.parametrize(
    ("first", "second", "match"),
    [
        pytest.param("r.csv", "r.csv", "-o and --points name the same file", id="same"),
        pytest.param("r.csv", "./r.csv", "-o and --points name the same file", id="dot slash"),
        pytest.param("old.csv", "old_link.csv", "-o and --points name the same file", id="symlink"),
    ],
)
def test_two_outputs_naming_one_file_are_refused(
    folder: Path, monkeypatch: pytest.MonkeyPatch, first: str, second: str, match: str
) -> None:
    (folder / "old_link.csv").symlink_to("old.csv")
    monkeypatch.chdir(folder)
    out = OutputSet()
    out.add_file(first, "-o")
    with pytest.raises(AssayInputError, match=match):
        out.add_file(second, "--points")


def test_a_file_output_and_a_plot_folder_of_the_same_name_are_refused(folder: Path) -> None:
    out = OutputSet()
    out.add_file(folder / "r.csv", "-o")
    with pytest.raises(AssayInputError, match="-o and --plot name the same file"):
        out.add_folder(folder / "r.csv", "--plot")


def test_one_plot_folder_may_take_the_plots_of_two_parts_of_a_run(folder: Path) -> None:
    out = OutputSet()
    assert out.add_folder(folder / "plots", "--plot") == out.add_folder(folder / "./plots", "--plot")


@pytest.mark.parametrize(
    ("name", "match"),
    [
        pytest.param("no/such/r.csv", "the folder no/such does not exist", id="missing folder"),
        pytest.param("counts.csv/r.csv", "counts.csv is a file, not a folder", id="file as folder"),
        pytest.param("counts.csv/a/r.csv", "counts.csv is a file, not a folder", id="file deep"),
        pytest.param("ro.csv", "the file is read-only", id="read-only file"),
        pytest.param("rodir/r.csv", "the folder rodir is read-only", id="read-only folder"),
        pytest.param("sub", "names a folder", id="a folder"),
        pytest.param("r.docx", r"unknown output format '\.docx'", id="format"),
        pytest.param("results", "unknown output format 'none'", id="no extension"),
    ],
)
def test_a_file_that_cannot_be_written_is_refused_before_any_work(
    folder: Path, monkeypatch: pytest.MonkeyPatch, name: str, match: str
) -> None:
    (folder / "sub").mkdir()
    (folder / "ro.csv").write_text("keep me\n")
    (folder / "ro.csv").chmod(0o444)
    (folder / "rodir").mkdir()
    (folder / "rodir").chmod(0o555)
    monkeypatch.chdir(folder)
    try:
        with pytest.raises(AssayInputError, match=match) as caught:
            OutputSet().add_file(name, "-o")
        assert "\n" not in str(caught.value)
    finally:
        (folder / "rodir").chmod(0o755)


def test_a_device_is_not_an_output_file() -> None:
    with pytest.raises(AssayInputError, match="not a regular file"):
        OutputSet().add_file("/dev/null", "-o", suffixes=None)


@pytest.mark.parametrize(
    ("name", "match"),
    [
        pytest.param("counts.csv", "--plot names a file, not a folder", id="an input file"),
        pytest.param("counts.csv/plots", "counts.csv is a file, not a folder", id="file as folder"),
        pytest.param("rodir/plots", "the folder rodir is read-only", id="read-only parent"),
        pytest.param("rodir", "the folder rodir is read-only", id="read-only folder"),
    ],
)
def test_a_plot_folder_that_cannot_be_made_is_refused(
    folder: Path, monkeypatch: pytest.MonkeyPatch, name: str, match: str
) -> None:
    (folder / "rodir").mkdir()
    (folder / "rodir").chmod(0o555)
    monkeypatch.chdir(folder)
    try:
        with pytest.raises(AssayInputError, match=match):
            OutputSet([Path("counts.csv")]).add_folder(name, "--plot")
    finally:
        (folder / "rodir").chmod(0o755)


def test_a_plot_that_would_replace_an_input_is_refused_when_staged(folder: Path) -> None:
    (folder / "diazepam.png").write_bytes(b"an input figure")
    before = snapshot(folder)
    with OutputSet([folder / "diazepam.png"]) as out:
        out.add_folder(folder, "--plot")
        with (
            pytest.raises(AssayInputError, match="--plot would overwrite an input file"),
            out.stage(folder / "diazepam.png", into="--plot"),
        ):
            pass
    assert snapshot(folder) == before


def test_a_plot_that_would_replace_another_output_is_refused(folder: Path) -> None:
    with OutputSet() as out:
        out.add_file(folder / "a.png", "-o", suffixes=None)
        out.add_folder(folder, "--plot")
        with (
            pytest.raises(AssayInputError, match="--plot and -o name the same file"),
            out.stage(folder / "a.png", into="--plot"),
        ):
            pass


def test_the_same_plot_twice_is_refused(folder: Path) -> None:
    with OutputSet() as out:
        out.add_folder(folder / "plots", "--plot")
        with out.stage(folder / "plots" / "a.png", into="--plot") as tmp:
            tmp.write_bytes(b"1")
        with (
            pytest.raises(AssayInputError, match="would write this file twice"),
            out.stage(folder / "plots" / "a.png", into="--plot"),
        ):
            pass


def test_writing_through_a_symlink_keeps_the_link(folder: Path) -> None:
    (folder / "latest.csv").symlink_to("old.csv")
    with OutputSet() as out:
        out.table(TABLE, out.add_file(folder / "latest.csv", "-o"))  # type: ignore[arg-type]
        out.commit()
    assert (folder / "latest.csv").is_symlink()
    assert pd.read_csv(folder / "old.csv").equals(TABLE)


def test_a_path_not_checked_before_the_run_is_refused(folder: Path) -> None:
    with (
        OutputSet() as out,
        pytest.raises(AssayInputError, match="not checked before the run"),
        out.stage(folder / "x.csv"),
    ):
        pass


def test_run_outputs_commits_its_own_set_and_leaves_a_given_one_to_the_caller(folder: Path) -> None:
    with run_outputs(None, [folder / "counts.csv"]) as own:
        own.table(TABLE, own.add_file(folder / "own.csv", "-o"))  # type: ignore[arg-type]
    assert (folder / "own.csv").exists()
    given = OutputSet()
    with run_outputs(given, [folder / "counts.csv"]) as out:
        assert out is given
        out.table(TABLE, out.add_file(folder / "later.csv", "-o"))  # type: ignore[arg-type]
    assert not (folder / "later.csv").exists()
    given.commit()
    assert (folder / "later.csv").exists()
    with pytest.raises(AssayInputError, match="overwrite an input"):
        given.add_file(folder / "counts.csv", "--points")
