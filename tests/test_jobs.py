"""A folder of files in several processes (--jobs), and the pure per-file functions a cluster maps."""

from __future__ import annotations

import os
import pickle
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.epm import EPM
from assaykit.errors import AssayInputError
from assaykit.parallel import available_cores, chunked, map_files, resolve_jobs
from assaykit.tracking.files import TrackFile, analyze_track_file
from assaykit.tracking.protocol import load_tracking_protocol
from assaykit.tracking.workflow import combine_track_files, run_tracking

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def split_tracks(folder: Path) -> list[Path]:
    """The example's four animals, one file each (no animal column: the file's stem is the animal)."""
    tracks = pd.read_csv(EXAMPLES / "epm" / "tracks.csv")
    paths = []
    for animal, frame in tracks.groupby("animal", sort=False):
        path = folder / f"{animal}.csv"
        frame.drop(columns="animal").to_csv(path, index=False)
        paths.append(path)
    return paths


@pytest.fixture
def folder(tmp_path: Path) -> list[Path]:
    """Four good files, a file with a clock gap (a warning) and a file that cannot be read, in that order."""
    data = tmp_path / "data"
    data.mkdir()
    paths = split_tracks(data)
    gap = pd.read_csv(paths[0])
    gappy = data / "gappy.csv"
    gap.drop(index=range(1000, 1600)).to_csv(gappy, index=False)  # 24 s without a frame
    bad = data / "bad.csv"
    bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
    return [*paths[:2], bad, *paths[2:], gappy]


def run_cli(args: list[object]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


# --- the pool -------------------------------------------------------------------------------------------


def test_jobs_auto_and_zero_mean_every_core_this_process_may_use() -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert available_cores() == cores
    assert resolve_jobs("auto") == resolve_jobs(0) == resolve_jobs("0") == cores
    assert resolve_jobs("3") == 3 and resolve_jobs(None) == 1
    for wrong in ("-1", "two", "1.5", -2):
        with pytest.raises(AssayInputError, match="--jobs must be a whole number"):
            resolve_jobs(wrong)


def test_chunks_cover_every_item_once_in_order() -> None:
    for n in (0, 1, 5, 8, 9, 200, 201):
        chunks = chunked(n, 2)
        assert [i for chunk in chunks for i in chunk] == list(range(n))
        assert len(chunks) <= 8  # at most four per worker


def test_map_files_in_processes_is_the_plain_loop_in_order_with_progress() -> None:
    items = [str(k) for k in range(37)]
    calls: list[tuple[int, int]] = []
    found = map_files(int, items, jobs=2, progress=lambda done, total: calls.append((done, total)))
    assert found == list(range(37))
    assert calls[0] == (0, 37) and calls[-1] == (37, 37)
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(calls) > 2  # chunk by chunk, counted across both workers


def test_map_files_runs_in_spawned_workers_too() -> None:
    items = [str(k) for k in range(9)]
    assert map_files(int, items, jobs=2, start_method="spawn") == list(range(9))


def test_map_files_raises_what_the_loop_raises_first() -> None:
    items = [*map(str, range(30)), "first bad", *map(str, range(30)), "second bad"]
    with pytest.raises(ValueError) as plain:
        [int(item) for item in items]
    with pytest.raises(ValueError) as pooled:
        map_files(int, items, jobs=2)
    assert str(pooled.value) == str(plain.value)
    assert "'first bad'" in str(pooled.value)


# --- the pure per-file function -------------------------------------------------------------------------


def test_the_per_file_function_is_picklable_and_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    paths = split_tracks(tmp_path)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    monkeypatch.chdir(tmp_path)
    protocol = load_tracking_protocol("epm-mouse", "epm")
    work = partial(analyze_track_file, spec=EPM, protocol=protocol)
    again = pickle.loads(pickle.dumps(work))
    result = again(paths[0])
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()} == before
    copy = pickle.loads(pickle.dumps(result))
    assert isinstance(copy, TrackFile) and copy.animals == [paths[0].stem]
    assert copy.results[0].analysis.time_s == result.results[0].analysis.time_s
    in_workers = map_files(work, paths, jobs=2)  # each file in another process: the same numbers
    here = [work(path) for path in paths]
    for theirs, mine in zip(in_workers, here, strict=True):
        assert theirs.results[0].analysis.time_s == mine.results[0].analysis.time_s
        assert theirs.results[0].analysis.entries == mine.results[0].analysis.entries


def test_files_of_one_animal_each_give_the_rows_of_the_file_of_all(tmp_path: Path) -> None:
    paths = split_tracks(tmp_path)
    whole = run_tracking(EPM, [EXAMPLES / "epm" / "tracks.csv"]).endpoints
    split = run_tracking(EPM, paths, jobs=2).endpoints
    pd.testing.assert_frame_equal(split.drop(columns="source"), whole.drop(columns="source"))
    assert split["source"].tolist() == [str(p) for p in paths]


def test_combining_the_files_results_is_run_tracking(folder: list[Path]) -> None:
    protocol = load_tracking_protocol("epm-mouse", "epm")
    files = [analyze_track_file(path, EPM, protocol) for path in folder]
    combined = combine_track_files(EPM, protocol, files)
    run = run_tracking(EPM, folder)
    pd.testing.assert_frame_equal(combined.endpoints, run.endpoints)
    assert combined.warnings == run.warnings


