"""The ``assaykit epm`` and ``ldb`` jobs: read track files, analyse every animal, write tables and plots.

This module does file I/O; the computation it calls (:mod:`assaykit.tracking.batch`) does none. Each file
is read and analysed on its own by :func:`assaykit.tracking.files.analyze_track_file` (a pure function, run
in several processes with ``jobs``); what needs all files at once is checked here afterwards.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.input_files import distinct_files
from assaykit.io.outputs import OutputSet, run_outputs
from assaykit.parallel import map_files, resolve_jobs
from assaykit.tracking.batch import AnimalResult, AssaySpec
from assaykit.tracking.figures import check_plot_format
from assaykit.tracking.figures import plot_jobs as plot_jobs  # the run's figures, as jobs
from assaykit.tracking.figures import write_plots as write_plots
from assaykit.tracking.files import TrackFile, analyze_track_file, track_arena, track_scale
from assaykit.tracking.geometry import Arena
from assaykit.tracking.placement import placement_warning
from assaykit.tracking.protocol import TrackingProtocol, load_tracking_protocol
from assaykit.tracking.row_warnings import row_warnings
from assaykit.tracking.tables import endpoint_table, episode_table, posture_table


@dataclass
class TrackingRun:
    """What one tracking job produced; ``episodes`` (every zone visit) is built when first asked for.

    ``warnings`` are things to check (printed as ``warning:``); ``notes`` say how the run read its input
    (printed as ``note:``, hidden by ``--quiet``). ``unit`` is the unit of the arena and of the analyses'
    positions: ``"cm"``, or ``"px"`` (the track's own units) when the run had no scale.
    ``image_coordinates`` is true when the positions came from pixels of a video frame, whose y axis
    points down (plots then draw y downwards too, so that they look like the video). ``spec`` is the
    assay the run analysed (for the figures' subtitles).
    """

    endpoints: pd.DataFrame
    results: list[AnimalResult]
    protocol: TrackingProtocol
    arena: Arena | None
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unit: str = "cm"
    image_coordinates: bool = False
    spec: AssaySpec | None = None
    pose: bool = False  # some file held pose-estimation keypoints (cleaned, and read by the entry rule)
    formats: tuple[str, ...] = ()  # the track files' formats, in the order first met

    @cached_property
    def episodes(self) -> pd.DataFrame:
        """All animals' zone episodes (:func:`assaykit.tracking.tables.episode_table`)."""
        return episode_table(self.results)

    @cached_property
    def postures(self) -> pd.DataFrame | None:
        """All animals' posture events (:func:`assaykit.tracking.tables.posture_table`); None without any."""
        return posture_table(self.results)


def run_tracking(
    spec: AssaySpec,
    paths: Sequence[str | Path],
    *,
    protocol: str | Path | None = None,
    format: str = "auto",
    sheet: str | None = None,
    output: str | Path | None = None,
    episodes_path: str | Path | None = None,
    plot_dir: str | Path | None = None,
    postures_path: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    outputs: OutputSet | None = None,
    jobs: int | str = 1,
    plot_format: str = "png",
    **options: Any,
) -> TrackingRun:
    """Run a tracking assay from files to written results.

    Parameters
    ----------
    spec
        The assay (:data:`assaykit.epm.EPM` or :data:`assaykit.ldb.LDB`).
    paths
        Track files; each may hold one animal or several.
    protocol
        Preset name or TOML path; the assay's default preset when None.
    format, sheet
        Passed to :func:`assaykit.io.tracks.read_tracks`.
    output
        Endpoint table to write (.csv, .tsv, .json, .xlsx; .xlsx also gets an ``episodes`` sheet).
    episodes_path
        Zone-episode table to write (one row per visit).
    plot_dir
        Folder for one figure per animal (trajectory over the apparatus, and an occupancy heatmap).
    postures_path
        Posture-event table to write (plus maze, pose files: one row per head dip or stretched-attend
        posture); an ``.xlsx`` output also gets it as a ``postures`` sheet.
    progress
        Called as ``progress(done, total)``, ``done`` never decreasing and the last call
        ``(total, total)`` before the tables are written. With one file it counts that file's animals:
        first ``(0, total)`` once the file is read, then as each batch of animals
        (:data:`assaykit.tracking.batch.CHUNK_FRAMES` frames or so) is done. With several it counts files
        (``total`` = the number of files), as they are finished, across all workers. With ``plot_dir``
        the figures are a stage of their own (``figures``, :func:`assaykit.progress.start_stage`), counted
        as they are drawn.
    outputs
        The run's outputs (:class:`assaykit.io.outputs.OutputSet`) when the caller commits them with those
        of other jobs (``epm --design`` adds the statistics); None to write them at the end of this job.
        Every output path is checked before any track is read, and the files are written all together or
        not at all.
    jobs
        Files analysed at the same time, each in its own process (:func:`assaykit.parallel.resolve_jobs`:
        ``0`` or ``"auto"`` for one per core). Every file is analysed by the same pure function
        (:func:`assaykit.tracking.files.analyze_track_file`) whatever ``jobs`` is, so the results, warnings
        and errors are the same as with 1.
    plot_format
        The figures' file format: ``png`` (200 dpi), ``svg`` or ``pdf``.
    **options
        Keys of :data:`assaykit.tracking.protocol.TRACKING_DEFAULTS`; None means "not given".

    Returns
    -------
    TrackingRun

    Raises
    ------
    AssayInputError
        For a bad preset or option, an output that clashes with an input or another output or cannot be
        written, files in different units, an animal id used by two files, and when no animal at all could
        be analysed (the first reason is given). No output is written then.
    """
    distinct_files(paths)
    plot_format = check_plot_format(plot_format)
    workers = resolve_jobs(jobs)
    proto = load_tracking_protocol(protocol or spec.default_preset, spec.assay, **options)
    with run_outputs(outputs, [*paths, proto.path, proto.options.get("zones")]) as out:
        targets = {
            "output": out.add_file(output, "-o"),
            "episodes_path": out.add_file(episodes_path, "--episodes"),
            "postures_path": out.add_file(postures_path, "--postures"),
            "plot_dir": out.add_folder(plot_dir, "--plot"),
        }
        # each file by itself (in ``workers`` processes), then what needs every file at once
        files = _analyze_files(spec, paths, proto, format, sheet, progress, workers)
        run = combine_track_files(spec, proto, files)
        _write(run, spec, out, **targets, plot_format=plot_format, progress=progress)
        run.written = out.staged
    return run


def combine_track_files(spec: AssaySpec, proto: TrackingProtocol, files: Sequence[TrackFile]) -> TrackingRun:
    """Make one run of the files' results: what needs every file at once, after each was analysed alone.

    This is the step after a map of :func:`assaykit.tracking.files.analyze_track_file` over the files, in
    this process, in ``--jobs`` workers or on a cluster (e.g. Dask's ``client.map`` and ``gather``); the
    run it returns is that of :func:`run_tracking` on the same files, without writing anything.

    Parameters
    ----------
    spec, proto
        The assay and the protocol every file was analysed with.
    files
        The files' results, in the order the files were given.

    Returns
    -------
    TrackingRun
        The endpoint table (one row per animal, a file that could not be read one error row), the
        warnings (of the zones, then of each file in order, then of the rows) and the notes.

    Raises
    ------
    AssayInputError
        When the files' positions are in different units, an animal id is in two files, the tracks' units
        have no scale, or no animal at all could be analysed (the first reason is given).
    """
    files = list(files)
    _check_consistent(files)
    positioned = [f for f in files if f.has_coordinates]
    arena, scale, notes, placement = None, 1.0, [], []
    if positioned:
        first = positioned[0]
        if first.fatal is not None:
            raise first.fatal
        scale, note = track_scale(proto, spec, first.space_unit, first.pose, first.path)
        notes = [note] if note else []
        with warnings.catch_warnings(record=True) as caught:  # the zones' overlaps, and their placement
            warnings.simplefilter("always")
            arena = track_arena(proto, spec, first.space_unit, scale)
            _placement(proto, positioned, arena, scale)
        placement = [" ".join(str(w.message).split()) for w in caught if issubclass(w.category, UserWarning)]
    results = [result for f in files for result in f.results]
    if results and all(r.analysis is None for r in results):
        errors = [f.error for f in files if f.error is not None]
        if errors:
            raise errors[0]
        first_result = results[0]
        raise AssayInputError(f"animal '{first_result.animal}': {first_result.error}")
    endpoints = endpoint_table(results, spec, proto)
    run = TrackingRun(
        endpoints,
        results,
        proto,
        arena,
        warnings=[*placement, *(message for f in files for message in f.warnings)],
        notes=notes,
        unit="cm" if scale is not None else "px",
        image_coordinates=any(f.space_unit == "px" for f in positioned),
        spec=spec,
        pose=any(f.pose for f in files),
        formats=tuple(dict.fromkeys(f.format for f in files if f.format)),
    )
    zones = proto.options.get("zones") or (proto.path if proto.zone_tables else None)
    run.warnings.extend(row_warnings(endpoints, spec, results, arena, run.unit, zones))
    return run


def _analyze_files(
    spec: AssaySpec,
    paths: Sequence[str | Path],
    proto: TrackingProtocol,
    format: str,
    sheet: str | None,
    progress: Callable[[int, int], None] | None,
    jobs: int,
) -> list[TrackFile]:
    """Each file's :class:`TrackFile`, in the order given: in ``jobs`` processes when more than one.

    One file reports progress per animal and raises when it cannot be read; several report it per file,
    and a file that cannot be read is one error row.
    """
    if len(paths) == 1:
        return [
            analyze_track_file(
                paths[0], spec, proto, format=format, sheet=sheet, raise_read_error=True, progress=progress
            )
        ]
    work = partial(analyze_track_file, spec=spec, protocol=proto, format=format, sheet=sheet)
    return map_files(work, list(paths), jobs=jobs, progress=progress)


def _placement(
    proto: TrackingProtocol, positioned: list[TrackFile], arena: Arena, scale: float | None
) -> None:
    """Warn of zones that overlap or that miss the positions of every file (:mod:`.placement`)."""
    xs = [f.x for f in positioned if f.x is not None]
    ys = [f.y for f in positioned if f.y is not None]
    cm_per_unit = 1.0 if scale is None else scale  # without a scale the arena is in track units
    drawn = bool(proto.file_zones or proto.zone_tables)
    source = proto.options.get("zones") or proto.path
    placement_warning(arena, xs, ys, cm_per_unit, positioned[0].space_unit, source, drawn=drawn)


def _check_consistent(files: list[TrackFile]) -> None:
    """Raise when the files' positions are in different units, or an animal id is in two files."""
    units: dict[str | None, str] = {}
    for file in files:
        if file.has_coordinates:
            units.setdefault(file.space_unit, file.path)
    if len(units) > 1:
        listed = "; ".join(f"{path} in {unit or 'unstated units'}" for unit, path in units.items())
        raise AssayInputError(f"mixed units across files: {listed}; give every file the same unit")
    seen: dict[str, str] = {}
    for file in files:
        for animal in file.animals:
            if animal in seen and seen[animal] != file.path:
                raise AssayInputError(
                    f"animal '{animal}' is in {seen[animal]} and in {file.path}; give each animal one id"
                )
            seen[animal] = file.path


def _write(
    run: TrackingRun,
    spec: AssaySpec,
    out: OutputSet,
    *,
    output: Path | None,
    episodes_path: Path | None,
    plot_dir: Path | None,
    postures_path: Path | None,
    plot_format: str = "png",
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Stage the run's tables and plots in ``out``."""
    postures = run.postures
    if postures_path is not None and postures is None:
        reason = (
            "postures are measured in cm: give --px-per-cm"
            if run.unit != "cm"
            else "postures need pose keypoints (DeepLabCut, SLEAP, LightningPose) on the plus maze"
        )
        run.warnings.append(f"no posture table written: {reason}")
    if output is not None:
        if output.suffix.lower() == ".xlsx":
            sheets = {"endpoints": run.endpoints, "episodes": run.episodes}
            if postures is not None:
                sheets["postures"] = postures
            out.table(sheets, output)
        else:
            out.table(run.endpoints, output)
    if episodes_path is not None:
        out.table(run.episodes, episodes_path)
    if postures_path is not None and postures is not None:
        out.table(postures, postures_path)
    if plot_dir is not None:
        write_plots(run, spec, plot_dir, out, plot_format=plot_format, progress=progress)
