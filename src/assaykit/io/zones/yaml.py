"""YAML zone files: a mapping of region name to its ``[x, y]`` vertices, as courses and movement users keep.

The form the NIU behavioural-analysis course uses with movement (``EPM_rois.yaml``, read there with
``yaml.safe_load`` into ``PolygonOfInterest(vertices, name=name)``) maps each region's name to its list of
vertices, flow or block style, the first vertex repeated at the end or not::

    open_left: [[0, 10], [40, 10], [40, 15], [0, 15]]
    closed_top:
      - [40, 15]
      - [45, 15]
      - [45, 50]
      - [40, 50]

Also accepted, since such files are written by hand:

* the same mapping under one top-level key ``zones``, ``regions`` or ``rois``;
* a list of zones, each a mapping with ``name`` (at the top level, or under one of those keys);
* a zone given as a mapping with its vertices under ``points``, ``vertices``, ``coords``,
  ``coordinates`` or ``polygon``, an optional ``kind`` (as in GeoJSON and TOML zone files), an optional
  ``type`` that must be ``polygon``, ``rectangle`` or ``square``, and display keys that are ignored
  (``color``, ``colour``, ``description``, ``comment``, ``notes``);
* a vertex written as ``{x: 0, y: 10}``, and a number that YAML 1.1 leaves as text (``1e3``);
* a GeoJSON ``FeatureCollection`` (JSON is YAML), read as a ``.geojson`` file would be.

Anything else is an error that names the file and the zone. PyYAML reads the file with a safe loader
(no Python objects are built) that, unlike ``yaml.safe_load``, refuses a name given twice instead of
keeping the last one silently.

References
----------
The course materials: https://github.com/neuroinformatics-unit/course-behavioural-analysis
(``notebooks/EPM_rois.yaml``); PyYAML: https://pyyaml.org/wiki/PyYAMLDocumentation
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError
from assaykit.io.zones.geojson import geojson_data_zones
from assaykit.io.zones.specs import ZoneSpec, checked_vertices, clean_kind

#: Top-level keys that hold the zones instead of being one.
ZONE_LIST_KEYS = ("zones", "regions", "rois")
#: Keys of a zone mapping that hold its vertices.
VERTEX_KEYS = ("points", "vertices", "coords", "coordinates", "polygon")
_SHAPES = ("polygon", "rectangle", "square")
_DISPLAY_KEYS = ("color", "colour", "description", "comment", "notes")
_EXPECTED = (
    "a YAML mapping of zone name to [[x, y], ...] vertices, e.g. open_left: [[0, 10], [40, 10], [40, 15]]"
)


class _DuplicateKeyError(Exception):
    def __init__(self, key: object, first: int, second: int) -> None:
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


def yaml_zones(text: str, path: Path) -> list[tuple[ZoneSpec, str]]:
    """Return the zones of a YAML text, each with how messages name it (``zone 'hub'``).

    Raises
    ------
    AssayInputError
        Invalid YAML (with its line and column), an empty file, a name given twice (with both lines), a
        name YAML reads as true/false or null, and whatever a zone's checks find (see the module
        docstring and :func:`assaykit.io.zones.specs.checked_vertices`).
    """
    return data_zones(_load(text, path), path)


def data_zones(data: Any, path: Path) -> list[tuple[ZoneSpec, str]]:
    """Return the zones of parsed YAML (or JSON) in any of the forms of the module docstring."""
    if data is None:
        raise AssayInputError(f"the file is empty; expected {_EXPECTED}", path=path)
    if isinstance(data, dict) and data.get("type") in ("FeatureCollection", "Feature"):
        return geojson_data_zones(data, path)
    if isinstance(data, dict):
        holders = [key for key in data if isinstance(key, str) and key.strip().lower() in ZONE_LIST_KEYS]
        if holders:
            others = [_shown(key) for key in data if key not in holders]
            if len(holders) > 1 or others:
                extra = ", ".join([f"'{k}'" for k in holders[1:]] + others)
                raise AssayInputError(
                    f"unknown top-level key(s) {extra} beside '{holders[0]}'; a YAML zone file holds only "
                    f"its zones",
                    path=path,
                )
            data = data[holders[0]]
            if data is None:
                raise AssayInputError(f"'{holders[0]}' holds no zones; expected {_EXPECTED}", path=path)
    if isinstance(data, dict):
        names = [_name(key, path) for key in data]
        return [
            _zone(name, value, f"zone '{name}'", path)
            for name, value in zip(names, data.values(), strict=True)
        ]
    if isinstance(data, list):
        return [_listed_zone(number, item, path) for number, item in enumerate(data, start=1)]
    raise AssayInputError(f"expected {_EXPECTED}; found {_shown(data)}", path=path)


def _load(text: str, path: Path) -> Any:
    """Parse YAML safely, refusing duplicate keys; errors name the line."""
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        """PyYAML's safe loader, but a key given twice in one mapping is an error."""

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
        merged = any(key_node.tag == "tag:yaml.org,2002:merge" for key_node, _ in node.value)
        seen: dict[Any, int] = {}
        for key_node, _ in [] if merged else node.value:  # a merge (<<) may override keys on purpose
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                if key in seen:
                    raise _DuplicateKeyError(key, seen[key], line)
                seen[key] = line
            except TypeError:  # an unhashable key: PyYAML's own error follows
                continue
        return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

    UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKeyError as exc:
        raise AssayInputError(
            f"{_shown(exc.key)} is given twice (lines {exc.first} and {exc.second}); zone names, and the "
            "keys of a zone, must be unique",
            path=path,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        reason = " ".join(str(part) for part in (exc.context, exc.problem) if part) or "syntax error"
        raise AssayInputError(f"not valid YAML: {reason}{where}", path=path) from None
    except yaml.YAMLError as exc:
        raise AssayInputError(f"not valid YAML: {exc}", path=path) from None


def _name(key: Any, path: Path) -> str:
    """Return a zone name from a YAML key; refuse what YAML turned into something else."""
    if isinstance(key, bool):
        raise AssayInputError(
            f"a zone is named {str(key).lower()}: YAML reads yes/no/on/off/true/false as true or false; "
            "quote the name, e.g. 'on': [[0, 0], ...]",
            path=path,
        )
    if key is None:
        raise AssayInputError("a zone has no name (the key is empty, ~ or null)", path=path)
    if isinstance(key, int | float | str | datetime.date):
        name = str(key).strip()
        if name:
            return name
    raise AssayInputError(f"a zone's name is {_shown(key)}; expected a name such as open_left", path=path)


def _listed_zone(number: int, item: Any, path: Path) -> tuple[ZoneSpec, str]:
    """Build a zone of a YAML list: a mapping with ``name`` and its vertices."""
    where = f"zone {number}"
    if not isinstance(item, dict):
        raise AssayInputError(
            f"{where} is {_shown(item)}; in a list, each zone is a mapping with name and points, e.g. "
            "- {name: open_left, points: [[0, 10], [40, 10], [40, 15]]}",
            path=path,
        )
    if "name" not in item:
        raise AssayInputError(f"{where} has no name; expected name: open_left", path=path)
    name = _name(item["name"], path)
    return _zone(name, item, f"zone {number} ('{name}')", path)


def _zone(name: str, value: Any, where: str, path: Path) -> tuple[ZoneSpec, str]:
    """Build one zone from its value: a list of vertices, or a mapping with them and a kind."""
    kind = None
    if isinstance(value, dict):
        keys = {str(k).strip().lower(): k for k in value}
        shape = value.get(keys.get("type"))
        if "type" in keys and (not isinstance(shape, str) or shape.strip().lower() not in _SHAPES):
            raise AssayInputError(
                f"{where} is a {_shown(shape)}; only polygons are zones (give the vertices as points)",
                path=path,
            )
        unknown = [k for k in keys if k not in (*VERTEX_KEYS, "name", "kind", "type", *_DISPLAY_KEYS)]
        if unknown:
            raise AssayInputError(
                f"{where}: unknown key(s) {', '.join(unknown)}; expected points (or vertices, coords, "
                "polygon) and an optional kind",
                path=path,
            )
        if "name" in keys and _name(value[keys["name"]], path) != name:
            raise AssayInputError(
                f"{where} also has name: {_shown(value[keys['name']])}; give the name once", path=path
            )
        kind = value.get(keys.get("kind"))
        if "kind" in keys and not isinstance(kind, str):
            raise AssayInputError(f"{where}: kind must be a word such as open, not {_shown(kind)}", path=path)
        given = [keys[k] for k in VERTEX_KEYS if k in keys]
        if len(given) != 1:
            found = "no vertices" if not given else f"both {given[0]} and {given[1]}"
            raise AssayInputError(
                f"{where} has {found}; expected one of {', '.join(VERTEX_KEYS)}: [[x, y], ...]", path=path
            )
        value = value[given[0]]
    if not isinstance(value, list):
        raise AssayInputError(
            f"{where} is {_shown(value)}; expected a list of [x, y] vertices, e.g. {name}: [[0, 10], "
            "[40, 10], [40, 15]]",
            path=path,
        )
    ring = [_xy(vertex) for vertex in value]
    vertices = checked_vertices(ring, where, "[[x, y], ...]", path, text_numbers=True)
    return ZoneSpec(name, vertices, clean_kind(kind), path), where


def _xy(vertex: Any) -> Any:
    """Turn a vertex written as ``{x: 0, y: 10}`` into ``[0, 10]``; leave anything else as it is."""
    if isinstance(vertex, dict):
        keys = {str(k).strip().lower(): v for k, v in vertex.items()}
        if set(keys) == {"x", "y"}:
            return [keys["x"], keys["y"]]
    return vertex


def _shown(value: Any) -> str:
    """Show a YAML value briefly in a message."""
    if isinstance(value, str):
        return f"'{value}'"
    text = repr(value)
    if isinstance(value, list | dict):
        kind = "a list" if isinstance(value, list) else "a mapping"
        return f"{kind} {text[:40]}{'...' if len(text) > 40 else ''}"
    return text
