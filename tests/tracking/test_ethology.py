"""Head dips and stretched-attend postures: hand-made pose tracks with known answers.

The maze is the mouse plus maze (5 cm centre, 30 x 5 cm arms, open arms along x): the east open arm covers
2.5 <= x <= 32.5, |y| <= 2.5; the north closed arm |x| <= 2.5, 2.5 <= y <= 32.5; the centre |x|, |y| <= 2.5.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from assaykit.epm.ethology import (
    EthologyOptions,
    HeadDips,
    StretchedAttend,
    _central_speed,
    head_dips,
    stretched_attend,
)
from assaykit.tracking.geometry import light_dark_box, plus_maze

FPS = 30.0
FRAME = 1 / FPS
MAZE = plus_maze(center_size=5, arm_length=30, arm_width=5)


def clock(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Frame times at 30 fps and each frame's duration (1/30 s)."""
    return np.arange(n) * FRAME, np.full(n, FRAME)


def dip_track(n: int, frames: slice, head: tuple[float, float], body: tuple[float, float] = (15.0, 0.0)):
    """Body standing at ``body``; head on the body point except at ``frames``, where it is at ``head``."""
    head_x, head_y = np.full(n, body[0]), np.full(n, body[1])
    head_x[frames], head_y[frames] = head
    return head_x, head_y, np.full(n, body[0]), np.full(n, body[1])


def dips_of(head_x, head_y, body_x, body_y, durations=None, **options) -> HeadDips:
    t, d = clock(len(head_x))
    return head_dips(
        t,
        d if durations is None else durations,
        head_x,
        head_y,
        body_x,
        body_y,
        MAZE,
        EthologyOptions(**options),
    )


# --- head dips ---------------------------------------------------------------------------------------------


def test_a_head_one_cm_beyond_an_open_arm_is_one_unprotected_dip() -> None:
    track = dip_track(60, slice(20, 30), head=(15.0, 3.5))  # 1 cm beyond the side at y = 2.5
    dips = dips_of(*track)
    assert (dips.count, dips.protected, dips.unprotected) == (1, 0, 1)
    assert dips.time_s == pytest.approx(10 / 30, abs=1e-12)
    expected = np.zeros(60, dtype=bool)
    expected[20:30] = True
    np.testing.assert_array_equal(dips.frames, expected)


def test_a_head_beyond_the_end_of_an_open_arm_dips() -> None:
    dips = dips_of(*dip_track(60, slice(20, 30), head=(34.0, 0.0), body=(30.0, 0.0)))  # 1.5 cm past x=32.5
    assert (dips.count, dips.unprotected) == (1, 1)


@pytest.mark.parametrize(
    ("head_y", "count"),
    [
        (2.8, 0),  # 0.3 cm beyond the edge: jitter, below head_dip_min_cm
        (3.0, 0),  # exactly head_dip_min_cm: the lower bound is exclusive
        (3.5, 1),
        (7.5, 1),  # exactly head_dip_max_cm: the upper bound is inclusive
        (9.0, 0),  # 6.5 cm: a tracking error, beyond head_dip_max_cm
    ],
)
def test_the_distance_band(head_y: float, count: int) -> None:
    dips = dips_of(*dip_track(60, slice(20, 30), head=(15.0, head_y)))
    assert dips.count == count
    assert dips.frames.sum() == 10 * count


def test_the_distance_band_follows_the_options() -> None:
    track = dip_track(60, slice(20, 30), head=(15.0, 2.8))  # 0.3 cm
    assert dips_of(*track, head_dip_min_cm=0.2).count == 1
    track = dip_track(60, slice(20, 30), head=(15.0, 9.0))  # 6.5 cm
    assert dips_of(*track, head_dip_max_cm=7.0).count == 1


def test_a_head_beyond_a_closed_arm_is_no_dip() -> None:
    # body in the north closed arm, head 1 cm beyond its side: the nearest zone is the closed arm
    dips = dips_of(*dip_track(60, slice(20, 30), head=(3.5, 15.0), body=(0.0, 15.0)))
    assert dips.count == 0
    assert not dips.frames.any()
    assert dips.time_s == 0.0


def test_a_dip_from_the_centre_is_protected() -> None:
    # head near the junction: 1 cm beyond the east open arm's side, 1.5 cm from the north closed arm
    dips = dips_of(*dip_track(60, slice(20, 30), head=(4.0, 3.5), body=(0.0, 0.0)))
    assert (dips.count, dips.protected, dips.unprotected) == (1, 1, 0)


