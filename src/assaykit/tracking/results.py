"""What the zone analysis of one track gives: the entry criterion it used and the per-animal result.

Results of many animals analysed together share their per-episode columns (:class:`EpisodeColumns`); each
animal's :class:`TrackAnalysis` holds its rows of them and builds its episode table only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from assaykit.tracking.episodes import Occupancy
from assaykit.tracking.session import Window

#: Columns of an episode table (after ``animal`` in the table of a run).
EPISODE_COLUMNS = ("zone", "kind", "start_s", "end_s", "duration_s", "time_s", "entry")


@dataclass(frozen=True)
class EntryCriterion:
    """How a move into another zone is confirmed (see :mod:`assaykit.tracking.episodes`).

    Attributes
    ----------
    hysteresis_cm
        The point must be farther than this from the zone it is in before it counts as elsewhere
        (EthoVision's zone exit threshold). Ignored for zone labels.
    min_time_s
        Episodes shorter than this are not entries.
    """

    hysteresis_cm: float = 1.0
    min_time_s: float = 0.0


#: The default entry criterion: 1 cm hysteresis, no minimum time.
DEFAULT_CRITERION = EntryCriterion()


@dataclass(frozen=True)
class EpisodeColumns:
    """The zone episodes of many tracks, one array per column (one element per episode).

    Attributes
    ----------
    zone_names
        Name of each zone index.
    zone
        Zone index of each episode.
    kind
        Kind of each episode's zone (str array).
    start_s, end_s, duration_s, time_s, entry
        As in :attr:`TrackAnalysis.episodes`.
    """

    zone_names: tuple[str, ...]
    zone: np.ndarray
    kind: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    duration_s: np.ndarray
    time_s: np.ndarray
    entry: np.ndarray

    def frame(self, rows: slice | np.ndarray) -> pd.DataFrame:
        """Return the episode table of ``rows``, with the columns of :data:`EPISODE_COLUMNS`."""
        names = self.zone_names
        return pd.DataFrame(
            {
                "zone": [names[z] for z in self.zone[rows].tolist()],
                "kind": self.kind[rows],
                "start_s": self.start_s[rows],
                "end_s": self.end_s[rows],
                "duration_s": self.duration_s[rows],
                "time_s": self.time_s[rows],
                "entry": self.entry[rows],
            }
        )


@dataclass(frozen=True)
class TrackAnalysis:
    """What one animal did in the session window.

    Attributes
    ----------
    kinds
        The zone kinds summed over, e.g. ``("open", "closed", "center")``.
    time_s, entries, latency_s, distance_cm
        Per kind: seconds credited, entries, seconds from the window start to the first time in the kind
        (0 when the session starts there, NaN when never), path length of the steps ending there (NaN for
        zone labels).
    total_distance_cm
        Path length over the window (NaN for zone labels).
    missing_s, off_arena_s
        Seconds with no position, and off the arena beyond the hysteresis; their sum is the lost time.
    session_s
        Seconds of the window the track covers.
    window
        The window asked for.
    frames
        Frames in the window.
    frames_interpolated, frames_missing
        Frames in the window whose position was interpolated, or is still missing.
    episode_columns, episode_rows
        The episode columns this animal's episodes are in, and its rows of them.
    x, y, durations
        The window's positions (cm, after gap filling; empty for zone labels) and frame durations, for plots.
    occupancy
        The per-frame zone credit.
    """

    kinds: tuple[str, ...]
    time_s: dict[str, float]
    entries: dict[str, int]
    latency_s: dict[str, float]
    distance_cm: dict[str, float]
    total_distance_cm: float
    missing_s: float
    off_arena_s: float
    session_s: float
    window: Window
    frames: int
    frames_interpolated: int
    frames_missing: int
    episode_columns: EpisodeColumns
    episode_rows: slice
    x: np.ndarray
    y: np.ndarray
    durations: np.ndarray
    occupancy: Occupancy

    @property
    def lost_s(self) -> float:
        """Seconds credited to no zone: no position, or off the arena."""
        return self.missing_s + self.off_arena_s

    @property
    def episode_kinds(self) -> np.ndarray:
        """The kind of each episode, in order (str array)."""
        return self.episode_columns.kind[self.episode_rows]

    @cached_property
    def episodes(self) -> pd.DataFrame:
        """One row per zone episode.

        Columns ``zone, kind, start_s, end_s, duration_s, time_s`` (time credited, lost frames excluded) and
        ``entry``; times from the window start. Built when first asked for.
        """
        return self.episode_columns.frame(self.episode_rows)
