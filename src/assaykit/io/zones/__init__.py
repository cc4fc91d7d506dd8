"""Zone files: named polygons drawn on a video frame, and which zone kind each one is.

Pose-estimation users (SLEAP, DeepLabCut, LightningPose) draw their maze's regions on a frame, in pixels,
for instance with the ``movement`` package, whose ``save_rois`` writes a GeoJSON ``FeatureCollection``, or
by hand in a YAML file, as behavioural-analysis courses do. This module reads such files and gives each
polygon an assay's zone kind.

Formats, chosen by the file's extension:

``.geojson``, ``.json``
    A GeoJSON ``FeatureCollection`` of named ``Polygon`` features (:mod:`assaykit.io.zones.geojson`).
``.toml``
    ``[[zones]]`` tables with ``name``, ``polygon = [[x, y], ...]`` and an optional ``kind``: the same keys
    as a protocol preset's ``[[zones]]`` (:mod:`assaykit.io.zones.toml`).
``.yaml``, ``.yml``
    A mapping of zone name to its ``[[x, y], ...]`` vertices, and the variants people write by hand
    (:mod:`assaykit.io.zones.yaml`).

Coordinates are in the track's own units (e.g. pixels); the protocol scales them to cm. Every reader
checks each outline: at least three distinct vertices, an area, and no edge crossing another (vertices
listed out of order), see :func:`assaykit.io.zones.specs.checked_vertices`.

Each zone's kind is, in this order: the one a mapping gives its name (``--zone-kind NAME=KIND`` on the
command line, ``[zone_kinds]`` in a preset), the file's own ``kind``, or the one its name implies
(:func:`zone_kind_from_name`). The kind ``ignore`` drops a zone, e.g. a polygon around the whole maze
(:mod:`assaykit.io.zones.kinds`).
"""

from __future__ import annotations

from pathlib import Path

from assaykit.errors import AssayInputError
from assaykit.io.zones.geojson import geojson_data_zones, looks_like_geojson, parse_json
from assaykit.io.zones.kinds import (
    IGNORE,
    NAME_WORDS,
    ZONE_KINDS,
    assign_kinds,
    parse_zone_kinds,
    zone_kind_from_name,
)
from assaykit.io.zones.specs import ZoneSpec, read_text
from assaykit.io.zones.toml import toml_zones
from assaykit.io.zones.yaml import data_zones, yaml_zones

__all__ = [
    "IGNORE",
    "NAME_WORDS",
    "ZONE_FILE_SUFFIXES",
    "ZONE_KINDS",
    "ZoneSpec",
    "assign_kinds",
    "parse_zone_kinds",
    "read_zone_file",
    "zone_kind_from_name",
]


def _json_zones(text: str, path: Path) -> list[tuple[ZoneSpec, str]]:
    """Return the zones of a JSON text: GeoJSON, or the YAML form written as JSON."""
    data = parse_json(text, path)
    if looks_like_geojson(data):
        return geojson_data_zones(data, path)
    return data_zones(data, path)


#: File extensions :func:`read_zone_file` reads, and the reader of each.
_READERS = {
    ".geojson": _json_zones,
    ".json": _json_zones,
    ".toml": toml_zones,
    ".yaml": yaml_zones,
    ".yml": yaml_zones,
}
ZONE_FILE_SUFFIXES = tuple(_READERS)
#: Files people give by mistake, and what to do instead.
_NOT_ZONE_FILES = {
    ".h5": "an HDF5 file is a track file (SLEAP, DeepLabCut), or SimBA's ROI definitions, which are not read",
    ".csv": "a CSV file is read as tracks, not zones",
    ".png": "draw the zones on the frame (e.g. with napari and movement's save_rois) and give that file",
    ".jpg": "draw the zones on the frame (e.g. with napari and movement's save_rois) and give that file",
}


def read_zone_file(path: str | Path) -> list[ZoneSpec]:
    """Read named polygons from a GeoJSON (``.geojson``, ``.json``), TOML (``.toml``) or YAML zone file.

    Parameters
    ----------
    path
        The file; its extension (``.yaml`` or ``.yml`` for YAML) selects the format.

    Returns
    -------
    list of ZoneSpec
        In the file's order (which breaks ties on a shared border or an overlap: the first zone listed
        wins).

    Raises
    ------
    AssayInputError
        An unknown extension, an unreadable file, invalid JSON, TOML or YAML (with the parser's line), a
        feature that is not a polygon (a line, a point, a multi-polygon, a polygon with holes), a missing
        or repeated name, non-numeric coordinates, a vertex of three numbers (TOML, YAML), fewer than
        three distinct vertices, a polygon without area or whose outline crosses itself, or no zone at
        all. The message names the file and the feature or zone.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        hint = _NOT_ZONE_FILES.get(suffix, "")
        raise AssayInputError(
            f"unknown zone file type '{path.suffix or '(none)'}'; expected one of "
            f"{', '.join(ZONE_FILE_SUFFIXES)} (GeoJSON, e.g. from movement's save_rois; TOML [[zones]]; or "
            f"YAML name: [[x, y], ...])" + (f"; {hint}" if hint else ""),
            path=path,
        )
    specs = _READERS[suffix](read_text(path), path)
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
