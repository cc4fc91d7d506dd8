"""Zones that miss the tracks (another video, other units) are named before every frame is 'off the maze'."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.tracking.geometry import Arena, polygon_zone
from assaykit.tracking.placement import placement_warning

#: A plus maze in pixels: arms 40 px long and 10 px wide around the centre square [40, 50]^2.
MAZE = {
    "open_left": [[0, 40], [40, 40], [40, 50], [0, 50]],
    "open_right": [[50, 40], [90, 40], [90, 50], [50, 50]],
    "closed_bottom": [[40, 0], [50, 0], [50, 40], [40, 40]],
    "closed_top": [[40, 50], [50, 50], [50, 90], [40, 90]],
    "central_square": [[40, 40], [50, 40], [50, 50], [40, 50]],
}
KINDS = {"open_left": "open", "open_right": "open", "closed_bottom": "closed", "closed_top": "closed"}


def arena(scale_of_zones: float = 1.0, shift: float = 0.0, cm_per_px: float = 0.25) -> Arena:
    zones = [
        polygon_zone(
            name, KINDS.get(name, "center"), np.array(ring, float) * scale_of_zones * cm_per_px + shift
        )
        for name, ring in MAZE.items()
    ]
    return Arena("epm", tuple(zones))


def tour(n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Positions (px) over the whole maze: along the open arms, then along the closed ones."""
    t = np.linspace(0, 1, n)
    x = np.where(t < 0.5, 2 + 86 * (2 * t), 45.0)
    y = np.where(t < 0.5, 45.0, 2 + 86 * (2 * t - 1))
    return x, y


def warned(*args: object) -> list[str]:
    with warnings.catch_warnings(record=True) as found:
        warnings.simplefilter("always")
        placement_warning(*args)  # type: ignore[arg-type]
    return [str(w.message) for w in found]


def test_zones_in_the_right_units_and_place_say_nothing() -> None:
    x, y = tour()
    assert warned(arena(), [x], [y], 0.25, "px", Path("maze.yaml")) == []
    # an animal that never leaves one closed arm, or the centre square
    assert warned(arena(), [np.full(500, 45.0)], [np.linspace(1, 39, 500)], 0.25, "px", None) == []
    assert warned(arena(), [np.full(500, 45.0)], [np.full(500, 45.0)], 0.25, "px", None) == []
    # too few positions to tell
    assert warned(arena(shift=1e4), [x[:5]], [y[:5]], 0.25, "px", None) == []


def test_zones_in_other_units_than_the_tracks() -> None:
    x, y = tour()
    # the zone file was written in cm (px / 4) while the tracks are in pixels
    (message,) = warned(arena(scale_of_zones=0.25), [x], [y], 0.25, "px", Path("maze_cm.yaml"))
    spread = min(np.ptp(np.percentile(x, [1, 99])), np.ptp(np.percentile(y, [1, 99]))) / 22.5
    assert message.startswith("maze_cm.yaml: the zones span x 0 to 22.5, y 0 to 22.5 px, but the positions")
    assert f"the positions spread over {spread:.3g} times the zones' size" in message
    assert "zone coordinates must be in the tracks' own units (px)" in message


def test_zones_from_another_video() -> None:
    x, y = tour()
    (message,) = warned(arena(shift=1250.0), [x[:1000], x[1000:]], [y[:1000], y[1000:]], 0.25, None, None)
    assert message.startswith("the zones span x 5000 to 5090, y 5000 to 5090 track units")
    assert "(0% of them within that span); are the zones from another video or camera" in message


def test_the_cli_says_it_beside_the_off_maze_warnings(tmp_path: Path) -> None:
    x, y = tour(3000)
    track = tmp_path / "m1.csv"
    pd.DataFrame({"time": np.arange(3000) / 10, "x": x, "y": y}).to_csv(track, index=False)
    zones = tmp_path / "maze_cm.yaml"
    zones.write_text("".join(f"{n}: {[[a / 4, b / 4] for a, b in r]}\n" for n, r in MAZE.items()))
    result = CliRunner().invoke(main, ["epm", str(track), "--zones", str(zones), "--px-per-cm", "4", "-q"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert lines[0].startswith(f"warning: {zones}: the zones span x 0 to 22.5, y 0 to 22.5 track units")
    assert any("off the maze" in line for line in lines[1:])


def test_the_right_zones_through_the_cli_warn_of_nothing(tmp_path: Path) -> None:
    x, y = tour(3000)
    track = tmp_path / "m1.csv"
    pd.DataFrame({"time": np.arange(3000) / 10, "x": x, "y": y}).to_csv(track, index=False)
    zones = tmp_path / "maze.yaml"
    zones.write_text("".join(f"{n}: {r}\n" for n, r in MAZE.items()))
    result = CliRunner().invoke(main, ["epm", str(track), "--zones", str(zones), "--px-per-cm", "4", "-q"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


def test_a_preset_arena_placed_away_from_pixel_tracks_points_to_its_origin(tmp_path: Path) -> None:
    """The preset's maze is centred on (0, 0): pixel tracks around (480, 360) need its origin set."""
    from click.testing import CliRunner

    from assaykit.cli import main

    t = np.arange(0, 30, 0.1)
    rows = ["time_s,x_px,y_px"] + [f"{a:.1f},{480 + 20 * np.sin(a):.2f},360" for a in t]
    (tmp_path / "px.csv").write_text("\n".join(rows) + "\n")
    result = CliRunner().invoke(main, ["epm", str(tmp_path / "px.csv"), "--px-per-cm", "4", "-q"])
    assert result.exit_code == 0
    line = next(w for w in result.stderr.splitlines() if "the arena spans" in w)
    assert "x -130 to 130, y -130 to 130 px" in line  # 32.5 cm each way, at 4 px per cm
    assert "set [arena] origin" in line and "another video" not in line
