"""The table "What each kind of bad input gets" (docs/user-guide/safety.md), row by row, via the CLI.

Each case writes real files (built here from closed forms: 4PL counts, straight-line tracks), runs one
command, and checks what the table promises: an ``Error:`` line and exit status 2 with no output written,
or a ``warning:`` and the numbers, or an error row while the rest of the batch finishes. The printed list
of cases is the closing note's inventory (``python -m pytest tests/test_bad_input_table.py -v``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
KI = ["--kd", "1.5", "--radioligand", "1"]
LOG_M = np.arange(-11.0, -3.9, 0.5)


# -- files ---------------------------------------------------------------------------------------------


def counts(
    *, scale: float = 1e9, column: str = "conc_nM", plates: dict[str, tuple[float, float]] | None = None
) -> str:
    """Competition counts in the long layout: per plate 3 TOTAL, 3 NSB and two 4PL curves."""
    rows = [f"plate,compound,{column},cpm"]
    for plate, (total, nsb) in (plates or {"1": (3200.0, 250.0)}).items():
        rows += [f"{plate},TOTAL,,{total:g}"] * 3 + [f"{plate},NSB,,{nsb:g}"] * 3
        top, bottom = max(total, nsb), min(total, nsb)
        for compound, log_ic50 in (("diazepam", -8.0), ("clonazepam", -9.0)):
            y = bottom + (top - bottom) / (1 + 10 ** (LOG_M - log_ic50))
            rows += [f"{plate},{compound},{10**x * scale:.6g},{v:.3f}" for x, v in zip(LOG_M, y, strict=True)]
    return "\n".join(rows) + "\n"


def saturation(*, swapped: bool = False) -> str:
    """Saturation tubes: total = Bmax L/(Kd + L) + NS L, nsb = NS L (Kd 1.5 nM, Bmax 10000, NS 150)."""
    rows = ["dataset,kind,conc_nM,cpm"]
    for name in ("rat_1", "rat_2"):
        for conc in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20):
            total, nsb = 10000 * conc / (1.5 + conc) + 150 * conc, 150 * conc
            kinds = ("nsb", "total") if swapped and name == "rat_1" else ("total", "nsb")
            rows += [f"{name},{kinds[0]},{conc},{total:.2f}", f"{name},{kinds[1]},{conc},{nsb:.2f}"]
    return "\n".join(rows) + "\n"


def track(*, fps: float = 10.0, seconds: float = 300.0, column: str = "time_s", unit: float = 1.0) -> str:
    """A mouse in the plus maze: centre for 20 s, then out and back along the open arm (+x) every 40 s."""
    t = np.arange(0, seconds, 1 / fps)
    phase = np.clip((t - 20.0) % 40.0, 0, 40.0)
    x = np.where(t < 20.0, 0.0, 15.0 * np.sin(np.pi * phase / 40.0))
    rows = [f"{column},x_cm,y_cm"] + [f"{ti * unit:.6g},{xi:.4f},0.0" for ti, xi in zip(t, x, strict=True)]
    return "\n".join(rows) + "\n"


def gap_track() -> str:
    """The track above with the rows of 100 s to 105 s cut out (a paused recording)."""
    lines = track().splitlines()
    keep = [lines[0]] + [row for row in lines[1:] if not 100.0 <= float(row.split(",")[0]) < 105.0]
    return "\n".join(keep) + "\n"


def endpoints(rows: list[tuple[str, str, str]]) -> str:
    return "animal,group,open_time_s\n" + "".join(f"{a},{g},{v}\n" for a, g, v in rows)


STUDY = [(f"m{i}", "vehicle" if i < 5 else "drug", f"{10 + i * 3 + (i % 2)}") for i in range(10)]


# -- cases ---------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One row of the table: files, a command, and what must happen."""

    id: str
    files: dict[str, str | bytes | Callable[[Path], None]]
    args: list[str]
    exit_code: int = 2
    error: str | None = None  # a fragment of the one Error line
    warning: str | None = None  # a fragment of a warning line
    check: Callable[[Path, object], None] | None = None  # more checks on the folder and the result
    links: dict[str, str] = field(default_factory=dict)  # name -> target: symlinks to make


def rows_with(flag: str, column: str = "flags") -> Callable[[Path, object], None]:
    def check(folder: Path, result: object) -> None:
        table = pd.read_csv(folder / "out.csv", keep_default_na=False)
        assert table[column].astype(str).str.contains(flag, regex=False).any(), table[column].tolist()

    return check


