"""Zone files: movement's GeoJSON layout and TOML read as named polygons; kinds from names or a mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assaykit.errors import AssayInputError
from assaykit.io.zones import (
    ZoneSpec,
    assign_kinds,
    parse_zone_kinds,
    read_zone_file,
    zone_kind_from_name,
)

#: The five regions of movement's elevated plus maze example (examples/epm_rois.yaml, pixels of the
#: video frame), each ring closed by repeating its first vertex, as movement's save_rois writes them.
MOVEMENT_EPM = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "movement_epm_rois.json").read_text()
)
MOVEMENT_KINDS = {
    "open_left": "open",
    "open_right": "open",
    "closed_bottom": "closed",
    "closed_top": "closed",
    "central_square": "center",
}
TRIANGLE = [[0, 0], [10, 0], [0, 10], [0, 0]]


def feature(name: object, coordinates: object, shape: str = "Polygon", **properties: object) -> dict:
    props = {"name": name, "roi_type": "PolygonOfInterest", **properties}
    if name is None:
        del props["name"]
    return {"type": "Feature", "geometry": {"type": shape, "coordinates": coordinates}, "properties": props}


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def write_movement_rois(path: Path) -> Path:
    """Write the regions exactly as movement.roi.save_rois lays them out (indent 2, closed rings)."""
    rois = collection(*(feature(name, [ring]) for name, ring in MOVEMENT_EPM.items()))
    path.write_text(json.dumps(rois, indent=2))
    return path


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data))
    return path


def messages(path: Path) -> str:
    with pytest.raises(AssayInputError) as info:
        read_zone_file(path)
    message = str(info.value)
    assert "\n" not in message
    assert path.name in message and info.value.path == path
    return message


# ---------------------------------------------------------------------------------------------------------
# reading


def test_movement_geojson_gives_five_zones_with_their_kinds(tmp_path: Path) -> None:
    path = write_movement_rois(tmp_path / "epm_rois.geojson")
    specs = read_zone_file(path)
    assert [s.name for s in specs] == list(MOVEMENT_EPM)
    for spec in specs:
        ring = MOVEMENT_EPM[spec.name]
        assert spec.vertices == [(float(x), float(y)) for x, y in ring[:-1]]  # closing vertex dropped
        assert spec.kind is None and spec.source == path
    assigned = assign_kinds(specs, "epm", None)
    assert [(name, kind) for name, kind, _ in assigned] == list(MOVEMENT_KINDS.items())
    assert assigned[4][2] == [(591.0, 458.0), (707.0, 459.0), (707.0, 576.0), (590.0, 575.0)]


def test_a_single_feature_and_a_json_extension(tmp_path: Path) -> None:
    path = write_json(tmp_path / "one.JSON", feature(" open arm ", [TRIANGLE], kind="Open"))
    (spec,) = read_zone_file(str(path))
    assert spec == ZoneSpec("open arm", [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)], "open", path)


def test_unclosed_rings_and_a_third_coordinate_are_accepted(tmp_path: Path) -> None:
    path = write_json(tmp_path / "z.geojson", collection(feature("a", [[[0, 0, 5], [4, 0, 5], [4, 3, 5]]])))
    assert read_zone_file(path)[0].vertices == [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0)]


def test_toml_zone_file(tmp_path: Path) -> None:
    path = tmp_path / "zones.toml"
    path.write_text(
        '[[zones]]\nname = "north arm"\nkind = "closed"\npolygon = [[0, 0], [1, 0], [1, 1], [0, 0]]\n'
        '[[zones]]\nname = "hub"\npolygon = [[0, 0], [1.5, 0], [0, -1]]\n'
    )
    specs = read_zone_file(path)
    assert specs == [
        ZoneSpec("north arm", [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)], "closed", path),
        ZoneSpec("hub", [(0.0, 0.0), (1.5, 0.0), (0.0, -1.0)], None, path),
    ]


@pytest.mark.parametrize(
    ("name", "data", "fragments"),
    [
        (
            "z.txt",
            "a: 1",
            ["unknown zone file type '.txt'", "expected one of .geojson, .json, .toml, .yaml, .yml"],
        ),
        ("z.h5", "", ["unknown zone file type '.h5'", "an HDF5 file is a track file"]),
        ("z", "{}", ["unknown zone file type '(none)'"]),
        ("z.geojson", '{\n "type": "FeatureCollection",\n "features": [,]\n}', ["not valid JSON", "line 3"]),
        ("z.toml", '[[zones]]\nname = "a\n', ["not valid TOML", "line 2"]),
        ("z.geojson", {"type": "Polygon", "coordinates": [TRIANGLE]}, ["FeatureCollection", "'Polygon'"]),
        ("z.geojson", [feature("a", [TRIANGLE])], ["FeatureCollection", "a JSON list"]),
        ("z.geojson", {"type": "FeatureCollection"}, ["no 'features' list"]),
        ("z.geojson", collection(), ["no zones"]),
        (
            "z.geojson",
            collection(feature("a", [TRIANGLE]), feature(None, [TRIANGLE])),
            ["feature 2 has no name", "'name'"],
        ),
        ("z.geojson", collection(feature("  ", [TRIANGLE])), ["feature 1 has no name"]),
        (
            "z.geojson",
            collection({"type": "Point", "coordinates": [0, 0]}),
            ["feature 1 is not a GeoJSON Feature"],
        ),
        (
            "z.geojson",
            collection(feature("a", [TRIANGLE, [[1, 1], [2, 1], [1, 2], [1, 1]]])),
            ["feature 1 ('a')", "1 hole(s)", "holes are not supported"],
        ),
        (
            "z.geojson",
            collection(feature("arms", [[TRIANGLE]], "MultiPolygon")),
            ["feature 1 ('arms') is a MultiPolygon; expected a Polygon"],
        ),
        (
            "z.geojson",
            collection(feature("a", [TRIANGLE]), feature("door", [[0, 0], [1, 1]], "LineString")),
            ["feature 2 ('door') is a LineString", "lines of interest are not zones"],
        ),
        (
            "z.geojson",
            collection(feature("wall", TRIANGLE, "LinearRing")),
            ["feature 1 ('wall') is a LinearRing", "lines of interest are not zones"],
        ),
        ("z.geojson", collection(feature("nose", [0, 0], "Point")), ["feature 1 ('nose') is a Point"]),
        (
            "z.geojson",
            collection({"type": "Feature", "geometry": None, "properties": {"name": "a"}}),
            ["feature 1 ('a') has no geometry"],
        ),
        ("z.geojson", collection(feature("a", [])), ["feature 1 ('a')", "no coordinates"]),
        (
            "z.geojson",
            collection(feature("a", [TRIANGLE]), feature("b", [TRIANGLE]), feature("a", [TRIANGLE])),
            ["feature 3 ('a') and feature 1 ('a') are both named 'a'"],
        ),
        (
            "z.geojson",
            collection(feature("a", [[[0, 0], [1, 0], [0, 0], [1, 0], [0, 0]]])),
            ["feature 1 ('a')", "2 distinct vertices", "at least three"],
        ),
        (
            "z.geojson",
            collection(feature("a", [[[0, 0], ["1", 0], [0, 1]]])),
            ["feature 1 ('a')", 'vertex 2 is ["1", 0]', "not a pair of finite numbers"],
        ),
        ("z.geojson", collection(feature("a", [[[0, 0], [True, 0], [0, 1]]])), ["vertex 2"]),
        ("z.geojson", collection(feature("a", [[[0, 0], [1], [0, 1]]])), ["vertex 2 is [1]"]),
        ("z.geojson", collection(feature("a", [[[0, 0], [1, 0], [0, float("nan")]]])), ["vertex 3"]),
        ("z.geojson", collection(feature("a", [[[0, 0], [1, 1], [2, 2]]])), ["feature 1 ('a')", "no area"]),
        ("z.geojson", collection(feature("a", [TRIANGLE], kind=3)), ["feature 1 ('a')", "'kind' must be"]),
        ("z.toml", "[[zones]]\npolygon = [[0, 0], [1, 0], [0, 1]]\n", ["zone 1 has no name"]),
        (
            "z.toml",
            "[[zones]]\nname = 'a'\npolgon = [[0, 0], [1, 0], [0, 1]]\n",
            ["zone 1 ('a'): unknown key(s) polgon"],
        ),
        ("z.toml", "[[zones]]\nname = 'a'\n", ["zone 1 ('a') has no polygon"]),
        ("z.toml", "[[zones]]\nname = 'a'\npolygon = [[0, 0], [1, 0]]\n", ["zone 1 ('a')", "at least three"]),
        (
            "z.toml",
            "[[zones]]\nname = 'a'\npolygon = [[0, 0], ['x', 0], [0, 1]]\n",
            ["zone 1 ('a')", "vertex 2"],
        ),
        ("z.toml", "[preset]\nassay = 'epm'\n", ["unknown key(s) or table(s) preset", "[[zones]]"]),
        ("z.toml", "", ["no zones"]),
        (
            "z.toml",
            "[[zones]]\nname='a'\npolygon=[[0,0],[1,0],[0,1]]\n[[zones]]\nname='a'\npolygon=[[0,0],[1,0],[0,1]]\n",
            ["zone 2 ('a') and zone 1 ('a') are both named 'a'"],
        ),
    ],
)
def test_every_reading_error_names_the_file_and_the_zone(
    tmp_path: Path, name: str, data: object, fragments: list[str]
) -> None:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    message = messages(path)
    for fragment in fragments:
        assert fragment in message, message


def test_a_missing_file(tmp_path: Path) -> None:
    assert "zone file not found" in messages(tmp_path / "nowhere.geojson")


# ---------------------------------------------------------------------------------------------------------
# kinds


@pytest.mark.parametrize(
    ("name", "assay", "kind"),
    [
        ("open_left", "epm", "open"),
        ("closed_top", "epm", "closed"),
        ("central_square", "epm", "center"),
        ("openLeft", "epm", "open"),
        ("OpenArm", "epm", "open"),
        ("EPMOpen", "epm", "open"),
        ("closedTop2", "epm", "closed"),
        ("open1", "epm", "open"),
        ("Closed2-North", "epm", "closed"),
        ("close arm", "epm", "closed"),
        ("CENTRE", "epm", "center"),
        ("middle", "epm", "center"),
        ("hub zone", "epm", "center"),
        ("centerSquare", "epm", "center"),
        ("open_arm_open", "epm", "open"),
        ("open_closed_junction", "epm", None),  # two kinds
        ("centreOpen", "epm", None),
        ("arm_1", "epm", None),  # no kind
        ("opening", "epm", None),  # a word that merely starts with one
        ("reopen", "epm", None),
        ("1open", "epm", None),
        ("whole_maze", "epm", None),
        ("light_side", "epm", None),  # an LDB word means nothing to the plus maze
        ("light_side", "ldb", "light"),
        ("DarkBox", "ldb", "dark"),
        ("lit", "ldb", "light"),
        ("bright-compartment", "ldb", "light"),
        ("white1", "ldb", "light"),
        ("black_box", "ldb", "dark"),
        ("light/dark door", "ldb", None),
        ("open_left", "ldb", None),
    ],
)
def test_zone_kind_from_name(name: str, assay: str, kind: str | None) -> None:
    assert zone_kind_from_name(name, assay) == kind


def test_zone_kind_from_name_rejects_an_unknown_assay() -> None:
    with pytest.raises(ValueError, match="unknown assay"):
        zone_kind_from_name("open", "fst")


def spec(name: str, kind: str | None = None, source: Path = Path("maze.geojson")) -> ZoneSpec:
    return ZoneSpec(name, [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)], kind, source)


def test_mapping_beats_the_file_kind_which_beats_the_name() -> None:
    specs = [
        spec("whole maze"),
        spec("arm A"),
        spec("arm B", kind="closed"),
        spec("open_arm", kind="Closed"),  # the file's kind beats the name
        spec("central_square"),
        spec("closed_top", kind="open"),
    ]
    mapping = {"whole maze": "ignore", "arm A": "OPEN", "closed_top": "closed"}
    assigned = assign_kinds(specs, "epm", mapping)
    assert [(name, kind) for name, kind, _ in assigned] == [
        ("arm A", "open"),
        ("arm B", "closed"),
        ("open_arm", "closed"),
        ("central_square", "center"),
        ("closed_top", "closed"),
    ]
    assert assigned[0][2] == [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]


def test_ldb_kinds() -> None:
    assigned = assign_kinds([spec("dark box"), spec("light box"), spec("door")], "ldb", {"door": "ignore"})
    assert [kind for _, kind, _ in assigned] == ["dark", "light"]


@pytest.mark.parametrize(
    ("specs", "mapping", "fragments"),
    [
        (
            [spec("open_left"), spec("closed_top"), spec("foo")],
            None,
            [
                "zone 'foo': cannot tell its kind from its name",
                "--zone-kind foo=open (one of open, closed, center, or ignore)",
            ],
        ),
        (
            [spec("light"), spec("box 2")],
            None,
            ["zone 'box 2'", "--zone-kind 'box 2=light' (one of light, dark, or ignore)"],
        ),
        (
            [spec("open_left"), spec("closed_top"), spec("center")],
            {"open_rigth": "open"},
            ["names 'open_rigth'", "its zones are open_left, closed_top, center"],
        ),
        (
            [spec("open_left"), spec("closed_top"), spec("center")],
            {"center": "lava"},
            ["zone 'center': unknown kind 'lava' (from --zone-kind or [zone_kinds])", "open, closed, center"],
        ),
        (
            [spec("open_left", kind="arm"), spec("closed_top"), spec("center")],
            None,
            ["zone 'open_left': unknown kind 'arm' (from the file)"],
        ),
        (
            [spec("open_left"), spec("closed_top"), spec("hub")],
            {"hub": "ignore"},
            ["no zone of kind center", "open_left (open), closed_top (closed)"],
        ),
        ([spec("a")], {"a": "ignore"}, ["no zone of kind open, closed, center", "zones kept: none"]),
        ([spec("light")], None, ["no zone of kind dark"]),
    ],
)
def test_every_kind_error_names_the_file_and_the_zone(
    specs: list[ZoneSpec], mapping: dict[str, str] | None, fragments: list[str]
) -> None:
    assay = "ldb" if specs[0].name == "light" else "epm"
    with pytest.raises(AssayInputError) as info:
        assign_kinds(specs, assay, mapping)
    message = str(info.value)
    assert message.startswith("maze.geojson: ") and "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_parse_zone_kinds() -> None:
    items = ["open_left=open", " whole maze = Ignore ", "a=b=closed", "open_left=open"]
    assert parse_zone_kinds(items) == {"open_left": "open", "whole maze": "ignore", "a=b": "closed"}
    assert parse_zone_kinds([]) == {}


@pytest.mark.parametrize(
    ("items", "fragment"),
    [
        (["open_left"], "--zone-kind 'open_left': expected NAME=KIND"),
        (["=open"], "expected NAME=KIND"),
        (["open_left= "], "expected NAME=KIND"),
        (["a=open", "a=closed"], "gives zone 'a' two kinds, open and closed"),
    ],
)
def test_parse_zone_kinds_errors(items: list[str], fragment: str) -> None:
    with pytest.raises(AssayInputError, match="expected|two kinds") as info:
        parse_zone_kinds(items)
    assert fragment in str(info.value)
