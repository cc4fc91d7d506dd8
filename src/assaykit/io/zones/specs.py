"""What every zone-file reader returns, and the checks they share: text, names, kinds and vertices."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError
from assaykit.planar import crossing_message, signed_area

#: A number written as text, as YAML 1.1 (PyYAML) leaves ``1e3`` or a quoted ``"12.5"``.
_NUMBER_TEXT = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


@dataclass(frozen=True)
class ZoneSpec:
    """One named polygon read from a zone file.

    Attributes
    ----------
    name
        The zone's name, stripped of surrounding blanks; unique within the file.
    vertices
        At least three ``(x, y)`` vertices in the file's units, in order around the outline, not repeating
        the first at the end; the outline does not cross itself.
    kind
        The kind the file gives (lower-case), or None when it gives none.
    source
        The file.
    """

    name: str
    vertices: list[tuple[float, float]]
    kind: str | None
    source: Path


def clean_kind(kind: object) -> str | None:
    """Return a kind lower-cased and stripped; None for anything but a non-blank string."""
    if not isinstance(kind, str):
        return None
    return kind.strip().lower() or None


def read_text(path: Path) -> str:
    """Read a zone file as UTF-8 text (a byte-order mark is dropped)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AssayInputError("zone file not found", path=path) from None
    except IsADirectoryError:
        raise AssayInputError("is a folder, not a zone file", path=path) from None
    except OSError as exc:
        raise AssayInputError(f"cannot read zone file: {exc.strerror}", path=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AssayInputError(
            f"not UTF-8 text (byte {exc.start + 1}); expected a GeoJSON, TOML or YAML zone file", path=path
        ) from None


def checked_vertices(
    ring: Any,
    where: str,
    expected: str,
    path: Path,
    *,
    exactly_two: bool = True,
    text_numbers: bool = False,
) -> list[tuple[float, float]]:
    """Check a ring of ``[x, y]`` positions, drop the closing repeat of the first, and return the vertices.

    Parameters
    ----------
    ring
        The list of positions as the file gives it.
    where
        How the message names the zone, e.g. ``"zone 2 ('hub')"``.
    expected
        The form to suggest, e.g. ``"polygon = [[x, y], ...]"``.
    path
        The file.
    exactly_two
        Refuse a position with more than two numbers (a z would be dropped unseen). GeoJSON positions may
        carry an altitude (RFC 7946, section 3.1.1), so its reader allows more.
    text_numbers
        Accept a number written as text (YAML 1.1 reads ``1e3`` as text).

    Raises
    ------
    AssayInputError
        A position that is not a pair of finite numbers (named by its 1-based number), fewer than three
        distinct vertices, no area, or an outline that crosses itself.
    """
    if not isinstance(ring, list):
        raise AssayInputError(
            f"{where}: the outline is not a list of [x, y] vertices; expected {expected}", path=path
        )
    vertices = []
    for index, position in enumerate(ring, start=1):
        pair = _pair(position, exactly_two, text_numbers)
        if pair is None:
            shown = json.dumps(position, default=str)
            count = len(position) if isinstance(position, list | tuple) else 0
            reason = f"{count} numbers, not a pair" if count > 2 and exactly_two else "not a pair"
            raise AssayInputError(
                f"{where}: vertex {index} is {shown}, {reason} of finite numbers; expected {expected}",
                path=path,
            )
        vertices.append(pair)
    if len(vertices) > 1 and vertices[0] == vertices[-1]:
        vertices.pop()
    distinct = len(set(vertices))
    if distinct < 3:
        raise AssayInputError(
            f"{where}: the polygon has {distinct} distinct vertices; expected at least three", path=path
        )
    crossing = crossing_message(vertices)
    if crossing is not None:
        raise AssayInputError(f"{where}: {crossing}", path=path)
    if signed_area(vertices) == 0.0:
        raise AssayInputError(f"{where}: the polygon has no area (its vertices are on one line)", path=path)
    return vertices


def _pair(position: Any, exactly_two: bool, text_numbers: bool) -> tuple[float, float] | None:
    """Return ``(x, y)`` from a position, or None when it is not one."""
    if isinstance(position, tuple):
        position = list(position)
    if not isinstance(position, list) or len(position) < 2 or (exactly_two and len(position) != 2):
        return None
    values = []
    for value in position:
        if isinstance(value, str) and text_numbers and _NUMBER_TEXT.fullmatch(value):
            value = float(value)
        if not is_number(value) or not math.isfinite(value):
            return None
        values.append(float(value))
    return values[0], values[1]


def is_number(value: object) -> bool:
    """Whether ``value`` is an int or float (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)
