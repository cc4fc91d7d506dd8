"""Light-dark box from Python: read tracks, compute endpoints, compare groups.

Run from the repository root: python examples/ldb/ldb_endpoints.py
"""

# %%
# %%
from pathlib import Path

from assaykit.io.tracks import read_tracks
from assaykit.ldb import compute_ldb_endpoints

HERE = Path(__file__).parent

# %% One table of all animals: animal, time_s, x, y (cm, origin at the box's low-x, low-y corner).
tracks = read_tracks(HERE / "tracks.csv").data
endpoints = compute_ldb_endpoints(tracks)  # mouse box: dark x < 15 cm, light x >= 15 cm; 300 s
print(
    endpoints[["animal", "latency_light_s", "light_time_pct", "transitions", "mean_light_visit_s", "flags"]]
)

# %% Group means: the diazepam mice enter the light sooner and stay there longer.
endpoints["group"] = endpoints["animal"].str.split("-").str[0]
print(endpoints.groupby("group")[["latency_light_s", "light_time_pct", "transitions"]].mean())
