"""The ``assaykit epm`` and ``ldb`` jobs: read track files, analyse every animal, write tables and plots.

This module does file I/O; the computation it calls (:mod:`assaykit.tracking.batch`) does none.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.input_files import distinct_files
from assaykit.io.outputs import OutputSet, run_outputs
from assaykit.io.tracks import TrackTable, read_tracks
from assaykit.tracking.batch import AnimalResult, AssaySpec, analyze_table
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
    points down (plots then draw y downwards too, so that they look like the video).
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
        Folder for one PNG per animal (trajectory over the apparatus, and an occupancy heatmap).
    postures_path
        Posture-event table to write (plus maze, pose files: one row per head dip or stretched-attend
        posture); an ``.xlsx`` output also gets it as a ``postures`` sheet.
    progress
        Called as ``progress(done, total)`` as animals are finished, ``total`` being the number of animals
        across all files (a file that could not be read counts as one): first ``(0, total)`` once every
        file is read and checked, then as each file that could not be read and each batch of animals
        (:data:`assaykit.tracking.batch.CHUNK_FRAMES` frames or so) is done, last ``(total, total)``
        before the tables are written. ``done`` never decreases.
    outputs
        The run's outputs (:class:`assaykit.io.outputs.OutputSet`) when the caller commits them with those
        of other jobs (``epm --design`` adds the statistics); None to write them at the end of this job.
        Every output path is checked before any track is read, and the files are written all together or
        not at all.
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
    proto = load_tracking_protocol(protocol or spec.default_preset, spec.assay, **options)
    with run_outputs(outputs, [*paths, proto.path, proto.options.get("zones")]) as out:
        targets = {
            "output": out.add_file(output, "-o"),
            "episodes_path": out.add_file(episodes_path, "--episodes"),
            "postures_path": out.add_file(postures_path, "--postures"),
            "plot_dir": out.add_folder(plot_dir, "--plot"),
        }
        run = _analyze(spec, paths, proto, format, sheet, progress)
        _write(run, spec, out, **targets)
        run.written = out.staged
    return run


def _analyze(
    spec: AssaySpec,
    paths: Sequence[str | Path],
    proto: TrackingProtocol,
    format: str,
    sheet: str | None,
    progress: Callable[[int, int], None] | None,
) -> TrackingRun:
    """Read every file and analyse every animal (see :func:`run_tracking`)."""
    with warnings.catch_warnings(record=True) as caught:  # reading, zones, analysis: shown as warning:
        warnings.simplefilter("always")
        tables, failed = _read_all(paths, proto, format, sheet)
        _check_consistent(tables)
        arena, scale, notes = _arena_and_scale(proto, spec, tables)
        results, errors = _analyze_all(spec, paths, tables, failed, proto, arena, scale, progress)
    run_warnings = [" ".join(str(w.message).split()) for w in caught if issubclass(w.category, UserWarning)]
    if results and all(r.analysis is None for r in results):
        if errors:
            raise errors[0]
        first = results[0]
        raise AssayInputError(f"animal '{first.animal}': {first.error}")
    endpoints = endpoint_table(results, spec, proto)
    unit = "cm" if scale is not None else "px"
    pixels = any(t.has_coordinates and t.space_unit == "px" for t in tables)
    run = TrackingRun(
        endpoints,
        results,
        proto,
        arena,
        warnings=run_warnings,
        notes=notes,
        unit=unit,
        image_coordinates=pixels,
    )
    zones = proto.options.get("zones") or (proto.path if proto.zone_tables else None)
    run.warnings.extend(row_warnings(endpoints, spec, results, arena, unit, zones))
    return run


def _arena_and_scale(
    proto: TrackingProtocol, spec: AssaySpec, tables: list[TrackTable]
) -> tuple[Arena | None, float | None, list[str]]:
    """Return the arena, the scale (cm per track unit; None: none known) and a note when there is no scale.

    Pixels (or coordinates without a unit) with zones in the same units (a zone file or ``[[zones]]``) need
    no scale for zone times, entries and latencies: without ``px_per_cm`` the zones stay in track units,
    and what needs cm (distances, speeds, the hysteresis, the posture thresholds) is left out, with a note.
    An arena given in cm (``[arena]``) needs the scale of pixel coordinates.
    """
    positioned = [t for t in tables if t.has_coordinates]
    if not positioned:
        return None, 1.0, []
    first = positioned[0]
    if (
        proto.zones_in_track_units
        and proto.options.get("px_per_cm") is None
        and first.space_unit in (None, "px")
    ):
        unit = "pixels" if first.space_unit == "px" else "coordinates without a unit"
        hysteresis = float(proto.options["hysteresis_cm"])
        note = (
            f"{first.source}: {unit} and zones in the same units, without --px-per-cm: zone times, entries "
            "and latencies are computed; distances and speeds are left blank"
            + (
                f", the {hysteresis:g} cm hysteresis is not applied (zones are the plain point-in-polygon "
                "test)"
                if hysteresis > 0
                else ""
            )
            + (
                ", and head dips and stretched-attend postures (thresholds in cm) are left blank"
                if spec.pose_measures is not None and first.keypoints is not None
                else ""
            )
            + "; give --px-per-cm for them"
        )
        return _placed_arena(proto, spec, positioned, None), None, [note]
    try:
        scale = proto.scale(first.space_unit)
    except AssayInputError as exc:
        raise exc.with_path(first.source) from None
    return _placed_arena(proto, spec, positioned, scale), scale, []


def _placed_arena(
    proto: TrackingProtocol, spec: AssaySpec, positioned: list[TrackTable], scale: float | None
) -> Arena:
    """Build the arena; warn of zones that overlap or that miss the positions (:mod:`.placement`)."""
    unit = positioned[0].space_unit
    arena = proto.arena(scale, spec.build_arena, unit)
    xs = [table.data["x"].to_numpy() for table in positioned]
    ys = [table.data["y"].to_numpy() for table in positioned]
    cm_per_unit = 1.0 if scale is None else scale  # without a scale the arena is in track units
    drawn = bool(proto.file_zones or proto.zone_tables)
    source = proto.options.get("zones") or proto.path
    placement_warning(arena, xs, ys, cm_per_unit, unit, source, drawn=drawn)
    return arena


def _analyze_all(
    spec: AssaySpec,
    paths: Sequence[str | Path],
    tables: list[TrackTable],
    failed: list[AssayInputError],
    proto: TrackingProtocol,
    arena: Arena | None,
    scale: float | None,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[AnimalResult], list[AssayInputError]]:
    """Analyse every file's animals in the order the files were given; a file not read is one error row."""
    results: list[AnimalResult] = []
    errors: list[AssayInputError] = []
    total = len(failed) + sum(len(table.animal_runs().names) for table in tables)
    report = progress or (lambda done, total: None)
    report(0, total)
    for item in _in_order(paths, tables, failed):
        done = len(results)
        if isinstance(item, AssayInputError):
            errors.append(item)
            results.append(AnimalResult(Path(str(item.path)).stem, str(item.path), error=str(item)))
            report(done + 1, total)
            continue
        results.extend(
            analyze_table(
                item,
                spec,
                proto,
                arena if item.has_coordinates else None,
                scale,
                progress=lambda finished, _, done=done: report(done + finished, total),
            )
        )
    return results, errors


