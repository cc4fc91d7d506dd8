"""Read radioligand binding counts (one row per tube, or Prism-style wide blocks) into one canonical frame.

The canonical counts frame has one row per tube, in file order, with the columns of ``COUNTS_COLUMNS``:

========== ======= =================================================================================
compound   text    the compound as written (stripped); for control rows the text as written, e.g. TOTAL
role       text    ``"total"``, ``"nsb"`` or ``"competitor"``
plate      text    the plate id; ``"all"`` when the file has no plate column
replicate  text    the replicate as written; missing (``pd.isna``) when the file has none
conc_M     float   molar concentration; NaN for control rows
log_conc_M float   log10 of ``conc_M``; NaN for control rows
signal     float   the cpm, dpm or counts value
source_row int     1-based line (CSV/TSV, header = line 1) or sheet row (XLSX) of the tube
========== ======= =================================================================================

The text columns are ``category`` columns (``pandas.Categorical``, categories sorted as strings sort, so
that ``groupby`` and ``sort_values`` order them as text): a screen of a million curves names each compound
in 33 tubes or more, and a small integer code per tube takes an eighth of the memory of a pointer to a
string. They compare, group and filter as strings do (``counts["role"] == "nsb"``); ``.astype(str)``
gives plain strings.

``attrs`` holds ``source``, ``signal_unit`` (``"cpm"``, ``"dpm"`` or ``"counts"``), ``conc_column`` (the
concentration column as written; for wide files with several units, the distinct names joined by ", ")
and ``layout`` (``"long"`` or ``"wide"``).

Long-layout text files are read by pandas' C parser (``read_text_table``) and checked column by column,
each distinct cell value once, so that a screening file of 10,000 curves reads about as fast as
``pandas.read_csv``; files it might split differently (workbooks, quoted fields spanning lines, ...) are
read by ``read_raw_table``, and both give the same frame and messages.

This package holds the readers' entry points (:func:`read_counts`, :func:`read_counts_files`,
:func:`counts_from_frame`); the layouts are in :mod:`~assaykit.io.counts.long` and
:mod:`~assaykit.io.counts.wide`, which both hand their tubes to :mod:`~assaykit.io.counts.build` (the checks
of every number, and the frame) and :mod:`~assaykit.io.counts.checks` (plausibility, thousands separators,
``hot_nM``). The shared vocabulary and types are in :mod:`~assaykit.io.counts.tubes` and the cell parsing
in :mod:`~assaykit.io.counts.cells`, which import none of the others.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from assaykit.errors import AssayInputError
from assaykit.heap import trim_heap
from assaykit.io.counts.cells import canonical_text
from assaykit.io.counts.long import as_written, counts_from_table, number_columns
from assaykit.io.counts.tubes import (
    CONTROL_NAMES,
    COUNTS_COLUMNS,
    HOT_COLUMN,
    ROLE_NAMES,
    SIGNAL_COLUMNS,
    WELL_COLUMN,
)
from assaykit.io.counts.wide import first_row, is_wide, read_wide
from assaykit.io.fast_table import read_text_table
from assaykit.io.input_files import distinct_files, naming_other_sheets
from assaykit.io.tables import SOURCE_ROW, promote_header, read_raw_table

__all__ = [
    "CONTROL_NAMES",
    "COUNTS_COLUMNS",
    "HOT_COLUMN",
    "ROLE_NAMES",
    "SIGNAL_COLUMNS",
    "counts_from_frame",
    "read_counts",
    "read_counts_files",
]


def read_counts(
    path: str | Path, *, sheet: str | int | None = None, compound: str | None = None
) -> pd.DataFrame:
    """Read a radioligand counts file (long or Prism-style wide) into the canonical counts frame.

    Parameters
    ----------
    path
        A ``.csv``, ``.tsv``/``.txt`` or ``.xlsx`` file, or a Prism ``.pzfx`` project
        (:func:`assaykit.io.prism.read_pzfx_counts`: one plate per XY table). Long layout: one row per tube
        with a ``compound`` column (TOTAL/NSB rows are controls) or a ``role`` column, one concentration
        column whose name carries its unit (``conc_nM``, ``log_conc_M``, ...), one ``cpm``/``dpm``/``counts``
        column and optional ``plate`` and ``replicate`` columns. Wide layout: blocks of ``compound,<name>``,
        an optional ``plate,<id>`` row, a header row ``conc_nM,rep1,rep2,...`` and one row per concentration
        (or TOTAL/NSB) with one signal per replicate.
    sheet
        For ``.xlsx``: the sheet name or 0-based position; the first sheet when None. For ``.pzfx``: the
        table title or 0-based position; every XY table when None.
    compound
        The compound of a wide file that has no ``compound,<name>`` row (the file stem when None).
        Only valid for such files.

    Returns
    -------
    pandas.DataFrame
        The canonical counts frame (columns ``COUNTS_COLUMNS``, described in the module docstring).

    Raises
    ------
    AssayInputError
        When the file or any of its values is not what is expected; the one-line message names the file,
        the row and/or the column.

    Warns
    -----
    UserWarning
        When long-layout rows with an empty signal cell are dropped.

    Examples
    --------
    >>> counts = read_counts("plate1.csv")  # doctest: +SKIP
    >>> counts.groupby(["compound", "role"]).signal.mean()  # doctest: +SKIP
    """
    path = Path(path)
    with naming_other_sheets(path, sheet):
        return _read_counts(path, sheet, compound)


def _read_counts(path: Path, sheet: str | int | None, compound: str | None) -> pd.DataFrame:
    if path.suffix.lower() == ".pzfx":  # a Prism project: its XY tables
        if compound is not None:
            raise AssayInputError("compound= is for wide files; a Prism file names its compounds", path=path)
        from assaykit.io.prism.counts import read_pzfx_counts

        return read_pzfx_counts(path, sheet=sheet)
    if sheet is None and compound is None:  # long-layout text files: read fast, numbers parsed by pandas
        table = read_text_table(path, numbers=lambda names: number_columns(names, path), categorical=True)
        if table is not None:
            counts = counts_from_table(table, path, stacklevel=4, original=partial(as_written, path))
            del table
            trim_heap()  # the parser's blocks and the checks' temporaries: give their pages back
            return counts
    raw = read_raw_table(path, sheet=sheet, header=False)
    if is_wide(first_row(raw)):
        return read_wide(raw, path, compound)
    if compound is not None:
        raise AssayInputError(
            "compound= is only for wide files without a 'compound,<name>' row; this file is in the long "
            "layout, so name the compound in its compound column",
            path=path,
        )
    return counts_from_table(promote_header(raw, path=path), path, stacklevel=4)


def read_counts_files(
    paths: Sequence[str | Path], *, sheet: str | int | None = None, compound: str | None = None
) -> pd.DataFrame:
    """Read several counts files into one canonical counts frame, keeping each file's plates apart.

    Parameters
    ----------
    paths
        The files, each as for ``read_counts``.
    sheet, compound
        Passed to ``read_counts`` for every file.

    Returns
    -------
    pandas.DataFrame
        The canonical counts frame of all files, in the order given. With one file it is exactly
        ``read_counts(paths[0])``. With several, each ``plate`` becomes ``"<file stem>:<plate>"`` (the path
        as given when two stems are the same) so that tubes of different files never share a plate's
        controls. ``attrs["source"]``, ``["conc_column"]`` and ``["layout"]`` join the distinct values
        with ", ".

    Raises
    ------
    AssayInputError
        When no file is given, a file is given twice, the files use different signal units (cpm and
        dpm), or as
        ``read_counts`` for the first file with a problem.

    Examples
    --------
    >>> counts = read_counts_files(["plate1.csv", "plate2.xlsx"])  # doctest: +SKIP
    """
    files = distinct_files(paths)
    if not files:
        raise AssayInputError("no counts file given")
    frames = [read_counts(p, sheet=sheet, compound=compound) for p in files]
    if len(frames) == 1:
        return frames[0]
    stems = [p.stem for p in files]
    labels = stems if len(set(stems)) == len(stems) else [str(p) for p in files]
    for frame, label in zip(frames, labels, strict=True):
        frame["plate"] = frame["plate"].cat.rename_categories(
            [f"{label}:{p}" for p in frame["plate"].cat.categories]
        )
    out = pd.concat(frames, ignore_index=True)
    kept = [WELL_COLUMN] if all(WELL_COLUMN in f.columns for f in frames) else []
    for name in (*COUNTS_COLUMNS[:4], *kept):  # concat makes text of codes of other categories: codes again
        out[name] = canonical_text(union_categoricals([f[name] for f in frames], ignore_order=True))
    joined: dict[Hashable, Any] = {
        key: ", ".join(dict.fromkeys(f.attrs[key] for f in frames)) for key in ("source", "conc_column")
    }
    units = dict.fromkeys(f.attrs["signal_unit"] for f in frames)
    if len(units) > 1:
        found = ", ".join(f"{f.attrs['signal_unit']} in {p}" for f, p in zip(frames, files, strict=True))
        raise AssayInputError(f"the files measure in different units ({found}); give them one unit")
    layouts = ", ".join(dict.fromkeys(f.attrs["layout"] for f in frames))
    out.attrs = {**joined, "signal_unit": next(iter(units)), "layout": layouts}
    return out


def counts_from_frame(df: pd.DataFrame, *, source: str = "<data>") -> pd.DataFrame:
    """Check an in-memory long-layout table and return the canonical counts frame.

    Parameters
    ----------
    df
        One row per tube, with the columns described in ``read_counts`` (long layout). Cells may be strings
        or numbers; NaN/None count as empty. It is not modified.
    source
        What to call the data in messages and in ``attrs["source"]``.

    Returns
    -------
    pandas.DataFrame
        The canonical counts frame. ``source_row`` is taken from the index when it is named
        ``source_row`` (tables from ``read_raw_table``); otherwise it is the line the row would have in a
        CSV written with ``df.to_csv(index=False)``: position + 2.

    Raises
    ------
    AssayInputError
        As ``read_counts``.

    Warns
    -----
    UserWarning
        When rows with an empty signal cell are dropped.

    Examples
    --------
    >>> frame = pd.DataFrame({"compound": ["TOTAL", "diazepam"], "conc_nM": [None, 10], "cpm": [3000, 1500]})
    >>> counts_from_frame(frame)[["role", "conc_M", "signal"]]
             role        conc_M  signal
    0       total           NaN  3000.0
    1  competitor  1.000000e-08  1500.0
    """
    table = df.copy()
    table.columns = pd.Index([str(c).strip() for c in table.columns])
    if table.index.name != SOURCE_ROW:
        table.index = pd.Index(np.arange(len(table)) + 2, name=SOURCE_ROW)
    return counts_from_table(table, source, stacklevel=3)
