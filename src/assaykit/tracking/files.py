"""One track file in, that file's animals out: the pure per-file work of ``assaykit epm`` and ``ldb``.

:func:`analyze_track_file` reads one file, analyses each of its animals and returns everything the job
needs from it (:class:`TrackFile`), writing nothing and changing no state outside itself, so the same call
gives the same result in this process, in a ``--jobs`` worker (:mod:`assaykit.parallel`) or on a Dask
worker of a cluster. What needs every file at once (units agreeing, an animal id in one file only, the
zones against all positions, the endpoint table and its warnings) is done by
:func:`assaykit.tracking.workflow.run_tracking` from the files' results.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assaykit.errors import AssayInputError
from assaykit.io.tracks import TrackTable, read_tracks
from assaykit.tracking.batch import AnimalResult, AssaySpec, analyze_table
from assaykit.tracking.geometry import Arena
from assaykit.tracking.protocol import TrackingProtocol


@dataclass
class TrackFile:
    """What one track file gave: its animals' results and what the job checks across files.

    Attributes
    ----------
    path
        The file, as given.
    results
        One result per animal, in file order; one error row (named by the file's stem) when the file
        could not be read.
    warnings
        The ``UserWarning`` messages raised while reading and analysing it, one line each, in order.
    error
        Why the file could not be read (its error row says the same); None when it was read.
    fatal
        A problem of the whole job found on this file (no scale for its units): the job stops with it
        unless an earlier check across files stops it first.
    space_unit, has_coordinates, pose, format
        The file's units, whether it holds positions (not zone labels), whether it holds pose keypoints, and
        its format.
    animals
        Its animal ids, in file order.
    x, y
        Its positions as read (track units; NaN where missing), for the check that the zones lie where the
        animals were (:func:`assaykit.tracking.placement.placement_warning`); None for zone labels.
    """

    path: str
    results: list[AnimalResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: AssayInputError | None = None
    fatal: AssayInputError | None = None
    space_unit: str | None = None
    has_coordinates: bool = False
    pose: bool = False
    format: str | None = None
    animals: list[str] = field(default_factory=list)
    x: np.ndarray | None = None
    y: np.ndarray | None = None


def bodypart_option(value: object) -> object:
    """Return ``--keypoint`` as the reader takes it: a list for ``"a,b"``, else as given."""
    if isinstance(value, str) and "," in value:
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def track_scale(
    proto: TrackingProtocol, spec: AssaySpec, unit: str | None, has_pose: bool, source: Path | str
) -> tuple[float | None, str | None]:
    """Return the scale (cm per track unit; None: none known) of positioned tracks, and a note without one.

    Pixels (or coordinates without a unit) with zones in the same units (a zone file or ``[[zones]]``) need
    no scale for zone times, entries and latencies: without ``px_per_cm`` the zones stay in track units,
    and what needs cm (distances, speeds, the hysteresis, the posture thresholds) is left out, with a note.
    Otherwise the protocol's scale for ``unit`` (:meth:`TrackingProtocol.scale`), which raises
    :class:`AssayInputError` (naming ``source``) when there is none, e.g. pixels without ``px_per_cm``.
    """
    if proto.zones_in_track_units and proto.options.get("px_per_cm") is None and unit in (None, "px"):
        what = "pixels" if unit == "px" else "coordinates without a unit"
        hysteresis = float(proto.options["hysteresis_cm"])
        note = (
            f"{source}: {what} and zones in the same units, without --px-per-cm: zone times, entries "
            "and latencies are computed; distances and speeds are left blank"
            + (
                f", the {hysteresis:g} cm hysteresis is not applied (zones are the plain point-in-polygon "
                "test)"
                if hysteresis > 0
                else ""
            )
            + (
                ", and head dips and stretched-attend postures (thresholds in cm) are left blank"
                if spec.pose_measures is not None and has_pose
                else ""
            )
            + "; give --px-per-cm for them"
        )
        return None, note
    try:
        return proto.scale(unit), None
    except AssayInputError as exc:
        raise exc.with_path(source) from None


def track_arena(proto: TrackingProtocol, spec: AssaySpec, unit: str | None, scale: float | None) -> Arena:
    """Build the arena of positioned tracks in ``unit`` (in track units when ``scale`` is None)."""
    return proto.arena(scale, spec.build_arena, unit)


def analyze_track_file(
    path: str | Path,
    spec: AssaySpec,
    protocol: TrackingProtocol,
    *,
    format: str = "auto",
    sheet: str | None = None,
    raise_read_error: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> TrackFile:
    """Read one track file and analyse each of its animals; write nothing.

    Parameters
    ----------
    path
        The track file (one animal or several).
    spec
        The assay (:data:`assaykit.epm.EPM` or :data:`assaykit.ldb.LDB`).
    protocol
        The resolved protocol (:func:`assaykit.tracking.protocol.load_tracking_protocol`): the options of
        the reader (``fps``, ``bodypart``, ``likelihood``) and of the analysis.
    format, sheet
        Passed to :func:`assaykit.io.tracks.read_tracks`.
    raise_read_error
        Raise a file that cannot be read (the job of a single file stops with it) instead of returning it
        as the file's error row.
    progress
        Called as ``progress(done, total)`` as the file's animals are finished (see
        :func:`assaykit.tracking.batch.analyze_table`), first ``(0, total)`` once the file is read.

    Returns
    -------
    TrackFile
        Picklable: a ``--jobs`` worker or a Dask worker sends it back as it is.

    Notes
    -----
    The arena and the scale come from the protocol and this file's own units, so every file of a job in
    one unit gets the same ones; the job checks that the files agree on their units before it uses any
    result. The same file with the same options gives the same result wherever it runs.
    """
    source = str(path)
    out = TrackFile(source)
    options = protocol.options
    with warnings.catch_warnings(record=True) as caught:  # shown by the job as warning: lines
        warnings.simplefilter("always")
        try:
            table = read_tracks(
                path,
                format=format,
                fps=options.get("fps"),
                bodypart=bodypart_option(options.get("bodypart")),
                likelihood=float(options["likelihood"]),
                sheet=sheet,
            )
        except AssayInputError as exc:
            if raise_read_error:
                raise
            out.error = exc.with_path(path)
            out.results = [AnimalResult(Path(source).stem, source, error=str(out.error))]
        else:
            _analyze(out, table, spec, protocol, progress)
    out.warnings = [" ".join(str(w.message).split()) for w in caught if issubclass(w.category, UserWarning)]
    return out


def _analyze(
    out: TrackFile,
    table: TrackTable,
    spec: AssaySpec,
    protocol: TrackingProtocol,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Fill ``out`` from a file that was read."""
    out.space_unit, out.has_coordinates, out.format = table.space_unit, table.has_coordinates, table.format
    out.pose = table.keypoints is not None
    out.animals = [str(name) for name in table.animal_runs().names.tolist()]
    if progress is not None:
        progress(0, len(out.animals))
    arena, scale = None, 1.0
    if table.has_coordinates:
        out.x, out.y = (table.data[c].to_numpy(dtype=float, copy=True) for c in ("x", "y"))
        try:
            scale, _ = track_scale(protocol, spec, table.space_unit, out.pose, table.source)
        except AssayInputError as exc:
            out.fatal = exc
            return
        with warnings.catch_warnings():  # of the zones themselves (overlaps): the job warns of them once
            warnings.simplefilter("ignore")
            arena = track_arena(protocol, spec, table.space_unit, scale)
    out.results = analyze_table(table, spec, protocol, arena, scale, progress=progress)