def error_cell_workbook(folder: Path) -> None:
    """Counts in an .xlsx sheet with an Excel error value (#DIV/0!) in one count cell."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in counts().splitlines():
        sheet.append(
            [float(v) if v.replace(".", "").replace("e-", "").isdigit() else v for v in line.split(",")]
        )
    cell = sheet.cell(row=10, column=4)
    cell.value, cell.data_type = "#DIV/0!", "e"
    book.save(folder / "c.xlsx")


def binding_swapped(folder: Path, result: object) -> None:
    table = pd.read_csv(folder / "out.csv", keep_default_na=False)
    bad = table[table["plate"].astype(str) == "2"]
    good = table[table["plate"].astype(str) == "1"]
    assert bad["flags"].str.startswith("not_fitted").all() and len(bad) == 2
    assert (good["flags"] == "").all() and len(good) == 2
    assert np.allclose(good["log_ic50"].astype(float), [-8.0, -9.0], atol=1e-4)


def saturation_swapped(folder: Path, result: object) -> None:
    table = pd.read_csv(folder / "out.csv", keep_default_na=False).set_index("dataset")
    assert table.loc["rat_1", "flags"].startswith("not_fitted")
    assert float(table.loc["rat_2", "kd_nM"]) == pytest.approx(1.5, rel=1e-4)


def clock_gap(folder: Path, result: object) -> None:
    row = pd.read_csv(folder / "out.csv").iloc[0]
    assert row["lost_time_s"] == pytest.approx(5.0, abs=1e-9)  # the gap, all of it
    assert row["frames_missing"] == 50


def no_scale(folder: Path, result: object) -> None:
    row = pd.read_csv(folder / "out.csv").iloc[0]
    assert np.isnan(row["distance_cm"]) and row["open_time_s"] > 0


def comma_means(folder: Path, result: object) -> None:
    row = pd.read_csv(folder / "out.csv").query("group == 'drug'").iloc[0]
    values = {g: [float(v) + 0.5 for _, gg, v in STUDY if gg == g] for g in ("vehicle", "drug")}
    assert row["difference"] == pytest.approx(np.mean(values["drug"]) - np.mean(values["vehicle"]))


def outputs_untouched(names: tuple[str, ...]) -> Callable[[Path, object], None]:
    def check(folder: Path, result: object) -> None:
        for name in names:
            assert not (folder / name).exists(), name

    return check


def pixel_track(folder: Path) -> None:
    t = np.arange(0, 60, 0.1)
    x = 200 + 60 * np.sin(t / 5)
    rows = ["time_s,x_px,y_px"] + [f"{a:.1f},{b:.3f},200" for a, b in zip(t, x, strict=True)]
    (folder / "px.csv").write_text("\n".join(rows) + "\n")
    (folder / "zones.yaml").write_text(
        "center: [[190, 190], [210, 190], [210, 210], [190, 210]]\n"
        "open_east: [[210, 190], [330, 190], [330, 210], [210, 210]]\n"
        "open_west: [[70, 190], [190, 190], [190, 210], [70, 210]]\n"
        "closed_north: [[190, 210], [210, 210], [210, 330], [190, 330]]\n"
        "closed_south: [[190, 70], [210, 70], [210, 190], [190, 190]]\n"
    )


def off_drawn_zones(folder: Path) -> None:
    pixel_track(folder)
    t = np.arange(0, 60, 0.1)
    x = np.where(t < 20, 200.0, 400.0)  # two thirds of the session beyond the east arm's end (330 px)
    rows = ["time_s,x_px,y_px"] + [f"{a:.1f},{b:.1f},200" for a, b in zip(t, x, strict=True)]
    (folder / "px.csv").write_text("\n".join(rows) + "\n")


def dlc_with_corners(folder: Path) -> None:
    """A DeepLabCut file whose project labelled two maze corners beside the mouse's nose and tail base."""
    parts = ("nose", "tailbase", "corner_tl", "corner_br")
    t = np.arange(300)
    walk = 200 + 100 * np.sin(t / 40)
    columns = {"nose": (walk + 10, 200 + 0 * t), "tailbase": (walk - 10, 200 + 0 * t)}
    columns |= {
        "corner_tl": (60 + 0.5 * np.sin(t), 60 + 0 * t),
        "corner_br": (340 + 0 * t, 340 + 0.5 * np.cos(t)),
    }
    lines = [
        "scorer," + ",".join(["DLC_resnet50"] * 12),
        "bodyparts," + ",".join(p for p in parts for _ in range(3)),
        "coords," + ",".join(c for _ in parts for c in ("x", "y", "likelihood")),
    ]
    lines += [
        f"{i}," + ",".join(f"{columns[p][0][i]:.3f},{columns[p][1][i]:.3f},0.99" for p in parts) for i in t
    ]
    (folder / "mouseDLC.csv").write_text("\n".join(lines) + "\n")
    pixel_track(folder)


