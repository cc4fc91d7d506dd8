"""The pose example: the files are what make_pose.py writes, and they show the postures made in them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main

ROOT = Path(__file__).resolve().parents[2]
POSE = ROOT / "examples" / "epm" / "pose"
H5 = POSE / "two_mice.analysis.h5"
ROIS = POSE / "rois.geojson"
COMMAND = ["epm", str(H5), "--fps", "15", "--px-per-cm", "4", "--zones", str(ROIS), "--duration", "120"]


def load_generator():
    spec = importlib.util.spec_from_file_location("make_pose", POSE / "make_pose.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_h5(path: Path) -> dict[str, np.ndarray]:
    import tables

    with tables.open_file(str(path), mode="r") as handle:
        return {node.name: np.asarray(node.read()) for node in handle.root}


def assert_same_datasets(made: dict[str, np.ndarray], shipped: dict[str, np.ndarray]) -> None:
    assert sorted(made) == sorted(shipped)
    for name, values in made.items():
        other = shipped[name]
        assert values.shape == other.shape, name
        assert values.dtype == other.dtype, name
        if values.dtype.kind == "f":
            # coordinates are rounded to 1/64 px: a last-bit difference in a platform's sin or cos could move
            # one value by a step, so allow one step (and the same missing points)
            np.testing.assert_array_equal(np.isnan(values), np.isnan(other), err_msg=name)
            np.testing.assert_allclose(values, other, rtol=0, atol=1 / 64 + 1e-9, err_msg=name)
        else:
            np.testing.assert_array_equal(values, other, err_msg=name)


def assert_same_rois(made: dict, shipped: dict) -> None:
    assert made["type"] == shipped["type"] == "FeatureCollection"
    assert len(made["features"]) == len(shipped["features"]) == 5
    for a, b in zip(made["features"], shipped["features"], strict=True):
        assert a["properties"] == b["properties"]
        assert a["geometry"]["type"] == b["geometry"]["type"] == "Polygon"
        ring_a, ring_b = (np.array(f["geometry"]["coordinates"][0]) for f in (a, b))
        np.testing.assert_allclose(ring_a, ring_b, rtol=0, atol=0.01 + 1e-9)  # 0.01 px, as written


def test_example_files_are_the_generator_output(tmp_path: Path) -> None:
    written = load_generator().write_all(tmp_path)
    assert [p.name for p in written] == [H5.name, ROIS.name]
    h5, rois = written
    # compared by content: other PyTables or HDF5 versions may lay the same datasets out in other bytes
    assert_same_datasets(read_h5(h5), read_h5(H5))
    assert_same_rois(json.loads(rois.read_text()), json.loads(ROIS.read_text()))


def test_example_is_in_sleaps_layout_and_small() -> None:
    data = read_h5(H5)
    assert data["tracks"].shape == (2, 2, 6, 1800)  # (tracks, xy, nodes, frames), as SLEAP stores it
    assert data["point_scores"].shape == (2, 6, 1800)
    assert data["track_occupancy"].shape == (1800, 2)
    assert [n.decode() for n in data["track_names"]] == ["vehicle-1", "diazepam-1"]
    nodes = [n.decode() for n in data["node_names"]]
    assert nodes == ["nose", "left_ear", "right_ear", "centre", "tail_base", "tail_tip"]
    scores = data["point_scores"][np.isfinite(data["point_scores"])]
    assert np.mean(scores >= 0.8) > 0.85  # mostly confident, with low runs
    tail_tip = data["tracks"][:, 0, nodes.index("tail_tip")]
    assert np.isnan(tail_tip).mean() > 3 * np.isnan(data["tracks"][:, 0, nodes.index("centre")]).mean()
    assert H5.stat().st_size < 250 * 1024
    rois = json.loads(ROIS.read_text())
    for feature in rois["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) == 5
        assert feature["properties"]["roi_type"] == "PolygonOfInterest"


def endpoints(tmp_path: Path, *extra: str) -> pd.DataFrame:
    out = tmp_path / "endpoints.csv"
    result = CliRunner().invoke(main, [*COMMAND, *extra, "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return pd.read_csv(out).set_index("animal")


@pytest.mark.parametrize(
    "extra",
    [
        (),
        ("--keypoint", "left_ear,right_ear,centre,tail_base", "--entry-rule", "all-points"),
        ("--median-window", "5"),
    ],
    ids=["default", "all-points", "median"],
)
def test_example_gives_the_postures_it_was_made_with(tmp_path: Path, extra: tuple[str, ...]) -> None:
    table = endpoints(tmp_path, *extra)
    vehicle, diazepam = table.loc["vehicle-1"], table.loc["diazepam-1"]
    assert diazepam["head_dips"] > 0 and diazepam["unprotected_head_dips"] > 0
    assert vehicle["stretched_attend_postures"] > 0
    assert diazepam["head_dips"] > vehicle["head_dips"]
    assert vehicle["stretched_attend_postures"] > diazepam["stretched_attend_postures"]
    assert diazepam["open_time_pct"] > vehicle["open_time_pct"] > 0
    assert (table["open_entries"] > 0).all()
    assert (table["missing_time_s"] < 3).all()  # a few frames where SLEAP found no mouse
    assert (table["off_arena_time_s"] < 3).all()  # the zone file fits the tracks
    assert table["flags"].isna().all()
