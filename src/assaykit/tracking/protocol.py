"""Tracking-assay protocols: a preset's arena, session and entry criterion, merged with the command line.

A preset is a TOML file (see ``protocols/epm-mouse.toml``) with these tables:

``[preset]``
    ``assay`` (``"epm"`` or ``"ldb"``) and a ``description``.
``[arena]``
    The apparatus dimensions (cm) and placement: for the plus maze ``center_size_cm``, ``arm_length_cm``,
    ``arm_width_cm``, ``open_axis``; for the light-dark box ``width_cm``, ``depth_cm``, ``divider_cm``,
    ``light_side``, ``start_compartment``; for both ``origin`` (where the maze centre, or the box's low-x,
    low-y corner, is, **in the track's own units**, e.g. pixels) and ``rotation_deg``.
``[[zones]]``
    Instead of ``[arena]``: explicit polygons, each with ``name``, ``polygon`` (a list of ``[x, y]``
    vertices in the track's own units) and ``kind`` (one of the assay's zone kinds, or ``"ignore"`` to
    drop the polygon). Without ``kind``, the kind comes from ``[zone_kinds]`` or else from the name
    (:func:`assaykit.io.zones.zone_kind_from_name`: ``open_left`` is open, ``central_square`` center).
``[session]``
    ``start_s`` (default: the first frame), ``duration_s`` or ``end_s`` (an inclusive end: the frame stamped
    at it counts, see :mod:`assaykit.tracking.session`; not both), and ``start_zone``: the kind of zone the
    animal is placed in (e.g. ``"center"``, ``"dark"``); a session that starts there at its first frame
    but elsewhere is flagged.
``[tracking]``
    ``px_per_cm``, ``hysteresis_cm``, ``min_time_s``, ``max_gap_frames``, ``likelihood``, ``max_lost``,
    ``fps``, ``bodypart``, and ``zones``: a zone file (GeoJSON, e.g. from ``movement``'s ``save_rois``,
    TOML ``[[zones]]``, or YAML ``name: [[x, y], ...]``; see :mod:`assaykit.io.zones`) of polygons in the
    track's own units, whose path is relative to the preset's folder. When set, the arena comes from that
    file instead of ``[arena]`` or ``[[zones]]``.
``[tracking]``, pose keys
    ``entry_rule`` (``"point"``, ``"all-points"``, ``"fraction:0.8"``; :class:`EntryRule`), and the
    cleaning of pose keypoints (:mod:`assaykit.tracking.cleaning`): ``likelihood`` (the confidence cut),
    ``max_gap_frames``, ``median_window``, ``min_periods``, ``savgol_window``, ``savgol_order``,
    ``smooth_first``.
``[ethology]``
    The plus maze's posture measures (:mod:`assaykit.epm.ethology`): ``head_keypoint``, ``tail_keypoint``,
    ``head_dip_min_cm``, ``head_dip_max_cm``, ``head_dip_min_s``, ``sap_sd``, ``sap_max_speed_cm_s``,
    ``sap_min_s``, ``speed_window_s``.
``[zone_kinds]``
    Optional: zone name = kind (one of the assay's kinds, or ``"ignore"``), for the zones of the zone
    file or of ``[[zones]]``; it wins over a zone's own ``kind`` and over its name.

The caller's options win over the preset's: ``zones`` (a path relative to the current folder) replaces the
preset's, and ``zone_kinds`` (a mapping, e.g. from ``--zone-kind NAME=KIND``) is merged over
``[zone_kinds]``. Polygons from either source are scaled from track units to cm like ``origin`` (see
:meth:`TrackingProtocol.scale`); their order is kept, so the first zone listed wins a shared border.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError
from assaykit.io.presets import load_preset
from assaykit.io.tracks import SPACE_UNITS
from assaykit.io.zones import ZONE_KINDS, assign_kinds, read_zone_file
from assaykit.tracking.analysis import EntryCriterion
from assaykit.tracking.cleaning import Cleaning
from assaykit.tracking.geometry import Arena
from assaykit.tracking.options import check_options, cleaning_of
from assaykit.tracking.overlaps import overlap_warnings
from assaykit.tracking.polygons import FileZones, file_arena, polygon_arena
from assaykit.tracking.results import EntryRule

#: Options of a tracking assay and their defaults (each may come from the preset or the command line).
TRACKING_DEFAULTS: dict[str, Any] = {
    "start_s": None,
    "duration_s": 300.0,
    "end_s": None,
    "start_zone": None,
    "px_per_cm": None,
    "hysteresis_cm": 1.0,
    "min_time_s": 0.0,
    "max_gap_frames": 10,
    "likelihood": 0.9,
    "max_lost": 0.5,
    "fps": None,
    "bodypart": None,
    "zones": None,
    "entry_rule": "point",
    "median_window": None,
    "min_periods": None,
    "savgol_window": None,
    "savgol_order": 2,
    "smooth_first": False,
    # plus-maze postures (None: the defaults of assaykit.epm.ethology.EthologyOptions)
    "head_keypoint": None,
    "tail_keypoint": None,
    "head_dip_min_cm": None,
    "head_dip_max_cm": None,
    "head_dip_min_s": None,
    "sap_sd": None,
    "sap_max_speed_cm_s": None,
    "sap_min_s": None,
    "speed_window_s": None,
}
_SESSION_KEYS = ("start_s", "duration_s", "end_s", "start_zone")
_ETHOLOGY_KEYS = tuple(TRACKING_DEFAULTS)[tuple(TRACKING_DEFAULTS).index("head_keypoint") :]
_SECTIONS = {
    "session": _SESSION_KEYS,
    "tracking": tuple(k for k in TRACKING_DEFAULTS if k not in _SESSION_KEYS + _ETHOLOGY_KEYS),
    "ethology": _ETHOLOGY_KEYS,
}


@dataclass(frozen=True)
class TrackingProtocol:
    """Everything an EPM or LDB run needs besides the tracks.

    Attributes
    ----------
    name
        The preset's name.
    assay
        ``"epm"`` or ``"ldb"``.
    arena_table
        The preset's ``[arena]`` table (dimensions in cm, origin in track units), or None.
    zone_tables
        The preset's ``[[zones]]`` polygons (in track units), or empty.
    options
        :data:`TRACKING_DEFAULTS` overridden by the preset, then by the caller; ``zones`` is the zone
        file's path (None: none), and ``zone_kinds`` the merged zone name to kind mapping (a dict, maybe
        empty).
    path
        The preset file.
    file_zones
        The zones of the zone file (``options["zones"]``) with their kinds, ignored ones dropped, in
        track units; empty without a zone file. When set, the arena is built from them.
    """

    name: str
    assay: str
    arena_table: Mapping[str, Any] | None
    zone_tables: tuple[Mapping[str, Any], ...]
    options: Mapping[str, Any]
    path: Path
    file_zones: FileZones = ()

    @property
    def criterion(self) -> EntryCriterion:
        """The entry criterion the options describe."""
        return EntryCriterion(
            float(self.options["hysteresis_cm"]),
            float(self.options["min_time_s"]),
            EntryRule.parse(self.options["entry_rule"]),
        )

    @property
    def zones_in_track_units(self) -> bool:
        """Whether the arena is drawn in the track's own units (a zone file or ``[[zones]]``), not in cm."""
        return bool(self.file_zones or self.zone_tables)

    @property
    def cleaning(self) -> Cleaning:
        """The cleaning of pose keypoints the options describe (:mod:`assaykit.tracking.cleaning`)."""
        return cleaning_of(self.options)

    def scale(self, space_unit: str | None) -> float:
        """Centimetres per track unit for tracks whose file states ``space_unit`` (None: not stated).

        A stated cm, mm or m converts by itself; pixels, and coordinates whose unit the file does not state,
        use ``px_per_cm`` when it is set; without it, unstated units are taken to be cm.
        """
        factor = SPACE_UNITS.get(space_unit or "", None)
        if factor is not None:
            return factor
        px_per_cm = self.options.get("px_per_cm")
        if px_per_cm is None:
            if space_unit == "px":
                raise AssayInputError(
                    f"the coordinates are in pixels and the preset's arena ({self.name}) is in cm; give the "
                    "scale (--px-per-cm, or px_per_cm in the preset), or zones drawn in pixels (--zones)"
                )
            return 1.0
        return 1.0 / float(px_per_cm)

    def arena(
        self, scale: float | None, build: Callable[[Mapping[str, Any], float], Arena], unit: str | None = None
    ) -> Arena:
        """Build the arena in cm, for tracks whose units are ``scale`` cm each.

        Parameters
        ----------
        scale
            Centimetres per track unit (see :meth:`scale`); applies to ``origin`` and to explicit polygons
            (a zone file's or ``[[zones]]``). None: no scale is known, and the arena stays in track units
            (zones drawn in pixels, without ``px_per_cm``).
        build
            The assay's builder from its ``[arena]`` table (dimensions in cm) and the origin scale.
        unit
            The track's unit (``"px"``, ...; None: not stated), to say overlap areas in it.

        Returns
        -------
        Arena
            From the zone file when there is one, else from ``[[zones]]``, else from ``[arena]``. Zones
            drawn as polygons (a zone file's or ``[[zones]]``) that overlap get a ``UserWarning`` each
            (:func:`assaykit.tracking.overlaps.overlap_warnings`): points there count in the zone listed
            first.
        """
        factor = 1.0 if scale is None else scale
        if self.file_zones:
            source = Path(self.options["zones"])
            arena = file_arena(self.assay, self.file_zones, factor, source)
            overlap_warnings(arena, scale, unit, source)
            return arena
        if self.zone_tables:
            mapping = self.options.get("zone_kinds") or {}
            arena = polygon_arena(self.assay, self.zone_tables, factor, self.path, mapping)
            overlap_warnings(arena, scale, unit, self.path)
            return arena
        try:
            return build(self.arena_table or {}, factor)
        except (TypeError, ValueError, KeyError) as exc:
            raise AssayInputError(f"[arena]: {exc}", path=self.path) from None


