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

:func:`confirm_tracks` does this for many tracks held in one array at once; :func:`confirm_zones` is the same
for one track.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assaykit.tracking.segments import concat_ranges, first_and_last, running_sums, segment_of


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


def in_zone(raw: np.ndarray, n_zones: int) -> np.ndarray:
    """Return ``(n_zones, n)`` bool: ``raw == k`` for zone ``k``, the ``near`` of no spatial hysteresis."""
    return raw[None, :] == np.arange(n_zones)[:, None]


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
    """
    raw = np.asarray(raw, dtype=np.int64)
    bounds = np.array([0, len(raw)], dtype=np.int64)
    return confirm_tracks(raw, valid, near, durations, bounds, min_time=min_time).occupancy(0, 0, len(raw))


@dataclass(frozen=True)
class TrackEpisodes:
    """Zone episodes of many tracks held in one array (see :func:`confirm_tracks`).

    Attributes
    ----------
    frame_zone, missing, off_arena
        Per frame, as in :class:`Occupancy`.
    start, zone, entry
        Per episode, as in :class:`Occupancy`, with ``start`` a position in the whole array.
    bounds
        Track ``k``'s episodes are ``bounds[k]:bounds[k + 1]``.
    """

    frame_zone: np.ndarray
    missing: np.ndarray
    off_arena: np.ndarray
    start: np.ndarray
    zone: np.ndarray
    entry: np.ndarray
    bounds: np.ndarray

    def occupancy(self, k: int, lo: int, hi: int) -> Occupancy:
        """Return track ``k``'s :class:`Occupancy`; the track is ``lo:hi`` of the array."""
        a, b = int(self.bounds[k]), int(self.bounds[k + 1])
        frames = slice(lo, hi)
        return Occupancy(
            self.frame_zone[frames],
            self.missing[frames],
            self.off_arena[frames],
            self.start[a:b] - lo,
            self.zone[a:b],
            self.entry[a:b],
        )


def confirm_tracks(
    raw: np.ndarray,
    valid: np.ndarray,
    near: np.ndarray,
    durations: np.ndarray,
    bounds: np.ndarray,
    *,
    min_time: float = 0.0,
) -> TrackEpisodes:
    """:func:`confirm_zones` for every track of one array at once.

    Parameters
    ----------
    raw, valid, near, durations, min_time
        As in :func:`confirm_zones`, over all tracks.
    bounds
        Track boundaries: track ``k`` is ``bounds[k]:bounds[k + 1]``.

    Returns
    -------
    TrackEpisodes

    Notes
    -----
    A move out of zone ``s`` is confirmed on the first later frame that is on the arena and not near
    ``s``; unless the current frame is itself such a frame, that is where this condition turns from
    false to true (a *rising edge*). The rising edges of every zone, and the first frame on the arena of
    each track, are the candidate episode starts; the next confirmation after each candidate is found for
    all of them at once with a binary search, and the episodes are the chain of candidates that each
    track's first frame leads to (a Python step per episode, none per frame).
    """
    raw = np.asarray(raw, dtype=np.int64)
    valid = np.asarray(valid, dtype=bool)
    near = np.asarray(near, dtype=bool)
    bounds = np.asarray(bounds, dtype=np.int64)
    on_arena = valid & (raw >= 0)
    first, _ = first_and_last(on_arena, bounds)
    frame = _episode_frames(raw, on_arena, near, bounds, first[first >= 0])
    track = segment_of(bounds, frame)
    opens = np.ones(len(frame), dtype=bool)  # the first episode of its track
    opens[1:] = track[1:] != track[:-1]
    zone = raw[frame]
    start = frame.copy()
    start[~opens] = _dated_starts(raw, on_arena, frame[~opens], zone[np.flatnonzero(~opens) - 1])
    if min_time > 0 and len(start):
        keep = _long_enough(start, zone, track, opens, durations, bounds, min_time)
        start, zone, track, opens = start[keep], zone[keep], track[keep], opens[keep]
    frame_zone, off_arena = _frame_states(raw, valid, near, bounds, start, zone, track)
    episode_bounds = np.searchsorted(track, np.arange(len(bounds)), side="left")
    return TrackEpisodes(frame_zone, ~valid, off_arena, start, zone, ~opens, episode_bounds)


def _episode_frames(
    raw: np.ndarray, on_arena: np.ndarray, near: np.ndarray, bounds: np.ndarray, first: np.ndarray
) -> np.ndarray:
    """Return the frame where each episode is confirmed (or the track's first on the arena), in order."""
    moves = [_rising_edges(on_arena & ~near[s]) for s in range(len(near))]
    nodes = _sorted_set(np.concatenate([first, *moves]))
    while True:  # one pass unless frames far from their own zone chain (a negative hysteresis)
        following = _next_confirmed(nodes, raw, on_arena, near, bounds, moves)
        target = np.searchsorted(nodes, following)
        found = nodes[np.minimum(target, len(nodes) - 1)] == following
        new = following[(following >= 0) & ~found]
        if not len(new):
            break
        nodes = _sorted_set(np.concatenate([nodes, new]))
    target = np.where(following >= 0, target, -1).tolist()
    chain = []
    for position in np.searchsorted(nodes, first).tolist():
        while position >= 0:
            chain.append(position)
            position = target[position]
    return nodes[np.asarray(chain, dtype=np.int64)]


