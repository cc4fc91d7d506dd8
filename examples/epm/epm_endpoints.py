"""Elevated plus maze from Python: read tracks, compute endpoints, look at the visits, compare groups.

Run from the repository root: python examples/epm/epm_endpoints.py
"""

# %%
from pathlib import Path

from assaykit.epm import compute_epm_endpoints
from assaykit.io.tracks import read_tracks
from assaykit.tracking.analysis import EntryCriterion, analyze_track
from assaykit.tracking.geometry import plus_maze

HERE = Path(__file__).parent

# %% One table of all animals: animal, time_s, x, y (cm, origin at the maze centre).
tracks = read_tracks(HERE / "tracks.csv").data
endpoints = compute_epm_endpoints(tracks)  # mouse maze, 300 s from the first frame, 1 cm hysteresis
print(endpoints[["animal", "open_time_pct", "open_entries_pct", "total_entries", "latency_open_s", "flags"]])

# %% Group means: the diazepam mice spend more of their arm time on the open arms.
endpoints["group"] = endpoints["animal"].str.split("-").str[0]
print(endpoints.groupby("group")[["open_time_pct", "open_entries_pct", "total_entries"]].mean())

# %% One animal in detail: every zone visit, dated from the moment the point crossed into the zone.
maze = plus_maze(center_size=5.0, arm_length=30.0, arm_width=5.0)
one = tracks[tracks["animal"] == "dzp-01"]
analysis = analyze_track(
    one["time_s"].to_numpy(),
    one["x"].to_numpy(),
    one["y"].to_numpy(),
    maze,
    kinds=("open", "closed", "center"),
    criterion=EntryCriterion(hysteresis_cm=1.0),
    max_gap=10,
)
print(analysis.episodes.head(8))
