"""Elevated plus maze endpoints: time, entries and distance in the open arms, closed arms and centre.

Definitions follow Pellow et al. 1985 (J Neurosci Methods 14:149-167) and Walf & Frye 2007 (Nat Protoc
2:322-328): an increase in open-arm activity (time and/or entries) reflects an anxiolytic effect; closed-arm
and total arm entries index general activity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

import numpy as np
import pandas as pd

from assaykit.epm.bouts import runs
from assaykit.epm.ethology import EthologyOptions, head_dips, stretched_attend
from assaykit.tracking.analysis import DEFAULT_CRITERION, EntryCriterion, TrackAnalysis
from assaykit.tracking.assay_parts import arena_placement, check_arena_keys, percent
from assaykit.tracking.batch import AssaySpec
from assaykit.tracking.geometry import Arena, plus_maze
from assaykit.tracking.pose import HEAD_NAMES, TAIL_BASE_NAMES, PoseWindow, find_keypoint
from assaykit.tracking.protocol import TrackingProtocol
from assaykit.tracking.tables import FLAG_MEANINGS as TRACKING_FLAG_MEANINGS

KINDS = ("open", "closed", "center")

#: The flags of a plus-maze endpoint table, each in one plain sentence (the tracking ones and the EPM's own).
FLAG_MEANINGS: dict[str, str] = {
    **TRACKING_FLAG_MEANINGS,
    "no_arm_entry": "The animal entered no arm, so the percentage of open-arm entries is undefined.",
}

#: Posture columns, from pose-estimation keypoints (blank for tracks of one point; see :func:`epm_postures`).
ETHOLOGY_COLUMNS = (
    "head_dips",
    "head_dip_time_s",
    "protected_head_dips",
    "unprotected_head_dips",
    "stretched_attend_postures",
    "stretched_attend_time_s",
)

#: Options of the posture measures, with their defaults (keys of a preset's ``[ethology]`` table).
ETHOLOGY_DEFAULTS: dict[str, Any] = {
    "head_keypoint": None,
    "tail_keypoint": None,
    **{f.name: f.default for f in fields(EthologyOptions)},
}

#: The endpoint columns, in order (the shared tracking columns follow them).
EPM_COLUMNS = (
    "animal",
    "open_time_s",
    "closed_time_s",
    "center_time_s",
    "open_frames",
    "closed_frames",
    "center_frames",
    "open_time_pct",
    "open_time_total_pct",
    "open_entries",
    "closed_entries",
    "total_entries",
    "open_entries_pct",
    "center_entries",
    "latency_open_s",
    "open_entered",
    "distance_cm",
    "open_distance_cm",
    "closed_distance_cm",
    "center_distance_cm",
    "mean_speed_cm_s",
    *ETHOLOGY_COLUMNS,
)


def epm_endpoints(analysis: TrackAnalysis, protocol: TrackingProtocol | None = None) -> dict[str, Any]:
    """Map one animal's zone analysis onto the EPM endpoint columns.

    Parameters
    ----------
    analysis
        From :func:`assaykit.tracking.analysis.analyze_track` with kinds ``open, closed, center``.
    protocol
        Unused; part of the :class:`AssaySpec` interface.

    Returns
    -------
    dict
        ``open_time_s, closed_time_s, center_time_s`` (s credited to each kind of zone);
        ``open_frames, closed_frames, center_frames``: the frames stamped in the window whose time is
        credited there (the frames behind those seconds, to check against frame-based tools; a frame
        stamped before the window start that reaches into it adds seconds, not a frame);
        ``open_time_pct`` = open / (open + closed) x 100, the arm-time convention (Pellow et al. 1985);
        ``open_time_total_pct`` = open / session x 100; ``open_entries, closed_entries`` and
        ``total_entries`` (their sum: arm entries); ``open_entries_pct`` = open / (open + closed entries)
        x 100; ``center_entries``; ``latency_open_s``, from the session start to the first open-arm entry
        (0 when the session starts on an open arm; the session length when the animal never enters one,
        with ``open_entered`` False); ``distance_cm`` (path length) and its part in each kind of zone;
        ``mean_speed_cm_s`` = distance / session length (ANY-maze's definition). Percentages are NaN
        when their denominator is 0.
    """
    time, entries, distance = analysis.time_s, analysis.entries, analysis.distance_cm
    arm_time = time["open"] + time["closed"]
    arm_entries = entries["open"] + entries["closed"]
    session = analysis.session_s
    entered = bool(np.isfinite(analysis.latency_s["open"]))
    return {
        "open_time_s": time["open"],
        "closed_time_s": time["closed"],
        "center_time_s": time["center"],
        "open_frames": analysis.kind_frames.get("open", 0),
        "closed_frames": analysis.kind_frames.get("closed", 0),
        "center_frames": analysis.kind_frames.get("center", 0),
        "open_time_pct": percent(time["open"], arm_time),
        "open_time_total_pct": percent(time["open"], session),
        "open_entries": entries["open"],
        "closed_entries": entries["closed"],
        "total_entries": arm_entries,
        "open_entries_pct": percent(entries["open"], arm_entries),
        "center_entries": entries["center"],
        "latency_open_s": analysis.latency_s["open"] if entered else session,
        "open_entered": entered,
        "distance_cm": analysis.total_distance_cm,
        "open_distance_cm": distance["open"],
        "closed_distance_cm": distance["closed"],
        "center_distance_cm": distance["center"],
        "mean_speed_cm_s": analysis.total_distance_cm / session if session > 0 else np.nan,
    }


#: Columns of the posture table (one row per head dip or stretched-attend posture), after ``animal``.
POSTURE_COLUMNS = ("posture", "start_s", "end_s", "duration_s", "from_kind")


def epm_postures(
    window: PoseWindow, protocol: TrackingProtocol, arena: Arena
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Head dips and stretched-attend postures of one animal (see :mod:`assaykit.epm.ethology`).

    Parameters
    ----------
    window
        The animal's cleaned keypoints over its session window (cm).
    protocol
        Its options: ``head_keypoint`` and ``tail_keypoint`` (found by name when not given:
        :data:`assaykit.tracking.pose.HEAD_NAMES`, :data:`assaykit.tracking.pose.TAIL_BASE_NAMES`) and the
        thresholds of :class:`assaykit.epm.ethology.EthologyOptions`.
    arena
        The maze (cm).

    Returns
    -------
    dict
        The :data:`ETHOLOGY_COLUMNS`: head dips (count, seconds, and the count from the closed arms or
        centre, *protected*, and from an open arm, *unprotected*; Rodgers & Johnson 1995) need a head
        keypoint; stretched-attend postures (count, seconds) need a head and a tail-base keypoint. Measures
        without their keypoints are left out (blank in the table). The body point is the animal's position.
    pandas.DataFrame
        One row per head dip and stretched-attend posture counted, in time order, with the
        :data:`POSTURE_COLUMNS`: ``posture`` (``head_dip`` or ``stretched_attend``), ``start_s`` and
        ``end_s`` from the window start, ``duration_s`` (the frames' durations), and ``from_kind``, the
        kind of zone the animal's position is in at the start.

    Raises
    ------
    ValueError
        When a keypoint named in the options is not in the file.
    """
    options = protocol.options
    head = find_keypoint(window.names, options.get("head_keypoint"), HEAD_NAMES)
    tail = find_keypoint(window.names, options.get("tail_keypoint"), TAIL_BASE_NAMES)
    given = {f.name: options.get(f.name) for f in fields(EthologyOptions)}
    thresholds = EthologyOptions(**{k: float(v) for k, v in given.items() if v is not None})
    row: dict[str, Any] = {}
    events: list[pd.DataFrame] = []
    body = (window.position_x, window.position_y)
    if head is not None:
        dips = head_dips(
            window.time_s, window.durations, *window.keypoint(head), *body, arena, thresholds, window.breaks
        )
        row.update(
            head_dips=dips.count,
            head_dip_time_s=dips.time_s,
            protected_head_dips=dips.protected,
            unprotected_head_dips=dips.unprotected,
        )
        events.append(_bouts("head_dip", dips.frames, window, arena))
    if head is not None and tail is not None:
        sap = stretched_attend(
            window.time_s,
            window.durations,
            *window.keypoint(head),
            *window.keypoint(tail),
            *body,
            arena,
            thresholds,
            window.breaks,
        )
        row.update(stretched_attend_postures=sap.count, stretched_attend_time_s=sap.time_s)
        events.append(_bouts("stretched_attend", sap.frames, window, arena))
    table = pd.concat(events, ignore_index=True) if events else _bouts("", np.zeros(0, bool), window, arena)
    return row, table.sort_values("start_s", kind="stable", ignore_index=True)


def _bouts(posture: str, frames: np.ndarray, window: PoseWindow, arena: Arena) -> pd.DataFrame:
    """One row per run of ``frames`` (the counted bouts of one posture), as :data:`POSTURE_COLUMNS`."""
    first, stop = runs(frames, window.breaks)
    elapsed = np.concatenate([[0.0], np.cumsum(window.durations)])
    start_s = np.maximum(window.time_s[first], window.start_s) - window.start_s
    duration_s = elapsed[stop] - elapsed[first]
    zone = arena.classify(window.position_x[first], window.position_y[first])
    kinds = np.append(arena.kinds, "")[zone]  # "" off the maze (not for a counted posture)
    return pd.DataFrame(
        {
            "posture": np.full(len(first), posture, dtype=object),
            "start_s": start_s,
            "end_s": start_s + duration_s,
            "duration_s": duration_s,
            "from_kind": kinds.astype(object),
        }
    )


def epm_flags(row: Mapping[str, Any]) -> list[str]:
    """EPM flag: ``no_arm_entry`` when the animal entered no arm (the entry percentage is undefined)."""
    return ["no_arm_entry"] if row.get("total_entries") == 0 else []


def build_plus_maze(table: Mapping[str, Any], scale: float) -> Arena:
    """Build the maze from a preset's ``[arena]`` table (cm), its ``origin`` in track units x ``scale``."""
    check_arena_keys(table, ("center_size_cm", "arm_length_cm", "arm_width_cm", "open_axis"))
    return plus_maze(
        center_size=float(table["center_size_cm"]),
        arm_length=float(table["arm_length_cm"]),
        arm_width=float(table["arm_width_cm"]),
        open_axis=str(table.get("open_axis", "x")),
        **arena_placement(table, scale),
    )


def epm_label_kind(label: str) -> str | None:
    """Read a zone label: ``open...`` (``open arm 1``, ``OA``), ``closed...``, ``center``/``centre``."""
    label = label.strip().lower()
    if label.startswith("open") or label in {"oa", "o1", "o2"}:
        return "open"
    if label.startswith("close") or label in {"ca", "c1", "c2"}:
        return "closed"
    if label.startswith(("center", "centre", "middle")):
        return "center"
    if label in {"off", "outside", "off maze", "off_maze"}:
        return "off"
    return None


def epm_summary(row: Mapping[str, Any]) -> str:
    """One line for a plot: % open-arm time and open/total arm entries."""
    if row.get("open_time_pct") != row.get("open_time_pct"):  # NaN
        return f"{row.get('flags') or 'no arm time'}"
    return (
        f"open arms {row['open_time_pct']:.1f}% of arm time; "
        f"{row['open_entries']:.0f} of {row['total_entries']:.0f} arm entries"
    )


EPM = AssaySpec(
    assay="epm",
    kinds=KINDS,
    default_preset="epm-mouse",
    build_arena=build_plus_maze,
    label_kind=epm_label_kind,
    endpoints=epm_endpoints,
    endpoint_columns=EPM_COLUMNS,
    flags=epm_flags,
    pose_measures=epm_postures,
    display=(
        ("open_time_s", "open_time_s"),
        ("closed_time_s", "closed_time_s"),
        ("center_time_s", "center_time_s"),
        ("open_time_pct", "open_time_pct"),
        ("open_entries", "open_entries"),
        ("closed_entries", "closed_entries"),
        ("open_entries_pct", "open_entries_pct"),
        ("latency_open_s", "latency_open_s"),
        ("distance_cm", "distance_cm"),
        ("lost_time_s", "lost_time_s"),
    ),
    summary=epm_summary,
)


def compute_epm_endpoints(
    tracks: pd.DataFrame,
    arena: Arena | None = None,
    *,
    criterion: EntryCriterion = DEFAULT_CRITERION,
    start_s: float | None = None,
    duration_s: float | None = 300.0,
    max_gap: int = 10,
    max_lost: float = 0.5,
    end_s: float | None = None,
) -> pd.DataFrame:
    """Compute the EPM endpoints of every animal in a tidy track table.

    Parameters
    ----------
    tracks
        One row per frame: ``animal`` (optional; one animal when absent), ``time_s``, and ``x``, ``y`` in cm
        in the arena's coordinates (or ``zone`` labels instead of ``x``, ``y``).
    arena
        The maze; the mouse maze (:func:`assaykit.tracking.geometry.plus_maze` with a 5 cm centre and
        30 x 5 cm arms, open arms along x) when None.
    criterion
        The entry criterion (default: 1 cm hysteresis, no minimum time).
    start_s, duration_s
        The session window (default: 300 s from the first frame).
    max_gap
        Interpolate runs of up to this many missing frames.
    max_lost
        Leave the endpoints of an animal blank (flag ``unusable``) when more than this share of its session
        is lost.
    end_s
        An inclusive window end instead of ``duration_s``: the frame stamped at it counts in full.

    Returns
    -------
    pandas.DataFrame
        One row per animal with the columns of :func:`epm_endpoints`, then ``lost_time_s, session_s,
        frames``, diagnostics and ``flags`` (see docs/user-guide/epm.md).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(0, 300, 1 / 30)
    >>> tracks = pd.DataFrame({"time_s": t, "x": np.where(t < 100, 0.0, 15.0), "y": 0.0})
    >>> row = compute_epm_endpoints(tracks).iloc[0]
    >>> float(row["open_time_s"]), int(row["open_entries"]), float(row["latency_open_s"])
    (200.0, 1, 100.0)
    """
    from assaykit.tracking.api import compute_endpoints

    return compute_endpoints(
        EPM,
        tracks,
        arena if arena is not None else plus_maze(center_size=5.0, arm_length=30.0, arm_width=5.0),
        criterion=criterion,
        start_s=start_s,
        duration_s=duration_s,
        max_gap=max_gap,
        max_lost=max_lost,
        end_s=end_s,
    )