def load_tracking_protocol(protocol: str | Path, assay: str, **given: Any) -> TrackingProtocol:
    """Load a tracking preset and merge the caller's options over it.

    Parameters
    ----------
    protocol
        Preset name or TOML path.
    assay
        ``"epm"`` or ``"ldb"``; the preset must be for it.
    **given
        Options (keys of :data:`TRACKING_DEFAULTS`, and ``zone_kinds``: a mapping of zone name to kind,
        merged over the preset's ``[zone_kinds]``); None means "not given". A relative ``zones`` path is
        relative to the current folder.

    Returns
    -------
    TrackingProtocol

    Raises
    ------
    AssayInputError
        Unknown preset, unknown keys, a preset for another assay, or invalid option values; for a zone
        file, whatever :func:`assaykit.io.zones.read_zone_file` and :func:`assaykit.io.zones.assign_kinds`
        find wrong (the message names the zone file).
    """
    given = dict(given)
    given_kinds = given.pop("zone_kinds", None)
    preset = load_preset(protocol, assay=assay)
    path = Path(preset["preset"]["path"])
    # [statistics] is the study's analysis plan, read by the group comparison (assaykit.stats.plan).
    known = {"preset", "arena", "zones", "zone_kinds", "statistics", *_SECTIONS}
    unknown_tables = sorted(set(preset) - known)
    if unknown_tables:
        tables = ", ".join(unknown_tables)
        raise AssayInputError(
            f"unknown table(s) {tables}; expected preset, arena or zones, session, tracking, ethology, "
            "zone_kinds, statistics",
            path=path,
        )
    if "arena" in preset and "zones" in preset:
        raise AssayInputError("give either [arena] or [[zones]], not both", path=path)
    options = dict(TRACKING_DEFAULTS)
    for section, keys in _SECTIONS.items():
        table = preset.get(section, {})
        unknown = sorted(set(table) - set(keys))
        if unknown:
            raise AssayInputError(
                f"unknown key(s) {', '.join(unknown)} in [{section}]; expected {', '.join(keys)}", path=path
            )
        options.update(table)
    if options["zones"] is not None:
        options["zones"] = _zone_path(options["zones"], path.parent, path)
    given = {k: v for k, v in given.items() if v is not None}
    if "zones" in given:
        given["zones"] = _zone_path(given["zones"], None, None)
    if "end_s" in options and options["end_s"] is not None and "duration_s" in preset.get("session", {}):
        raise AssayInputError("[session] gives both duration_s and end_s; give one", path=path)
    if options["end_s"] is not None:
        options["duration_s"] = None  # the preset's end replaces the default duration
    if "duration_s" in given and "end_s" in given:
        raise AssayInputError("give the session's length (--duration) or its end (--end), not both")
    check_options(options, path, _ETHOLOGY_KEYS)  # the preset's own values
    if "end_s" in given:  # one way to end the window: the caller's replaces the preset's
        options["duration_s"] = None
    if "duration_s" in given:
        options["end_s"] = None
    if "savgol_window" in given:  # one smoothing filter: the caller's replaces the preset's
        options["median_window"] = options["min_periods"] = None
    if "median_window" in given:
        options["savgol_window"] = None
    options.update(given)
    options["zone_kinds"] = {
        **_kind_mapping(preset.get("zone_kinds", {}), "[zone_kinds]", path),
        **_kind_mapping(given_kinds or {}, "zone_kinds", None),
    }
    check_options(
        options, None, _ETHOLOGY_KEYS
    )  # what is wrong now came from the caller, not from the preset file
    kinds = ZONE_KINDS[assay]
    if options["start_zone"] is not None and options["start_zone"] not in kinds:
        raise AssayInputError(
            f"start_zone must be one of {', '.join(kinds)}, not {options['start_zone']!r}", path=path
        )
    zones = preset.get("zones", [])
    if not isinstance(zones, list):
        raise AssayInputError("[[zones]] must be an array of tables", path=path)
    file_zones: FileZones = ()
    if options["zones"] is not None:
        specs = read_zone_file(options["zones"])
        assigned = assign_kinds(specs, assay, options["zone_kinds"])
        file_zones = tuple((name, kind, tuple(vertices)) for name, kind, vertices in assigned)
    elif options["zone_kinds"] and not zones:
        raise AssayInputError(
            "zone kinds (--zone-kind or [zone_kinds]) are given, but there are no named zones: the arena "
            "comes from [arena]; give a zone file (--zones, or zones in [tracking]) or [[zones]] polygons",
            path=path,
        )
    return TrackingProtocol(
        name=preset["preset"]["name"],
        assay=assay,
        arena_table=preset.get("arena"),
        zone_tables=tuple(zones),
        options=options,
        path=path,
        file_zones=file_zones,
    )


def _zone_path(value: Any, base: Path | None, path: Path | None) -> Path:
    """Check a ``zones`` option and resolve a relative path against ``base`` (None: the current folder)."""
    if isinstance(value, bool) or not isinstance(value, str | os.PathLike) or not str(value).strip():
        where = "zones in [tracking]" if path is not None else "zones"
        raise AssayInputError(f"{where} must be the path of a zone file, not {value!r}", path=path)
    zone_path = Path(value).expanduser()
    if base is not None and not zone_path.is_absolute():
        zone_path = base / zone_path
    return zone_path


def _kind_mapping(table: Any, where: str, path: Path | None) -> dict[str, str]:
    """Check a zone name -> kind mapping (kinds lower-cased; whether they fit the assay is checked later)."""
    if not isinstance(table, Mapping):
        raise AssayInputError(f"{where} must map zone names to kinds, not {table!r}", path=path)
    mapping = {}
    for name, kind in table.items():
        if not isinstance(name, str) or not isinstance(kind, str) or not kind.strip():
            raise AssayInputError(
                f'{where}: zone {name!r} = {kind!r}; expected a zone name = a kind, e.g. open_left = "open"',
                path=path,
            )
        mapping[name.strip()] = kind.strip().lower()
    return mapping