def test_a_dip_from_a_closed_arm_is_protected() -> None:
    dips = dips_of(*dip_track(60, slice(20, 30), head=(4.0, 3.5), body=(0.0, 4.0)))
    assert (dips.count, dips.protected, dips.unprotected) == (1, 1, 0)


def test_the_body_zone_at_the_first_frame_decides_protection() -> None:
    head_x, head_y, body_x, body_y = dip_track(60, slice(20, 30), head=(4.0, 3.5), body=(2.0, 0.0))
    body_x[22:] = 3.0  # from the centre onto the east open arm during the dip
    dips = dips_of(head_x, head_y, body_x, body_y)
    assert (dips.count, dips.protected, dips.unprotected) == (1, 1, 0)
    body_x[:] = 3.0
    body_x[22:] = 2.0  # the reverse: starts on the open arm
    dips = dips_of(head_x, head_y, body_x, body_y)
    assert (dips.count, dips.protected, dips.unprotected) == (1, 0, 1)


def test_the_body_must_be_on_the_maze() -> None:
    head_x, head_y, body_x, body_y = dip_track(60, slice(20, 30), head=(15.0, 3.5))
    body_y[25:] = 3.0  # body off the maze for the second half of the dip
    dips = dips_of(head_x, head_y, body_x, body_y)
    assert dips.count == 1
    assert dips.time_s == pytest.approx(5 / 30, abs=1e-12)
    body_x[20:25] = np.nan  # and missing for the first half
    assert dips_of(head_x, head_y, body_x, body_y).count == 0


def test_runs_shorter_than_the_minimum_do_not_count() -> None:
    head_x, head_y, body_x, body_y = dip_track(60, slice(10, 12), head=(15.0, 3.5))  # 2 frames: 0.067 s
    head_y[30:33] = 3.5  # 3 frames: 0.1 s, the minimum (to float rounding)
    dips = dips_of(head_x, head_y, body_x, body_y)
    assert dips.count == 1
    np.testing.assert_array_equal(np.flatnonzero(dips.frames), [30, 31, 32])
    assert dips.time_s == pytest.approx(0.1, abs=1e-12)
    assert dips_of(head_x, head_y, body_x, body_y, head_dip_min_s=0.2).count == 0
    assert dips_of(head_x, head_y, body_x, body_y, head_dip_min_s=0.0).count == 2


def test_a_missing_head_frame_splits_a_dip() -> None:
    head_x, head_y, body_x, body_y = dip_track(60, slice(20, 30), head=(15.0, 3.5))
    head_x[25] = np.nan  # runs 20-24 (5 frames) and 26-29 (4 frames)
    dips = dips_of(head_x, head_y, body_x, body_y)
    assert (dips.count, dips.unprotected) == (2, 2)
    assert dips.time_s == pytest.approx(9 / 30, abs=1e-12)
    dips = dips_of(head_x, head_y, body_x, body_y, head_dip_min_s=0.15)  # only the 5-frame run
    assert dips.count == 1
    np.testing.assert_array_equal(np.flatnonzero(dips.frames), np.arange(20, 25))


def test_durations_at_the_window_edges() -> None:
    # the window starts 0.01 s before frame 1 and ends 0.005 s after frame 11 starts
    durations = np.full(12, FRAME)
    durations[0], durations[-1] = 0.01, 0.005
    head_x, head_y, body_x, body_y = dip_track(12, slice(0, 4), head=(15.0, 3.5))
    head_y[9:] = 3.5  # frames 9, 10, 11: 2/30 + 0.005 = 0.072 s, too short
    dips = dips_of(head_x, head_y, body_x, body_y, durations=durations)
    assert dips.count == 1  # frames 0-3: 0.01 + 3/30 = 0.11 s
    assert dips.time_s == pytest.approx(0.01 + 3 / 30, abs=1e-12)
    np.testing.assert_array_equal(np.flatnonzero(dips.frames), [0, 1, 2, 3])
    durations[0] = 0.005  # now 0.105 s for the first and 0.072 s for the last: lower the minimum to 0.07
    dips = dips_of(head_x, head_y, body_x, body_y, durations=durations, head_dip_min_s=0.07)
    assert dips.count == 2
    assert dips.time_s == pytest.approx(0.005 + 3 / 30 + 2 / 30 + 0.005, abs=1e-12)


