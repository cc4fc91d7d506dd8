"""Read saturation binding data (one row per tube) into one canonical frame.

The canonical saturation frame has one row per tube, in file order, with the columns of
``SATURATION_COLUMNS``:

========== ======= =================================================================================
dataset    str     the data set (one saturation experiment, one result row): the ``dataset`` column, or
                   the file name without extension when the file has none
kind       str     ``"total"`` or ``"nsb"``; ``"specific"`` for files of specific binding
conc_nM    float   radioligand concentration, nM (always > 0)
signal     float   cpm, dpm or counts (specific binding: in the unit of its column name, and may be < 0)
replicate  str     the replicate as written; missing (``pd.isna``) when the file has none
source_row int     1-based line (CSV/TSV, header = line 1) or sheet row (XLSX) of the tube
========== ======= =================================================================================

``attrs`` holds ``source``, ``signal_unit`` (``"cpm"``, ``"dpm"``, ``"counts"``; for specific binding the
unit in the column name, e.g. ``specific_cpm`` -> ``"cpm"``, or ``""`` for a bare ``specific``),
``conc_column`` (as written), ``specific`` (bool) and ``dataset_column`` (as written, or None).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.input_files import distinct_files, naming_other_sheets
from assaykit.io.saturation.table import from_table, saturation_from_frame
from assaykit.io.saturation_columns import DATASET_COLUMNS, KIND_NAMES, SATURATION_COLUMNS, SIGNAL_COLUMNS
from assaykit.io.tables import read_raw_table

__all__ = [
    "DATASET_COLUMNS",
    "KIND_NAMES",
    "SATURATION_COLUMNS",
    "SIGNAL_COLUMNS",
    "read_saturation",
    "read_saturation_files",
    "saturation_from_frame",
]


def read_saturation(
    path: str | Path, *, specific: bool = False, sheet: str | int | None = None
) -> pd.DataFrame:
    """Read a saturation binding file (long layout, one row per tube) into the canonical frame.

    Parameters
    ----------
    path
        A ``.csv``, ``.tsv``/``.txt`` or ``.xlsx`` file with one row per tube: one radioligand
        concentration column whose name carries its unit (``conc_nM``, ``conc_pM``, ``conc_uM``, ...; not
        a log column: saturation binding is fitted against the concentration itself), a ``kind`` column
        (``total`` or ``nsb``; ``ns`` and ``nonspecific`` also mean nsb; any case), one ``cpm``, ``dpm``
        or ``counts`` column, and optional ``dataset`` (or ``set``, ``experiment``, ``plate``) and
        ``replicate`` columns. Other columns are ignored. Or a Prism ``.pzfx`` project
        (:func:`assaykit.io.prism.read_pzfx_saturation`: one data set per XY table, X the radioligand
        concentration with its unit in the X title, data sets Total and Nonspecific, or Specific).
    specific
        True for a file of specific binding (already total minus nonspecific): a ``specific`` column
        (``specific_cpm``, ``specific_dpm``, ... to state the unit) instead of ``kind`` and the signal.
        Specific binding may be negative; counts may not.
    sheet
        For ``.xlsx``: the sheet name or 0-based position; the first sheet when None. For ``.pzfx``: the
        table title or 0-based position; every XY table when None.

    Returns
    -------
    pandas.DataFrame
        The canonical saturation frame (columns ``SATURATION_COLUMNS``, see the module docstring).

    Raises
    ------
    AssayInputError
        When the file or one of its values is not what is expected; the one-line message names the file,
        the row and the column. Every concentration must be a number > 0: each tube holds radioligand, and
        a tube without it is not a point of the saturation curve.

    Warns
    -----
    UserWarning
        When rows with an empty signal cell (an empty well) are dropped.

    Examples
    --------
    >>> tubes = read_saturation("sat.csv")  # doctest: +SKIP
    >>> tubes.groupby(["dataset", "kind", "conc_nM"]).signal.mean()  # doctest: +SKIP
    """
    path = Path(path)
    if path.suffix.lower() == ".pzfx":  # a Prism project: its XY tables
        from assaykit.io.prism.saturation import read_pzfx_saturation

        return read_pzfx_saturation(path, sheet=sheet, specific=specific or None)
    with naming_other_sheets(path, sheet):
        table = read_raw_table(path, sheet=sheet)
        return from_table(table, path, specific=specific, stem=path.stem, stacklevel=3)


def read_saturation_files(
    paths: Sequence[str | Path], *, specific: bool = False, sheet: str | int | None = None
) -> pd.DataFrame:
    """Read several saturation files into one canonical frame, keeping each file's data sets apart.

    Parameters
    ----------
    paths
        The files, each as for :func:`read_saturation`.
    specific, sheet
        Passed to :func:`read_saturation` for every file.

    Returns
    -------
    pandas.DataFrame
        The canonical frame of all files, in the order given. With one file it is exactly
        ``read_saturation(paths[0])``. With several, a file's data sets become ``"<file stem>:<dataset>"``
        (a file without a dataset column is one data set named by its stem); the path as given replaces
        the stem when two stems are the same. ``attrs["source"]`` and ``["conc_column"]`` join the distinct
        values with ", ".

    Raises
    ------
    AssayInputError
        When no file is given, a file is given twice, the files use different signal units (cpm and
        dpm), or as
        :func:`read_saturation` for the first file with a problem.
    """
    files = distinct_files(paths)
    if not files:
        raise AssayInputError("no saturation file given")
    frames = [read_saturation(p, specific=specific, sheet=sheet) for p in files]
    if len(frames) == 1:
        return frames[0]
    units = dict.fromkeys(f.attrs["signal_unit"] for f in frames)
    if len(units) > 1:
        found = ", ".join(
            f"{f.attrs['signal_unit'] or 'no unit'} in {p}" for f, p in zip(frames, files, strict=True)
        )
        raise AssayInputError(f"the files measure in different units ({found}); give them one unit")
    stems = [p.stem for p in files]
    labels = stems if len(set(stems)) == len(stems) else [str(p) for p in files]
    for frame, label in zip(frames, labels, strict=True):
        has_column = frame.attrs["dataset_column"] is not None
        frame["dataset"] = (label + ":" + frame["dataset"]).astype(str) if has_column else label
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {
        "source": ", ".join(dict.fromkeys(f.attrs["source"] for f in frames)),
        "signal_unit": next(iter(units)),
        "conc_column": ", ".join(dict.fromkeys(f.attrs["conc_column"] for f in frames)),
        "specific": specific,
        "dataset_column": ", ".join(dict.fromkeys(f.attrs["dataset_column"] or "" for f in frames)) or None,
    }
    return out
