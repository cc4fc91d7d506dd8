"""What the zone analysis of one track gives: the entry criterion it used and the per-animal result.

Results of many animals analysed together share their per-episode columns (:class:`EpisodeColumns`); each
animal's :class:`TrackAnalysis` holds its rows of them and builds its episode table only when asked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from assaykit.tracking.episodes import Occupancy
from assaykit.tracking.session import Window

#: Columns of an episode table (after ``animal`` in the table of a run).
EPISODE_COLUMNS = ("zone", "kind", "start_s", "end_s", "duration_s", "time_s", "entry")


@dataclass(frozen=True)
class EntryRule:
    """Which of an animal's tracked points decide the zone it is in.

    Attributes
    ----------
    kind
        ``"point"``: the animal's position (one keypoint, or the centroid of the chosen ones) is tested;
        ``"all-points"``: every chosen keypoint must be in the zone (the "four paws" criterion of manual
        EPM scoring, Pellow et al. 1985; Walf & Frye 2007); ``"fraction"``: at least :attr:`fraction` of
        the chosen keypoints must be.
    fraction
        The share of keypoints for ``"fraction"`` (1 for ``"all-points"``).

    Notes
    -----
    With ``k`` chosen keypoints a zone needs ``ceil(fraction * k)`` of them in it (at least one). A
    missing keypoint is not in any zone; a frame with fewer keypoints than that has no position.
    """

    kind: str = "point"
    fraction: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in ("point", "all-points", "fraction"):
            raise ValueError(f"unknown entry rule {self.kind!r}; expected point, all-points or fraction:F")
        if not 0.0 < self.fraction <= 1.0:
            raise ValueError(f"the entry rule's fraction must be in (0, 1], not {self.fraction}")

    @classmethod
    def parse(cls, text: str | EntryRule) -> EntryRule:
        """Read ``point``, ``all-points`` or ``fraction:F`` (F in (0, 1], e.g. ``fraction:0.8``)."""
        if isinstance(text, EntryRule):
            return text
        value = str(text).strip().lower()
        if value in ("point", "all-points"):
            return cls(value)
        name, _, share = value.partition(":")
        if name == "fraction":
            try:
                return cls("fraction", float(share))
            except ValueError:
                pass
        raise ValueError(
            f"entry rule must be point, all-points or fraction:F with F in (0, 1], not {str(text)!r}"
        )

    def needed(self, n_points: int) -> int:
        """How many of ``n_points`` keypoints must be in a zone."""
        share = 1.0 if self.kind == "all-points" else self.fraction
        return max(1, math.ceil(share * n_points - 1e-9))

    def __str__(self) -> str:
        return f"fraction:{self.fraction:g}" if self.kind == "fraction" else self.kind


@dataclass(frozen=True)
class EntryCriterion:
    """How a move into another zone is confirmed (see :mod:`assaykit.tracking.episodes`).

    Attributes
    ----------
    hysteresis_cm
        The point must be farther than this from the zone it is in before it counts as elsewhere
        (EthoVision's zone exit threshold). Ignored for zone labels. With a multi-point rule, the animal
        leaves a zone when fewer of its keypoints than the rule needs are within this distance of it.
    min_time_s
        Episodes shorter than this are not entries.
    rule
        Which points decide the zone (:class:`EntryRule`); tracks with one point use the point rule.
    """

    hysteresis_cm: float = 1.0
    min_time_s: float = 0.0
    rule: EntryRule = EntryRule()


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
        Seconds with no position, and off the arena beyond the hysteresis.
    unassigned_s
        Seconds on the arena in no zone by a multi-point entry rule (the keypoints split between zones);
        with :attr:`missing_s` and :attr:`off_arena_s`, the lost time.
    session_s
        Seconds of the window the track covers (a clock gap inside it included, as lost time).
    window
        The window asked for.
    frames
        Frames in the window: those stamped in it (see :mod:`assaykit.tracking.session`), and those a
        clock gap in it skipped.
    frames_interpolated, frames_missing
        Frames in the window whose position was interpolated (or filled by smoothing), or is missing (a
        frame a clock gap skipped is missing).
    episode_columns, episode_rows
        The episode columns this animal's episodes are in, and its rows of them.
    x, y, durations
        The window's positions (cm, or the track's units without a scale; after gap filling; empty for zone
        labels) and frame durations (the frames' own intervals: a clock gap's lost time is not in them).
    occupancy
        The per-frame zone credit.
    frames_dropped
        Frames in the window whose position was removed by the confidence cut (before interpolation).
    kind_frames
        Per kind, the frames in the window credited to it (their durations make :attr:`time_s`).
    lost_frames
        Frames in the window credited to no zone (lost), the frames clock gaps skipped included: with
        :attr:`kind_frames`, they add up to :attr:`frames`.
    gap_s
        Seconds of the window lost to clock gaps (part of :attr:`missing_s`).
    frames_skipped
        Frames of the window that clock gaps skipped (part of :attr:`frames_missing`).
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
    unassigned_s: float = 0.0
    frames_dropped: int = 0
    kind_frames: dict[str, int] = field(default_factory=dict)
    lost_frames: int = 0
    gap_s: float = 0.0
    frames_skipped: int = 0

    @property
    def lost_s(self) -> float:
        """Seconds credited to no zone: no position, off the arena, or between zones."""
        return self.missing_s + self.off_arena_s + self.unassigned_s

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
