"""The Python entry point shared by the assays: a tidy track table in, the endpoint table out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tracks import TrackTable
from assaykit.tracking.analysis import EntryCriterion
from assaykit.tracking.batch import AssaySpec, analyze_table
from assaykit.tracking.geometry import Arena
from assaykit.tracking.protocol import TRACKING_DEFAULTS, TrackingProtocol
from assaykit.tracking.tables import endpoint_table


def compute_endpoints(
    spec: AssaySpec,
    tracks: pd.DataFrame,
    arena: Arena,
    *,
    criterion: EntryCriterion,
    start_s: float | None,
    duration_s: float | None,
    max_gap: int,
    max_lost: float,
    end_s: float | None = None,
) -> pd.DataFrame:
    """Compute an assay's endpoints from a tidy table (see :func:`assaykit.epm.compute_epm_endpoints`).

    Raises
    ------
    AssayInputError
        When ``tracks`` lacks ``time_s`` or both ``x``/``y`` and ``zone``. Problems with one animal's data
        (time not increasing, times that cannot be seconds, unknown zone labels) give that animal an
        ``error`` flag instead.

    Warns
    -----
    UserWarning
        For clock gaps (lost time), irregular time steps (read as an event log) and suspicious time units
        (:mod:`assaykit.tracking.clock`).
    """
    has_xy = {"x", "y"} <= set(tracks.columns)
    if "time_s" not in tracks.columns or not (has_xy or "zone" in tracks.columns):
        raise AssayInputError(
            f"tracks need columns time_s and x, y (or zone); got {', '.join(map(str, tracks.columns))}"
        )
    keep = ["time_s", "x", "y"] if has_xy else ["time_s", "zone"]
    data = tracks[keep].copy()
    data.insert(0, "animal", tracks["animal"].astype(str) if "animal" in tracks.columns else "animal")
    data.index = pd.RangeIndex(len(data))
    options = dict(TRACKING_DEFAULTS)
    options.update(
        start_s=start_s,
        duration_s=None if end_s is not None else duration_s,
        end_s=end_s,
        hysteresis_cm=criterion.hysteresis_cm,
        min_time_s=criterion.min_time_s,
        max_gap_frames=max_gap,
        max_lost=max_lost,
    )
    protocol = TrackingProtocol("python", spec.assay, None, (), options, Path("<python>"))
    table = TrackTable(
        data, Path("<tracks>"), "generic" if has_xy else "zones", space_unit="cm", time_column="time_s"
    )
    results = analyze_table(table, spec, protocol, arena, 1.0)
    return endpoint_table(results, spec, protocol).drop(columns=["source"])
