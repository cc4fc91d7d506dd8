"""read_text_table on files large enough for pandas to parse them in pieces on several threads (> 5 MB).

The expected table is read_raw_table's (Python's csv module, cell by cell); the anomalies sit far into the
file, where a piece boundary may fall.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from test_tables import same_as_raw_table

ROWS = 240_000  # about 6 MB


def big_table(rows: int = ROWS, *, trailing: str = "", newline: str = "\n") -> list[str]:
    """Lines of a long track table: animal, time, x, y, with empty, '-0', exponent and padded cells."""
    rng = np.random.default_rng(1)
    x = np.round(rng.normal(0, 10, rows), 2).astype(str)
    x[rng.integers(0, rows, 500)] = ""
    x[rng.integers(0, rows, 50)] = "-0"
    x[rng.integers(0, rows, 50)] = " 1e-3 "
    lines = ["animal,time_s,x_cm,y_cm" + trailing]
    lines += [f"m{i // 20_000},{i / 30:.4f},{v},{v[::-1].strip() or 1}{trailing}" for i, v in enumerate(x)]
    return [line + newline for line in lines]


def write(path: Path, lines: list[str]) -> Path:
    path.write_bytes("".join(lines).encode("ascii"))
    assert path.stat().st_size > 5 * 2**20
    return path


def anomalies() -> list[str]:
    """Blank lines, an empty extra cell and a short row, far into the file."""
    lines = big_table()
    extra = ["\n", " , ,\n", *lines[90_000:150_000], "m9,1.0,2,3,\n", "m9,1.0\n"]
    return [*lines[:90_000], *extra, *lines[150_000:]]


def text_in_numbers() -> list[str]:
    """A cell that is not a plain number ('nan') far into a number column."""
    lines = big_table()
    return [*lines[:200_000], "m9,nan,2,3\n", *lines[200_000:]]


def windows() -> list[str]:
    """Windows line ends and a delimiter after the last cell of every line."""
    return big_table(trailing=",", newline="\r\n")


@pytest.mark.parametrize("make", [anomalies, text_in_numbers, windows])
def test_large_files_read_as_read_raw_table_reads_them(tmp_path: Path, make: Callable[[], list[str]]) -> None:
    fast = same_as_raw_table(write(tmp_path / "big.csv", make()), ["time_s", "x_cm", "y_cm"])
    assert fast is not None  # read by the fast path, and equal to read_raw_table's table


def test_a_value_beyond_the_header_deep_in_a_large_file_is_still_refused(tmp_path: Path) -> None:
    lines = big_table()
    lines[180_000] = lines[180_000].rstrip("\n") + ",9\n"
    assert same_as_raw_table(write(tmp_path / "big.csv", lines), ["time_s", "x_cm", "y_cm"]) is None


def test_block_parsing_with_categorical_text_gives_the_cells_pandas_reads(
    tmp_path: Path, monkeypatch
) -> None:
    import pandas as pd

    import assaykit.io.fast_table as fast_table

    lines = ["compound,plate,conc_nM,cpm"] + [
        f"c{i % 7},{'P' + str(i % 3)},{(i % 5) + 1},{100 + i}" for i in range(40)
    ]
    path = tmp_path / "blocks.csv"
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    monkeypatch.setattr(fast_table, "BLOCK_ROWS", 3)  # 14 blocks, categories growing block by block
    table = fast_table.read_text_table(path, numbers=lambda names: ["conc_nM", "cpm"], categorical=True)
    reference = pd.read_csv(path, dtype={"compound": str, "plate": str})  # independent: pandas at once
    assert table is not None
    for name in ("compound", "plate"):
        assert isinstance(table[name].dtype, pd.CategoricalDtype)
        assert table[name].astype(object).tolist() == reference[name].tolist()
    assert table["cpm"].tolist() == reference["cpm"].astype(float).tolist()
    assert table.index.tolist() == list(range(2, 42))  # source rows: the header is line 1
