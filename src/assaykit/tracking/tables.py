"""The tables of a tracking run: one row per animal (endpoints and flags), per zone visit, per posture.

Built from the :class:`~assaykit.tracking.batch.AnimalResult` of every animal; an animal that could not be
analysed keeps its row with an ``error:`` flag, and an unusable one (too much lost time) its row with the
endpoints left blank.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from assaykit.tracking.batch import OFF_ARENA_WARN, AnimalResult, AssaySpec
from assaykit.tracking.protocol import TrackingProtocol
from assaykit.tracking.results import EPISODE_COLUMNS, TrackAnalysis
from assaykit.tracking.segments import concat_ranges

#: The flags every tracking assay's endpoint table may carry, each in one plain sentence, for reports
#: (:func:`assaykit.methods.explain_flags`); ``start_not_*`` stands for ``start_not_<zone kind>``. The
#: assays add their own (``FLAG_MEANINGS`` of :mod:`assaykit.epm.endpoints`, :mod:`assaykit.ldb.endpoints`).
FLAG_MEANINGS: dict[str, str] = {
    "error": "The animal could not be analysed; the reason follows.",
    "unusable": (
        "The track was lost for more than the allowed share of the session, so the endpoints are left blank."
    ),
    "start_not_*": "The animal's first zone was not the start zone the protocol names.",
    "off_arena": "The animal's position was off the arena for a notable part of the session.",
    "short_session": "The track ends before the session window does, so the session is shorter than asked.",
}


def endpoint_table(
    results: Sequence[AnimalResult], spec: AssaySpec, protocol: TrackingProtocol
) -> pd.DataFrame:
    """Build the one-row-per-animal table, with flags, blanking the endpoints of unusable animals.

    Flags: ``error: <reason>`` (not analysed), ``unusable`` (more than ``max_lost`` of the session lost:
    endpoints left blank), ``start_not_<kind>`` (a window that starts at the track's first frame starts
    outside the protocol's ``start_zone``, where the animal is placed; a window starting later says
    nothing about that), ``off_arena`` (more than 5% of the session off the apparatus: check the geometry
    and calibration), ``short_session`` (the track ends before the session window does), and the assay's
    own. The frame counts (``*_frames``) are blank for an event log, whose rows are not frames.
    """
    rows = []
    for result in results:
        row: dict[str, Any] = {"animal": result.animal, "source": result.source}
        analysis = result.analysis
        if analysis is None:
            row["flags"] = f"error: {result.error}"
            rows.append(row)
            continue
        row.update(spec.endpoints(analysis, protocol))
        row.update(result.measures)
        row.update(
            lost_time_s=analysis.lost_s,
            session_s=analysis.session_s,
            frames=analysis.frames,
            lost_frames=analysis.lost_frames,
            missing_time_s=analysis.missing_s,
            off_arena_time_s=analysis.off_arena_s,
            unassigned_time_s=analysis.unassigned_s,
            frames_interpolated=analysis.frames_interpolated,
            frames_missing=analysis.frames_missing,
            frames_low_likelihood=result.low_likelihood + analysis.frames_dropped,
        )
        session = analysis.session_s
        if analysis.lost_s > protocol.options["max_lost"] * session:
            flags = ["unusable"]
            for column in spec.endpoint_columns[1:]:
                row[column] = np.nan
        else:
            flags = spec.flags(row)
            start_zone = protocol.options.get("start_zone")
            kinds = analysis.episode_kinds
            placed = analysis.window.at_first_frame  # only then is the first zone where it was placed
            if start_zone and placed and len(kinds) and kinds[0] != start_zone:
                flags.append(f"start_not_{start_zone}")
        if analysis.off_arena_s > OFF_ARENA_WARN * session:
            flags.append("off_arena")
        requested = analysis.window.end_s - analysis.window.start_s
        # a frame lasts >= 0 s, so only a session shorter than the window can be short by half a frame
        if session < requested and session < requested - 0.5 * _frame(analysis):
            flags.append("short_session")
        row["flags"] = ";".join(flags)
        if not result.sampled:
            row.update({c: np.nan for c in spec.columns if c.endswith("_frames")})
        rows.append(row)
    table = pd.DataFrame(rows, columns=spec.columns)
    return table


def _frame(analysis: TrackAnalysis) -> float:
    durations = analysis.durations
    return float(np.median(durations)) if len(durations) else 0.0


def posture_table(results: Sequence[AnimalResult]) -> pd.DataFrame | None:
    """All animals' posture events (head dips, stretched-attend postures), one row each, animal first.

    None when no animal has any (the assay has no postures, or no file had pose keypoints).
    """
    parts = [r.events.assign(animal=r.animal) for r in results if r.events is not None]
    if not parts:
        return None
    table = pd.concat(parts, ignore_index=True)
    return table[["animal", *(c for c in table.columns if c != "animal")]]


def episode_table(results: Sequence[AnimalResult]) -> pd.DataFrame:
    """All animals' zone episodes, one row each, with the animal first.

    Built at once from the episode columns the animals' analyses share (no table per animal).
    """
    analysed = [r for r in results if r.analysis is not None]
    if not analysed:
        return pd.DataFrame(columns=["animal", *EPISODE_COLUMNS])
    parts = []
    for _, group in itertools.groupby(analysed, key=lambda r: id(_analysis(r).episode_columns)):
        members = list(group)
        spans = [_analysis(r).episode_rows for r in members]
        rows = concat_ranges(np.array([s.start for s in spans]), np.array([s.stop for s in spans]))
        frame = _analysis(members[0]).episode_columns.frame(rows)
        animals = np.array([r.animal for r in members])
        frame.insert(0, "animal", np.repeat(animals, [s.stop - s.start for s in spans]))
        parts.append(frame)
    nonempty = [p for p in parts if len(p)] or parts[:1]
    return nonempty[0] if len(nonempty) == 1 else pd.concat(nonempty, ignore_index=True)


def _analysis(result: AnimalResult) -> TrackAnalysis:
    assert result.analysis is not None
    return result.analysis
