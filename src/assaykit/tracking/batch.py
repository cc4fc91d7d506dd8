"""Many animals through one assay: per-animal analysis with its own error row, and the endpoint table.

An assay (the plus maze, the light-dark box) is an :class:`AssaySpec`: its zone kinds, how to build its
arena, how to read zone labels, and how one animal's :class:`TrackAnalysis` becomes its endpoint columns.
Everything else (checking each animal's times, scaling, gap filling, the session window, the entry
criterion, flags, blanking unusable animals) is shared here.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tracks import TrackTable
from assaykit.tracking.animals import label_codes, split_animals, time_errors
from assaykit.tracking.clock import (
    Clocks,
    coverage_hint,
    gap_warnings,
    irregular_warning,
    time_unit_problems,
    track_clocks,
)
from assaykit.tracking.engine import analyze_track_labels, analyze_tracks
from assaykit.tracking.geometry import Arena
from assaykit.tracking.pose import PoseJob, PoseWindow
from assaykit.tracking.protocol import TrackingProtocol
from assaykit.tracking.results import TrackAnalysis
from assaykit.tracking.segments import concat_ranges

#: Share of the session off the arena above which an animal is flagged ``off_arena`` (likely a wrong
#: geometry or calibration).
OFF_ARENA_WARN = 0.05

#: Columns every tracking assay ends with, after its own endpoints.
COMMON_COLUMNS = [
    "lost_time_s",
    "session_s",
    "frames",
    "lost_frames",
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
    """One animal's outcome: its analysis, or the reason it could not be analysed.

    ``sampled`` is False for an event log (its rows are not frames, so its frame counts are left blank);
    ``hint`` says what to check when the track covers much less of the window than asked.
    """

    animal: str
    source: str
    analysis: TrackAnalysis | None = None
    error: str | None = None
    low_likelihood: int = 0
    measures: dict[str, Any] = field(default_factory=dict)
    events: pd.DataFrame | None = None
    sampled: bool = True
    hint: str = ""


def analyze_table(
    table: TrackTable,
    spec: AssaySpec,
    protocol: TrackingProtocol,
    arena: Arena | None,
    scale: float | None,
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
        The arena in cm (None for zone-label data); in track units when ``scale`` is None.
    scale
        Centimetres per track unit; None when the coordinates have no known scale (pixels and zones drawn
        in pixels, without ``px_per_cm``): the zones are then the plain point-in-polygon test (no
        hysteresis, which is in cm), and distances and postures (thresholds in cm) are left blank.
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
    analysing it alone. Times that cannot be seconds are an animal's error, and clock gaps, irregular time
    steps and suspicious time units are warned of (:mod:`assaykit.tracking.clock`).
    """
    rows = split_animals(table)
    total = len(rows.names)
    time_s = rows.take(table.data["time_s"].to_numpy(dtype=float))
    errors = time_errors(time_s, rows, table.source)
    options = protocol.options
    max_gap = int(options["max_gap_frames"])
    clocks = track_clocks(
        time_s, rows.bounds, frame_rate=table.frame_rate, event_log=table.event_log, max_gap=max_gap
    )
    window = (options["start_s"], options["duration_s"], options.get("end_s"))
    unit_errors, unit_warnings = time_unit_problems(time_s, rows, clocks, table, window, set(errors))
    errors = errors | unit_errors
    for message in [*unit_warnings, *gap_warnings(time_s, rows, clocks, max_gap, window, set(errors))]:
        warnings.warn(message, UserWarning, stacklevel=2)
    irregular = irregular_warning(table, rows, clocks, skip=set(errors))
    if irregular:
        warnings.warn(irregular, UserWarning, stacklevel=2)
    if scale is None:  # no scale: the hysteresis (cm) cannot apply
        protocol = replace(protocol, options={**options, "hysteresis_cm": 0.0})
    pose: PoseJob | None = None
    rule = protocol.criterion.rule
    if table.has_coordinates and table.keypoints is not None:
        assert arena is not None
        keypoints = table.keypoints
        pose = PoseJob(
            keypoints,
            rows.order,
            protocol.cleaning,
            1.0 if scale is None else scale,
            rule.needed(len(keypoints.chosen)) if rule.kind != "point" else 1,
            spec.pose_measures if spec.pose_measures is not None and scale is not None else None,  # cm
        )
        columns: tuple[np.ndarray, ...] = (time_s,)
        labels = None
    elif table.has_coordinates:
        assert arena is not None
        x, y = (rows.take(table.data[c].to_numpy(dtype=float)) for c in ("x", "y"))
        if scale is not None and scale != 1.0:
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
    postures: dict[int, tuple[dict[str, Any], pd.DataFrame] | ValueError] = {}
    done = 0
    limit = CHUNK_FRAMES if pose is None else pose.chunk_frames(CHUNK_FRAMES)
    chunks = _chunks([k for k in range(total) if k not in errors], rows.bounds, limit)
    analyse = partial(
        _analyze_chunk,
        bounds=rows.bounds,
        columns=columns,
        labels=labels,
        spec=spec,
        protocol=protocol,
        arena=arena,
        clocks=clocks,
        distances=scale is not None,
        pose=pose,
    )
    for chunk, (found, measured) in zip(chunks, _map_in_order(analyse, chunks), strict=True):
        analyses.update(zip(chunk, found, strict=True))
        postures.update(measured)
        done = chunk[-1] + 1
        if progress is not None:
            progress(done, total)
    results = []
    for k, animal in enumerate(rows.names):
        low = 0 if pose is not None else table.low_likelihood.get(animal, 0)  # pose: counted in the window
        start, stop = int(rows.bounds[k]), int(rows.bounds[k + 1])
        result = AnimalResult(animal, str(table.source), low_likelihood=low, sampled=bool(clocks.sampled[k]))
        analysis = analyses.get(k)
        if analysis is not None and analysis.frames == 0 and analysis.session_s == 0:
            errors[k] = AssayInputError(
                f"no frame in the session window ({_window_text(options)}); the track runs from "
                f"{time_s[start]:g} to {time_s[stop - 1]:g} s",
                path=table.source,
            )
        if analysis is not None and analysis.session_s < 0.5 * (
            analysis.window.end_s - analysis.window.start_s
        ):
            result.hint = coverage_hint(table, stop - start, float(time_s[start]), float(time_s[stop - 1]))
        outcome = postures.get(k)
        if k not in errors and analysis is not None and outcome is not None:
            if isinstance(outcome, ValueError):
                errors[k] = AssayInputError(str(outcome), path=table.source)
            else:
                result.measures, result.events = outcome
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