def ev3_export(folder: Path) -> None:
    details = (
        "Track file,track_00521.trk\nObject,0\nSamples,600\nTrial duration,0000:00:01:00.000,dd:HH:mm:ss\n"
    )
    rows = "".join(f"{i},{0.1 * i:.1f},{20 * np.sin(i / 30):.2f},0.00,290\n" for i in range(600))
    (folder / "ev3.csv").write_text(details + "Sample no.,Time,X,Y,Area\n" + rows)


def overlapping_zones(folder: Path) -> None:
    pixel_track(folder)
    text = (folder / "zones.yaml").read_text().replace("[[210, 190], [330, 190]", "[[205, 190], [330, 190]")
    (folder / "zones.yaml").write_text(text)


def sleap_untracked(folder: Path) -> None:
    import h5py

    frames, nodes = 300, 2
    tracks = np.zeros((1, 2, nodes, frames))
    tracks[0, 0] = np.linspace(0, 20, frames)  # x in cm-sized px, along the open arm
    with h5py.File(folder / "mouse7.analysis.h5", "w") as f:
        f.create_dataset("tracks", data=tracks)
        f.create_dataset("track_names", data=[])  # SLEAP's writer: an untracked project
        f.create_dataset("node_names", data=[b"nose", b"tail_base"])
        f.create_dataset("point_scores", data=np.ones((1, nodes, frames)))
        f.create_dataset("track_occupancy", data=np.ones((frames, 1), dtype=np.uint8))


