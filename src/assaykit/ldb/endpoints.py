"""Light-dark box endpoints: latency to the light, time and entries there, transitions, distance.

Crawley & Goodwin 1980 (Pharmacol Biochem Behav 13:167-170); Bourin & Hascoet 2003 (Eur J Pharmacol
463:55-65): time in the lit compartment reflects aversion (anxiolytics increase it) and transitions index
activity-exploration. The animal is usually placed in the dark compartment and the latency to enter the light
is scored; a protocol that starts in the light scores the latency to enter the dark.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from assaykit.tracking.analysis import DEFAULT_CRITERION, EntryCriterion, TrackAnalysis
from assaykit.tracking.assay_parts import arena_placement, check_arena_keys, percent
from assaykit.tracking.batch import AssaySpec
from assaykit.tracking.geometry import Arena, light_dark_box
from assaykit.tracking.protocol import TrackingProtocol
from assaykit.tracking.tables import FLAG_MEANINGS as TRACKING_FLAG_MEANINGS

KINDS = ("light", "dark")

#: The flags of a light-dark box endpoint table, each in one plain sentence (the tracking ones and its own).
FLAG_MEANINGS: dict[str, str] = {
    **TRACKING_FLAG_MEANINGS,
    "no_light_entry": "The animal never entered the light compartment; its latency is the session length.",
}

#: The endpoint columns, in order (the shared tracking columns follow them).
LDB_COLUMNS = (
    "animal",
    "latency_light_s",
    "light_entered",
    "light_time_s",
    "dark_time_s",
    "light_frames",
    "dark_frames",
    "light_time_pct",
    "light_entries",
    "dark_entries",
    "transitions",
    "distance_cm",
    "light_distance_cm",
    "dark_distance_cm",
    "mean_light_visit_s",
    "mean_speed_cm_s",
    "latency_dark_s",
    "start_compartment",
)


def ldb_endpoints(analysis: TrackAnalysis, protocol: TrackingProtocol | None = None) -> dict[str, Any]:
    """Map one animal's zone analysis onto the light-dark box endpoint columns.

    Parameters
    ----------
    analysis
        From :func:`assaykit.tracking.analysis.analyze_track` with kinds ``light, dark``.
    protocol
        Unused; part of the :class:`AssaySpec` interface.

    Returns
    -------
    dict
        ``latency_light_s``: session start to the first entry into the light (0 when the session starts
        there; the session length when the animal never enters it, with ``light_entered`` False);
        ``light_time_s, dark_time_s``; ``light_frames, dark_frames``, the frames stamped in the window
        whose time is credited to each compartment (as for the plus maze's ``open_frames``);
        ``light_time_pct`` = light / (light + dark) x 100 (lost time
        excluded from the denominator); ``light_entries, dark_entries``; ``transitions``, every crossing
        of the divider in either direction (= light + dark entries); ``distance_cm`` and its part in each
        compartment; ``mean_light_visit_s`` = light time / visits to the light (the visit the session
        starts in counts as a visit, not as an entry); ``mean_speed_cm_s`` = distance / session;
        ``latency_dark_s`` likewise for the dark (for protocols that start in the light);
        ``start_compartment``: where the session started (``light``, ``dark``, or empty when unknown).
    """
    time, entries, latency = analysis.time_s, analysis.entries, analysis.latency_s
    session = analysis.session_s
    kinds = analysis.episode_kinds  # the kind of each visit, in order
    light_visits = int(np.count_nonzero(kinds == "light"))
    start = str(kinds[0]) if len(kinds) else ""
    entered = bool(np.isfinite(latency["light"]))
    return {
        "latency_light_s": latency["light"] if entered else session,
        "light_entered": entered,
        "light_time_s": time["light"],
        "dark_time_s": time["dark"],
        "light_frames": analysis.kind_frames.get("light", 0),
        "dark_frames": analysis.kind_frames.get("dark", 0),
        "light_time_pct": percent(time["light"], time["light"] + time["dark"]),
        "light_entries": entries["light"],
        "dark_entries": entries["dark"],
        "transitions": entries["light"] + entries["dark"],
        "distance_cm": analysis.total_distance_cm,
        "light_distance_cm": analysis.distance_cm["light"],
        "dark_distance_cm": analysis.distance_cm["dark"],
        "mean_light_visit_s": time["light"] / light_visits if light_visits else np.nan,
        "mean_speed_cm_s": analysis.total_distance_cm / session if session > 0 else np.nan,
        "latency_dark_s": latency["dark"] if np.isfinite(latency["dark"]) else session,
        "start_compartment": start,
    }


def ldb_flags(row: Mapping[str, Any]) -> list[str]:
    """LDB flag: ``no_light_entry`` when the animal never entered the light."""
    return [] if row.get("light_entered") else ["no_light_entry"]


def build_light_dark_box(table: Mapping[str, Any], scale: float) -> Arena:
    """Build the box from a preset's ``[arena]`` table (cm), its ``origin`` in track units x ``scale``."""
    check_arena_keys(table, ("width_cm", "depth_cm", "divider_cm", "light_side", "start_compartment"))
    return light_dark_box(
        width=float(table["width_cm"]),
        depth=float(table["depth_cm"]),
        divider=float(table["divider_cm"]),
        light_side=str(table.get("light_side", "high")),
        **arena_placement(table, scale),
    )


def ldb_label_kind(label: str) -> str | None:
    """Read a compartment label: ``light...`` (``light``, ``lit``, ``bright``), ``dark...``."""
    label = label.strip().lower()
    if label.startswith(("light", "lit", "bright", "white")):
        return "light"
    if label.startswith(("dark", "black")):
        return "dark"
    if label in {"off", "outside"}:
        return "off"
    return None


def ldb_summary(row: Mapping[str, Any]) -> str:
    """One line for a plot: time in the light, latency and transitions."""
    if row.get("light_time_pct") != row.get("light_time_pct"):  # NaN
        return f"{row.get('flags') or 'no time in the box'}"
    return (
        f"light {row['light_time_pct']:.1f}% of the time; latency {row['latency_light_s']:.1f} s; "
        f"{row['transitions']:.0f} transitions"
    )


LDB = AssaySpec(
    assay="ldb",
    kinds=KINDS,
    default_preset="ldb-mouse",
    build_arena=build_light_dark_box,
    label_kind=ldb_label_kind,
    endpoints=ldb_endpoints,
    endpoint_columns=LDB_COLUMNS,
    flags=ldb_flags,
    display=(
        ("latency_light_s", "latency_light_s"),
        ("light_time_s", "light_time_s"),
        ("dark_time_s", "dark_time_s"),
        ("light_time_pct", "light_time_pct"),
        ("light_entries", "light_entries"),
        ("transitions", "transitions"),
        ("mean_light_visit_s", "mean_light_visit_s"),
        ("distance_cm", "distance_cm"),
        ("lost_time_s", "lost_time_s"),
    ),
    summary=ldb_summary,
)


def compute_ldb_endpoints(
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
    """Compute the light-dark box endpoints of every animal in a tidy track table.

    Parameters
    ----------
    tracks
        One row per frame: ``animal`` (optional), ``time_s``, and ``x``, ``y`` in cm in the box's
        coordinates (or ``zone`` labels ``light``/``dark`` instead of ``x``, ``y``).
    arena
        The box; the mouse box (45 x 27 cm, divider at x = 15, light at x >= 15) when None.
    criterion, start_s, duration_s, max_gap, max_lost, end_s
        As in :func:`assaykit.epm.compute_epm_endpoints`.

    Returns
    -------
    pandas.DataFrame
        One row per animal with the columns of :func:`ldb_endpoints`, then ``lost_time_s, session_s,
        frames``, diagnostics and ``flags``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(0, 300, 1 / 30)
    >>> tracks = pd.DataFrame({"time_s": t, "x": np.where(t < 40, 7.0, 30.0), "y": 13.0})
    >>> row = compute_ldb_endpoints(tracks).iloc[0]
    >>> float(row["latency_light_s"]), float(row["light_time_s"]), int(row["transitions"])
    (40.0, 260.0, 1)
    """
    from assaykit.tracking.api import compute_endpoints

    return compute_endpoints(
        LDB,
        tracks,
        arena if arena is not None else light_dark_box(width=45.0, depth=27.0, divider=15.0),
        criterion=criterion,
        start_s=start_s,
        duration_s=duration_s,
        max_gap=max_gap,
        max_lost=max_lost,
        end_s=end_s,
    )
