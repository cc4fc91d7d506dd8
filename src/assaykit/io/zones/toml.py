"""TOML zone files: ``[[zones]]`` tables with the same keys as a protocol preset's ``[[zones]]``.

Each table has ``name``, ``polygon = [[x, y], ...]`` and an optional ``kind``; nothing else is allowed, so a
misspelt key is an error rather than a zone without its kind.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from assaykit.errors import AssayInputError
from assaykit.io.zones.specs import ZoneSpec, checked_vertices, clean_kind

_ZONE_TABLE_KEYS = ("name", "kind", "polygon")


def toml_zones(text: str, path: Path) -> list[tuple[ZoneSpec, str]]:
    """Return the zones of a TOML text, each with how messages name it (``zone 2 ('hub')``)."""
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
        vertices = checked_vertices(table["polygon"], where, "polygon = [[x, y], ...]", path)
        specs.append((ZoneSpec(name, vertices, clean_kind(kind), path), where))
    return specs
