"""The warnings a tracking run prints about its flagged animals, in words a user can act on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.tracking.batch import AnimalResult, AssaySpec
from assaykit.tracking.geometry import Arena
from assaykit.tracking.results import TrackAnalysis


def row_warnings(
    endpoints: pd.DataFrame,
    spec: AssaySpec,
    results: Sequence[AnimalResult] = (),
    arena: Arena | None = None,
    unit: str = "cm",
    zones: str | Path | None = None,
) -> list[str]:
    """Return one line per flagged animal: not analysed, unusable, off the apparatus (and where), short.

    Parameters
    ----------
    endpoints
        The endpoint table, one row per animal with ``flags``.
    spec
        The assay.
    results
        The animals' results (for the hints of short sessions and the positions of off-arena animals).
    arena
        The apparatus, to say where it lies.
    unit
        The unit of the positions and the arena (``"cm"``, or ``"px"`` without a scale).
    zones
        The zone file the arena was drawn in (or the preset holding ``[[zones]]``); None for a preset's
        ``[arena]`` geometry. It says what to check when an animal is off the apparatus.

    Returns
    -------
    list of str
        The warnings, in the order of the table.
    """
    apparatus = "maze" if spec.assay == "epm" else "box"
    hints = {r.animal: r.hint for r in results if r.hint}
    analyses = {r.animal: r.analysis for r in results if r.analysis is not None}
    check = (
        "check the preset's geometry, origin and scale"
        if zones is None
        else f"check that the zones ({zones}) were drawn on this video, in its units, and the scale"
    )
    messages = []
    flagged = endpoints[endpoints["flags"].astype(str) != ""]  # a row without flags has nothing to say
    for row in flagged.itertuples(index=False):
        flags = str(row.flags)
        if flags.startswith("error: "):
            messages.append(f"{row.animal}: not analysed: {flags.removeprefix('error: ')}")
            continue
        session = float(row.session_s)
        if "unusable" in flags.split(";"):
            messages.append(
                f"{row.animal}: {row.lost_time_s / session:.0%} of the session has no position on the "
                f"{apparatus}; endpoints left blank (flag unusable)"
            )
        if "off_arena" in flags.split(";"):
            messages.append(
                f"{row.animal}: {row.off_arena_time_s / session:.1%} of the session is off the {apparatus}"
                f"{extents(analyses.get(row.animal), arena, unit, apparatus)}; {check}"
            )
        if "short_session" in flags.split(";"):
            hint = f" ({hints[row.animal]})" if row.animal in hints else ""
            messages.append(
                f"{row.animal}: the track covers only {session:.4g} s of the session window{hint}"
            )
    return messages


def extents(analysis: TrackAnalysis | None, arena: Arena | None, unit: str, apparatus: str) -> str:
    """Say where most positions are (5th to 95th percentile) and where the apparatus is."""
    if analysis is None or arena is None or not len(analysis.x):
        return ""
    known = ~(np.isnan(analysis.x) | np.isnan(analysis.y))
    if not known.any():
        return ""
    (x0, x1), (y0, y1) = (np.percentile(v[known], [5, 95]) for v in (analysis.x, analysis.y))
    ax0, ax1, ay0, ay1 = arena.bounds
    return (
        f" (most positions, 5th to 95th percentile, lie at x {x0:.4g} to {x1:.4g}, y {y0:.4g} to "
        f"{y1:.4g} {unit}; the {apparatus} at "
        f"x {ax0:.4g} to {ax1:.4g}, y {ay0:.4g} to {ay1:.4g})"
    )
