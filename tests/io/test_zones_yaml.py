"""YAML zone files: the course's ``name: [[x, y], ...]`` form and the variants people write by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from assaykit.errors import AssayInputError
from assaykit.io.zones import ZoneSpec, assign_kinds, read_zone_file

#: The layout of the behavioural-analysis course's EPM_rois.yaml (block lists, first vertex repeated at
#: the end, a blank line between regions), with small made-up coordinates.
COURSE = """\
open_arm_left:
  - [0, 40]
  - [40, 40]
  - [40, 50]
  - [0, 50]
  - [0, 40]

open_arm_right:
  - [50, 40]
  - [90, 40]
  - [90, 50]
  - [50, 50]
  - [50, 40]

closed_arm_bottom: [[40, 0], [50, 0], [50, 40], [40, 40]]
closed_arm_top: [[40, 50], [50, 50], [50, 90], [40, 90]]

central_square:
  - [40, 40]
  - [50, 40]
  - [50, 50]
  - [40, 50]
"""


def write(tmp_path: Path, text: str, name: str = "rois.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error(path: Path) -> str:
    with pytest.raises(AssayInputError) as info:
        read_zone_file(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message


def test_the_course_form(tmp_path: Path) -> None:
    path = write(tmp_path, COURSE)
    specs = read_zone_file(path)
    assert [s.name for s in specs] == [
        "open_arm_left",
        "open_arm_right",
        "closed_arm_bottom",
        "closed_arm_top",
        "central_square",
    ]
    assert specs[0] == ZoneSpec(
        "open_arm_left", [(0.0, 40.0), (40.0, 40.0), (40.0, 50.0), (0.0, 50.0)], None, path
    )
    assert specs[2].vertices == [(40.0, 0.0), (50.0, 0.0), (50.0, 40.0), (40.0, 40.0)]
    kinds = [kind for _, kind, _ in assign_kinds(specs, "epm")]
    assert kinds == ["open", "open", "closed", "closed", "center"]


@pytest.mark.parametrize(
    "text",
    [
        "zones:\n  open_left: [[0, 0], [4, 0], [4, 3]]\n"
        "  hub: {points: [[0, 0], [-1, 0], [0, -1]], kind: Center}\n",
        "Regions:\n  - {name: open_left, points: [[0, 0], [4, 0], [4, 3]]}\n"
        "  - name: hub\n    kind: center\n    vertices:\n      - {x: 0, y: 0}\n      - {X: -1, Y: 0}\n"
        "      - {x: 0, y: -1}\n",
        "rois:\n  open_left:\n    type: polygon\n    color: red\n"
        "    coords: [[0, 0], [4, 0], [4, 3], [0, 0]]\n"
        "  hub:\n    polygon: [[0, 0], [-1.0, 0], [0, -1e0]]\n    kind: center\n",
        "- name: open_left\n  coordinates: [['0', 0], [4e0, 0], [4, 3]]\n"
        "- name: hub\n  kind: CENTER\n  points: [[0, 0], [-1, 0], [0, -1]]\n",
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"name": "open_left"},'
        ' "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 3], [0, 0]]]}},'
        '{"type": "Feature", "properties": {"name": "hub", "kind": "center"},'
        ' "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [-1, 0], [0, -1]]]}}]}\n',
    ],
    ids=["zones-mapping", "regions-list", "rois-with-type-and-color", "top-level-list", "geojson-in-yaml"],
)
def test_the_common_variants(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text, "zones.yml")
    specs = read_zone_file(path)
    assert specs == [
        ZoneSpec("open_left", [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0)], None, path),
        ZoneSpec("hub", [(0.0, 0.0), (-1.0, 0.0), (0.0, -1.0)], "center", path),
    ]


def test_yaml_1_1_numbers_written_as_text_are_numbers(tmp_path: Path) -> None:
    # PyYAML (YAML 1.1) reads 1e3 as the text "1e3"; the file plainly means a thousand
    path = write(tmp_path, "open_left: [[0, 0], [1e3, 0], [1e3, 2.5E2]]\n")
    assert read_zone_file(path)[0].vertices == [(0.0, 0.0), (1000.0, 0.0), (1000.0, 250.0)]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("", ["the file is empty", "open_left: [[0, 10]"]),
        ("# only a comment\n", ["the file is empty"]),
        ("{}\n", ["no zones in the file"]),
        ("zones:\n", ["'zones' holds no zones"]),
        ("a: [[0, 0], [1, 0], [0, 1]\nb: 2\n", ["not valid YAML", "(line 2, column 1)"]),
        ("a: [[0, 0], [1, 0], [0, 1]]\n\tb: [[0, 0]]\n", ["not valid YAML", "line 2"]),
        ("a: [[0, 0], [1, 0], [0, 1]]\n---\nb: [[0, 0], [1, 0], [0, 1]]\n", ["not valid YAML", "line 2"]),
        (
            "open: [[0, 0], [1, 0], [0, 1]]\nhub: [[0, 0], [1, 0], [0, 1]]\nopen: [[0, 0], [2, 0], [0, 2]]\n",
            ["'open' is given twice (lines 1 and 3)", "must be unique"],
        ),
        (
            "a: {points: [[0, 0], [1, 0], [0, 1]], points: [[0, 0], [1, 0], [0, 2]]}\n",
            ["'points' is given twice"],
        ),
        ("a: [[0, 0], [1, 0]]\n", ["zone 'a'", "2 distinct vertices", "at least three"]),
        ("a: [[0, 0], [1, 0], [0, 0]]\n", ["zone 'a'", "2 distinct vertices"]),
        (
            "a: [[0, 0], [x, 0], [0, 1]]\n",
            ["zone 'a'", 'vertex 2 is ["x", 0]', "not a pair of finite numbers"],
        ),
        ("a: [[0, 0], [1, 0, 3], [0, 1]]\n", ["zone 'a'", "vertex 2 is [1, 0, 3], 3 numbers, not a pair"]),
        ("a: [[0, 0], [.nan, 0], [0, 1]]\n", ["zone 'a'", "vertex 2"]),
        ("a: [[0, 0], [true, 0], [0, 1]]\n", ["zone 'a'", "vertex 2 is [true, 0]"]),
        ("a: [0, 0, 1, 0, 0, 1]\n", ["zone 'a'", "vertex 1 is 0, not a pair"]),
        ("a: [[0, 0], [1, 1], [2, 2]]\n", ["zone 'a'", "no area"]),
        (
            "a: [[0, 0], [10, 0], [0, 5], [10, 5]]\n",
            ["zone 'a': its outline crosses itself", "edge 2, from (10, 0) to (0, 5)", "edge 4", "in order"],
        ),
        ("on: [[0, 0], [1, 0], [0, 1]]\n", ["a zone is named true", "quote the name"]),
        ("~: [[0, 0], [1, 0], [0, 1]]\n", ["a zone has no name"]),
        ("units: px\na: [[0, 0], [1, 0], [0, 1]]\n", ["zone 'units' is 'px'", "expected a list of [x, y]"]),
        ("zones:\n  a: [[0, 0], [1, 0], [0, 1]]\nimage: frame.png\n", ["unknown top-level key(s) 'image'"]),
        ("zones: {}\nregions: {}\n", ["unknown top-level key(s) 'regions' beside 'zones'"]),
        ("a:\n  type: circle\n  center: [0, 0]\n  radius: 5\n", ["zone 'a' is a 'circle'", "only polygons"]),
        ("a:\n  kind: open\n", ["zone 'a' has no vertices", "points, vertices, coords"]),
        (
            "a: {points: [[0, 0], [1, 0], [0, 1]], vertices: [[0, 0], [1, 0], [0, 1]]}\n",
            ["zone 'a' has both points and vertices"],
        ),
        ("a: {pts: [[0, 0], [1, 0], [0, 1]]}\n", ["zone 'a': unknown key(s) pts", "expected points"]),
        ("a: {points: [[0, 0], [1, 0], [0, 1]], kind: 3}\n", ["zone 'a': kind must be a word"]),
        ("a: {name: b, points: [[0, 0], [1, 0], [0, 1]]}\n", ["zone 'a' also has name: 'b'"]),
        ("- [[0, 0], [1, 0], [0, 1]]\n", ["zone 1 is a list", "each zone is a mapping with name and points"]),
        ("- {points: [[0, 0], [1, 0], [0, 1]]}\n", ["zone 1 has no name"]),
        (
            "- {name: a, points: [[0, 0], [1, 0], [0, 1]]}\n- {name: b, points: [[0, 0], [1, 0], [0, 1]]}\n"
            "- {name: a, points: [[0, 0], [2, 0], [0, 1]]}\n",
            ["zone 3 ('a') and zone 1 ('a') are both named 'a'"],
        ),
        ("- {name: a, points: [[0, 0], [1, 0]]}\n", ["zone 1 ('a')", "at least three"]),
        ("42\n", ["expected a YAML mapping of zone name", "found 42"]),
    ],
)
def test_every_error_is_one_line_naming_the_file_and_the_zone(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    message = error(write(tmp_path, text))
    for fragment in fragments:
        assert fragment in message, message


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "z.yaml"
    path.write_bytes("caf\u00e9: [[0, 0], [1, 0], [0, 1]]\n".encode("latin-1"))
    assert "not UTF-8 text (byte 4)" in error(path)
