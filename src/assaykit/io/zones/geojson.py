"""GeoJSON zone files, as movement's ``save_rois`` writes them.

A ``FeatureCollection`` (or a single ``Feature``). Each feature's ``geometry`` is a ``Polygon`` with an
exterior ring only (the closing vertex, a repeat of the first, is dropped); ``properties.name`` names the
zone and an optional ``properties.kind`` gives its kind. Other properties (movement writes ``roi_type``)
are ignored. A position may carry a third number (an altitude, RFC 7946 section 3.1.1), which is dropped.

JSON that is not GeoJSON (an object without ``type``, ``features`` or ``geometry``) is read as the YAML
form written in JSON, ``{"open_left": [[x, y], ...], ...}`` (:mod:`assaykit.io.zones.yaml`).

References
----------
RFC 7946, The GeoJSON Format: https://datatracker.ietf.org/doc/html/rfc7946 ; movement's ``save_rois``
(``movement/roi/io.py``): https://github.com/neuroinformatics-unit/movement
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError
from assaykit.io.zones.specs import ZoneSpec, checked_vertices, clean_kind


def parse_json(text: str, path: Path) -> Any:
    """Parse a JSON zone file; invalid JSON is an error naming the line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AssayInputError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", path=path
        ) from None


def looks_like_geojson(data: Any) -> bool:
    """Whether parsed JSON is meant as GeoJSON: an object (or a list of them) with GeoJSON's keys.

    Anything else (``{"open_left": [[x, y], ...], ...}``) is the YAML form written as JSON.
    """
    first = data[0] if isinstance(data, list) and data else data
    return not isinstance(first, dict) or bool({"type", "features", "geometry"} & set(first))


def geojson_data_zones(data: Any, path: Path) -> list[tuple[ZoneSpec, str]]:
    """Return the zones of parsed GeoJSON (a ``FeatureCollection`` or one ``Feature``)."""
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
    vertices = checked_vertices(rings[0], where, "[[[x, y], ...]]", path, exactly_two=False)
    return ZoneSpec(name, vertices, clean_kind(kind), path), where