def test_separate_dips_add_up() -> None:
    head_x, head_y, body_x, body_y = dip_track(90, slice(10, 16), head=(15.0, 3.5))
    head_x[40:52], head_y[40:52] = 15.0, -4.0  # the other side of the same arm
    head_x[70:75], head_y[70:75] = 15.0, 8.0  # 5.5 cm: too far
    dips = dips_of(head_x, head_y, body_x, body_y)
    assert (dips.count, dips.unprotected) == (2, 2)
    assert dips.time_s == pytest.approx(18 / 30, abs=1e-12)


def test_head_dips_check_their_inputs() -> None:
    t, d = clock(10)
    z = np.zeros(10)
    with pytest.raises(ValueError, match="head_y"):
        head_dips(t, d, z, z[:9], z, z, MAZE)
    with pytest.raises(ValueError, match="strictly increasing"):
        head_dips(t[::-1], d, z, z, z, z, MAZE)
    with pytest.raises(ValueError, match="durations"):
        head_dips(t, -d, z, z, z, z, MAZE)
    box = light_dark_box(width=45, depth=30, divider=18)
    with pytest.raises(ValueError, match="'open'"):
        head_dips(t, d, z, z, z, z, box)


# --- stretched-attend postures -----------------------------------------------------------------------------


def sap_track(n: int, stretch: slice, tail: tuple[float, float], axis: tuple[float, float] = (0.0, 1.0)):
    """Tail base still at ``tail``; nose 6 cm ahead along ``axis``, 9 cm in ``stretch``; body 2 cm ahead."""
    length = np.full(n, 6.0)
    length[stretch] = 9.0
    tail_x, tail_y = np.full(n, tail[0]), np.full(n, tail[1])
    nose_x, nose_y = tail_x + axis[0] * length, tail_y + axis[1] * length
    body_x, body_y = tail_x + 2 * axis[0], tail_y + 2 * axis[1]
    return nose_x, nose_y, tail_x, tail_y, body_x, body_y


def saps_of(nose_x, nose_y, tail_x, tail_y, body_x, body_y, time_s=None, **options) -> StretchedAttend:
    t, d = clock(len(nose_x))
    t = t if time_s is None else time_s
    return stretched_attend(
        t, d, nose_x, nose_y, tail_x, tail_y, body_x, body_y, MAZE, EthologyOptions(**options)
    )


def test_a_stretch_with_the_tail_base_still_in_a_closed_arm_is_one_sap() -> None:
    saps = saps_of(*sap_track(90, slice(30, 45), tail=(0.0, 10.0)))
    assert saps.count == 1
    assert saps.time_s == pytest.approx(15 / 30, abs=1e-12)
    np.testing.assert_array_equal(np.flatnonzero(saps.frames), np.arange(30, 45))


def test_the_length_statistics() -> None:
    saps = saps_of(*sap_track(90, slice(30, 45), tail=(0.0, 10.0)))
    lengths = np.r_[np.full(75, 6.0), np.full(15, 9.0)]
    assert saps.mean_length_cm == pytest.approx(np.mean(lengths), rel=1e-12)
    assert saps.sd_length_cm == pytest.approx(np.std(lengths, ddof=1), rel=1e-12)
    assert saps.mean_length_cm == pytest.approx(6.5, rel=1e-12)


def test_the_length_statistics_skip_frames_without_both_points() -> None:
    rng = np.random.default_rng(3)
    n = 200
    tail_x, tail_y = rng.uniform(-2, 2, n), rng.uniform(5, 25, n)
    nose_x, nose_y = tail_x + rng.normal(0, 0.5, n), tail_y + rng.normal(6, 1.0, n)
    nose_x[rng.choice(n, 20, replace=False)] = np.nan
    tail_y[rng.choice(n, 15, replace=False)] = np.nan
    saps = saps_of(nose_x, nose_y, tail_x, tail_y, tail_x, tail_y)
    lengths = [
        np.hypot(nose_x[i] - tail_x[i], nose_y[i] - tail_y[i])
        for i in range(n)
        if not np.isnan([nose_x[i], nose_y[i], tail_x[i], tail_y[i]]).any()
    ]
    assert saps.mean_length_cm == pytest.approx(np.mean(lengths), rel=1e-12)
    assert saps.sd_length_cm == pytest.approx(np.std(lengths, ddof=1), rel=1e-12)


def test_a_moving_tail_base_is_no_sap() -> None:
    # tail base walking up the north closed arm at 10 cm/s (y from 4 to about 23.7 cm)
    n = 60
    nose_x, nose_y, tail_x, tail_y, body_x, body_y = sap_track(n, slice(20, 35), tail=(0.0, 0.0))
    walk = 4.0 + 10.0 * np.arange(n) * FRAME
    saps = saps_of(nose_x, nose_y + walk, tail_x, tail_y + walk, body_x, body_y + walk)
    assert saps.count == 0
    assert not saps.frames.any()
    # the same stretch with the tail base still at y = 4 is a SAP
    assert saps_of(nose_x, nose_y + 4.0, tail_x, tail_y + 4.0, body_x, body_y + 4.0).count == 1


