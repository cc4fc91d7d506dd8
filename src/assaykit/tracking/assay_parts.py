"""Parts every tracking assay's definition (:mod:`assaykit.epm`, :mod:`assaykit.ldb`) is built from.

An assay names its zone kinds and maps one animal's zone sums onto its endpoint columns
(:class:`assaykit.tracking.batch.AssaySpec`); what those mappings and arena builders share is here: the
``[arena]`` table of a preset (the keys it may hold, where it places the arena) and the percentage rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: Keys every ``[arena]`` table may hold besides the assay's dimensions: where the arena sits.
PLACEMENT_KEYS = ("origin", "rotation_deg")


def check_arena_keys(table: Mapping[str, Any], keys: Iterable[str]) -> None:
    """Raise ValueError for a key of a preset's ``[arena]`` table that the assay does not know.

    ``keys`` are the assay's own (its dimensions and options); :data:`PLACEMENT_KEYS` are every assay's.
    The message lists the unknown keys and every key expected, in alphabetical order.
    """
    known = {*keys, *PLACEMENT_KEYS}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(known))}")


def arena_placement(table: Mapping[str, Any], scale: float) -> dict[str, Any]:
    """Return where an ``[arena]`` table places the arena, as keyword arguments of its builder.

    Parameters
    ----------
    table
        The preset's ``[arena]`` table: ``origin`` (x, y in track units; default 0, 0) and
        ``rotation_deg`` (default 0).
    scale
        Centimetres per track unit: the origin is ``origin`` x ``scale`` cm.

    Returns
    -------
    dict
        ``origin`` (a pair of floats, cm) and ``rotation_deg`` (float), the placement arguments of
        :func:`assaykit.tracking.geometry.plus_maze` and :func:`assaykit.tracking.geometry.light_dark_box`.
    """
    origin = table.get("origin", [0.0, 0.0])
    return {
        "origin": (float(origin[0]) * scale, float(origin[1]) * scale),
        "rotation_deg": float(table.get("rotation_deg", 0.0)),
    }


def percent(part: float, whole: float) -> float:
    """Return ``part`` as a percentage of ``whole``; NaN when ``whole`` is 0 (the share is undefined)."""
    return 100.0 * part / whole if whole > 0 else float("nan")