CASES = [
    # outputs
    Case(
        "output is an input",
        {"counts.csv": counts()},
        ["binding", "counts.csv", *KI, "-o", "counts.csv"],
        error="-o would overwrite an input file",
    ),
    Case(
        "output is a symlink to an input",
        {"counts.csv": counts()},
        ["binding", "counts.csv", *KI, "--points", "latest.csv"],
        links={"latest.csv": "counts.csv"},
        error="--points would overwrite an input file (counts.csv)",
    ),
    Case(
        "two outputs one file",
        {"sat.csv": saturation()},
        ["saturation", "sat.csv", "-o", "a.csv", "--points", "a.csv"],
        error="-o and --points name the same file",
    ),
    Case(
        "missing output folder",
        {"tracks.csv": track()},
        ["epm", "tracks.csv", "-o", "out.csv", "--episodes", "no/dir/e.csv"],
        error="the folder no/dir does not exist",
        check=outputs_untouched(("out.csv",)),
    ),
    Case(
        "file where a folder should be",
        {"tracks.csv": track()},
        ["ldb", "tracks.csv", "--plot", "tracks.csv/plots"],
        error="tracks.csv is a file, not a folder",
    ),
    Case(
        "no curve fitted: nothing written",
        {"c.csv": "compound,conc_nM,cpm\nTOTAL,,3000\nNSB,,200\nx,1,1500\n"},
        ["binding", "c.csv", "-o", "out.csv", "--plot", "plots"],
        error="no curve could be fitted",
        check=outputs_untouched(("out.csv", "plots")),
    ),
    # inputs
    Case(
        "same file twice",
        {"counts.csv": counts()},
        ["binding", "counts.csv", "./counts.csv", *KI],
        error="this file is given twice",
    ),
    Case("empty file", {"e.csv": ""}, ["saturation", "e.csv"], error="the file is empty"),
    Case(
        "binary file",
        {"b.csv": bytes(range(256))},
        ["compare", "b.csv", "--control", "vehicle"],
        error="binary data",
    ),
    Case("text named .xlsx", {"c.xlsx": counts()}, ["binding", "c.xlsx", *KI], error="text file"),
    Case(
        "error cell in xlsx", {"c.xlsx": error_cell_workbook}, ["binding", "c.xlsx", *KI], error="'#DIV/0!'"
    ),
    Case(
        "fdr out of range", {"c.csv": counts()}, ["binding", "c.csv", *KI, "--fdr", "0"], error="--fdr must"
    ),
    Case(
        "min displacement out of range",
        {"c.csv": counts()},
        ["binding", "c.csv", *KI, "--min-displacement", "150"],
        error="--min-displacement must",
    ),
    Case(
        "flat curve in a screen",
        {"c.csv": counts() + "".join(f"1,flat,{10**x * 1e9:.6g},3200\n" for x in LOG_M)},
        ["binding", "c.csv", *KI, "-o", "out.csv"],
        exit_code=0,
        check=rows_with("no_displacement"),
    ),
    Case(
        "tracking log to binding",
        {"tracks.csv": track()},
        ["binding", "tracks.csv", *KI],
        error="'assaykit epm' or 'assaykit ldb'",
    ),
    Case(
        "saturation file to binding",
        {"sat.csv": saturation()},
        ["binding", "sat.csv", *KI],
        error="'assaykit saturation'",
    ),
    # binding and saturation
    Case(
        "molar values in conc_nM",
        {"c.csv": counts(scale=1.0)},
        ["binding", "c.csv", *KI],
        error="these look like molar values: name the column conc_M",
    ),
    Case(
        "nM values in conc_M",
        {"c.csv": counts(scale=1e9, column="conc_M")},
        ["binding", "c.csv", *KI],
        error="conc_M",
    ),
    Case(
        "-log values in log_conc_M",
        {"c.csv": counts(scale=1.0, column="log_conc_M").replace(",1e-", ",")},
        ["binding", "c.csv", *KI],
        error="log_conc_M",
    ),
    Case(
        "molar --kd",
        {"counts.csv": counts()},
        ["binding", "counts.csv", "--kd", "1.5e-9", "--radioligand", "1"],
        error="--kd 1.5",
    ),
    Case(
        "swapped TOTAL and NSB on one plate",
        {"c.csv": counts(plates={"1": (3200, 250), "2": (250, 3200)})},
        ["binding", "c.csv", *KI, "-o", "out.csv"],
        exit_code=0,
        warning="are the TOTAL and NSB labels swapped?",
        check=binding_swapped,
    ),
    Case(
        "swapped total and nsb in a data set",
        {"s.csv": saturation(swapped=True)},
        ["saturation", "s.csv", "-o", "out.csv"],
        exit_code=0,
        warning="rat_1",
        check=saturation_swapped,
    ),
    Case(
        "thousands separators",
        {"c.csv": "compound;conc_nM;cpm\nTOTAL;;3.185\nNSB;;250\nx;1;2.000\n"},
        ["binding", "c.csv", *KI],
        error="3185",
    ),
    Case(
        "unit in a cell",
        {"c.csv": "compound,conc_nM,cpm\nTOTAL,,3185\nNSB,,250\nx,10 nM,2000\n"},
        ["binding", "c.csv", *KI],
        error="column name",
    ),
    # tracking
    Case(
        "clock gap of 5 s",
        {"g.csv": gap_track()},
        ["epm", "g.csv", "-o", "out.csv"],
        exit_code=0,
        warning="gap",
        check=clock_gap,
    ),
    Case(
        "milliseconds in time",
        {"ms.csv": track(column="time", unit=1000.0)},
        ["epm", "ms.csv"],
        error="time_ms",
    ),
    Case(
        "--fps out of range", {"tracks.csv": track()}, ["epm", "tracks.csv", "--fps", "30000"], error="--fps"
    ),
    Case(
        "--jobs negative", {"tracks.csv": track()}, ["epm", "tracks.csv", "--jobs", "-1"], error="--jobs must"
    ),
    Case(
        "time going backwards",
        {"b.csv": "time_s,x_cm,y_cm\n0,0,0\n0.2,0,0\n0.1,0,0\n"},
        ["ldb", "b.csv"],
        error="row 4",
    ),
    Case(
        "positions far off the maze",
        {"off.csv": track().replace(",0.0\n", ",400.0\n")},
        ["epm", "off.csv"],
        exit_code=0,
        warning="percentile, lie at",
    ),
    Case(
        "pixels, zones in pixels, no scale",
        {"px.csv": pixel_track},
        ["epm", "px.csv", "--zones", "zones.yaml", "-o", "out.csv"],
        exit_code=0,
        check=no_scale,
    ),
    Case(
        "positions off zones drawn in pixels",
        {"px.csv": off_drawn_zones},
        ["epm", "px.csv", "--zones", "zones.yaml", "--px-per-cm", "4"],
        exit_code=0,
        warning="check that the zones (zones.yaml) were drawn on this video",
    ),
    Case("pixels with an arena in cm", {"px.csv": pixel_track}, ["epm", "px.csv"], error="--px-per-cm"),
    Case(
        "SLEAP untracked project",
        {"mouse7.analysis.h5": sleap_untracked},
        ["epm", "mouse7.analysis.h5", "--fps", "10", "--px-per-cm", "1", "-o", "out.csv", "--duration", "30"],
        exit_code=0,
        check=lambda folder, result: (
            pd.read_csv(folder / "out.csv")["animal"].tolist() == ["mouse7.analysis"]
        ),
    ),
    Case(
        "maze corners labelled as body parts",
        {"mouseDLC.csv": dlc_with_corners},
        ["epm", "mouseDLC.csv", "--fps", "30", "--zones", "zones.yaml", "--px-per-cm", "4", "-o", "out.csv"],
        exit_code=0,
        warning="'corner_tl', 'corner_br' stay within",
        check=lambda folder, result: pd.read_csv(folder / "out.csv")["open_time_s"].iloc[0] > 0,
    ),
    Case(
        "run details above the column names",
        {"ev3.csv": ev3_export},
        ["epm", "ev3.csv", "-o", "out.csv"],
        exit_code=0,
        warning="lines 1-4 hold details of the run",
        check=lambda folder, result: pd.read_csv(folder / "out.csv")["frames"].iloc[0] == 600,
    ),
    Case(
        "foreign .h5",
        {"x.h5": b"frame,x,y\n0,1,2\n"},
        ["epm", "x.h5", "--fps", "30"],
        error="not an HDF5 file",
    ),
    Case(
        "overlapping zones",
        {"px.csv": overlapping_zones},
        ["epm", "px.csv", "--zones", "zones.yaml", "--px-per-cm", "4"],
        exit_code=0,
        warning="overlap by",
    ),
    Case(
        "zone named twice",
        {"px.csv": pixel_track, "z.yaml": "a_open: [[0,0],[1,0],[1,1]]\na_open: [[0,0],[2,0],[2,2]]\n"},
        ["epm", "px.csv", "--zones", "z.yaml"],
        error="given twice (lines 1 and 2)",
    ),
    # compare
    Case(
        "unknown control group",
        {"e.csv": endpoints(STUDY)},
        ["compare", "e.csv", "--control", "placebo"],
        error="placebo",
    ),
    Case(
        "animal listed twice",
        {"e.csv": endpoints([*STUDY, ("m1", "drug", "3")])},
        ["compare", "e.csv", "--control", "vehicle"],
        error="listed twice",
    ),
    Case(
        "text in an endpoint",
        {"e.csv": endpoints([*STUDY[:-1], ("m9", "drug", "n/a?")])},
        ["compare", "e.csv", "--control", "vehicle", "--endpoint", "open_time_s"],
        error="open_time_s",
    ),
    Case(
        "decimal commas",
        {"e.csv": "animal;group;open_time_s\n" + "".join(f"{a};{g};{v},5\n" for a, g, v in STUDY)},
        ["compare", "e.csv", "--control", "vehicle", "-o", "out.csv"],
        exit_code=0,
        check=comma_means,
    ),
]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_kind_of_bad_input_gets_what_the_readme_says(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, content in case.files.items():
        if callable(content):
            content(tmp_path)
        elif isinstance(content, bytes):
            (tmp_path / name).write_bytes(content)
        else:
            (tmp_path / name).write_text(content, encoding="utf-8")
    for name, target in case.links.items():
        os.symlink(target, tmp_path / name)
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, case.args)
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.exit_code == case.exit_code, result.output
    if case.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert case.error is not None and case.error in lines[0], lines[0]
        assert snapshot(tmp_path) == before  # nothing written, nothing changed
    if case.warning is not None:
        warned = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
        assert any(case.warning in line for line in warned), result.stderr
    if case.check is not None:
        outcome = case.check(tmp_path, result)
        assert outcome is None or bool(outcome) is True


def test_the_docs_table_names_every_command_these_cases_run() -> None:
    readme = (ROOT / "docs" / "user-guide" / "safety.md").read_text(encoding="utf-8") + "\n\n"
    table = readme[readme.index("**What each kind of bad input gets.**") :]
    table = table[: table.index("\n\n", table.index("| bad input |"))]
    commands = {c.args[0] for c in CASES}
    assert commands == {"binding", "saturation", "epm", "ldb", "compare"}
    for command in commands:
        assert re.search(rf"\| [a-z, ]*\b{command}\b[a-z, ]* \|", table), command
