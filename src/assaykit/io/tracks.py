"""Tracking logs in, one canonical table out: what every track reader returns.

A reader checks its file at the boundary and returns a :class:`TrackTable` whose ``data`` holds one row per
frame with the columns ``animal`` (str), ``time_s`` (float64, seconds) and either ``x`` and ``y`` (float64,
NaN where the tracker had no position) or ``zone`` (str labels, for systems that export zones only). The
zone engine and the endpoint functions assume that schema and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: Track formats a reader can return.
TRACK_FORMATS = ("generic", "zones", "dlc", "ethovision", "anymaze")

#: Length units a track file may state for its coordinates, with their size in cm.
SPACE_UNITS = {"cm": 1.0, "mm": 0.1, "m": 100.0, "px": None}


@dataclass
class TrackTable:
    """One track file, read and checked.

    Attributes
    ----------
    data
        One row per frame, in file order: ``animal`` (str), ``time_s`` (float64) and either ``x`` and ``y``
        (float64, NaN for a missing position) or ``zone`` (object dtype, the labels as written; empty
        string for none).
    source
        The file read.
    format
        One of :data:`TRACK_FORMATS`.
    space_unit
        The unit of ``x`` and ``y`` when the file states it (a key of :data:`SPACE_UNITS`), or None when it
        does not (the preset's scale then applies). None for zone-only data.
    low_likelihood
        Per animal, frames whose position was set missing because the tracker's likelihood was below the
        threshold (DeepLabCut); empty for formats without likelihoods.
    """

    data: pd.DataFrame
    source: Path
    format: str
    space_unit: str | None = None
    low_likelihood: dict[str, int] = field(default_factory=dict)

    @property
    def has_coordinates(self) -> bool:
        """Whether the table holds positions (``x``, ``y``) rather than zone labels."""
        return "x" in self.data.columns
