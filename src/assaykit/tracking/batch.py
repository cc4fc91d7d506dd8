"""Many animals through one assay: per-animal analysis with its own error row, and the endpoint table.

An assay (the plus maze, the light-dark box) is an :class:`AssaySpec`: its zone kinds, how to build its
arena, how to read zone labels, and how one animal's :class:`TrackAnalysis` becomes its endpoint columns.
Everything else (checking each animal's times, scaling, gap filling, the session window, the entry
criterion, flags, blanking unusable animals) is shared here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tracks import MISSING_TOKENS, TrackTable
from assaykit.tracking.analysis import TrackAnalysis, analyze_labels, analyze_track
from assaykit.tracking.geometry import Arena
from assaykit.tracking.protocol import TrackingProtocol

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


def analyze_table(
    table: TrackTable, spec: AssaySpec, protocol: TrackingProtocol, arena: Arena | None, scale: float
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

    Returns
    -------
    list of AnimalResult
        In the order the animals first appear in the file.
    """
    results = []
    data = table.data
    for animal, rows in data.groupby("animal", sort=False):
        result = AnimalResult(
            str(animal), str(table.source), low_likelihood=table.low_likelihood.get(str(animal), 0)
        )
        try:
            result.analysis = _analyze_animal(rows, table, spec, protocol, arena, scale)
        except AssayInputError as exc:
            result.error = str(exc)
        results.append(result)
    return results


def _analyze_animal(
    rows: pd.DataFrame,
    table: TrackTable,
    spec: AssaySpec,
    protocol: TrackingProtocol,
    arena: Arena | None,
    scale: float,
) -> TrackAnalysis:
    time_s = rows["time_s"].to_numpy(dtype=float)
    _check_time(time_s, rows.index, table)
    options = protocol.options
    window = {"start_s": options["start_s"], "duration_s": options["duration_s"]}
    if table.has_coordinates:
        assert arena is not None
        x = rows["x"].to_numpy(dtype=float) * scale
        y = rows["y"].to_numpy(dtype=float) * scale
        analysis = analyze_track(
            time_s,
            x,
            y,
            arena,
            kinds=spec.kinds,
            criterion=protocol.criterion,
            max_gap=int(options["max_gap_frames"]),
            **window,
        )
    else:
        codes, kinds, names = _label_codes(rows, table, spec)
        analysis = analyze_labels(
            time_s, codes, kinds, names, kinds=spec.kinds, criterion=protocol.criterion, **window
        )
    if analysis.frames == 0:
        raise AssayInputError(
            f"no frame in the session window ({_window_text(options)}); the track runs from "
            f"{time_s[0]:g} to {time_s[-1]:g} s",
            path=table.source,
        )
    return analysis


def _window_text(options: Mapping[str, Any]) -> str:
    start = "the first frame" if options["start_s"] is None else f"{options['start_s']:g} s"
    length = (
        "to the end of the track" if options["duration_s"] is None else f"for {options['duration_s']:g} s"
    )
    return f"from {start} {length}"


def _check_time(time_s: np.ndarray, index: pd.Index, table: TrackTable) -> None:
    if len(time_s) < 2:
        raise AssayInputError("only one frame; a track needs at least two", path=table.source)
    step = np.diff(time_s)
    bad = ~(step > 0)
    if bad.any():
        at = int(np.argmax(bad)) + 1
        row = int(index[at]) if index.name == "source_row" else None
        where = "" if row is not None else f" (frame {at + 1} of the animal)"
        raise AssayInputError(
            f"time does not increase: {time_s[at]:g} s comes after {time_s[at - 1]:g} s{where}; "
            "expected one row per frame in time order",
            path=table.source,
            row=row,
        )


def _label_codes(
    rows: pd.DataFrame, table: TrackTable, spec: AssaySpec
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per frame, the index of the zone label (-1 off the apparatus, -2 no position)."""
    labels = rows["zone"].astype(str).str.strip()
    distinct, codes = np.unique(labels.str.lower().to_numpy(dtype=str), return_inverse=True)
    names, kinds, mapping = [], [], np.empty(len(distinct), dtype=np.int64)
    for i, label in enumerate(distinct):
        if label in MISSING_TOKENS:
            mapping[i] = -2
            continue
        kind = spec.label_kind(label)
        if kind is None:
            at = int(np.argmax(codes == i))
            expected = ", ".join(spec.kinds)
            raise AssayInputError(
                f"unknown zone label '{labels.iloc[at]}'; expected {expected}, off, or empty for no position",
                path=table.source,
                row=int(rows.index[at]) if rows.index.name == "source_row" else None,
                column="zone",
            )
        if kind == "off":
            mapping[i] = -1
            continue
        mapping[i] = len(names)
        names.append(label)
        kinds.append(kind)
    return mapping[codes], np.asarray(kinds, dtype=object), names


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
        row.update(
            lost_time_s=analysis.lost_s,
            session_s=analysis.session_s,
            frames=analysis.frames,
            missing_time_s=analysis.missing_s,
            off_arena_time_s=analysis.off_arena_s,
            frames_interpolated=analysis.frames_interpolated,
            frames_missing=analysis.frames_missing,
            frames_low_likelihood=result.low_likelihood,
        )
        session = analysis.session_s
        if analysis.lost_s > protocol.options["max_lost"] * session:
            flags = ["unusable"]
            for column in spec.endpoint_columns[1:]:
                row[column] = np.nan
        else:
            flags = spec.flags(row)
            start_zone = protocol.options.get("start_zone")
            episodes = analysis.episodes
            if start_zone and len(episodes) and episodes["kind"].iloc[0] != start_zone:
                flags.append(f"start_not_{start_zone}")
        if analysis.off_arena_s > OFF_ARENA_WARN * session:
            flags.append("off_arena")
        requested = analysis.window.end_s - analysis.window.start_s
        if session < requested - 0.5 * _frame(analysis):
            flags.append("short_session")
        row["flags"] = ";".join(flags)
        rows.append(row)
    table = pd.DataFrame(rows, columns=spec.columns)
    return table


def _frame(analysis: TrackAnalysis) -> float:
    durations = analysis.durations
    return float(np.median(durations)) if len(durations) else 0.0


def episode_table(results: Sequence[AnimalResult]) -> pd.DataFrame:
    """All animals' zone episodes, one row each, with the animal first."""
    frames = [r.analysis.episodes.assign(animal=r.animal) for r in results if r.analysis is not None]
    columns = ["animal", "zone", "kind", "start_s", "end_s", "duration_s", "time_s", "entry"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
