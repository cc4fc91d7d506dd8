"""Simulate two 96-well [3H]-flunitrazepam competition plates as a counter exports them, with their plate map.

Writes, beside this script:

- ``counts.csv``: the counter's export, in the shape microplate scintillation counters write (MicroBeta2,
  TopCount and the like): per plate a block of run details (instrument, run, protocol, counting time, date,
  plate number, measurement), then the 8 x 12 grid of counts under a header row of column numbers 1-12, rows
  labelled A-H; a blank line between plates. Wells the counting protocol skipped are empty cells.
- ``layout.toml``: the plate map in wellmap's TOML format (https://wellmap.readthedocs.io): which compound at
  which concentration in which well, and where the TOTAL and NSB wells are.
- ``layout.csv``: the same plate map as a long table (``plate,well,compound,conc_nM``), for labs that keep
  their plate maps in a spreadsheet.

The plate map (both plates):

    rows A-C   compound 1 in triplicate, columns 1-11 = 10 uM down to 0.1 nM in half-log steps
    rows D-F   compound 2 in triplicate, the same concentrations
    column 12  TOTAL in rows A-C, NSB (10 uM diazepam) in rows D-F
    G1-G3      TOTAL, H1-H3 NSB (6 of each per plate in all)
    the rest of rows G-H  not used, not counted

True values (radioligand 1.0 nM, Kd 1.5 nM, so IC50 = Ki * 5/3):

    plate  compound          Ki (nM)  Hill slope   total / NSB (cpm)
    1      diazepam            8.0      -1.0        3200 / 250
    1      clonazepam          0.8      -1.0
    2      chlordiazepoxide  600.0      -0.9        3000 / 240
    2      tofisopam          (none)                 a 2,3-benzodiazepine: no displacement at the BZ site

Each tube gets 4% proportional Gaussian noise and then Poisson counting noise (1 min counts, so counts = cpm).
The counts are simulated: the layout of the file is modelled on counter exports, not copied from one.

Run from anywhere: ``python examples/binding/plates/make_plates.py``. The output is the same on every run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
RADIOLIGAND_NM, KD_NM = 1.0, 1.5
PROPORTIONAL_CV = 0.04
ROWS, COLUMNS = "ABCDEFGH", range(1, 13)
CONC_NM = [float(f"{10 ** (4 - i / 2):.4g}") for i in range(11)]  # 10000 ... 0.1 nM, columns 1-11

# plate: (total cpm, NSB cpm, {rows: (compound, Ki nM or None for no displacement, Hill slope)})
PLATES = {
    1: (3200.0, 250.0, {"ABC": ("diazepam", 8.0, -1.0), "DEF": ("clonazepam", 0.8, -1.0)}),
    2: (3000.0, 240.0, {"ABC": ("chlordiazepoxide", 600.0, -0.9), "DEF": ("tofisopam", None, -1.0)}),
}
CONTROL_WELLS = {
    "TOTAL": ["A12", "B12", "C12", "G1", "G2", "G3"],
    "NSB": ["D12", "E12", "F12", "H1", "H2", "H3"],
}


def well_name(row: str, column: int) -> str:
    """``A1`` as the plate map writes it (the grid itself has only row and column labels)."""
    return f"{row}{column}"


def plate_map() -> pd.DataFrame:
    """The plate map, one row per used well: plate, well, compound, conc_nM (NaN for the controls)."""
    rows = []
    for plate, (_, _, compounds) in PLATES.items():
        for letters, (compound, _, _) in compounds.items():
            for row in letters:
                wells = zip(COLUMNS, CONC_NM, strict=False)  # columns 1-11: column 12 holds controls
                rows += [(plate, well_name(row, c), compound, conc) for c, conc in wells]
        for label, wells in CONTROL_WELLS.items():
            rows += [(plate, well, label, np.nan) for well in wells]
    return pd.DataFrame(rows, columns=["plate", "well", "compound", "conc_nM"])


def expected_cpm(layout: pd.DataFrame) -> np.ndarray:
    """Prism's competition sigmoid per well: Bottom + (Top - Bottom) / (1 + 10**((LogIC50 - X) * Hill))."""
    out = np.empty(len(layout))
    columns = zip(layout["plate"], layout["compound"], layout["conc_nM"], strict=True)
    for i, (plate, compound, conc) in enumerate(columns):
        total, nsb, compounds = PLATES[plate]
        if compound in CONTROL_WELLS:
            out[i] = total if compound == "TOTAL" else nsb
            continue
        _, ki_nM, hill = next(v for v in compounds.values() if v[0] == compound)
        if ki_nM is None:
            out[i] = total
            continue
        ic50_nM = ki_nM * (1 + RADIOLIGAND_NM / KD_NM)  # Cheng-Prusoff
        out[i] = nsb + (total - nsb) / (1 + 10 ** ((np.log10(ic50_nM) - np.log10(conc)) * hill))
    return out


