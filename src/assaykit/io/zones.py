"""Zone files: named polygons drawn on a video frame (GeoJSON or TOML), and which zone kind each one is.

Pose-estimation users (SLEAP, DeepLabCut, LightningPose) draw their maze's regions on a frame, in pixels,
for instance with the ``movement`` package, whose ``save_rois`` writes a GeoJSON ``FeatureCollection``. This
module reads such files and gives each polygon an assay's zone kind; it does no geometry beyond checking
that a polygon is one.

Formats, chosen by the file's extension:

``.geojson``, ``.json``
    A GeoJSON ``FeatureCollection`` (or a single ``Feature``). Each feature's ``geometry`` is a
    ``Polygon`` with an exterior ring only (the closing vertex, a repeat of the first, is dropped);
    ``properties.name`` names the zone and an optional ``properties.kind`` gives its kind. Other
    properties (``movement`` writes ``roi_type``) are ignored.
``.toml``
    ``[[zones]]`` tables with ``name``, ``polygon = [[x, y], ...]`` and an optional ``kind``: the same keys
    as a protocol preset's ``[[zones]]``.

Coordinates are in the track's own units (e.g. pixels); the protocol scales them to cm.

Each zone's kind is, in this order: the one a mapping gives its name (``--zone-kind NAME=KIND`` on the
command line, ``[zone_kinds]`` in a preset), the file's own ``kind``, or the one its name implies
(:func:`zone_kind_from_name`). The kind ``ignore`` drops a zone, e.g. a polygon around the whole maze.
"""

from __future__ import annotations

import json
import math
import re
import shlex
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError
from assaykit.tracking.geometry import ZONE_KINDS

#: File extensions :func:`read_zone_file` reads.
ZONE_FILE_SUFFIXES = (".geojson", ".json", ".toml")

#: The kind that drops a zone instead of analysing it.
IGNORE = "ignore"

#: Words of a zone's name that imply its kind (:func:`zone_kind_from_name`), per assay.
NAME_WORDS: dict[str, dict[str, str]] = {
    "epm": {
        "open": "open",
        "closed": "closed",
        "close": "closed",
        "center": "center",
        "centre": "center",
        "central": "center",
        "middle": "center",
        "hub": "center",
    },
    "ldb": {
        "light": "light",
        "lit": "light",
        "bright": "light",
        "white": "light",
        "dark": "dark",
        "black": "dark",
    },
}

_CASE_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"[^\W_]+")
_WORD_NUMBER = re.compile(r"([^\W\d_]+)(\d*)")
_ZONE_TABLE_KEYS = ("name", "kind", "polygon")


@dataclass(frozen=True)
class ZoneSpec:
    """One named polygon read from a zone file.

    Attributes
    ----------
    name
        The zone's name, stripped of surrounding blanks; unique within the file.
    vertices
        At least three ``(x, y)`` vertices in the file's units, in order around the outline, not repeating
        the first at the end.
    kind
        The kind the file gives (lower-case), or None when it gives none.
    source
        The file.
    """

    name: str
    vertices: list[tuple[float, float]]
    kind: str | None
    source: Path