def _chunks(animals: list[int], bounds: np.ndarray, limit: int) -> list[list[int]]:
    """Group animals, in order, into batches of about ``limit`` frames (an animal with more: alone)."""
    chunks: list[list[int]] = []
    frames = limit
    for k in animals:
        size = int(bounds[k + 1] - bounds[k])
        if frames + size > limit:
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
    clocks: Clocks,
    distances: bool = True,
    pose: PoseJob | None = None,
) -> tuple[list[TrackAnalysis], dict[int, tuple[dict[str, Any], pd.DataFrame] | ValueError]]:
    """Analyse a batch of animals (their rows ``bounds[k]:bounds[k + 1]`` of ``columns``) together.

    With ``pose``, ``columns`` holds the frame times only: the batch's keypoints are cleaned here
    (:func:`assaykit.tracking.pose.prepare_pose`), their positions analysed, and the postures of each
    animal with frames in its window measured (or the ``ValueError`` that stopped them), so that the
    cleaned keypoints of one batch at a time are in memory. Returns the analyses, in ``chunk``'s order,
    and the postures by animal.
    """
    first, stop = bounds[chunk], bounds[np.asarray(chunk) + 1]
    if chunk[-1] - chunk[0] == len(chunk) - 1:  # consecutive animals: their rows are one slice
        part: slice | np.ndarray = slice(int(first[0]), int(stop[-1]))
    else:
        part = concat_ranges(first, stop)
    local = np.concatenate([[0], np.cumsum(stop - first)]).astype(np.int64)
    options = protocol.options
    mine = Clocks(clocks.interval[chunk], clocks.sampled[chunk], clocks.skipped[part])
    window = {
        "start_s": options["start_s"],
        "duration_s": options["duration_s"],
        "end_s": options.get("end_s"),
    }
    common = {"kinds": spec.kinds, "criterion": protocol.criterion, "clocks": mine, **window}
    if labels is not None:
        time_s, codes = (c[part] for c in columns)
        return analyze_track_labels(time_s, codes, local, labels[0], labels[1], **common), {}
    assert arena is not None
    if pose is None:
        time_s, x, y = (c[part] for c in columns)
        max_gap = int(options["max_gap_frames"])
        found = analyze_tracks(time_s, x, y, local, arena, max_gap=max_gap, distances=distances, **common)
        return found, {}
    time_s = columns[0][part]
    cleaned = pose.prepare(part, time_s, mine.pieces(local))  # cleaning never reaches across a clock gap
    given: dict[str, Any] = {"imputed": cleaned.imputed, "dropped": cleaned.dropped}
    if protocol.criterion.rule.kind != "point":
        given["points"] = cleaned.points()
    found = analyze_tracks(
        time_s,
        cleaned.position_x,
        cleaned.position_y,
        local,
        arena,
        max_gap=0,  # the cleaning filled the gaps
        distances=distances,
        **given,
        **common,
    )
    measured = {}
    for i, (k, analysis) in enumerate(zip(chunk, found, strict=True)):
        if pose.measures is None or (analysis.frames == 0 and analysis.session_s == 0):  # no window
            continue
        lo, hi = int(local[i]) + analysis.window.first, int(local[i]) + analysis.window.stop
        breaks = mine.skipped[lo:hi] > 0
        try:
            measured[k] = pose.measures(
                cleaned.window(lo, hi, time_s[lo:hi], analysis.durations, analysis.window.start_s, breaks),
                protocol,
                arena,
            )
        except ValueError as exc:
            measured[k] = exc
    return found, measured


def _window_text(options: Mapping[str, Any]) -> str:
    start = "the first frame" if options["start_s"] is None else f"{options['start_s']:g} s"
    if options.get("end_s") is not None:
        return f"from {start} to {options['end_s']:g} s"
    length = (
        "to the end of the track" if options["duration_s"] is None else f"for {options['duration_s']:g} s"
    )
    return f"from {start} {length}"
