"""Animals analysed together: batches, threads, interleaved rows and error rows change no animal's result.

Expected values come from independent sources: the analytic ground truth of the waypoint paths in
``test_epm_truth`` (zone visits, times, entries, path length solved from the waypoints), and the literal
frame-by-frame reading of the entry rules in ``test_zone_engine``; never from assaykit's own output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_epm_truth import check_against_truth, random_path, sample, truth_of
from test_zone_engine import corridor, positions, reference

from assaykit.epm import EPM, compute_epm_endpoints
from assaykit.ldb import compute_ldb_endpoints
from assaykit.tracking import batch, pose
from assaykit.tracking.episodes import confirm_tracks
from assaykit.tracking.workflow import run_tracking


def interleave(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Rows of several animals taking turns (row i of each animal, then row i + 1), each in its own order."""
    table = pd.concat([f.assign(_i=np.arange(len(f))) for f in frames], ignore_index=True)
    return table.sort_values("_i", kind="stable").drop(columns="_i").reset_index(drop=True)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("mixed", [False, True])
def test_every_animal_matches_its_truth_whatever_the_batches(
    monkeypatch: pytest.MonkeyPatch, workers: int, mixed: bool
) -> None:
    monkeypatch.setattr(batch, "CHUNK_FRAMES", 20_000)  # two 9,000-frame animals per batch at most
    monkeypatch.setattr(batch, "WORKERS", workers)
    frames, truths = [], {}
    for seed in range(5):
        path = random_path(seed)
        truths[f"m{seed}"] = truth_of(path)
        frames.append(sample(path).assign(animal=f"m{seed}"))
    broken = frames[0].assign(animal="broken").copy()
    broken.loc[4000, "time_s"] = broken.loc[3999, "time_s"]  # time does not increase: this animal only
    lonely = frames[1].head(1).assign(animal="lonely")  # one frame
    frames[2:2] = [broken, lonely]
    tracks = interleave(frames) if mixed else pd.concat(frames, ignore_index=True)
    table = compute_epm_endpoints(tracks).set_index("animal")
    assert list(table.index) == ["m0", "m1", "broken", "lonely", "m2", "m3", "m4"]
    assert "time does not increase" in table.loc["broken", "flags"]
    assert "only one frame" in table.loc["lonely", "flags"]
    for animal, truth in truths.items():
        check_against_truth(
            table.loc[animal], truth, frames_per_transition=2.0, latency_frames=1.5, distance_rel=0.01
        )


def test_a_label_only_one_animal_uses_gives_only_that_animal_an_error() -> None:
    t = np.arange(3000) / 25.0
    good = pd.DataFrame({"time_s": t, "zone": np.where(t < 40, "dark", "light")})
    odd = good.copy()
    odd.loc[[100, 2000], "zone"] = ["purple", "Blue "]  # two unknown labels; 'blue' sorts first
    tracks = pd.concat([good.assign(animal="a"), odd.assign(animal="b"), good.assign(animal="c")])
    table = compute_ldb_endpoints(tracks).set_index("animal")
    assert table.loc["b", "flags"].startswith("error:")
    assert "unknown zone label 'Blue'" in table.loc["b", "flags"]
    for animal in ("a", "c"):
        assert table.loc[animal, "light_time_s"] == pytest.approx(80.0)
        assert table.loc[animal, "latency_light_s"] == pytest.approx(40.0)
        assert table.loc[animal, "transitions"] == 1


def test_progress_counts_the_animals_of_one_file_and_the_files_of_several(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(batch, "CHUNK_FRAMES", 20_000)
    frames = [sample(random_path(seed)).assign(animal=f"m{seed}") for seed in range(4)]
    many = tmp_path / "many.csv"
    pd.concat(frames, ignore_index=True).to_csv(many, index=False)
    one = tmp_path / "one.csv"
    frames[0].drop(columns="animal").to_csv(one, index=False)
    calls: list[tuple[int, int]] = []
    run = run_tracking(EPM, [many], progress=lambda done, total: calls.append((done, total)))
    assert len(run.endpoints) == 4
    assert calls[0] == (0, 4) and calls[-1] == (4, 4)
    assert all(t == 4 for _, t in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(set(done)) > 2  # batch by batch, not all at once
    calls.clear()
    run = run_tracking(
        EPM, [one, tmp_path / "missing.csv", many], progress=lambda done, total: calls.append((done, total))
    )
    assert len(run.endpoints) == 6  # one.csv, the missing file, four animals
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]  # three files, one at a time


@settings(max_examples=200, deadline=None)
@given(
    tracks=st.lists(st.lists(positions, min_size=0, max_size=30), min_size=1, max_size=6),
    h=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_confirm_tracks_reads_each_track_as_the_literal_rules_do(tracks: list[list[float]], h: float) -> None:
    parts = [corridor(xs, h) for xs in tracks]
    raw = np.concatenate([p[0] for p in parts]).astype(np.int64)
    valid = np.concatenate([p[1] for p in parts])
    near = np.hstack([p[2] for p in parts])
    bounds = np.concatenate([[0], np.cumsum([len(xs) for xs in tracks])])
    episodes = confirm_tracks(raw, valid, near, np.full(len(raw), 0.1), bounds)
    for k, (track_raw, track_valid, track_near) in enumerate(parts):
        starts, zones, frame_zone = reference(track_raw, track_valid, track_near)
        occupancy = episodes.occupancy(k, int(bounds[k]), int(bounds[k + 1]))
        assert occupancy.start.tolist() == starts
        assert occupancy.zone.tolist() == zones
        assert occupancy.frame_zone.tolist() == frame_zone
        assert occupancy.entry.tolist() == [i > 0 for i in range(len(starts))]


@pytest.mark.parametrize("workers", [1, 2])
def test_pose_batches_change_no_endpoint_posture_or_episode(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, workers: int
) -> None:
    """Pose keypoints are cleaned, analysed and measured a batch of animals at a time: any batch size
    gives the tables of cleaning the whole file at once (one batch), to the byte."""
    generator = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_pose.py"
    pytest.importorskip("matplotlib")
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_pose", generator)
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.syspath_prepend(str(generator.parent))
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "SESSION_S", 20.0)
    path, rois = tmp_path / "pose.csv", tmp_path / "rois.geojson"
    bench.make_pose_csv(5, path, rois, seed=4)
    options = {"fps": 30.0, "px_per_cm": 4.0, "median_window": 5, "zones": str(rois), "duration_s": None}
    written = {}
    for values in (1, 1 << 40):  # one animal per batch; every animal in one batch
        monkeypatch.setattr(pose, "POSE_CHUNK_VALUES", values)
        monkeypatch.setattr(batch, "WORKERS", workers if values == 1 else 1)
        folder = tmp_path / str(values)
        folder.mkdir()
        outputs = {
            "output": folder / "e.csv",
            "episodes_path": folder / "ep.csv",
            "postures_path": folder / "p.csv",
        }
        run = run_tracking(EPM, [path], **outputs, **options)
        assert len(run.endpoints) == 5
        written[values] = [f.read_bytes() for f in outputs.values()]
    assert written[1] == written[1 << 40]
