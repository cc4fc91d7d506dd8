"""Light-dark box: hand-built paths with known answers, jitter at the divider, the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.ldb import LDB, compute_ldb_endpoints

FPS = 30.0
FRAME = 1 / FPS
ROOT = Path(__file__).resolve().parents[2]
DIVIDER = 15.0


def crossing_path(rng: np.random.Generator, n_cross: int, session: float = 300.0):
    """A path along y = 13.5 that crosses the divider ``n_cross`` times at random moments.

    Between crossings the point sits in a compartment (x = 7 in the dark, 30 in the light) and each crossing
    is a straight 4 s walk between them at constant speed, so the moment it passes x = 15 is known exactly.
    Returns times, x, y and the true crossing times (into light, into dark alternately, starting dark).
    """
    t = np.arange(0.0, session, FRAME)
    walk = 4.0
    starts = np.sort(rng.uniform(5.0, session - 10.0, n_cross))
    while n_cross > 1 and np.min(np.diff(starts)) < walk + 2.0:
        starts = np.sort(rng.uniform(5.0, session - 10.0, n_cross))
    x = np.full_like(t, 7.0)
    crossings = []
    for i, s in enumerate(starts):
        into_light = i % 2 == 0
        a, b = (7.0, 30.0) if into_light else (30.0, 7.0)
        moving = (t >= s) & (t < s + walk)
        x[moving] = a + (b - a) * (t[moving] - s) / walk
        after = t >= s + walk
        x[after] = b
        crossings.append(s + walk * (DIVIDER - a) / (b - a))
    return t, x, np.full_like(t, 13.5), np.array(crossings)


def truth(crossings: np.ndarray, session: float = 300.0) -> dict[str, float]:
    edges = np.concatenate([[0.0], crossings, [session]])
    light = sum(edges[i + 1] - edges[i] for i in range(1, len(edges) - 1, 2))
    return {
        "light_time_s": light,
        "dark_time_s": session - light,
        "latency_light_s": crossings[0] if len(crossings) else session,
        "transitions": len(crossings),
        "light_entries": (len(crossings) + 1) // 2,
    }


@pytest.mark.parametrize("seed", range(8))
def test_clean_paths_match_the_truth(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_cross = int(rng.integers(1, 12))
    t, x, y, crossings = crossing_path(rng, n_cross)
    row = compute_ldb_endpoints(pd.DataFrame({"time_s": t, "x": x, "y": y})).iloc[0]
    expected = truth(crossings)
    assert row["transitions"] == expected["transitions"]
    assert row["light_entries"] == expected["light_entries"]
    assert row["dark_entries"] == n_cross // 2
    assert abs(row["latency_light_s"] - expected["latency_light_s"]) <= FRAME
    assert abs(row["light_time_s"] - expected["light_time_s"]) <= 2 * FRAME * n_cross
    assert abs(row["dark_time_s"] - expected["dark_time_s"]) <= 2 * FRAME * n_cross
    assert row["light_time_pct"] == pytest.approx(100 * row["light_time_s"] / 300.0)
    assert row["distance_cm"] == pytest.approx(23.0 * n_cross, rel=1e-9)
    visits = expected["light_entries"]
    assert row["mean_light_visit_s"] == pytest.approx(row["light_time_s"] / visits)
    assert row["light_entered"] and row["start_compartment"] == "dark" and row["flags"] == ""


@pytest.mark.parametrize("seed", range(4))
def test_jitter_at_the_divider_changes_no_transition(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    t, x, y, crossings = crossing_path(rng, 5)
    # the animal hesitates 2 s at the door before every crossing: +-0.5 cm flicker across x = 15
    for c in crossings:
        near = (t > c - 2.0) & (t < c - 0.2)
        x[near] = DIVIDER + rng.choice([-0.5, 0.5], near.sum())
    row = compute_ldb_endpoints(pd.DataFrame({"time_s": t, "x": x, "y": y})).iloc[0]
    expected = truth(crossings)
    assert row["transitions"] == 5 and row["light_entries"] == 3
    # each crossing is dated from the last time the point crossed the divider, not from the hesitation
    assert abs(row["latency_light_s"] - expected["latency_light_s"]) <= 0.2 + FRAME


@pytest.mark.parametrize("seed", range(6))
def test_gaussian_jitter_keeps_transitions_within_one(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    n_cross = int(rng.integers(2, 12))
    t, x, y, crossings = crossing_path(rng, n_cross)
    x = x + rng.normal(0, 0.3, len(x))
    y = y + rng.normal(0, 0.3, len(y))
    row = compute_ldb_endpoints(pd.DataFrame({"time_s": t, "x": x, "y": y})).iloc[0]
    assert abs(row["transitions"] - n_cross) <= 1
    assert abs(row["light_entries"] - (n_cross + 1) // 2) <= 1


def test_without_hysteresis_the_flicker_would_count() -> None:
    # the control: the same flicker with the criterion off is counted, so the test above can fail
    from assaykit.tracking.analysis import EntryCriterion

    rng = np.random.default_rng(7)
    t, x, y, crossings = crossing_path(rng, 1)
    near = (t > crossings[0] - 2.0) & (t < crossings[0] - 0.2)
    x[near] = DIVIDER + np.where(np.arange(near.sum()) % 2, -0.5, 0.5)
    off = compute_ldb_endpoints(pd.DataFrame({"time_s": t, "x": x, "y": y}), criterion=EntryCriterion(0.0))
    on = compute_ldb_endpoints(pd.DataFrame({"time_s": t, "x": x, "y": y}))
    assert off.iloc[0]["transitions"] > 10
    assert on.iloc[0]["transitions"] == 1


def test_never_enters_the_light() -> None:
    t = np.arange(0, 300, FRAME)
    row = compute_ldb_endpoints(pd.DataFrame({"time_s": t, "x": 7.0 + np.sin(t), "y": 13.5})).iloc[0]
    assert row["latency_light_s"] == pytest.approx(row["session_s"]) and row["session_s"] == pytest.approx(
        300
    )
    assert not row["light_entered"] and row["transitions"] == 0
    assert np.isnan(row["mean_light_visit_s"]) and row["light_time_s"] == 0.0
    assert row["flags"] == "no_light_entry"


def test_start_in_the_light_is_flagged_and_latency_is_zero() -> None:
    t = np.arange(0, 300, FRAME)
    x = np.where(t < 50, 30.0, 7.0)
    row = compute_ldb_endpoints(pd.DataFrame({"time_s": t, "x": x, "y": 13.5})).iloc[0]
    assert row["latency_light_s"] == 0.0 and row["light_entries"] == 0 and row["transitions"] == 1
    assert row["latency_dark_s"] == pytest.approx(50.0, abs=FRAME)
    assert row["mean_light_visit_s"] == pytest.approx(50.0, abs=FRAME)  # the starting visit is a visit
    assert row["start_compartment"] == "light"
    # the Python API has no protocol, so no start check; the command line does (see below)


def test_zone_labels_from_a_beam_break_box() -> None:
    t = np.arange(0, 300, 0.1)
    label = np.where((t >= 20) & (t < 80), "Light", "dark")
    label[(t >= 150) & (t < 150.3)] = "light"  # a 0.3 s blip: an entry unless --min-time says otherwise
    from assaykit.tracking.analysis import EntryCriterion

    rows = [
        compute_ldb_endpoints(
            pd.DataFrame({"time_s": t, "zone": label}), criterion=EntryCriterion(min_time_s=m)
        )
        for m in (0.0, 0.5)
    ]
    assert rows[0].iloc[0]["transitions"] == 4 and rows[1].iloc[0]["transitions"] == 2
    assert rows[1].iloc[0]["light_time_s"] == pytest.approx(60.0, abs=0.1)
    assert rows[1].iloc[0]["latency_light_s"] == pytest.approx(20.0, abs=0.1)


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_example_and_columns(tmp_path: Path) -> None:
    out = tmp_path / "ldb.json"
    result = run("ldb", ROOT / "examples" / "ldb" / "tracks.csv", "-o", out, "--plot", tmp_path / "plots")
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())
    assert list(rows[0]) == LDB.columns
    issue = (
        "latency_light_s light_time_s dark_time_s light_time_pct light_entries transitions distance_cm "
        "light_distance_cm mean_light_visit_s lost_time_s session_s frames"
    )
    assert set(issue.split()) <= set(rows[0])
    for row in rows:
        assert row["light_time_s"] + row["dark_time_s"] + row["lost_time_s"] == pytest.approx(
            row["session_s"]
        )
        assert row["transitions"] == row["light_entries"] + row["dark_entries"]
    assert len(list((tmp_path / "plots").glob("*.png"))) == 4


def test_cli_start_zone_flag_and_custom_box(tmp_path: Path) -> None:
    t = np.arange(0, 300, FRAME)
    # a 60 x 30 cm box in pixels (5 px/cm) with its corner at pixel (100, 50), light on the low-x side
    # (x < 20 cm), and the animal starting in the dark at 40 cm then crossing into the light at 100 s
    x_cm = np.where(t < 100, 40.0, 10.0)
    frame = pd.DataFrame({"time": t, "x_px": 100 + 5 * x_cm, "y_px": 50 + 5 * 15.0})
    tracks = tmp_path / "box.csv"
    frame.to_csv(tracks, index=False)
    preset = tmp_path / "box.toml"
    preset.write_text(
        '[preset]\nassay = "ldb"\n[arena]\nwidth_cm = 60\ndepth_cm = 30\ndivider_cm = 20\n'
        'light_side = "low"\norigin = [100, 50]\n[session]\nstart_zone = "light"\n[tracking]\npx_per_cm = 5\n'
    )
    out = tmp_path / "out.csv"
    result = run("ldb", tracks, "--protocol", preset, "-o", out)
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out).iloc[0]
    assert row["latency_light_s"] == pytest.approx(100.0, abs=FRAME)
    assert row["light_time_s"] == pytest.approx(200.0, abs=FRAME)
    assert row["distance_cm"] == pytest.approx(30.0)
    assert row["flags"] == "start_not_light"


def test_cli_bad_label_is_an_error_row_in_a_batch(tmp_path: Path) -> None:
    t = np.arange(0, 10, 0.1)
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    pd.DataFrame({"time": t, "zone": "dark"}).to_csv(good, index=False)
    pd.DataFrame({"time": t, "zone": ["dark"] * 50 + ["attic"] * 50}).to_csv(bad, index=False)
    result = run("ldb", good, bad, "--duration", 10)
    assert result.exit_code == 0, result.output
    assert "bad: not analysed" in result.stderr and "unknown zone label 'attic'" in result.stderr
    assert "row 52" in result.stderr
    result = run("ldb", bad)
    assert result.exit_code == 2 and result.output.startswith("Error:") and "attic" in result.output
