"""Zone files in a protocol: the arena comes from the file, in track units scaled to cm, kinds mapped."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.path import Path as MplPath

from assaykit.epm import EPM
from assaykit.epm.endpoints import build_plus_maze
from assaykit.errors import AssayInputError
from assaykit.ldb.endpoints import build_light_dark_box
from assaykit.tracking.protocol import TRACKING_DEFAULTS, load_tracking_protocol
from assaykit.tracking.workflow import run_tracking

#: movement's elevated plus maze example regions (examples/epm_rois.yaml, pixels), rings closed.
MOVEMENT_EPM = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "movement_epm_rois.json").read_text()
)
KINDS = ["open", "open", "closed", "closed", "center"]
PX_PER_CM = 4.0
#: movement's example regions overlap by hand-drawn slivers; that warning is tested in test_zone_overlaps.py
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*overlap by:UserWarning"),
    pytest.mark.filterwarnings("ignore:.*lies wholly inside:UserWarning"),
]


def write_rois(path: Path, regions: dict[str, list[list[float]]] = MOVEMENT_EPM, **extra: dict) -> Path:
    """A FeatureCollection laid out as movement.roi.save_rois writes it."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"name": name, "roi_type": "PolygonOfInterest", **extra.get(name, {})},
        }
        for name, ring in regions.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=2))
    return path


def no_build(table: object, scale: float) -> None:
    raise AssertionError("the [arena] table must not be used when there is a zone file")


def distance_to_outlines(points: np.ndarray, rings: list[np.ndarray]) -> np.ndarray:
    """Each point's distance to the nearest edge of any ring (written here, not taken from assaykit)."""
    nearest = np.full(len(points), np.inf)
    for ring in rings:
        for a, b in zip(ring[:-1], ring[1:], strict=True):
            ab = b - a
            t = np.clip(((points - a) @ ab) / (ab @ ab), 0.0, 1.0)
            nearest = np.minimum(nearest, np.linalg.norm(points - (a + t[:, None] * ab), axis=1))
    return nearest


def test_zones_is_an_option() -> None:
    assert TRACKING_DEFAULTS["zones"] is None
    proto = load_tracking_protocol("epm-mouse", "epm")
    assert proto.options["zones"] is None and proto.options["zone_kinds"] == {} and proto.file_zones == ()


def test_movement_file_replaces_the_arena_and_is_scaled_to_cm(tmp_path: Path) -> None:
    path = write_rois(tmp_path / "epm_rois.geojson")
    proto = load_tracking_protocol("epm-mouse", "epm", zones=str(path), px_per_cm=PX_PER_CM)
    assert proto.options["zones"] == path
    scale = proto.scale("px")
    assert scale == 0.25
    arena = proto.arena(scale, no_build)
    assert arena.assay == "epm"
    assert [z.name for z in arena.zones] == list(MOVEMENT_EPM)  # the file's order
    assert [z.kind for z in arena.zones] == KINDS
    for zone, ring in zip(arena.zones, MOVEMENT_EPM.values(), strict=True):
        assert zone.rectangle is None
        np.testing.assert_allclose(zone.polygon, np.array(ring[:-1], dtype=float) * 0.25)
    # tracks in cm: the polygons are taken as cm
    np.testing.assert_allclose(proto.arena(1.0, no_build).zones[4].polygon[0], [591.0, 458.0])


def test_classify_matches_an_independent_point_in_polygon_frame_by_frame(tmp_path: Path) -> None:
    path = write_rois(tmp_path / "epm_rois.geojson")
    proto = load_tracking_protocol("epm-mouse", "epm", zones=path, px_per_cm=PX_PER_CM)
    arena = proto.arena(proto.scale("px"), no_build)
    rings = [np.array(ring, dtype=float) for ring in MOVEMENT_EPM.values()]
    # a jittered grid over the frame, in pixels; keep the points more than 1.5 px from every outline
    rng = np.random.default_rng(7)
    gx, gy = np.meshgrid(np.arange(300.0, 1000.0, 6.0), np.arange(180.0, 850.0, 6.0))
    points = np.column_stack([gx.ravel(), gy.ravel()]) + rng.uniform(-2.0, 2.0, (gx.size, 2))
    points = points[distance_to_outlines(points, rings) > 1.5]
    expected = np.full(len(points), -1)
    for index in range(len(rings) - 1, -1, -1):  # the first zone listed wins where hand-drawn zones overlap
        expected[MplPath(rings[index]).contains_points(points, radius=0.0)] = index
    got = arena.classify(points[:, 0] / PX_PER_CM, points[:, 1] / PX_PER_CM)
    for frame in range(len(points)):
        assert got[frame] == expected[frame], (frame, points[frame])
    assert set(expected.tolist()) == {-1, 0, 1, 2, 3, 4}  # every zone and the outside are sampled
    assert (expected >= 0).sum() > 1000


