"""Ethological measures of the elevated plus maze from pose tracking: head dips and stretched-attend postures.

Pose estimation gives several body points per frame (nose, head, tail base, body centre), which lets two
classic ethological EPM measures be scored automatically. This module computes them for one animal's
session window: arrays of that window's frames in, frozen dataclasses out (numpy only; no I/O).

Inputs
------
``time_s``
    ``(n,)`` strictly increasing frame times (s).
``durations``
    ``(n,)`` seconds of the session window each frame stands for, as
    :func:`assaykit.tracking.session.session_window` gives them (frame ``i`` stands for
    ``[t_i, t_{i+1})`` clipped to the window; they sum to the session length).
``arena``
    The maze (:func:`assaykit.tracking.geometry.plus_maze`), in cm, with zones of kind ``open``,
    ``closed`` and ``center``.
Points
    x and y of each body point in the arena's coordinates (cm), NaN where the point is missing. No gap is
    filled here: fill or drop points before calling if that is wanted.

What the sources define
-----------------------
Head dip (Rodgers & Johnson 1995, Pharmacol Biochem Behav 52:297-303)
    "exploratory movement of head/shoulders over the side of the maze and downward towards the floor".
    A dip is *protected* when it is made from the closed arms or the centre, *unprotected* when made from
    an open arm (same source). Walf & Frye 2007 (Nat Protoc 2:322-328) list head dips among the
    behaviours that can be scored alongside the arm endpoints.
Stretched-attend posture (SAP; Rodgers & Johnson 1995; Grewal et al. 1997, Psychopharmacology 133:29)
    In paraphrase: the animal stretches its body forward (elongates) without moving forward, then
    retracts it; it is read as risk assessment of the open arms (Grewal et al.).

What assaykit decides (operational rules)
-----------------------------------------
A top-down camera sees neither "downward" nor posture in depth, so both measures are scored from 2-D
geometry with thresholds that are assaykit's choices, not the sources':

Head-dip frame
    The head point is present and off the maze (in no zone: ``arena.classify == -1``); the zone nearest
    to it is an open arm (ties go to the zone listed first, as in :meth:`Arena.classify`; the plus maze
    lists its arms before the centre), at a distance ``d`` with
    ``head_dip_min_cm < d <= head_dip_max_cm`` (defaults 0.5 and 5.0 cm: the lower bound rejects tracking
    jitter along the edge, the upper bound tracking errors far off the maze); and the body point is
    present and on the maze (``classify >= 0``). Only the open arms have no walls, so only their edges
    count; this is close to DLCAnalyzer's rule (head point outside the arena while the body centre is
    inside, neck not in a closed arm).
Head dip
    A maximal run of consecutive head-dip frames whose durations sum to at least ``head_dip_min_s``
    (default 0.1 s). A missing head or body point ends a run. Protected or unprotected by the kind of
    the body point's zone at the dip's first frame.
SAP frame
    Body length ``L`` = distance from nose to tail base (where both are present); with ``m`` and ``s`` its
    mean and sample SD (``ddof=1``) over the window's frames with ``L`` defined, a frame is a SAP frame
    when ``L > m + sap_sd * s`` (default ``sap_sd`` 1.0: EthoVision's Live Mouse Tracker SAP variable
    uses length >= mean + 1 SD of the track, together with a depth criterion a 2-D track cannot give);
    the tail base is not moving forward, its speed below ``sap_max_speed_cm_s`` (default 2.0 cm/s); and
    the body point is in a closed arm or the centre (SAP from the protected parts of the maze, towards
    the open arms). The tail base's speed at frame ``i`` is the central difference
    ``|p(i+h) - p(i-h)| / (t(i+h) - t(i-h))`` with ``h = max(1, round(speed_window_s / 2 / dt))``,
    ``dt`` the median frame interval and ``speed_window_s`` 0.2 s by default; it is undefined (so not a
    SAP frame) within ``h`` frames of either end of the window or where the tail base is missing at
    ``i - h`` or ``i + h``.
SAP
    A maximal run of SAP frames whose durations sum to at least ``sap_min_s`` (default 0.2 s).

Minimum durations are met to within 1e-9 s, so that three frames of 1/30 s make 0.1 s despite the
rounding of the frame intervals. Times are sums of the frames' ``durations``, so a run cut by the session
window counts only its part inside the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from assaykit.epm.bouts import counted_runs
from assaykit.tracking.geometry import Arena

#: Zone kinds from which a head dip is protected and in which a SAP is scored.
PROTECTED_KINDS = ("closed", "center")


@dataclass(frozen=True)
class EthologyOptions:
    """Thresholds of the head-dip and stretched-attend rules (all assaykit's operational choices).

    Attributes
    ----------
    head_dip_min_cm
        A head point must be more than this beyond the nearest open arm's edge (default 0.5 cm; rejects
        tracking jitter along the edge).
    head_dip_max_cm
        ... and at most this far (default 5.0 cm; rejects tracking errors far off the maze).
    head_dip_min_s
        Shortest head dip counted (default 0.1 s).
    sap_sd
        A frame's body length must exceed the window's mean by more than this many sample SDs
        (default 1.0).
    sap_max_speed_cm_s
        The tail base must move slower than this (default 2.0 cm/s).
    speed_window_s
        Span of the central difference that gives the tail base's speed (default 0.2 s).
    sap_min_s
        Shortest SAP counted (default 0.2 s).

    Raises
    ------
    ValueError
        When an option is not a finite number in its range: the distances, ``sap_sd`` and the minimum
        durations must be >= 0, ``head_dip_max_cm`` greater than ``head_dip_min_cm``, the speed and the
        speed window > 0.
    """

    head_dip_min_cm: float = 0.5
    head_dip_max_cm: float = 5.0
    head_dip_min_s: float = 0.1
    sap_sd: float = 1.0
    sap_max_speed_cm_s: float = 2.0
    speed_window_s: float = 0.2
    sap_min_s: float = 0.2

    def __post_init__(self) -> None:
        for name in (
            "head_dip_min_cm",
            "head_dip_max_cm",
            "head_dip_min_s",
            "sap_sd",
            "sap_max_speed_cm_s",
            "speed_window_s",
            "sap_min_s",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, not {value!r}")
        for name in ("head_dip_min_cm", "head_dip_min_s", "sap_sd", "sap_min_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, not {getattr(self, name)!r}")
        for name in ("sap_max_speed_cm_s", "speed_window_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, not {getattr(self, name)!r}")
        if self.head_dip_max_cm <= self.head_dip_min_cm:
            raise ValueError(
                f"head_dip_max_cm ({self.head_dip_max_cm!r}) must be greater than head_dip_min_cm "
                f"({self.head_dip_min_cm!r})"
            )


#: The default options.
DEFAULT_ETHOLOGY = EthologyOptions()


@dataclass(frozen=True)
class HeadDips:
    """The head dips of one session window.

    Attributes
    ----------
    count
        Number of head dips.
    time_s
        Seconds of the window in head dips (the summed durations of their frames).
    protected
        Dips whose body point, at the dip's first frame, is in a closed arm or the centre.
    unprotected
        Dips whose body point, at the dip's first frame, is on an open arm.
    frames
        ``(n,)`` bool: the frames of the counted dips.
    """

    count: int
    time_s: float
    protected: int
    unprotected: int
    frames: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class StretchedAttend:
    """The stretched-attend postures of one session window.

    Attributes
    ----------
    count
        Number of SAPs.
    time_s
        Seconds of the window in SAPs (the summed durations of their frames).
    frames
        ``(n,)`` bool: the frames of the counted SAPs.
    mean_length_cm, sd_length_cm
        Mean and sample SD (``ddof=1``) of the nose to tail-base distance over the frames where it is
        defined; NaN with fewer than two such frames (and then ``count`` is 0).
    """

    count: int
    time_s: float
    frames: np.ndarray = field(repr=False)
    mean_length_cm: float
    sd_length_cm: float


def head_dips(
    time_s: np.ndarray,
    durations: np.ndarray,
    head_x: np.ndarray,
    head_y: np.ndarray,
    body_x: np.ndarray,
    body_y: np.ndarray,
    arena: Arena,
    options: EthologyOptions = DEFAULT_ETHOLOGY,
    breaks: np.ndarray | None = None,
) -> HeadDips:
    """Count head dips over the open arms' edges, protected and unprotected.

    Parameters
    ----------
    time_s
        ``(n,)`` strictly increasing frame times (s) of the session window.
    durations
        ``(n,)`` seconds of the window each frame stands for (see
        :func:`assaykit.tracking.session.session_window`).
    head_x, head_y
        The head point (cm; nose or head centre), NaN where missing.
    body_x, body_y
        The body point (cm; body centre), NaN where missing.
    arena
        The maze; it must have a zone of kind ``open``.
    options
        The thresholds (``head_dip_min_cm``, ``head_dip_max_cm``, ``head_dip_min_s``).
    breaks
        ``(n,)`` frames followed by a clock gap (frames without keypoints that the file skipped): a dip
        ends there, as at a missing point. None: no gap.

    Returns
    -------
    HeadDips

    Raises
    ------
    ValueError
        When the arrays differ in length or are not 1-D, ``time_s`` is not strictly increasing, a
        duration is negative or not finite, or the arena has no open zone.

    Notes
    -----
    The behaviour and the protected/unprotected split are Rodgers & Johnson's (1995); the frame rule (head
    off the maze, nearest to an open arm, between ``head_dip_min_cm`` exclusive and ``head_dip_max_cm``
    inclusive beyond its edge, body point on the maze) and the minimum duration are assaykit's (see the
    module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> from assaykit.tracking.geometry import plus_maze
    >>> maze = plus_maze(center_size=5, arm_length=30, arm_width=5)
    >>> t = np.arange(30) / 30
    >>> head_y = np.zeros(30)
    >>> head_y[9:18] = 3.5  # 9 frames 1 cm beyond the side of the east arm, where the body is
    >>> dips = head_dips(t, np.full(30, 1 / 30), np.full(30, 17.0), head_y, np.full(30, 15.0),
    ...                  np.zeros(30), maze)
    >>> dips.count, dips.unprotected, round(dips.time_s, 6)
    (1, 1, 0.3)
    """
    time_s, durations, (head_x, head_y, body_x, body_y) = _check_inputs(
        time_s, durations, head_x=head_x, head_y=head_y, body_x=body_x, body_y=body_y
    )
    kinds = arena.kinds
    is_open = kinds == "open"
    if not is_open.any():
        raise ValueError("the arena has no zone of kind 'open', so head dips cannot be scored")
    n = len(time_s)
    head_present = ~(np.isnan(head_x) | np.isnan(head_y))
    off = np.flatnonzero(head_present)
    off = off[arena.classify(head_x[off], head_y[off]) == -1]  # the head off the maze
    body_zone = np.full(n, -1, dtype=np.int64)  # only needed where the head is off the maze
    body_zone[off] = arena.classify(body_x[off], body_y[off])
    candidate = off[body_zone[off] >= 0]
    dip = np.zeros(n, dtype=bool)
    if len(candidate):
        hx, hy = head_x[candidate], head_y[candidate]
        distance = np.stack([arena.distance(k, hx, hy) for k in range(len(arena.zones))])
        nearest = np.argmin(distance, axis=0)  # the first zone listed wins a tie
        d = distance[nearest, np.arange(len(candidate))]
        dip[candidate] = is_open[nearest] & (d > options.head_dip_min_cm) & (d <= options.head_dip_max_cm)
    start, frames = counted_runs(dip, durations, options.head_dip_min_s, breaks)
    protected_kind = np.isin(kinds, PROTECTED_KINDS)
    from_zone = body_zone[start]
    return HeadDips(
        count=len(start),
        time_s=float(durations[frames].sum()),
        protected=int(protected_kind[from_zone].sum()),
        unprotected=int(is_open[from_zone].sum()),
        frames=frames,
    )


def stretched_attend(
    time_s: np.ndarray,
    durations: np.ndarray,
    nose_x: np.ndarray,
    nose_y: np.ndarray,
    tail_x: np.ndarray,
    tail_y: np.ndarray,
    body_x: np.ndarray,
    body_y: np.ndarray,
    arena: Arena,
    options: EthologyOptions = DEFAULT_ETHOLOGY,
    breaks: np.ndarray | None = None,
) -> StretchedAttend:
    """Count stretched-attend postures made from the closed arms or the centre.

    Parameters
    ----------
    time_s
        ``(n,)`` strictly increasing frame times (s) of the session window.
    durations
        ``(n,)`` seconds of the window each frame stands for (see
        :func:`assaykit.tracking.session.session_window`).
    nose_x, nose_y
        The nose (cm), NaN where missing.
    tail_x, tail_y
        The tail base (cm), NaN where missing.
    body_x, body_y
        The body point (cm; body centre), NaN where missing; it places the animal in a zone.
    arena
        The maze; it must have a zone of kind ``closed`` or ``center``.
    options
        The thresholds (``sap_sd``, ``sap_max_speed_cm_s``, ``speed_window_s``, ``sap_min_s``).
    breaks
        As in :func:`head_dips`: a posture ends at a clock gap, and no speed is taken across one.

    Returns
    -------
    StretchedAttend

    Raises
    ------
    ValueError
        When the arrays differ in length or are not 1-D, ``time_s`` is not strictly increasing, a
        duration is negative or not finite, or the arena has no closed or centre zone.

    Notes
    -----
    The posture (elongation without forward movement) is Rodgers & Johnson's (1995); the length threshold
    follows EthoVision's mean + 1 SD; the tail-base speed limit, the speed window, the zone restriction and
    the minimum duration are assaykit's (see the module docstring).
    """
    time_s, durations, (nose_x, nose_y, tail_x, tail_y, body_x, body_y) = _check_inputs(
        time_s,
        durations,
        nose_x=nose_x,
        nose_y=nose_y,
        tail_x=tail_x,
        tail_y=tail_y,
        body_x=body_x,
        body_y=body_y,
    )
    protected_kind = np.isin(arena.kinds, PROTECTED_KINDS)
    if not protected_kind.any():
        raise ValueError("the arena has no zone of kind 'closed' or 'center', so SAPs cannot be scored")
    n = len(time_s)
    length = np.hypot(nose_x - tail_x, nose_y - tail_y)
    defined = length[~np.isnan(length)]
    if len(defined) < 2:
        return StretchedAttend(0, 0.0, np.zeros(n, dtype=bool), math.nan, math.nan)
    mean, sd = float(np.mean(defined)), float(np.std(defined, ddof=1))
    sap = (length > mean + options.sap_sd * sd) & (
        _central_speed(time_s, tail_x, tail_y, options.speed_window_s, breaks) < options.sap_max_speed_cm_s
    )
    posed = np.flatnonzero(sap)  # the zone is only needed there
    body_zone = arena.classify(body_x[posed], body_y[posed])
    sap[posed] = (body_zone >= 0) & protected_kind[body_zone]
    start, frames = counted_runs(sap, durations, options.sap_min_s, breaks)
    return StretchedAttend(
        count=len(start),
        time_s=float(durations[frames].sum()),
        frames=frames,
        mean_length_cm=mean,
        sd_length_cm=sd,
    )


def _central_speed(
    time_s: np.ndarray, x: np.ndarray, y: np.ndarray, window_s: float, breaks: np.ndarray | None = None
) -> np.ndarray:
    """Return a point's speed (cm/s) by central differences over about ``window_s``.

    Parameters
    ----------
    time_s
        ``(n,)`` strictly increasing frame times (s).
    x, y
        The point (cm), NaN where missing.
    window_s
        The span of the difference: ``h = max(1, round(window_s / 2 / dt))`` frames either side, with
        ``dt`` the median frame interval (Python's ``round``, halves to even).
    breaks
        ``(n,)`` frames followed by a clock gap; None: none.

    Returns
    -------
    numpy.ndarray
        ``(n,)``: ``|p(i+h) - p(i-h)| / (t(i+h) - t(i-h))``; NaN for the first and last ``h`` frames, where
        the point is missing at ``i - h`` or ``i + h``, where a clock gap lies between them (the point's
        path there is unknown), and everywhere with fewer than two frames.
    """
    time_s, x, y = (np.asarray(a, dtype=float) for a in (time_s, x, y))
    n = len(time_s)
    speed = np.full(n, np.nan)
    if n < 2:
        return speed
    h = max(1, round(window_s / 2.0 / float(np.median(np.diff(time_s)))))
    if n <= 2 * h:
        return speed
    step = np.hypot(x[2 * h :] - x[: -2 * h], y[2 * h :] - y[: -2 * h])
    speed[h : n - h] = step / (time_s[2 * h :] - time_s[: -2 * h])
    if breaks is not None and np.any(breaks):
        count = np.concatenate([[0], np.cumsum(np.asarray(breaks, dtype=np.int64))])
        across = count[2 * h : n] - count[: n - 2 * h] > 0  # a break in frames i-h .. i+h-1
        speed[h : n - h][across] = np.nan
    return speed


def _check_inputs(
    time_s: np.ndarray, durations: np.ndarray, **points: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Return the inputs as float arrays after checking their shapes, the times and the durations."""
    time_s = np.asarray(time_s, dtype=float)
    if time_s.ndim != 1:
        raise ValueError(f"time_s must be 1-D, not of shape {time_s.shape}")
    arrays = {"durations": np.asarray(durations, dtype=float)}
    arrays.update({name: np.asarray(value, dtype=float) for name, value in points.items()})
    for name, array in arrays.items():
        if array.shape != time_s.shape:
            raise ValueError(f"{name} has shape {array.shape}, but time_s has {time_s.shape}")
    if not np.all(np.diff(time_s) > 0):
        raise ValueError("time_s must be strictly increasing")
    durations = arrays.pop("durations")
    if not np.all(np.isfinite(durations) & (durations >= 0)):
        raise ValueError("durations must be finite and >= 0")
    return time_s, durations, list(arrays.values())
