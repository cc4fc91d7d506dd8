"""Generate examples/epm/tracks.csv: seeded, realistic mouse EPM tracks for assaykit's examples and README.

Four mice, 5 min at 25 fps, positions in cm with the origin at the maze centre (the epm-mouse preset):
two "vehicle" mice that mostly explore the closed arms and two "diazepam" mice that visit the open arms
more. Each visit walks from the centre to a random depth of an arm, lingers, and walks back; the tracked
point wanders across the arm, carries 0.05 cm of tracking noise, and loses a few short runs of frames.

Run: python examples/epm/make_tracks.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

FPS = 25.0
SESSION_S = 300.0
ARMS = {"open_east": (1, 0), "open_west": (-1, 0), "closed_north": (0, 1), "closed_south": (0, -1)}
MICE = {
    "veh-01": 0.18,
    "veh-02": 0.25,
    "dzp-01": 0.55,
    "dzp-02": 0.62,
}  # chance that a visit is to an open arm


def _walk(rng: np.random.Generator, p_open: float) -> tuple[np.ndarray, np.ndarray]:
    """Waypoints (time, x, y) of one session: centre pauses and arm visits."""
    t, x, y = [0.0], [0.0], [0.0]

    def go(px: float, py: float, speed: float) -> None:
        distance = np.hypot(px - x[-1], py - y[-1])
        t.append(t[-1] + max(distance / speed, 1 / FPS))
        x.append(px)
        y.append(py)

    while t[-1] < SESSION_S + 5:
        go(rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5), 4.0)  # pause in the centre
        t[-1] += rng.uniform(0.3, 3.0)
        open_visit = rng.random() < p_open
        name = rng.choice([n for n in ARMS if n.startswith("open" if open_visit else "closed")])
        ux, uy = ARMS[name]
        depth = rng.uniform(6.0, 29.0) if not open_visit else rng.uniform(4.0, 20.0)
        lateral = rng.uniform(-1.5, 1.5)
        go(ux * depth + uy * lateral, uy * depth + ux * lateral, rng.uniform(8.0, 16.0))
        for _ in range(rng.integers(1, 4)):  # linger, moving a little
            d = np.clip(depth + rng.normal(0, 3), 3.5, 29.0)
            go(ux * d + uy * rng.uniform(-1.8, 1.8), uy * d + ux * rng.uniform(-1.8, 1.8), 3.0)
            t[-1] += rng.uniform(0.5, 6.0 if not open_visit else 3.0)
        go(0.0, 0.0, rng.uniform(8.0, 16.0))
    return np.array(t), np.column_stack([x, y])


def make_tracks(seed: int = 2026) -> pd.DataFrame:
    """Return the long table: animal, time_s, x_cm, y_cm."""
    rng = np.random.default_rng(seed)
    frames = []
    for animal, p_open in MICE.items():
        times, points = _walk(rng, p_open)
        time_s = np.arange(0.0, SESSION_S, 1 / FPS)
        x = np.interp(time_s, times, points[:, 0]) + rng.normal(0, 0.05, len(time_s))
        y = np.interp(time_s, times, points[:, 1]) + rng.normal(0, 0.05, len(time_s))
        for start in rng.integers(0, len(time_s) - 10, 6):  # the tracker loses the mouse now and then
            x[start : start + rng.integers(1, 8)] = np.nan
        y[np.isnan(x)] = np.nan
        frames.append(
            pd.DataFrame(
                {"animal": animal, "time_s": time_s.round(3), "x_cm": x.round(2), "y_cm": y.round(2)}
            )
        )
    return pd.concat(frames, ignore_index=True)


if __name__ == "__main__":
    out = Path(__file__).with_name("tracks.csv")
    make_tracks().to_csv(out, index=False)
    print(f"wrote {out}")
