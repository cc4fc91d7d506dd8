"""Many animals through one assay: per-animal analysis with its own error row, and the endpoint table.

An assay (the plus maze, the light-dark box) is an :class:`AssaySpec`: its zone kinds, how to build its
arena, how to read zone labels, and how one animal's :class:`TrackAnalysis` becomes its endpoint columns.
Everything else (checking each animal's times, scaling, gap filling, the session window, the entry
criterion, flags, blanking unusable animals) is shared here.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tracks import TrackTable
from assaykit.tracking.animals import label_codes, split_animals, time_errors
from assaykit.tracking.engine import analyze_track_labels, analyze_tracks
from assaykit.tracking.geometry import Arena
from assaykit.tracking.pose import CleanPose, PoseWindow, prepare_pose
from assaykit.tracking.protocol import TrackingProtocol
from assaykit.tracking.results import EPISODE_COLUMNS, TrackAnalysis
from assaykit.tracking.segments import concat_ranges

#: Share of the session off the arena above which an animal is flagged ``off_arena`` (likely a wrong
#: geometry or calibration).
OFF_ARENA_WARN = 0.05

#: Columns every tracking assay ends with, after its own endpoints.
COMMON_COLUMNS = [
    "lost_time_s",
    "session_s",
    "frames",
    "missing_time_s",
    "off_arena_time_s",
    "unassigned_time_s",
    "frames_interpolated",
    "frames_missing",
    "frames_low_likelihood",
    "source",
    "flags",
]


@dataclass(frozen=True)
class AssaySpec:
    """What makes a tracking assay itself.

    Attributes
    ----------
    assay
        ``"epm"`` or ``"ldb"``.
    kinds
        Zone kinds, in the order reported.
    default_preset
        Preset used when none is given.
    build_arena
        ``(arena_table, scale) -> Arena`` from a preset's ``[arena]`` table (cm; ``origin`` in track units
        times ``scale``).
    label_kind
        Maps a zone label (lower-case, stripped) to a kind, ``"off"`` (outside every zone), or None when the
        label means nothing to this assay.
    endpoints
        ``(analysis, protocol) -> dict`` of the assay's endpoint columns for one animal.
    endpoint_columns
        Those columns, in order, starting with ``animal``.
    flags
        ``(endpoint row) -> list`` of assay-specific flag codes.
    display
        ``(column, heading)`` pairs shown on the terminal, after the animal.
    summary
        ``(endpoint row) -> str``: one line for a plot's subtitle.
    pose_measures
        ``(pose window, protocol, arena) -> (dict, events)``: endpoint columns that need pose keypoints
        (the plus maze's head dips and stretched-attend postures) and a table of the events counted, one
        row each; None when the assay has none.
    """

    assay: str
    kinds: tuple[str, ...]
    default_preset: str
    build_arena: Callable[[Mapping[str, Any], float], Arena]
    label_kind: Callable[[str], str | None]
    endpoints: Callable[[TrackAnalysis, TrackingProtocol], dict[str, Any]]
    endpoint_columns: tuple[str, ...]
    flags: Callable[[Mapping[str, Any]], list[str]]
    display: tuple[tuple[str, str], ...] = ()
    summary: Callable[[Mapping[str, Any]], str] | None = None
    pose_measures: (
        Callable[[PoseWindow, TrackingProtocol, Arena], tuple[dict[str, Any], pd.DataFrame]] | None
    ) = None

    @property
    def columns(self) -> list[str]:
        """All columns of the endpoint table."""
        return [*self.endpoint_columns, *COMMON_COLUMNS]


@dataclass
class AnimalResult:
    """One animal's outcome: its analysis, or the reason it could not be analysed."""

    animal: str
    source: str
    analysis: TrackAnalysis | None = None
    error: str | None = None
    low_likelihood: int = 0
    measures: dict[str, Any] = field(default_factory=dict)
    events: pd.DataFrame | None = None


def analyze_table(
    table: TrackTable,
    spec: AssaySpec,
    protocol: TrackingProtocol,
    arena: Arena | None,
    scale: float,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[AnimalResult]:
    """Analyse every animal of one file; an animal whose data is unusable gets an error, not an exception.

    Parameters
    ----------
    table
        The file, as a reader returned it.
    spec, protocol
        The assay and its options.
    arena
        The arena in cm (None for zone-label data).
    scale
        Centimetres per track unit.
    progress
        Called as ``progress(done, total)`` as animals are finished: ``done`` of the file's ``total``
        animals have their result (the animals are analysed in batches of about :data:`CHUNK_FRAMES`
        frames, so it is called once per batch, the last time with ``done == total``).

    Returns
    -------
    list of AnimalResult
        In the order the animals first appear in the file.

    Notes
    -----
    The animals' frames are analysed together (:mod:`assaykit.tracking.engine`), in batches of whole
    animals, so memory beyond the table itself stays bounded; each animal's results are those of
    analysing it alone.
    """
    rows = split_animals(table)
    total = len(rows.names)
    time_s = rows.take(table.data["time_s"].to_numpy(dtype=float))
    errors = time_errors(time_s, rows, table.source)
    pose: CleanPose | None = None
    extra: dict[str, Any] = {}
    rule = protocol.criterion.rule
    if table.has_coordinates and table.keypoints is not None:
        assert arena is not None
        pose = prepare_pose(table.keypoints, rows.order, time_s, rows.bounds, protocol.cleaning, scale)
        columns: tuple[np.ndarray, ...] = (time_s, pose.position_x, pose.position_y)
        labels = None
        extra = {"imputed": pose.imputed, "dropped": pose.dropped}
        if rule.kind != "point":
            extra["points"] = pose.points()
    elif table.has_coordinates:
        assert arena is not None
        x, y = (rows.take(table.data[c].to_numpy(dtype=float)) for c in ("x", "y"))
        if scale != 1.0:
            x, y = x * scale, y * scale
        columns = (time_s, x, y)
        labels = None
        if rule.kind != "point":
            rule_error = AssayInputError(
                f"the entry rule {rule} needs the keypoints of a pose-estimation file (DeepLabCut, SLEAP, "
                "LightningPose); this file has one position per frame: use --entry-rule point",
                path=table.source,
            )
            errors = {k: rule_error for k in range(total)} | errors
    else:
        codes, kinds, names, label_errors = label_codes(
            rows.take(table.data["zone"]), rows, spec.label_kind, spec.kinds, table.source
        )
        errors = label_errors | errors  # a time error comes first
        columns, labels = (time_s, codes), (kinds, names)
    analyses: dict[int, TrackAnalysis] = {}
    done = 0
    chunks = _chunks([k for k in range(total) if k not in errors], rows.bounds)
    analyse = partial(
        _analyze_chunk,
        bounds=rows.bounds,
        columns=columns,
        labels=labels,
        spec=spec,
        protocol=protocol,
        arena=arena,
        extra=extra,
    )
    for chunk, found in zip(chunks, _map_in_order(analyse, chunks), strict=True):
        analyses.update(zip(chunk, found, strict=True))
        done = chunk[-1] + 1
        if progress is not None:
            progress(done, total)
    results = []
    for k, animal in enumerate(rows.names):
        low = 0 if pose is not None else table.low_likelihood.get(animal, 0)  # pose: counted in the window
        result = AnimalResult(animal, str(table.source), low_likelihood=low)
        analysis = analyses.get(k)
        if analysis is not None and analysis.frames == 0:
            start, stop = int(rows.bounds[k]), int(rows.bounds[k + 1])
            errors[k] = AssayInputError(
                f"no frame in the session window ({_window_text(protocol.options)}); the track runs from "
                f"{time_s[start]:g} to {time_s[stop - 1]:g} s",
                path=table.source,
            )
        if k not in errors and analysis is not None and pose is not None and spec.pose_measures is not None:
            lo = int(rows.bounds[k]) + analysis.window.first
            hi = int(rows.bounds[k]) + analysis.window.stop
            window = pose.window(lo, hi, time_s[lo:hi], analysis.durations, analysis.window.start_s)
            try:
                result.measures, result.events = spec.pose_measures(window, protocol, arena)  # type: ignore[arg-type]
            except ValueError as exc:
                errors[k] = AssayInputError(str(exc), path=table.source)
        if k in errors:
            result.error = str(errors[k])
        else:
            result.analysis = analysis
        results.append(result)
    if progress is not None and done < total:
        progress(total, total)
    return results


#: Frames analysed together, at most (unless one animal has more): bounds the memory of a large file.
CHUNK_FRAMES = 1 << 17

#: Batches analysed at the same time, on threads (numpy releases the GIL in its loops); 1: one at a time.
WORKERS = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _map_in_order(func: Callable[[list[int]], list[TrackAnalysis]], chunks: list[list[int]]) -> Iterator:
    """``map(func, chunks)``, on :data:`WORKERS` threads when there is more than one batch."""
    if WORKERS < 2 or len(chunks) < 2:
        yield from map(func, chunks)
        return
    with ThreadPoolExecutor(min(WORKERS, len(chunks))) as pool:
        yield from pool.map(func, chunks)


def _chunks(animals: list[int], bounds: np.ndarray) -> list[list[int]]:
    """Group animals, in order, into batches of about :data:`CHUNK_FRAMES` frames."""
    chunks: list[list[int]] = []
    frames = CHUNK_FRAMES
    for k in animals:
        size = int(bounds[k + 1] - bounds[k])
        if frames + size > CHUNK_FRAMES:
            chunks.append([])
            frames = 0
        chunks[-1].append(k)
        frames += size
    return chunks


def _analyze_chunk(
    chunk: list[int],
    *,
    bounds: np.ndarray,
    columns: tuple[np.ndarray, ...],
    labels: tuple[list[str], list[str]] | None,
    spec: AssaySpec,
    protocol: TrackingProtocol,
    arena: Arena | None,
    extra: Mapping[str, Any],
) -> list[TrackAnalysis]:
    """Analyse a batch of animals (their rows ``bounds[k]:bounds[k + 1]`` of ``columns``) together.

    ``extra`` holds per-frame arrays of cleaned pose data (``imputed``, ``dropped``, ``points``) for
    :func:`assaykit.tracking.engine.analyze_tracks`; their gaps are already filled.
    """
    first, stop = bounds[chunk], bounds[np.asarray(chunk) + 1]
    if chunk[-1] - chunk[0] == len(chunk) - 1:  # consecutive animals: their rows are one slice
        part: slice | np.ndarray = slice(int(first[0]), int(stop[-1]))
    else:
        part = concat_ranges(first, stop)
    local = np.concatenate([[0], np.cumsum(stop - first)]).astype(np.int64)
    options = protocol.options
    window = {"start_s": options["start_s"], "duration_s": options["duration_s"]}
    common = {"kinds": spec.kinds, "criterion": protocol.criterion, **window}
    if labels is None:
        assert arena is not None
        time_s, x, y = (c[part] for c in columns)
        if extra:  # cleaned pose data
            given = {k: v[part] for k, v in extra.items() if k != "points"}
            if "points" in extra:
                given["points"] = tuple(p[part] for p in extra["points"])
            return analyze_tracks(time_s, x, y, local, arena, max_gap=0, **given, **common)
        max_gap = int(options["max_gap_frames"])
        return analyze_tracks(time_s, x, y, local, arena, max_gap=max_gap, **common)
    time_s, codes = (c[part] for c in columns)
    return analyze_track_labels(time_s, codes, local, labels[0], labels[1], **common)


def _window_text(options: Mapping[str, Any]) -> str:
    start = "the first frame" if options["start_s"] is None else f"{options['start_s']:g} s"
    length = (
        "to the end of the track" if options["duration_s"] is None else f"for {options['duration_s']:g} s"
    )
    return f"from {start} {length}"


def endpoint_table(
    results: Sequence[AnimalResult], spec: AssaySpec, protocol: TrackingProtocol
) -> pd.DataFrame:
    """Build the one-row-per-animal table, with flags, blanking the endpoints of unusable animals.

    Flags: ``error: <reason>`` (not analysed), ``unusable`` (more than ``max_lost`` of the session lost:
    endpoints left blank), ``start_not_<kind>`` (the session starts outside the protocol's ``start_zone``),
    ``off_arena`` (more than 5% of the session off the apparatus: check the geometry and calibration),
    ``short_session`` (the track ends before the session window does), and the assay's own.
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
            if start_zone and len(kinds) and kinds[0] != start_zone:
                flags.append(f"start_not_{start_zone}")
        if analysis.off_arena_s > OFF_ARENA_WARN * session:
            flags.append("off_arena")
        requested = analysis.window.end_s - analysis.window.start_s
        # a frame lasts >= 0 s, so only a session shorter than the window can be short by half a frame
        if session < requested and session < requested - 0.5 * _frame(analysis):
            flags.append("short_session")
        row["flags"] = ";".join(flags)
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