def _read_all(
    paths: Sequence[str | Path], proto: TrackingProtocol, format: str, sheet: str | None
) -> tuple[list[TrackTable], list[AssayInputError]]:
    options = proto.options
    bodypart = options.get("bodypart")
    if isinstance(bodypart, str) and "," in bodypart:
        bodypart = [part.strip() for part in bodypart.split(",") if part.strip()]
    tables, failed = [], []
    for path in paths:
        try:
            tables.append(
                read_tracks(
                    path,
                    format=format,
                    fps=options.get("fps"),
                    bodypart=bodypart,
                    likelihood=float(options["likelihood"]),
                    sheet=sheet,
                )
            )
        except AssayInputError as exc:
            if len(paths) == 1:
                raise
            failed.append(exc.with_path(path))
    return tables, failed


def _in_order(
    paths: Sequence[str | Path], tables: list[TrackTable], failed: list[AssayInputError]
) -> list[TrackTable | AssayInputError]:
    """Tables and read errors in the order their files were given."""
    by_path: dict[str, TrackTable | AssayInputError] = {str(t.source): t for t in tables}
    by_path.update({str(e.path): e for e in failed})
    return [by_path[str(Path(p))] for p in paths if str(Path(p)) in by_path]


def _check_consistent(tables: list[TrackTable]) -> None:
    units = {}
    for table in tables:
        if table.has_coordinates:
            units.setdefault(table.space_unit, table.source)
    if len(units) > 1:
        listed = "; ".join(f"{path} in {unit or 'unstated units'}" for unit, path in units.items())
        raise AssayInputError(f"mixed units across files: {listed}; give every file the same unit")
    seen: dict[str, Path] = {}
    for table in tables:
        for animal in table.animal_runs().names.tolist():
            if animal in seen and seen[animal] != table.source:
                raise AssayInputError(
                    f"animal '{animal}' is in {seen[animal]} and in {table.source}; give each animal one id"
                )
            seen[animal] = table.source


def _write(
    run: TrackingRun,
    spec: AssaySpec,
    out: OutputSet,
    *,
    output: Path | None,
    episodes_path: Path | None,
    plot_dir: Path | None,
    postures_path: Path | None,
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
        write_plots(run, spec, plot_dir, out)


def write_plots(
    run: TrackingRun, spec: AssaySpec, directory: str | Path, outputs: OutputSet | None = None
) -> list[Path]:
    """Write one PNG per animal with positions: its trajectory over the apparatus and an occupancy heatmap.

    Parameters
    ----------
    run
        The tracking run to draw.
    spec
        The assay.
    directory
        The folder; made if needed (and only if there is a plot to write).
    outputs
        The run's outputs, to stage the plots in (written when it is committed); None to write them now,
        all or none.

    Returns
    -------
    list of Path
        The plot files.
    """
    from assaykit.plotting import safe_filename
    from assaykit.tracking.plots import plot_track

    directory = Path(directory)
    rows = run.endpoints.set_index("animal")
    written = []
    with run_outputs(outputs) as out:
        out.add_folder(directory, "--plot")
        for result in run.results:
            analysis = result.analysis
            if analysis is None or run.arena is None or len(analysis.x) == 0:
                continue
            subtitle = spec.summary(rows.loc[result.animal]) if spec.summary else None
            target = directory / f"{safe_filename(result.animal)}.png"
            with out.stage(target, into="--plot") as tmp:
                plot_track(
                    run.arena,
                    analysis.x,
                    analysis.y,
                    analysis.durations,
                    tmp,
                    title=result.animal,
                    subtitle=subtitle,
                    unit=run.unit,
                    bin_cm=1.0 if run.unit == "cm" else 5.0,  # 5 px: about a cm on a typical video
                    y_down=run.image_coordinates,
                )
            written.append(target)
    if not written and any(r.analysis is not None for r in run.results):
        run.warnings.append("no plots: the tracks hold zone labels, not positions")
    return written
