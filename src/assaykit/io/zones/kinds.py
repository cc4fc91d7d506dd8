"""Which kind of zone each named polygon is: from a mapping, from the file, or from its name.

Each zone's kind is, in this order: the one a mapping gives its name (``--zone-kind NAME=KIND`` on the
command line, ``[zone_kinds]`` in a preset), the file's own ``kind``, or the one its name implies
(:func:`zone_kind_from_name`). The kind ``ignore`` drops a zone, e.g. a polygon around the whole maze.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence

from assaykit.errors import AssayInputError
from assaykit.io.zones.specs import ZoneSpec, clean_kind

#: Zone kinds each assay knows (the endpoint tables sum over them; :mod:`assaykit.tracking` imports them
#: from here, so that the zone-file readers need nothing of the engine).
ZONE_KINDS = {"epm": ("open", "closed", "center"), "ldb": ("light", "dark")}

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
            kind, origin = clean_kind(given) or repr(given), "--zone-kind or [zone_kinds]"
        elif spec.kind is not None:
            kind, origin = clean_kind(spec.kind), "the file"
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
