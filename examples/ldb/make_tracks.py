"""Generate examples/ldb/tracks.csv: seeded, realistic mouse light-dark box tracks for the README.

Four mice, 5 min at 25 fps, in the ldb-mouse box (45 x 27 cm, x from 0 to 45 and y from 0 to 27 cm, the
divider at x = 15 with a door around y = 13.5; dark x < 15, light x >= 15). Each mouse is placed in the dark;
"vehicle" mice wait longer before the first crossing and make short, rare visits to the light, "diazepam"
mice cross sooner and stay longer. The tracked point carries 0.05 cm of noise and loses a few short runs.

Run: python examples/ldb/make_tracks.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

FPS = 25.0
SESSION_S = 300.0
DOOR_Y = 13.5
# (first latency s, mean dark stay s, mean light visit s)
MICE = {
    "veh-01": (45.0, 30.0, 6.0),
    "veh-02": (70.0, 40.0, 5.0),
    "dzp-01": (12.0, 15.0, 20.0),
    "dzp-02": (8.0, 12.0, 25.0),
}


def _walk(
    rng: np.random.Generator, latency: float, dark_stay: float, light_visit: float
) -> tuple[np.ndarray, np.ndarray]:
    t, x, y = [0.0], [7.0], [rng.uniform(8, 19)]

    def go(px: float, py: float, speed: float, linger: float = 0.0) -> None:
        distance = np.hypot(px - x[-1], py - y[-1])
        t.append(t[-1] + max(distance / speed, 1 / FPS))
        x.append(px)
        y.append(py)
        if linger > 0:
            t.append(t[-1] + linger)
            x.append(px)
            y.append(py)

    stay = latency
    while t[-1] < SESSION_S + 5:
        end = t[-1] + stay
        while t[-1] < end:  # wander in the dark
            go(rng.uniform(2, 13), rng.uniform(2, 25), rng.uniform(5, 12), rng.uniform(0.5, 4))
        go(12.0, DOOR_Y + rng.uniform(-2, 2), 10.0)  # to the door, and through it
        end = t[-1] + rng.exponential(light_visit)
        go(rng.uniform(18, 25), rng.uniform(9, 18), rng.uniform(10, 18))
        while t[-1] < end:  # explore the light
            go(rng.uniform(17, 43), rng.uniform(2, 25), rng.uniform(10, 20), rng.uniform(0.2, 2))
        go(18.0, DOOR_Y + rng.uniform(-2, 2), rng.uniform(12, 20))  # back to the door, and into the dark
        go(rng.uniform(8, 12), DOOR_Y + rng.uniform(-3, 3), 12.0)
        stay = rng.exponential(dark_stay)
    return np.array(t), np.column_stack([x, y])


def make_tracks(seed: int = 2026) -> pd.DataFrame:
    """Return the long table: animal, time_s, x_cm, y_cm."""
    rng = np.random.default_rng(seed)
    frames = []
    for animal, params in MICE.items():
        times, points = _walk(rng, *params)
        time_s = np.arange(0.0, SESSION_S, 1 / FPS)
        x = np.interp(time_s, times, points[:, 0]) + rng.normal(0, 0.05, len(time_s))
        y = np.interp(time_s, times, points[:, 1]) + rng.normal(0, 0.05, len(time_s))
        for start in rng.integers(0, len(time_s) - 10, 6):  # the tracker loses the mouse now and then
            x[start : start + rng.integers(1, 8)] = np.nan
        y[np.isnan(x)] = np.nan
        table = {"animal": animal, "time_s": time_s.round(3), "x_cm": x.round(2), "y_cm": y.round(2)}
        frames.append(pd.DataFrame(table))
    return pd.concat(frames, ignore_index=True)


if __name__ == "__main__":
    out = Path(__file__).with_name("tracks.csv")
    make_tracks().to_csv(out, index=False)
    print(f"wrote {out}")