def _sorted_set(values: np.ndarray) -> np.ndarray:
    """Return the distinct values, sorted (as ``np.unique``)."""
    values = np.sort(values)
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _rising_edges(mask: np.ndarray) -> np.ndarray:
    """Positions ``i > 0`` where ``mask[i]`` is true and ``mask[i - 1]`` is not."""
    return np.flatnonzero(mask[1:] & ~mask[:-1]) + 1


def _next_confirmed(
    nodes: np.ndarray,
    raw: np.ndarray,
    on_arena: np.ndarray,
    near: np.ndarray,
    bounds: np.ndarray,
    moves: list[np.ndarray],
) -> np.ndarray:
    """For each node (a frame in zone ``raw[node]``), the next frame confirming a move out; -1 if none.

    That is the next frame of the node's track that is on the arena and not near the node's zone.
    """
    end = bounds[segment_of(bounds, nodes) + 1]
    state = raw[nodes]
    following = np.full(len(nodes), -1, dtype=np.int64)
    for s, edges in enumerate(moves):
        at = np.flatnonzero(state == s)
        t = nodes[at]
        now = ~near[s, t]  # the node's own frame would confirm a move out of s
        then = np.zeros(len(t), dtype=bool)
        inside = t + 1 < end[at]
        then[inside] = on_arena[t[inside] + 1] & ~near[s, t[inside] + 1]
        k = np.searchsorted(edges, t, side="right")
        edge = (
            np.where(k < len(edges), edges[np.minimum(k, len(edges) - 1)], end[at]) if len(edges) else end[at]
        )
        j = np.where(now & then, t + 1, edge)
        following[at] = np.where(j < end[at], j, -1)
    return following


def _dated_starts(
    raw: np.ndarray, on_arena: np.ndarray, frame: np.ndarray, previous: np.ndarray
) -> np.ndarray:
    """Date each confirmed move from the crossing.

    The episode starts after the last frame in the previous zone or off the arena: every frame from there
    to the confirmation is on the arena, outside the previous zone.
    """
    label = np.where(on_arena, raw, -1)
    change = np.flatnonzero(label[1:] != label[:-1]) + 1
    run_stop = np.append(change, len(label))
    run_label = label[np.concatenate([[0], change])] if len(label) else label
    start = np.empty(len(frame), dtype=np.int64)
    for s in np.unique(previous).tolist():
        at = np.flatnonzero(previous == s)
        ends = run_stop[(run_label == s) | (run_label == -1)]
        j = frame[at]
        before = label[j - 1]  # in the previous zone or off the arena: the frame itself starts the episode
        start[at] = np.where(
            (before == s) | (before == -1), j, ends[np.searchsorted(ends, j, side="right") - 1]
        )
    return start


def _long_enough(
    start: np.ndarray,
    zone: np.ndarray,
    track: np.ndarray,
    opens: np.ndarray,
    durations: np.ndarray,
    bounds: np.ndarray,
    min_time: float,
) -> np.ndarray:
    """Which episodes remain when those shorter than ``min_time`` are credited to the one before them.

    An episode is kept when it opens its track, or lasts ``min_time`` or more and is in another zone than the
    last such episode before it (a short episode's time goes to the one before; a return to that episode's
    zone continues it).
    """
    elapsed = running_sums(np.asarray(durations, dtype=float), bounds)  # per track, with a leading 0
    stop = episode_stops(start, track, bounds)
    length = elapsed[stop + track] - elapsed[start + track]
    candidate = np.flatnonzero(opens | ~(length < min_time))
    keep = np.zeros(len(start), dtype=bool)
    same = np.zeros(len(candidate), dtype=bool)
    same[1:] = zone[candidate[1:]] == zone[candidate[:-1]]
    keep[candidate] = opens[candidate] | ~same
    return keep


def _frame_states(
    raw: np.ndarray,
    valid: np.ndarray,
    near: np.ndarray,
    bounds: np.ndarray,
    start: np.ndarray,
    zone: np.ndarray,
    track: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, the zone credited (-1 when lost) and whether it is off the arena beyond the hysteresis."""
    n = len(raw)
    stop = episode_stops(start, track, bounds)
    if int((stop - start).sum()) == n:  # every track starts on the arena: the episodes cover every frame
        state = np.repeat(zone, stop - start)
    else:
        state = np.full(n, -1, dtype=np.int64)
        state[concat_ranges(start, stop)] = np.repeat(zone, stop - start)
    off_arena = valid & (raw < 0)
    judged = np.flatnonzero(off_arena & (state >= 0))  # off the arena, but maybe within the hysteresis
    off_arena[judged] = ~near[state[judged], judged]
    state[~valid | off_arena] = -1
    return state, off_arena


def episode_stops(start: np.ndarray, track: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """End (exclusive) of each episode: the next one's start, or the end of its track."""
    stop = np.empty_like(start)
    stop[:-1] = start[1:]
    last = np.ones(len(start), dtype=bool)
    last[:-1] = track[1:] != track[:-1]
    stop[last] = bounds[track[last] + 1]
    return stop