@pytest.mark.parametrize(
    ("tail", "axis", "count"),
    [
        ((0.0, 10.0), (0.0, 1.0), 1),  # north closed arm
        ((0.0, -12.0), (0.0, -1.0), 1),  # south closed arm
        ((-2.0, 0.0), (1.0, 0.0), 1),  # body point (0, 0) in the centre
        ((12.0, 0.0), (1.0, 0.0), 0),  # east open arm
        ((-12.0, 0.0), (-1.0, 0.0), 0),  # west open arm
    ],
)
def test_saps_are_scored_in_the_closed_arms_and_centre_only(tail, axis, count) -> None:
    assert saps_of(*sap_track(90, slice(30, 45), tail=tail, axis=axis)).count == count


def test_a_body_point_off_the_maze_or_missing_is_no_sap() -> None:
    nose_x, nose_y, tail_x, tail_y, body_x, body_y = sap_track(90, slice(30, 45), tail=(0.0, 10.0))
    body_x[:] = 4.0  # off the maze beside the closed arm
    assert saps_of(nose_x, nose_y, tail_x, tail_y, body_x, body_y).count == 0
    body_x[:] = np.nan
    assert saps_of(nose_x, nose_y, tail_x, tail_y, body_x, body_y).count == 0


def test_saps_shorter_than_the_minimum_do_not_count() -> None:
    assert saps_of(*sap_track(90, slice(30, 35), tail=(0.0, 10.0))).count == 0  # 5 frames: 0.167 s
    saps = saps_of(*sap_track(90, slice(30, 36), tail=(0.0, 10.0)))  # 6 frames: 0.2 s
    assert saps.count == 1
    assert saps.time_s == pytest.approx(0.2, abs=1e-12)
    assert saps_of(*sap_track(90, slice(30, 35), tail=(0.0, 10.0)), sap_min_s=0.1).count == 1


def test_the_speed_is_undefined_at_the_window_edges() -> None:
    # h = round(0.2 / 2 / (1/30)) = 3: frames 0-2 have no speed, so the SAP starts at frame 3
    saps = saps_of(*sap_track(90, slice(0, 15), tail=(0.0, 10.0)))
    assert saps.count == 1
    np.testing.assert_array_equal(np.flatnonzero(saps.frames), np.arange(3, 15))
    assert saps.time_s == pytest.approx(12 / 30, abs=1e-12)
    saps = saps_of(*sap_track(90, slice(75, 90), tail=(0.0, 10.0)))
    np.testing.assert_array_equal(np.flatnonzero(saps.frames), np.arange(75, 87))


def test_a_missing_tail_base_breaks_the_sap() -> None:
    nose_x, nose_y, tail_x, tail_y, body_x, body_y = sap_track(90, slice(30, 45), tail=(0.0, 10.0))
    tail_x[37] = np.nan  # no length at 37; no speed at 34 and 40 (h = 3)
    saps = saps_of(nose_x, nose_y, tail_x, tail_y, body_x, body_y)
    assert saps.count == 0  # runs 30-33, 35-36, 38-39, 41-44: none reaches 0.2 s
    saps = saps_of(nose_x, nose_y, tail_x, tail_y, body_x, body_y, sap_min_s=0.1)
    assert saps.count == 2
    np.testing.assert_array_equal(np.flatnonzero(saps.frames), [30, 31, 32, 33, 41, 42, 43, 44])
    assert saps.time_s == pytest.approx(8 / 30, abs=1e-12)


def test_fewer_than_two_lengths_give_nan_statistics() -> None:
    nose_x, nose_y, tail_x, tail_y, body_x, body_y = sap_track(30, slice(10, 20), tail=(0.0, 10.0))
    nose_x[1:] = np.nan
    saps = saps_of(nose_x, nose_y, tail_x, tail_y, body_x, body_y)
    assert saps.count == 0
    assert saps.time_s == 0.0
    assert np.isnan(saps.mean_length_cm) and np.isnan(saps.sd_length_cm)
    assert saps.frames.shape == (30,) and not saps.frames.any()
    t, d = clock(0)
    empty = stretched_attend(t, d, t, t, t, t, t, t, MAZE)
    assert empty.count == 0 and np.isnan(empty.mean_length_cm)


