"""Simulated plates and the files a microplate counter and a lab write for them (no assaykit code used).

A counter's export is written as the counters write it: a block of run details (``Plate: 1``, ``Measured:
...``, ``Protocol: ...``), a row of column numbers under a label cell, then one row per plate row, labelled
A-H (or A-P), one count per well. The long table is written by hand from the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

ROWS = "ABCDEFGHIJKLMNOP"
Counts = Mapping[tuple[int, int], float]  # (row, column) 0-based -> count


def well(r: int, c: int) -> str:
    """The well id, e.g. (2, 6) -> 'C07'."""
    return f"{ROWS[r]}{c + 1:02d}"


def grid_block(
    counts: Counts,
    shape: tuple[int, int] = (8, 12),
    *,
    label: str = "",
    header: Sequence[str] = (),
    sep: str = ",",
) -> list[str]:
    """A counter's block: header lines, a blank line, the column numbers, a line per row (blank: no count)."""
    rows, cols = shape
    lines = [*header, ""] if header else []
    lines.append(sep.join([label, *(str(c) for c in range(1, cols + 1))]))
    for r in range(rows):
        cells = [_text(counts.get((r, c))) for c in range(cols)]
        lines.append(sep.join([ROWS[r], *cells]))
    return lines


def _text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def write_lines(path: Path, lines: Sequence[str]) -> Path:
    """Write text lines (a counter's CSV/TSV export)."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def four_pl(
    log_conc: np.ndarray, top: float, bottom: float, log_ic50: float, hill: float = -1.0
) -> np.ndarray:
    """Prism's 4PL: Bottom + (Top-Bottom)/(1+10^((LogIC50-X)*HillSlope)) with a negative slope."""
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_conc - log_ic50) * -hill))


#: The competition plate: rows A-B diazepam, C-D zolpidem (duplicates), columns 1-10 the concentrations;
#: A11-B12 total, C11-D12 NSB; rows E-H unused.
CONC_NM = [10000, 3000, 1000, 300, 100, 30, 10, 3, 1, 0.3]
COMPOUNDS = {0: "diazepam", 1: "diazepam", 2: "zolpidem", 3: "zolpidem"}
LOG_IC50 = {"diazepam": -8.0, "zolpidem": -7.3}


def competition_plate(seed: int) -> dict[tuple[int, int], float]:
    """Simulated integer counts of the competition plate (only the wells in use have counts)."""
    rng = np.random.default_rng(seed)
    counts: dict[tuple[int, int], float] = {}
    for r, compound in COMPOUNDS.items():
        x = np.log10(np.array(CONC_NM) * 1e-9)
        y = four_pl(x, 3000.0, 250.0, LOG_IC50[compound])
        for c, value in enumerate(y):
            counts[(r, c)] = float(round(value * rng.normal(1.0, 0.04)))
    for r in (0, 1):
        for c in (10, 11):
            counts[(r, c)] = float(round(rng.normal(3000, 60)))
    for r in (2, 3):
        for c in (10, 11):
            counts[(r, c)] = float(round(rng.normal(250, 15)))
    return counts


COMPETITION_TOML = """\
[row]
A.compound = "diazepam"
B.compound = "diazepam"
C.compound = "zolpidem"
D.compound = "zolpidem"

[col]
{cols}

[block.2x2.A11]
role = "total"

[block.2x2.C11]
role = "nsb"
"""


def competition_toml(path: Path) -> Path:
    """The competition plate's wellmap layout."""
    cols = "\n".join(f"{c + 1}.conc_nM = {v}" for c, v in enumerate(CONC_NM))
    path.write_text(COMPETITION_TOML.format(cols=cols), encoding="utf-8")
    return path


def competition_long(path: Path, plates: Mapping[str, Counts]) -> Path:
    """The same tubes as the long counts table a lab would type: one row per tube."""
    lines = ["compound,conc_nM,cpm,plate"]
    for plate, counts in plates.items():
        for r in range(4):
            for c in range(12):
                if c < 10:
                    lines.append(f"{COMPOUNDS[r]},{CONC_NM[c]},{_text(counts[(r, c)])},{plate}")
                else:
                    control = "TOTAL" if r < 2 else "NSB"
                    lines.append(f"{control},,{_text(counts[(r, c)])},{plate}")
    return write_lines(path, lines)


def header(plate: str | None, unit: str = "CPM") -> list[str]:
    """A run-details block as a counter writes it above a plate's grid."""
    lines = [f"Plate: {plate}"] if plate is not None else []
    return [
        *lines,
        "Measured: 2024-03-05 14:22:10",
        "Protocol: 3H flunitrazepam binding, 1 min",
        f"Counting mode: {unit}" if unit else "Counting time: 60 s",
    ]
