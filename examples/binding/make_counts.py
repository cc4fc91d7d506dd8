"""Simulate a [3H]-flunitrazepam competition binding experiment; write counts.csv and counts_wide.csv.

True values (what a correct analysis should recover, within the noise):

    radioligand  [3H]-flunitrazepam at 1.0 nM, Kd 1.5 nM, so IC50 = Ki * (1 + 1.0/1.5) = Ki * 5/3
    tissue       rat cortical membranes, two 96-well plates

    plate  compound          Ki (nM)  IC50 (nM)  log IC50 (M)  Hill slope  range tested (nM)
    1      diazepam            8.0      13.33      -7.875        -1.0        0.1 - 3162
    1      clonazepam          0.8       1.333     -8.875        -1.0        0.01 - 316.2
    2      chlordiazepoxide  600.0    1000.0       -6.000        -0.9        3.162 - 100000

    plate  total binding (Top)  NSB (Bottom; 10 uM diazepam, labelled NSB)
    1      3200 cpm             250 cpm
    2      3000 cpm             240 cpm

Each plate has 6 TOTAL and 6 NSB tubes; each competitor 10 concentrations in half-log steps (written to 4
significant figures) in triplicate. Every tube gets 4% proportional Gaussian noise (pipetting, membrane
amount) and then Poisson counting noise, so counts are whole cpm.

Run from anywhere: ``python examples/binding/make_counts.py``. The output is the same on every run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
RADIOLIGAND_NM = 1.0
KD_NM = 1.5
N_CONTROLS = 6  # TOTAL tubes and NSB tubes per plate
N_REPLICATES = 3
PROPORTIONAL_CV = 0.04

PLATES = {"1": {"total": 3200.0, "nsb": 250.0}, "2": {"total": 3000.0, "nsb": 240.0}}

# compound: (plate, Ki in nM, Hill slope, log10 of the lowest concentration in nM)
COMPOUNDS = {
    "diazepam": ("1", 8.0, -1.0, -1.0),  # 0.1 nM upwards
    "clonazepam": ("1", 0.8, -1.0, -2.0),  # 0.01 nM upwards
    "chlordiazepoxide": ("2", 600.0, -0.9, 0.5),  # 3.162 nM upwards
}


def concentrations_nM(log_lowest: float, n: int = 10) -> np.ndarray:
    """Half-log series from 10**log_lowest nM, to 4 significant figures as written on the plate map."""
    return np.array([float(f"{10 ** (log_lowest + i / 2):.4g}") for i in range(n)])


def bound(conc_nM: np.ndarray, top: float, bottom: float, ic50_nM: float, hill: float) -> np.ndarray:
    """Prism's competition sigmoid: Y = Bottom + (Top - Bottom) / (1 + 10**((LogIC50 - X) * HillSlope))."""
    x = np.log10(conc_nM * 1e-9)
    return bottom + (top - bottom) / (1 + 10 ** ((np.log10(ic50_nM * 1e-9) - x) * hill))


def count(expected: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Add proportional Gaussian noise, then Poisson counting noise (1 min counts, so counts = cpm)."""
    noisy = expected * (1 + PROPORTIONAL_CV * rng.standard_normal(np.shape(expected)))
    return rng.poisson(np.clip(noisy, 0, None))


def simulate(rng: np.random.Generator) -> pd.DataFrame:
    """One row per tube, in the order tubes are laid out: plate by plate, controls first."""
    rows = []
    for plate, controls in PLATES.items():
        for label, level in (("TOTAL", controls["total"]), ("NSB", controls["nsb"])):
            for rep, cpm in enumerate(count(np.full(N_CONTROLS, level), rng), start=1):
                rows.append((plate, label, rep, np.nan, cpm))
        for compound, (on_plate, ki_nM, hill, log_lowest) in COMPOUNDS.items():
            if on_plate != plate:
                continue
            ic50_nM = ki_nM * (1 + RADIOLIGAND_NM / KD_NM)  # Cheng-Prusoff
            conc = concentrations_nM(log_lowest)
            expected = bound(conc, controls["total"], controls["nsb"], ic50_nM, hill)
            cpm = count(np.repeat(expected, N_REPLICATES), rng)
            for i, (c, value) in enumerate(zip(np.repeat(conc, N_REPLICATES), cpm, strict=True)):
                rows.append((plate, compound, i % N_REPLICATES + 1, c, value))
    return pd.DataFrame(rows, columns=["plate", "compound", "replicate", "conc_nM", "cpm"])


def fmt(value: float) -> str:
    """A concentration as written by hand: 0.03162, 3.162, 100000 (no exponent, no trailing zeros)."""
    return "" if np.isnan(value) else np.format_float_positional(value, trim="-")


def write_long(tubes: pd.DataFrame, path: Path) -> None:
    """Write one row per tube: plate,compound,replicate,conc_nM,cpm (controls have an empty conc_nM)."""
    out = tubes.assign(conc_nM=tubes["conc_nM"].map(fmt))
    out.to_csv(path, index=False, lineterminator="\n")


def write_wide(tubes: pd.DataFrame, path: Path) -> None:
    """Write Prism-style blocks: one per compound, with the plate's controls in its first block only.

    Putting the controls once per plate keeps the wide file the same tubes as the long one (a reader
    pools control tubes by plate, so repeating them in every block would count them twice).
    """
    reps = [f"rep{i}" for i in range(1, N_REPLICATES + 1)]
    lines: list[str] = []
    plates_with_controls: set[str] = set()
    for compound, (plate, *_) in COMPOUNDS.items():
        block = tubes[(tubes["plate"] == plate) & (tubes["compound"] == compound)]
        lines += [f"compound,{compound}", f"plate,{plate}", ",".join(["conc_nM", *reps])]
        for conc, group in block.groupby("conc_nM", sort=True):
            lines.append(",".join([fmt(conc), *map(str, group["cpm"])]))
        if plate not in plates_with_controls:
            plates_with_controls.add(plate)
            for label in ("TOTAL", "NSB"):
                cpm = tubes.loc[(tubes["plate"] == plate) & (tubes["compound"] == label), "cpm"].to_numpy()
                for row in cpm.reshape(-1, N_REPLICATES):  # 6 tubes -> two rows of 3
                    lines.append(",".join([label, *map(str, row)]))
        lines.append("")
    path.write_text("\n".join(lines[:-1]) + "\n")


def main() -> None:
    tubes = simulate(np.random.default_rng(2026))
    write_long(tubes, HERE / "counts.csv")
    write_wide(tubes, HERE / "counts_wide.csv")
    print(f"wrote {len(tubes)} tubes to {HERE / 'counts.csv'} and {HERE / 'counts_wide.csv'}")


if __name__ == "__main__":
    main()
