"""`assaykit epm` end to end: outputs, presets, batches with bad animals, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.epm import EPM

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "epm" / "tracks.csv"
FPS = 30.0


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def square_wave_track(open_from: float = 100.0, duration: float = 300.0, scale: float = 1.0) -> pd.DataFrame:
    """Centre until ``open_from`` s, then 15 cm out on the east open arm: a step the truth is obvious for."""
    t = np.arange(0.0, duration, 1 / FPS)
    x = np.where(t < open_from, 0.0, 15.0) * scale
    return pd.DataFrame({"time": t.round(6), "x": x, "y": 0.0})


def write_track(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_help_lists_formats_and_examples() -> None:
    result = run("epm", "--help")
    assert result.exit_code == 0
    for word in (
        "DeepLabCut",
        "EthoVision",
        "ANY-maze",
        "--start",
        "--duration",
        "--hysteresis",
        "Examples:",
    ):
        assert word in result.output


def test_example_gives_every_endpoint_column(tmp_path: Path) -> None:
    out = tmp_path / "endpoints.csv"
    result = run("epm", EXAMPLE, "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(table.columns) == EPM.columns
    assert list(table["animal"]) == ["veh-01", "veh-02", "dzp-01", "dzp-02"]
    issue_columns = [
        *("open_time_s", "closed_time_s", "center_time_s", "open_time_pct", "open_time_total_pct"),
        *("open_entries", "closed_entries", "total_entries", "open_entries_pct", "latency_open_s"),
        *("open_entered", "distance_cm", "open_distance_cm", "mean_speed_cm_s", "lost_time_s"),
        *("session_s", "frames"),
    ]
    assert set(issue_columns) <= set(table.columns)
    assert np.allclose(table["session_s"], 300.0)
    # zone times partition the session when nothing is lost
    parts = table["open_time_s"] + table["closed_time_s"] + table["center_time_s"] + table["lost_time_s"]
    assert np.allclose(parts, table["session_s"])
    assert (table["total_entries"] == table["open_entries"] + table["closed_entries"]).all()
    # the terminal table names every animal
    for animal in table["animal"]:
        assert animal in result.stdout


def test_step_track_known_answers(tmp_path: Path) -> None:
    path = write_track(tmp_path / "m1.csv", square_wave_track(open_from=100.0))
    out = tmp_path / "out.json"
    result = run("epm", path, "-o", out)
    assert result.exit_code == 0, result.output
    row = json.loads(out.read_text())[0]
    assert row["animal"] == "m1"  # the file stem
    assert row["open_time_s"] == pytest.approx(200.0, abs=1 / FPS)
    assert row["center_time_s"] == pytest.approx(100.0, abs=1 / FPS)
    assert row["open_entries"] == 1 and row["closed_entries"] == 0
    assert row["latency_open_s"] == pytest.approx(100.0, abs=1 / FPS)
    assert row["open_time_pct"] == pytest.approx(100.0)
    assert row["distance_cm"] == pytest.approx(15.0)


def test_start_and_duration_select_the_window(tmp_path: Path) -> None:
    path = write_track(tmp_path / "m1.csv", square_wave_track(open_from=100.0, duration=400.0))
    out = tmp_path / "out.csv"
    result = run("epm", path, "--start", 50, "--duration", 100, "-o", out)
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out).iloc[0]
    assert row["session_s"] == pytest.approx(100.0)
    assert row["open_time_s"] == pytest.approx(50.0, abs=1 / FPS)
    assert row["latency_open_s"] == pytest.approx(50.0, abs=1 / FPS)


def test_rat_preset_and_pixel_scale(tmp_path: Path) -> None:
    # positions in pixels at 4 px/cm, maze centre at pixel (400, 300): 25 cm east is in the rat's open arm
    frame = square_wave_track(open_from=60.0)
    frame = frame.rename(columns={"x": "x_px", "y": "y_px"})
    frame["x_px"] = 400 + frame["x_px"] / 15.0 * 25.0 * 4
    frame["y_px"] = 300.0
    preset = tmp_path / "rig.toml"
    text = (
        (ROOT / "protocols" / "epm-rat.toml")
        .read_text()
        .replace("origin = [0.0, 0.0]", "origin = [400, 300]")
    )
    preset.write_text(text)
    out = tmp_path / "out.csv"
    path = write_track(tmp_path / "rat.csv", frame)
    result = run("epm", path, "--protocol", preset, "--px-per-cm", 4, "-o", out)
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out).iloc[0]
    assert row["open_time_s"] == pytest.approx(240.0, abs=1 / FPS)
    assert row["distance_cm"] == pytest.approx(25.0)
    # without the scale, pixels are an error that says what to give
    result = run("epm", path, "--protocol", preset)
    assert result.exit_code == 2
    assert "px-per-cm" in result.output and "Traceback" not in result.output


def test_explicit_polygon_preset(tmp_path: Path) -> None:
    preset = tmp_path / "poly.toml"
    zones = []
    for name, kind, poly in [
        ("o1", "open", [[2.5, -2.5], [32.5, -2.5], [32.5, 2.5], [2.5, 2.5]]),
        ("o2", "open", [[-32.5, -2.5], [-2.5, -2.5], [-2.5, 2.5], [-32.5, 2.5]]),
        ("c1", "closed", [[-2.5, 2.5], [2.5, 2.5], [2.5, 32.5], [-2.5, 32.5]]),
        ("c2", "closed", [[-2.5, -32.5], [2.5, -32.5], [2.5, -2.5], [-2.5, -2.5]]),
        ("mid", "center", [[-2.5, -2.5], [2.5, -2.5], [2.5, 2.5], [-2.5, 2.5]]),
    ]:
        zones.append(f'[[zones]]\nname = "{name}"\nkind = "{kind}"\npolygon = {poly}\n')
    preset.write_text('[preset]\nassay = "epm"\n\n' + "\n".join(zones))
    path = write_track(tmp_path / "m.csv", square_wave_track(open_from=100.0))
    out = tmp_path / "out.csv"
    result = run("epm", path, "--protocol", preset, "-o", out)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out).iloc[0]["open_time_s"] == pytest.approx(200.0, abs=1 / FPS)


def test_zone_label_input(tmp_path: Path) -> None:
    t = np.arange(0, 300, 1 / FPS)
    zone = np.where(t < 30, "center", np.where(t < 130, "Open arm 1", "closed"))
    path = tmp_path / "zones.csv"
    pd.DataFrame({"time": t, "zone": zone}).to_csv(path, index=False)
    out = tmp_path / "out.csv"
    result = run("epm", path, "-o", out)
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out).iloc[0]
    assert row["open_time_s"] == pytest.approx(100.0, abs=1 / FPS)
    assert row["closed_time_s"] == pytest.approx(170.0, abs=1 / FPS)
    assert row["open_entries"] == 1 and row["closed_entries"] == 1
    assert np.isnan(row["distance_cm"])


def test_several_files_and_one_bad_animal(tmp_path: Path) -> None:
    good = write_track(tmp_path / "good.csv", square_wave_track())
    backwards = square_wave_track()
    backwards.loc[50, "time"] = 0.5  # time goes back at line 52
    bad = write_track(tmp_path / "bad.csv", backwards)
    broken = tmp_path / "broken.csv"
    broken.write_text("when,x,y\n0,0,0\n")
    out = tmp_path / "out.csv"
    result = run("epm", good, bad, broken, "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table["animal"]) == ["good", "bad", "broken"]
    flags = dict(zip(table["animal"], table["flags"], strict=True))
    assert flags["good"] == ""
    assert (
        flags["bad"].startswith("error:") and "row 52" in flags["bad"] and "does not increase" in flags["bad"]
    )
    assert flags["broken"].startswith("error:") and "time" in flags["broken"]
    assert "warning: bad: not analysed" in result.stderr


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("", ["empty"]),
        ("time,x\n0,1\n", ["no y coordinate column"]),
        ("frame,x,y\n0,1,1\n1,1,1\n", ["--fps"]),
        ("time,x_cm,y_px\n0,1,1\n", ["mixed units"]),
        ("time,x,y\n0,1,1\n0.1,abc,1\n", ["row 3", "'x'", "expected a number"]),
        ("time,x,y\n0,1,1\n0,1,1\n", ["row 3", "does not increase"]),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = tmp_path / "tracks.csv"
    path.write_text(text)
    result = run("epm", path)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and "tracks.csv" in lines[0], result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_unknown_preset_and_preset_of_other_assay(tmp_path: Path) -> None:
    path = write_track(tmp_path / "m.csv", square_wave_track())
    result = run("epm", path, "--protocol", "epm-hamster")
    assert result.exit_code == 2 and "unknown protocol preset 'epm-hamster'" in result.output
    assert "epm-mouse" in result.output
    result = run("epm", path, "--protocol", "bzd-flunitrazepam")
    assert result.exit_code == 2 and "not 'epm'" in result.output


def test_mixed_units_across_files(tmp_path: Path) -> None:
    a = write_track(tmp_path / "a.csv", square_wave_track().rename(columns={"x": "x_cm", "y": "y_cm"}))
    b = write_track(tmp_path / "b.csv", square_wave_track().rename(columns={"x": "x_mm", "y": "y_mm"}))
    result = run("epm", a, b)
    assert result.exit_code == 2 and "mixed units" in result.output


def test_unusable_animal_is_flagged_and_blank(tmp_path: Path) -> None:
    frame = square_wave_track()
    frame.loc[frame.index[: int(0.6 * len(frame))], ["x", "y"]] = np.nan
    path = write_track(tmp_path / "lost.csv", frame)
    out = tmp_path / "out.csv"
    result = run("epm", path, "-o", out)
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out, keep_default_na=False, na_values=[""]).iloc[0]
    assert row["flags"].split(";")[0] == "unusable"
    assert np.isnan(row["open_time_s"]) and row["lost_time_s"] == pytest.approx(180.0, abs=1 / FPS)
    assert "endpoints left blank" in result.stderr


def test_off_maze_warning(tmp_path: Path) -> None:
    frame = square_wave_track()
    frame.loc[frame.index[:600], "x"] = 80.0  # 20 s far off the maze
    path = write_track(tmp_path / "off.csv", frame)
    result = run("epm", path, "-o", tmp_path / "o.csv")
    assert result.exit_code == 0, result.output
    assert "off the maze" in result.stderr and "geometry" in result.stderr
    assert "off_arena" in pd.read_csv(tmp_path / "o.csv")["flags"].iloc[0]


def test_xlsx_has_episodes_sheet_and_episodes_file(tmp_path: Path) -> None:
    out, episodes = tmp_path / "out.xlsx", tmp_path / "episodes.tsv"
    result = run("epm", EXAMPLE, "-o", out, "--episodes", episodes)
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(out, sheet_name=None)
    assert set(sheets) == {"endpoints", "episodes"}
    visits = pd.read_csv(episodes, sep="\t")
    assert list(visits.columns) == [
        "animal",
        "zone",
        "kind",
        "start_s",
        "end_s",
        "duration_s",
        "time_s",
        "entry",
    ]
    endpoints = sheets["endpoints"].set_index("animal")
    counted = visits[visits["entry"]].groupby(["animal", "kind"]).size().unstack(fill_value=0)
    for animal, row in endpoints.iterrows():
        assert counted.loc[animal, "open"] == row["open_entries"]
        assert counted.loc[animal, "closed"] == row["closed_entries"]


def test_failed_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("time,x\n0,1\n")
    out = tmp_path / "out.csv"
    result = run("epm", path, "-o", out)
    assert result.exit_code == 2
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_a_sleap_analysis_file_goes_straight_to_endpoints(tmp_path: Path) -> None:
    """Two SLEAP tracks in pixels (2 px/cm): one moves to the open arm at 100 s, one stays there."""
    import tables

    fps, px_per_cm = 10.0, 2.0
    t = np.arange(0.0, 300.0, 1 / fps)
    x_cm = np.stack([np.where(t < 100.0, 0.0, 15.0), np.full(t.size, 15.0)], axis=-1)  # (frames, tracks)
    locations = np.zeros((t.size, 1, 2, 2))  # SLEAP's (frames, nodes, xy, tracks) before its transpose
    locations[:, 0, 0, :] = x_cm * px_per_cm
    scores = np.full((t.size, 1, 2), 0.99)
    path = tmp_path / "session.analysis.h5"
    with tables.open_file(str(path), mode="w") as handle:
        handle.create_array("/", "tracks", np.transpose(locations))
        handle.create_array("/", "point_scores", np.transpose(scores))
        handle.create_array("/", "node_names", np.array([b"thorax"], dtype="S"))
        handle.create_array("/", "track_names", np.array([b"mouse-a", b"mouse-b"], dtype="S"))
    out = tmp_path / "endpoints.csv"
    result = run("epm", path, "--fps", fps, "--px-per-cm", px_per_cm, "-o", out, "-q")  # format detected
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out).set_index("animal")
    assert list(table.index) == ["mouse-a", "mouse-b"]
    assert abs(table.at["mouse-a", "open_time_s"] - 200.0) <= 1 / fps
    assert abs(table.at["mouse-b", "open_time_s"] - 300.0) <= 1 / fps
    assert table.at["mouse-a", "open_entries"] == 1
    missing_fps = run("epm", path, "--format", "sleap", "--px-per-cm", px_per_cm)
    assert missing_fps.exit_code == 2 and "--fps" in missing_fps.output