# --- the command line -----------------------------------------------------------------------------------


def test_jobs_two_writes_the_same_file_and_prints_the_same_as_one(folder: list[Path], tmp_path: Path) -> None:
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"endpoints{jobs}.csv"
        code, stdout, stderr = run_cli(["epm", *folder, "-o", out, "--jobs", jobs])
        assert code == 0, stderr
        outputs[jobs] = (out.read_bytes(), stdout, stderr.replace(str(out), "OUT"))
    assert outputs["1"] == outputs["2"]
    table = pd.read_csv(tmp_path / "endpoints2.csv", keep_default_na=False)
    assert table["animal"].tolist() == [p.stem for p in folder]
    bad = table.set_index("animal").loc["bad", "flags"]
    assert bad.startswith("error:") and "bad.csv" in bad  # the bad file is its own row, the rest finish
    assert (table["flags"].str.startswith("error:")).sum() == 1
    stderr = outputs["2"][2]
    gap_lines = [line for line in stderr.splitlines() if line.startswith("warning: gappy: a clock gap")]
    assert len(gap_lines) == 1  # the worker's warning, printed once


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_problem_across_files_stops_the_job_as_with_one(tmp_path: Path, jobs: str) -> None:
    first, second, *_ = split_tracks(tmp_path)
    pixels = tmp_path / "pixels.csv"
    pd.read_csv(second).rename(columns={"x_cm": "x_px", "y_cm": "y_px"}).to_csv(pixels, index=False)
    code, _, stderr = run_cli(["epm", first, pixels, "--jobs", jobs])
    assert code == 2
    assert stderr.startswith("Error: mixed units across files:") and "pixels.csv in px" in stderr
    twin = tmp_path / "twin.csv"
    pd.read_csv(second).assign(animal=first.stem).to_csv(twin, index=False)
    code, _, stderr = run_cli(["epm", first, twin, "--jobs", jobs])
    assert code == 2
    assert f"animal '{first.stem}' is in" in stderr and "give each animal one id" in stderr


def test_a_wrong_jobs_value_is_one_line_exit_two(tmp_path: Path) -> None:
    paths = split_tracks(tmp_path)
    for wrong in ("-1", "many"):
        code, _, stderr = run_cli(["epm", *paths, "--jobs", wrong])
        assert code == 2
        assert stderr.strip() == f"Error: --jobs must be a whole number of processes (1 or more), or 0 or " \
            f"'auto' for one per core; got '{wrong}'"  # fmt: skip
    code, _, stderr = run_cli(["ldb", EXAMPLES / "ldb" / "tracks.csv", "--jobs", "auto", "-q"])
    assert code == 0, stderr


# --- binding: one counts file per call ------------------------------------------------------------------


def test_a_counts_file_alone_gives_what_the_command_gives(tmp_path: Path, monkeypatch) -> None:
    from assaykit.binding.files import analyze_counts_file

    counts = EXAMPLES / "binding" / "counts.csv"
    out = tmp_path / "results.csv"
    code, _, stderr = run_cli(["binding", counts, "--kd", "1.5", "--radioligand", "1", "-o", out, "-q"])
    assert code == 0, stderr
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    found = pickle.loads(pickle.dumps(analyze_counts_file(counts, {"kd_nM": 1.5, "radioligand_nM": 1.0})))
    assert sorted(tmp_path.iterdir()) == before  # wrote nothing
    assert found.error is None and found.results["file"].eq(str(counts)).all()
    mine = tmp_path / "mine.csv"
    found.results.drop(columns="file").to_csv(mine, index=False)
    pd.testing.assert_frame_equal(pd.read_csv(mine), pd.read_csv(out))


def test_a_bad_counts_file_is_its_error_not_an_exception(tmp_path: Path) -> None:
    from assaykit.binding.files import analyze_counts_file

    bad = tmp_path / "bad.csv"
    bad.write_text("compound,conc_nM\nx,1\n", encoding="utf-8")
    code, _, stderr = run_cli(["binding", bad, "--kd", "1.5", "--radioligand", "1"])
    assert code == 2
    found = analyze_counts_file(bad, {"kd_nM": 1.5, "radioligand_nM": 1.0})
    assert stderr.strip() == f"Error: {found.error}"
    assert found.results.empty
    with pytest.raises(TypeError, match="unknown option"):
        analyze_counts_file(bad, {"kd": 1.5})


# --- a cluster: Dask, when it is installed --------------------------------------------------------------


def test_dask_maps_the_same_function_to_the_same_table(folder: list[Path]) -> None:
    distributed = pytest.importorskip("distributed")
    protocol = load_tracking_protocol("epm-mouse", "epm")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as c,
        distributed.Client(c) as client,
    ):
        futures = client.map(analyze_track_file, [str(p) for p in folder], spec=EPM, protocol=protocol)
        files = client.gather(futures)
    run = combine_track_files(EPM, protocol, files)
    pd.testing.assert_frame_equal(run.endpoints, run_tracking(EPM, [str(p) for p in folder]).endpoints)