def test_run_tracking_with_a_zone_file(tmp_path: Path) -> None:
    # 100 s on the central square, then 200 s on the left open arm, in pixels
    t = np.arange(0.0, 300.0, 1 / 30)
    x = np.where(t < 100.0, 649.0, 450.0)
    track = tmp_path / "m1.csv"
    pd.DataFrame({"time": t.round(6), "x": x, "y": 517.0}).to_csv(track, index=False)
    zones = write_rois(tmp_path / "epm_rois.geojson")
    run = run_tracking(EPM, [track], zones=zones, px_per_cm=PX_PER_CM)
    row = run.endpoints.iloc[0]
    assert row["open_time_s"] == pytest.approx(200.0, abs=1 / 30)
    assert row["center_time_s"] == pytest.approx(100.0, abs=1 / 30)
    assert row["open_entries"] == 1 and row["closed_entries"] == 0
    assert row["distance_cm"] == pytest.approx((649.0 - 450.0) / PX_PER_CM)
    assert [z.name for z in run.arena.zones] == list(MOVEMENT_EPM)


def test_preset_zones_path_is_relative_to_the_preset_folder(tmp_path: Path, monkeypatch) -> None:
    rig = tmp_path / "rig"
    (rig / "maps").mkdir(parents=True)
    write_rois(rig / "maps" / "maze.geojson")
    preset = rig / "rig.toml"
    preset.write_text('[preset]\nassay = "epm"\n[tracking]\nzones = "maps/maze.geojson"\npx_per_cm = 4.0\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    proto = load_tracking_protocol(preset, "epm")
    assert proto.options["zones"] == rig / "maps" / "maze.geojson"
    assert [z.kind for z in proto.arena(proto.scale(None), no_build).zones] == KINDS
    # a relative preset path works the same
    monkeypatch.chdir(tmp_path)
    proto = load_tracking_protocol(Path("rig/rig.toml"), "epm")
    assert proto.options["zones"] == Path("rig/maps/maze.geojson")
    assert len(proto.file_zones) == 5
    # the caller's path is relative to the current folder and replaces the preset's
    write_rois(tmp_path / "other.geojson", {**MOVEMENT_EPM, "whole maze": [[0, 0], [1000, 0], [0, 1000]]})
    proto = load_tracking_protocol(preset, "epm", zones="other.geojson", zone_kinds={"whole maze": "ignore"})
    assert proto.options["zones"] == Path("other.geojson")
    assert [name for name, _, _ in proto.file_zones] == list(MOVEMENT_EPM)


def test_file_zones_replace_arena_and_zone_tables(tmp_path: Path) -> None:
    write_rois(tmp_path / "maze.geojson")
    preset = tmp_path / "poly.toml"
    preset.write_text(
        '[preset]\nassay = "epm"\n[tracking]\nzones = "maze.geojson"\n'
        '[[zones]]\nname = "x"\nkind = "open"\npolygon = [[0, 0], [1, 0], [0, 1]]\n'
    )
    proto = load_tracking_protocol(preset, "epm")
    assert [z.name for z in proto.arena(1.0, no_build).zones] == list(MOVEMENT_EPM)


def test_preset_zone_kinds_and_the_callers_merged_over_them(tmp_path: Path) -> None:
    regions = {"arm A": MOVEMENT_EPM["open_left"], "arm B": MOVEMENT_EPM["closed_top"], **MOVEMENT_EPM}
    write_rois(tmp_path / "maze.geojson", regions, **{"arm B": {"kind": "open"}})
    preset = tmp_path / "rig.toml"
    preset.write_text(
        '[preset]\nassay = "epm"\n[tracking]\nzones = "maze.geojson"\n'
        '[zone_kinds]\n"arm A" = "closed"\n"arm B" = "Closed"\n'
    )
    proto = load_tracking_protocol(preset, "epm")
    assert proto.options["zone_kinds"] == {"arm A": "closed", "arm B": "closed"}
    assert [kind for _, kind, _ in proto.file_zones] == ["closed", "closed", *KINDS]
    proto = load_tracking_protocol(preset, "epm", zone_kinds={"arm A": "ignore", "open_right": "ignore"})
    assert proto.options["zone_kinds"] == {"arm A": "ignore", "arm B": "closed", "open_right": "ignore"}
    arena = proto.arena(1.0, no_build)
    assert [(z.name, z.kind) for z in arena.zones] == [
        ("arm B", "closed"),
        ("open_left", "open"),
        ("closed_bottom", "closed"),
        ("closed_top", "closed"),
        ("central_square", "center"),
    ]


def test_preset_zone_tables_take_kinds_from_names_and_zone_kinds(tmp_path: Path) -> None:
    tables = "".join(
        f'[[zones]]\nname = "{name}"\npolygon = {json.dumps(ring)}\n' for name, ring in MOVEMENT_EPM.items()
    )
    tables += '[[zones]]\nname = "maze"\nkind = "open"\npolygon = [[0, 0], [2000, 0], [0, 2000]]\n'
    preset = tmp_path / "rig.toml"
    preset.write_text('[preset]\nassay = "epm"\n[tracking]\npx_per_cm = 4.0\n' + tables)
    proto = load_tracking_protocol(preset, "epm")
    assert [(z.name, z.kind) for z in proto.arena(0.25, no_build).zones] == [
        *zip(MOVEMENT_EPM, KINDS, strict=True),
        ("maze", "open"),
    ]
    np.testing.assert_allclose(proto.arena(0.25, no_build).zones[4].polygon[1], [707 / 4, 459 / 4])
    proto = load_tracking_protocol(preset, "epm", zone_kinds={"maze": "ignore", "open_left": "closed"})
    assert [z.kind for z in proto.arena(1.0, no_build).zones] == ["closed", *KINDS[1:]]
    preset.write_text(preset.read_text() + '[zone_kinds]\nmaze = "ignore"\n')
    assert len(load_tracking_protocol(preset, "epm").arena(1.0, no_build).zones) == 5


def test_ldb_toml_zone_file(tmp_path: Path) -> None:
    zones = tmp_path / "box.toml"
    zones.write_text(
        '[[zones]]\nname = "lightSide"\npolygon = [[60, 0], [180, 0], [180, 108], [60, 108]]\n'
        '[[zones]]\nname = "dark_side"\npolygon = [[0, 0], [60, 0], [60, 108], [0, 108]]\n'
    )
    proto = load_tracking_protocol("ldb-mouse", "ldb", zones=zones, px_per_cm=PX_PER_CM)
    arena = proto.arena(proto.scale("px"), build_light_dark_box)
    assert [(z.name, z.kind) for z in arena.zones] == [("lightSide", "light"), ("dark_side", "dark")]
    # on the divider, the first zone listed wins
    assert arena.classify(np.array([15.0, 10.0, 30.0, 50.0]), np.array([5.0, 5.0, 5.0, 5.0])).tolist() == [
        0,
        1,
        0,
        -1,
    ]


@pytest.mark.parametrize(
    ("preset_body", "given", "fragments"),
    [
        ("", {"zones": "missing.geojson"}, ["missing.geojson", "zone file not found"]),
        ("", {"zones": "maze.txt"}, ["maze.txt", "unknown zone file type"]),
        ("", {"zones": "maze.yaml"}, ["maze.yaml", "the file is empty"]),
        (
            "",
            {"zones": "maze.geojson", "zone_kinds": {"open_rigth": "open"}},
            ["maze.geojson", "names 'open_rigth'", "its zones are open_left, open_right"],
        ),
        (
            "",
            {"zones": "maze.geojson", "zone_kinds": {"central_square": "ignore"}},
            ["maze.geojson", "no zone of kind center"],
        ),
        (
            "",
            {"zones": "maze.geojson", "zone_kinds": {"central_square": "hub"}},
            ["maze.geojson", "zone 'central_square': unknown kind 'hub'"],
        ),
        ("[tracking]\nzones = 3\n", {}, ["bad.toml", "zones in [tracking] must be the path of a zone file"]),
        ("", {"zones": 3}, ["zones must be the path of a zone file, not 3"]),
        ("[zone_kinds]\na = 1\n", {}, ["bad.toml", "[zone_kinds]: zone 'a' = 1"]),
        ("", {"zone_kinds": ["a=open"]}, ["zone_kinds must map zone names to kinds"]),
        (
            "[zone_kinds]\na = 'open'\n",
            {},
            ["bad.toml", "zone kinds (--zone-kind or [zone_kinds]) are given, but there are no named zones"],
        ),
        ("", {"zone_kinds": {"a": "open"}}, ["bad.toml", "give a zone file (--zones"]),
    ],
)
def test_protocol_errors(
    tmp_path: Path, monkeypatch, preset_body: str, given: dict, fragments: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write_rois(tmp_path / "maze.geojson")
    (tmp_path / "maze.yaml").write_text("")
    (tmp_path / "maze.txt").write_text("")
    preset = tmp_path / "bad.toml"
    preset.write_text('[preset]\nassay = "epm"\n[arena]\ncenter_size_cm = 5\n' + preset_body)
    with pytest.raises(AssayInputError) as info:
        load_tracking_protocol(preset, "epm", **given)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_zone_table_errors(tmp_path: Path) -> None:
    preset = tmp_path / "bad.toml"
    head = '[preset]\nassay = "epm"\n'
    preset.write_text(head + '[[zones]]\nname = "arm 3"\npolygon = [[0, 0], [1, 0], [0, 1]]\n')
    with pytest.raises(AssayInputError) as info:
        load_tracking_protocol(preset, "epm").arena(1.0, build_plus_maze)
    assert "bad.toml" in str(info.value) and "zone 1 ('arm 3'): cannot tell its kind from its name" in str(
        info.value
    )
    with pytest.raises(AssayInputError) as info:
        load_tracking_protocol(preset, "epm", zone_kinds={"arm 4": "open"}).arena(1.0, build_plus_maze)
    assert "names 'arm 4', but there is no [[zones]] table of that name; the zones are arm 3" in str(
        info.value
    )
