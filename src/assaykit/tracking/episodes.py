"""Zone episodes with an entry criterion that tracking jitter at a border cannot fool.

The raw zone of each frame (from geometry or from a tracker's zone labels) flickers when the tracked point
sits on a border. :func:`confirm_zones` turns it into *episodes*: stretches of time credited to one zone,
each beginning with an *entry*. Two criteria, which may be combined, decide when a move counts:

Spatial hysteresis (``near``)
    The animal stays in its current zone until the point is farther than the hysteresis distance from that
    zone, and is then in the zone the point is in. This is EthoVision XT's *zone exit threshold* ("the
    animal is considered to be in the zone until its distance from the zone border exceeds that
    threshold"; Noldus recommends 0.5 cm to remove spurious exits).
Minimum time (``min_time``)
    An episode shorter than ``min_time`` is not an entry: its time is credited to the episode before it,
    and if the animal then returns to that zone the two become one episode (as SimBA merges short bouts).

A confirmed entry is dated from the frame where the point crossed into the new zone, not from the frame
where the criterion confirmed it: the episode starts at the first frame of the uninterrupted run of on-arena
frames outside the previous zone that ends with the confirmation. Latencies and zone times therefore do not
depend on the criterion's delay.

Frames without a position (``valid`` false) and frames off the arena by more than the hysteresis are
*lost*: they are credited to no zone, but they do not end the episode, so an animal seen again in the zone
it was last seen in has not made a new entry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Occupancy:
    """Zone episodes of one track.

    Attributes
    ----------
    frame_zone
        Per frame, the zone credited with the frame's time, or -1 when the frame is lost (no position, off
        the arena beyond the hysteresis, or before the first frame on the arena).
    missing
        Per frame, True where there is no position.
    off_arena
        Per frame, True where the position is off the arena by more than the hysteresis (lost time).
    start
        First frame of each episode.
    zone
        Zone of each episode; consecutive episodes are in different zones.
    entry
        Whether each episode began with an entry (False only for the first, which the session starts in).
    """

    frame_zone: np.ndarray
    missing: np.ndarray
    off_arena: np.ndarray
    start: np.ndarray
    zone: np.ndarray
    entry: np.ndarray

    def stop(self, n_frames: int | None = None) -> np.ndarray:
        """End (exclusive frame index) of each episode: the next one's start, or the number of frames."""
        n = len(self.frame_zone) if n_frames is None else n_frames
        return np.append(self.start[1:], n).astype(np.int64)


def confirm_zones(
    raw: np.ndarray,
    valid: np.ndarray,
    near: np.ndarray,
    durations: np.ndarray,
    *,
    min_time: float = 0.0,
) -> Occupancy:
    """Turn per-frame raw zones into confirmed zone episodes.

    Parameters
    ----------
    raw
        ``(n,)`` int: the zone index the point is in on each frame, -1 off the arena (or an unknown label).
    valid
        ``(n,)`` bool: whether the frame has a position (or label) at all.
    near
        ``(n_zones, n)`` bool: whether the point is within the hysteresis distance of each zone (inside
        counts as near). With no spatial hysteresis (zone labels, or a hysteresis of 0) this is
        ``raw == k`` for zone ``k``.
    durations
        ``(n,)`` seconds each frame stands for (for ``min_time``).
    min_time
        Episodes shorter than this (seconds) are not entries; 0 turns the criterion off.

    Returns
    -------
    Occupancy

    Notes
    -----
    The work is one binary search per episode over precomputed frame indices, not a loop over frames.
    """
    raw = np.asarray(raw, dtype=np.int64)
    valid = np.asarray(valid, dtype=bool)
    near = np.asarray(near, dtype=bool)
    n = len(raw)
    on_arena = valid & (raw >= 0)
    empty = np.zeros(0, dtype=np.int64)
    if not on_arena.any():
        return Occupancy(np.full(n, -1, np.int64), ~valid, valid, empty, empty, np.zeros(0, dtype=bool))

    first = int(np.argmax(on_arena))
    starts, zones = [first], [int(raw[first])]
    confirm: dict[int, np.ndarray] = {}  # frames where a move out of zone k is confirmed
    anchor: dict[int, np.ndarray] = {}  # frames that end a run of on-arena frames outside zone k
    t, state = first, zones[0]
    while True:
        if state not in confirm:
            confirm[state] = np.flatnonzero(on_arena & ~near[state])
            anchor[state] = np.flatnonzero((raw == state) | ~on_arena)
        later = confirm[state]
        pos = int(np.searchsorted(later, t, side="right"))
        if pos == len(later):
            break
        j = int(later[pos])
        marks = anchor[state]
        before = int(np.searchsorted(marks, j, side="left")) - 1
        starts.append(int(marks[before]) + 1 if before >= 0 else j)
        t, state = j, int(raw[j])
        zones.append(state)

    start = np.asarray(starts, dtype=np.int64)
    zone = np.asarray(zones, dtype=np.int64)
    if min_time > 0 and len(start) > 1:
        start, zone = _merge_short(start, zone, np.asarray(durations, dtype=float), min_time, n)

    state_of_frame = np.full(n, -1, dtype=np.int64)
    state_of_frame[first:] = np.repeat(zone, np.diff(np.append(start, n)))
    has_state = state_of_frame >= 0
    near_state = np.zeros(n, dtype=bool)
    near_state[has_state] = near[state_of_frame[has_state], np.flatnonzero(has_state)]
    off_arena = valid & (raw < 0) & ~near_state
    frame_zone = np.where(~valid | off_arena, -1, state_of_frame)
    entry = np.ones(len(start), dtype=bool)
    entry[0] = False
    return Occupancy(frame_zone, ~valid, off_arena, start, zone, entry)


def _merge_short(
    start: np.ndarray, zone: np.ndarray, durations: np.ndarray, min_time: float, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Credit episodes shorter than ``min_time`` to the episode before them; merge what becomes adjacent."""
    elapsed = np.concatenate([[0.0], np.cumsum(durations)])  # time at the start of each frame
    bounds = np.append(start, n)
    length = elapsed[bounds[1:]] - elapsed[bounds[:-1]]
    kept_start, kept_zone = [int(start[0])], [int(zone[0])]
    for s, z, d in zip(start[1:].tolist(), zone[1:].tolist(), length[1:].tolist(), strict=True):
        if z == kept_zone[-1] or d < min_time:
            continue  # the previous episode goes on
        kept_start.append(s)
        kept_zone.append(z)
    return np.asarray(kept_start, dtype=np.int64), np.asarray(kept_zone, dtype=np.int64)