def read_zone_file(path: str | Path) -> list[ZoneSpec]:
    """Read named polygons from a GeoJSON (``.geojson``, ``.json``) or TOML (``.toml``) zone file.

    Parameters
    ----------
    path
        The file; its extension selects the format.

    Returns
    -------
    list of ZoneSpec
        In the file's order (which breaks ties on a shared border: the first zone listed wins).

    Raises
    ------
    AssayInputError
        An unknown extension, an unreadable file, invalid JSON or TOML (with the parser's line), a feature
        that is not a polygon (a line, a point, a multi-polygon, a polygon with holes), a missing or
        repeated name, non-numeric coordinates, fewer than three distinct vertices, a polygon without
        area, or no zone at all. The message names the file and the feature or zone.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in ZONE_FILE_SUFFIXES:
        raise AssayInputError(
            f"unknown zone file type '{path.suffix or '(none)'}'; expected one of "
            f"{', '.join(ZONE_FILE_SUFFIXES)} (GeoJSON, e.g. from movement's save_rois, or TOML [[zones]])",
            path=path,
        )
    text = _read_text(path)
    specs = _toml_zones(text, path) if suffix == ".toml" else _geojson_zones(text, path)
    if not specs:
        raise AssayInputError("no zones in the file; expected at least one named polygon", path=path)
    seen: dict[str, str] = {}
    for spec, where in specs:
        if spec.name in seen:
            raise AssayInputError(
                f"{where} and {seen[spec.name]} are both named '{spec.name}'; zone names must be unique",
                path=path,
            )
        seen[spec.name] = where
    return [spec for spec, _ in specs]


def zone_kind_from_name(name: str, assay: str) -> str | None:
    """Return the zone kind a zone's name implies, or None when it implies none or several.

    The name is split into words at anything that is not a letter or digit and where lower case turns to
    upper case (``openLeft`` is ``open``, ``left``), and compared without case. For the plus maze the
    word ``open`` means open; ``closed`` or ``close``, closed; ``center``, ``centre``, ``central``,
    ``middle`` or ``hub``, center. For the light-dark box ``light``, ``lit``, ``bright`` or ``white`` means
    light; ``dark`` or ``black``, dark. A word may end in digits (``open1``). Other words (``arm``,
    ``left``, ``top``, ``square``) do not count.

    Parameters
    ----------
    name
        The zone's name, e.g. ``"open_left"``, ``"closedTop"``, ``"central_square"``, ``"dark box"``.
    assay
        ``"epm"`` or ``"ldb"``.

    Returns
    -------
    str or None
        The kind, or None when no word implies one or words imply two different kinds
        (``"open_closed_junction"``).

    Raises
    ------
    ValueError
        For an unknown assay.
    """
    if assay not in NAME_WORDS:
        raise ValueError(f"unknown assay {assay!r}; expected one of {', '.join(NAME_WORDS)}")
    words = NAME_WORDS[assay]
    found = set()
    for token in _WORD.findall(name):
        for word in _CASE_BOUNDARY.sub(" ", token).split():
            match = _WORD_NUMBER.fullmatch(word.lower())
            if match is not None and match.group(1) in words:
                found.add(words[match.group(1)])
    return found.pop() if len(found) == 1 else None


def assign_kinds(
    specs: Sequence[ZoneSpec], assay: str, mapping: Mapping[str, str] | None = None
) -> list[tuple[str, str, list[tuple[float, float]]]]:
    """Give each zone its kind and drop the ignored ones.

    A zone's kind is ``mapping[name]`` when the mapping names it, else the file's own ``kind``, else the
    one its name implies (:func:`zone_kind_from_name`). The kind ``ignore`` drops the zone.

    Parameters
    ----------
    specs
        Zones from :func:`read_zone_file`.
    assay
        ``"epm"`` or ``"ldb"``.
    mapping
        Zone name to kind (one of the assay's kinds, or ``ignore``), e.g. from ``--zone-kind``.

    Returns
    -------
    list of tuple
        ``(name, kind, vertices)`` for each zone kept, in the file's order.

    Raises
    ------
    AssayInputError
        A zone whose kind cannot be told, a mapping entry that names no zone, a kind the assay does not
        know, or no zone left of one of the assay's kinds.
    """
    kinds = ZONE_KINDS[assay]
    allowed = f"{', '.join(kinds)}, or {IGNORE}"
    source = specs[0].source if specs else None
    if not specs:
        raise AssayInputError("no zones; expected at least one named polygon", path=source)
    mapping = dict(mapping or {})
    names = [spec.name for spec in specs]
    unknown = [name for name in mapping if name not in names]
    if unknown:
        listed = ", ".join(f"'{name}'" for name in unknown)
        raise AssayInputError(
            f"--zone-kind or [zone_kinds] names {listed}, but the file has no zone of that name; "
            f"its zones are {', '.join(names)}",
            path=source,
        )
    assigned = []
    for spec in specs:
        if spec.name in mapping:
            given = mapping[spec.name]
            kind, origin = _clean_kind(given) or repr(given), "--zone-kind or [zone_kinds]"
        elif spec.kind is not None:
            kind, origin = _clean_kind(spec.kind), "the file"
        else:
            kind, origin = zone_kind_from_name(spec.name, assay), "its name"
        if kind is None:
            hint = shlex.quote(f"{spec.name}={kinds[0]}")
            raise AssayInputError(
                f"zone '{spec.name}': cannot tell its kind from its name; give it with --zone-kind {hint} "
                f"(one of {allowed}), or in [zone_kinds] of the preset",
                path=spec.source,
            )
        if kind != IGNORE and kind not in kinds:
            raise AssayInputError(
                f"zone '{spec.name}': unknown kind '{kind}' (from {origin}); expected one of {allowed}",
                path=spec.source,
            )
        if kind != IGNORE:
            assigned.append((spec.name, kind, list(spec.vertices)))
    missing = [kind for kind in kinds if kind not in {k for _, k, _ in assigned}]
    if missing:
        summary = ", ".join(f"{name} ({kind})" for name, kind, _ in assigned) or "none"
        raise AssayInputError(
            f"no zone of kind {', '.join(missing)}; an {assay.upper()} arena needs every kind of "
            f"{', '.join(kinds)} (zones kept: {summary})",
            path=source,
        )
    return assigned


def parse_zone_kinds(items: Sequence[str]) -> dict[str, str]:
    """Read command-line ``NAME=KIND`` items (``--zone-kind``) into a mapping.

    Parameters
    ----------
    items
        E.g. ``["open_left=open", "whole maze=ignore"]``. The last ``=`` separates the name from the kind;
        blanks around either are dropped and the kind is lower-cased.

    Returns
    -------
    dict
        Zone name to kind. Whether the kinds fit the assay is checked by :func:`assign_kinds`.

    Raises
    ------
    AssayInputError
        An item without ``=``, with an empty name or kind, or a name given two different kinds.
    """
    mapping: dict[str, str] = {}
    for item in items:
        name, equals, kind = str(item).rpartition("=")
        name, kind = name.strip(), kind.strip().lower()
        if not equals or not name or not kind:
            raise AssayInputError(
                f"--zone-kind {item!r}: expected NAME=KIND, e.g. open_left=open (KIND a zone kind of the "
                f"assay, or {IGNORE})"
            )
        if mapping.get(name, kind) != kind:
            raise AssayInputError(f"--zone-kind gives zone '{name}' two kinds, {mapping[name]} and {kind}")
        mapping[name] = kind
    return mapping


def _clean_kind(kind: object) -> str | None:
    """Return a kind lower-cased and stripped; None for anything but a non-blank string."""
    if not isinstance(kind, str):
        return None
    return kind.strip().lower() or None


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AssayInputError("zone file not found", path=path) from None
    except OSError as exc:
        raise AssayInputError(f"cannot read zone file: {exc.strerror}", path=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AssayInputError(
            f"not UTF-8 text (byte {exc.start + 1}); expected a GeoJSON or TOML zone file", path=path
        ) from None


def _geojson_zones(text: str, path: Path) -> list[tuple[ZoneSpec, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AssayInputError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", path=path
        ) from None
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "Feature":
        features: Any = [data]
    elif kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise AssayInputError("the FeatureCollection has no 'features' list", path=path)
    else:
        got = f"type {kind!r}" if isinstance(data, dict) else f"a JSON {type(data).__name__}"
        raise AssayInputError(
            f"expected a GeoJSON FeatureCollection (or one Feature) of named polygons, got {got}", path=path
        )
    return [_feature_zone(feature, number, path) for number, feature in enumerate(features, start=1)]


def _feature_zone(feature: Any, number: int, path: Path) -> tuple[ZoneSpec, str]:
    where = f"feature {number}"
    if not isinstance(feature, dict) or feature.get("type", "Feature") != "Feature":
        got = feature.get("type") if isinstance(feature, dict) else type(feature).__name__
        raise AssayInputError(f"{where} is not a GeoJSON Feature (got {got!r})", path=path)
    properties = feature.get("properties") or {}
    name = properties.get("name") if isinstance(properties, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise AssayInputError(
            f"{where} has no name; expected a string property 'name', e.g. \"open_left\"", path=path
        )
    name = name.strip()
    where = f"feature {number} ('{name}')"
    kind = properties.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise AssayInputError(f"{where}: property 'kind' must be a string, not {kind!r}", path=path)
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        raise AssayInputError(f"{where} has no geometry; expected a Polygon", path=path)
    shape = geometry.get("type")
    if shape in ("LineString", "LinearRing", "MultiLineString"):
        raise AssayInputError(
            f"{where} is a {shape}: lines of interest are not zones; expected a Polygon", path=path
        )
    if shape == "MultiPolygon":
        raise AssayInputError(
            f"{where} is a MultiPolygon; expected a Polygon (draw each part as its own zone)", path=path
        )
    if shape != "Polygon":
        raise AssayInputError(f"{where} is a {shape}; expected a Polygon", path=path)
    rings = geometry.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise AssayInputError(f"{where}: the Polygon has no coordinates; expected [[[x, y], ...]]", path=path)
    if len(rings) > 1:
        raise AssayInputError(
            f"{where}: the Polygon has {len(rings) - 1} hole(s); holes are not supported "
            "(draw the zone as one outline)",
            path=path,
        )
    vertices = _vertices(rings[0], where, "[[[x, y], ...]]", path)
    return ZoneSpec(name, vertices, _clean_kind(kind), path), where


def _toml_zones(text: str, path: Path) -> list[tuple[ZoneSpec, str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AssayInputError(f"not valid TOML: {exc}", path=path) from None
    unknown = sorted(set(data) - {"zones"})
    if unknown:
        raise AssayInputError(
            f"unknown key(s) or table(s) {', '.join(unknown)}; a zone file holds only [[zones]] tables",
            path=path,
        )
    tables = data.get("zones", [])
    if not isinstance(tables, list):
        raise AssayInputError("'zones' must be [[zones]] tables", path=path)
    specs = []
    for number, table in enumerate(tables, start=1):
        where = f"zone {number}"
        name = table.get("name") if isinstance(table, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise AssayInputError(f'{where} has no name; expected name = "open_left"', path=path)
        name = name.strip()
        where = f"zone {number} ('{name}')"
        extra = sorted(set(table) - set(_ZONE_TABLE_KEYS))
        if extra:
            raise AssayInputError(
                f"{where}: unknown key(s) {', '.join(extra)}; expected {', '.join(_ZONE_TABLE_KEYS)}",
                path=path,
            )
        kind = table.get("kind")
        if kind is not None and not isinstance(kind, str):
            raise AssayInputError(f"{where}: kind must be a string, not {kind!r}", path=path)
        if "polygon" not in table:
            raise AssayInputError(f"{where} has no polygon; expected polygon = [[x, y], ...]", path=path)
        vertices = _vertices(table["polygon"], where, "polygon = [[x, y], ...]", path)
        specs.append((ZoneSpec(name, vertices, _clean_kind(kind), path), where))
    return specs


def _vertices(ring: Any, where: str, expected: str, path: Path) -> list[tuple[float, float]]:
    """Check a ring of ``[x, y]`` positions and drop the closing repeat of the first."""
    if not isinstance(ring, list):
        raise AssayInputError(
            f"{where}: the outline is not a list of [x, y] vertices; expected {expected}", path=path
        )
    vertices = []
    for index, position in enumerate(ring, start=1):
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(_is_number(v) for v in position)
            or not all(math.isfinite(v) for v in position)
        ):
            raise AssayInputError(
                f"{where}: vertex {index} is {json.dumps(position, default=str)}, "
                f"not a pair of finite numbers; "
                f"expected {expected}",
                path=path,
            )
        vertices.append((float(position[0]), float(position[1])))
    if len(vertices) > 1 and vertices[0] == vertices[-1]:
        vertices.pop()
    if len(set(vertices)) < 3:
        raise AssayInputError(
            f"{where}: the polygon has {len(set(vertices))} distinct vertices; expected at least three",
            path=path,
        )
    if _area(vertices) == 0.0:
        raise AssayInputError(f"{where}: the polygon has no area (its vertices are on one line)", path=path)
    return vertices


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _area(vertices: list[tuple[float, float]]) -> float:
    """Twice the signed area (shoelace)."""
    return sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(vertices, vertices[1:] + vertices[:1], strict=True)
    )