def simulate(seed: int = 2026) -> pd.DataFrame:
    """The plate map with each well's simulated ``cpm``."""
    rng = np.random.default_rng(seed)
    layout = plate_map()
    expected = expected_cpm(layout)
    noisy = expected * (1 + PROPORTIONAL_CV * rng.standard_normal(expected.size))
    return layout.assign(cpm=rng.poisson(np.clip(noisy, 0, None)))


def counter_export(tubes: pd.DataFrame) -> str:
    """The counter-style export: a run header and an 8 x 12 grid per plate."""
    lines = []
    for plate, wells in tubes.groupby("plate", sort=True):
        cpm = dict(zip(wells["well"], wells["cpm"], strict=True))
        lines += [
            "MicroBeta2 2450 Microplate Counter",
            "Run ID,0427",
            "Protocol name,3H-FNZ competition 1 min",
            "Counting time (s),60",
            f"Date,2026-11-30 14:{2 + 3 * plate:02d}",
            f"Plate number,{plate}",
            "Measurement,CPM",
            ",".join(["", *map(str, COLUMNS)]),
        ]
        for row in ROWS:
            lines.append(",".join([row, *(str(cpm.get(well_name(row, c), "")) for c in COLUMNS)]))
        lines.append("")
    return "\n".join(lines)


def wellmap_toml() -> str:
    """The plate map in wellmap's TOML: blocks of rows per compound, columns for concentrations."""
    out = [
        "# Plate map of counts.csv: [3H]-flunitrazepam 1 nM, rat cortical membranes (wellmap format).",
        "# Columns 1-11 hold the competitor concentrations; column 12 and G1-G3/H1-H3 the controls.",
        "",
    ]
    for c, conc in zip(COLUMNS, CONC_NM, strict=False):
        out += [f"[col.{c}]", f"conc_nM = {np.format_float_positional(conc, trim='-')}", ""]
    for plate, (_, _, compounds) in PLATES.items():
        for letters, (compound, _, _) in compounds.items():
            out += [f"[plate.{plate}.block.11x3.{letters[0]}1]", f'compound = "{compound}"', ""]
    for label, wells in CONTROL_WELLS.items():
        for well in wells:
            out += [f"[well.{well}]", f'compound = "{label}"', ""]
    return "\n".join(out[:-1]) + "\n"


def main() -> None:
    tubes = simulate()
    (HERE / "counts.csv").write_text(counter_export(tubes))
    (HERE / "layout.toml").write_text(wellmap_toml())
    layout = plate_map().assign(conc_nM=lambda f: f["conc_nM"].map(lambda v: "" if np.isnan(v) else f"{v:g}"))
    layout.to_csv(HERE / "layout.csv", index=False, lineterminator="\n")
    print(f"wrote {len(tubes)} wells of {len(PLATES)} plates to {HERE / 'counts.csv'}, layout.toml and .csv")


if __name__ == "__main__":
    main()
