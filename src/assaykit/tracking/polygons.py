"""Arenas from named polygons in the track's own units: a zone file's, or a preset's ``[[zones]]``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError
from assaykit.io.zones import IGNORE, ZONE_KINDS, zone_kind_from_name
from assaykit.planar import crossing_message
from assaykit.tracking.geometry import Arena, polygon_zone

#: Zones read from a zone file: ``(name, kind, vertices in track units)``, in the file's order.
FileZones = tuple[tuple[str, str, tuple[tuple[float, float], ...]], ...]


def file_arena(assay: str, file_zones: FileZones, scale: float, source: Path) -> Arena:
    """Build the arena from a zone file's zones (already checked), scaled to cm."""
    zones = []
    for name, kind, vertices in file_zones:
        try:
            zones.append(polygon_zone(name, kind, [[x * scale, y * scale] for x, y in vertices]))
        except ValueError as exc:
            raise AssayInputError(f"{exc} at a scale of {scale:g} cm per track unit", path=source) from None
    return Arena(assay, tuple(zones))


def polygon_arena(
    assay: str,
    tables: tuple[Mapping[str, Any], ...],
    scale: float,
    path: Path,
    mapping: Mapping[str, str] | None = None,
) -> Arena:
    """Build the arena from a preset's ``[[zones]]`` tables (kinds from ``mapping``, ``kind`` or the name)."""
    kinds = ZONE_KINDS[assay]
    mapping = mapping or {}
    names = [table.get("name") for table in tables]
    unknown = [name for name in mapping if name not in names]
    if unknown:
        listed = ", ".join(f"'{name}'" for name in unknown)
        known = ", ".join(str(name) for name in names)
        raise AssayInputError(
            f"--zone-kind or [zone_kinds] names {listed}, but there is no [[zones]] table of that name; "
            f"the zones are {known}",
            path=path,
        )
    zones = []
    for number, table in enumerate(tables, start=1):
        name, kind = table.get("name"), table.get("kind")
        if isinstance(name, str):
            kind = mapping.get(name, kind)
            if kind is None:
                kind = zone_kind_from_name(name, assay)
                if kind is None:
                    raise AssayInputError(
                        f"zone {number} ('{name}'): cannot tell its kind from its name; give it a kind "
                        f"(one of {', '.join(kinds)}, or {IGNORE}), or name it in [zone_kinds]",
                        path=path,
                    )
            if kind == IGNORE:
                continue
        if not isinstance(name, str) or kind not in kinds:
            raise AssayInputError(
                f"zone {number} needs a name and a kind, one of {', '.join(kinds)}; got {name!r}, {kind!r}",
                path=path,
            )
        try:
            given = [[float(v) for v in vertex] for vertex in table["polygon"]]
            crossing = crossing_message(given) if len(given) >= 3 and {len(v) for v in given} == {2} else None
            zone = None if crossing else polygon_zone(name, kind, [[v * scale for v in p] for p in given])
        except (KeyError, TypeError, ValueError) as exc:
            reason = str(exc) if str(exc).startswith(f"zone '{name}'") else f"zone '{name}': {exc}"
            raise AssayInputError(f"{reason}; expected polygon = [[x, y], ...]", path=path) from None
        if zone is None:
            raise AssayInputError(f"zone '{name}': {crossing}", path=path)
        zones.append(zone)
    names = [z.name for z in zones]
    if len(set(names)) < len(names):
        raise AssayInputError("two zones have the same name", path=path)
    missing = sorted(set(kinds) - {z.kind for z in zones})
    if missing:
        raise AssayInputError(f"no zone of kind {', '.join(missing)}", path=path)
    return Arena(assay, tuple(zones))