def loop_speed(t: np.ndarray, x: np.ndarray, y: np.ndarray, h: int) -> np.ndarray:
    speed = np.full(len(t), np.nan)
    for i in range(len(t)):
        if i - h < 0 or i + h >= len(t):
            continue
        dx, dy = x[i + h] - x[i - h], y[i + h] - y[i - h]
        speed[i] = np.sqrt(dx * dx + dy * dy) / (t[i + h] - t[i - h])
    return speed


@pytest.mark.parametrize(
    ("fps", "window", "h"), [(30.0, 0.2, 3), (25.0, 0.16, 2), (30.0, 0.01, 1), (60.0, 0.5, 15)]
)
def test_the_speed_matches_a_direct_loop(fps: float, window: float, h: int) -> None:
    rng = np.random.default_rng(int(fps * 100 + window * 1000))
    n = 300
    t = np.cumsum(rng.uniform(0.9, 1.1, n)) / fps  # jittered frame times
    assert max(1, round(window / 2 / np.median(np.diff(t)))) == h
    x, y = np.cumsum(rng.normal(0, 0.3, n)), np.cumsum(rng.normal(0, 0.3, n))
    x[rng.choice(n, 10, replace=False)] = np.nan
    np.testing.assert_allclose(_central_speed(t, x, y, window), loop_speed(t, x, y, h), rtol=1e-12)


def test_sap_frames_match_a_direct_loop_over_the_rule() -> None:
    rng = np.random.default_rng(11)
    n = 600
    t = np.cumsum(rng.uniform(0.9, 1.1, n)) / FPS
    # the tail base dawdles around the north closed arm and the centre, sometimes pausing
    pause = rng.random(n) < 0.6
    tail_x = np.clip(np.cumsum(np.where(pause, 0.0, rng.normal(0, 0.15, n))), -2.0, 2.0)
    tail_y = np.clip(10 + np.cumsum(np.where(pause, 0.0, rng.normal(0, 0.3, n))), -1.0, 25.0)
    length = 6.0 + rng.normal(0, 0.7, n)
    nose_x, nose_y = tail_x, tail_y + length
    body_x, body_y = tail_x + rng.normal(0, 2.0, n), tail_y + 2.0
    options = {"sap_min_s": 0.0, "sap_sd": 0.5}
    saps = saps_of(nose_x, nose_y, tail_x, tail_y, body_x, body_y, time_s=t, **options)
    h = max(1, round(0.2 / 2 / np.median(np.diff(t))))
    speed = loop_speed(t, tail_x, tail_y, h)
    mean, sd = np.mean(length), np.std(length, ddof=1)
    expected = np.zeros(n, dtype=bool)
    for i in range(n):
        zone = MAZE.classify(body_x[i : i + 1], body_y[i : i + 1])[0]
        in_protected = zone >= 0 and MAZE.zones[zone].kind in ("closed", "center")
        expected[i] = length[i] > mean + 0.5 * sd and speed[i] < 2.0 and in_protected
    assert 0 < expected.sum() < n  # the rule has something to decide
    np.testing.assert_array_equal(saps.frames, expected)


def test_stretched_attend_checks_its_inputs() -> None:
    t, d = clock(10)
    z = np.zeros(10)
    with pytest.raises(ValueError, match="tail_x"):
        stretched_attend(t, d, z, z, z[:9], z, z, z, MAZE)
    box = light_dark_box(width=45, depth=30, divider=18)
    with pytest.raises(ValueError, match="'closed'"):
        stretched_attend(t, d, z, z, z, z, z, z, box)


# --- options -----------------------------------------------------------------------------------------------


def test_the_defaults() -> None:
    options = EthologyOptions()
    assert (options.head_dip_min_cm, options.head_dip_max_cm, options.head_dip_min_s) == (0.5, 5.0, 0.1)
    assert (options.sap_sd, options.sap_max_speed_cm_s, options.speed_window_s, options.sap_min_s) == (
        1.0,
        2.0,
        0.2,
        0.2,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.sap_sd = 2.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("head_dip_min_cm", -0.1),
        ("head_dip_max_cm", 0.5),  # not above head_dip_min_cm
        ("head_dip_min_s", -1.0),
        ("sap_sd", float("nan")),
        ("sap_sd", -1.0),
        ("sap_max_speed_cm_s", 0.0),
        ("speed_window_s", -0.2),
        ("sap_min_s", float("inf")),
        ("head_dip_max_cm", True),
        ("sap_min_s", "0.2"),
    ],
)
def test_bad_options_are_refused(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=name):
        EthologyOptions(**{name: value})
