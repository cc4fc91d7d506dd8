"""Read plasma concentration-time data (one row per sample) into the canonical PK frame.

The canonical PK frame has one row per sample, in file order:

========== ======= =================================================================================
subject    str     the animal (the ``subject``, ``animal``, ``id``, ``animal_id`` or ``subject_id`` column)
analyte    str     the ``analyte`` column (parent drug, metabolite); ``"parent"`` when there is none
group      str     the ``group`` (or ``treatment``) column; ``""`` when there is none
compound   str     the ``compound`` column, only when the file has one
time_h     float   time after the dose, hours, from the file's ``time_h``, ``time_min``, ``time_d`` or
                   ``time_s`` column (always >= 0)
conc       float   concentration in ``attrs["conc_unit"]``; NaN for BLQ and missing samples
blq        bool    the cell was a BLQ marker or a number below ``lloq``
dose       float   the subject's dose in ``attrs["dose_unit"]``; NaN when unknown
route      str     ``"extravascular"``, ``"iv-bolus"``, ``"iv-infusion"``, or ``""`` when unknown
source_row int     1-based line (CSV/TSV, header = line 1) or sheet row (XLSX) of the sample
========== ======= =================================================================================

``attrs`` holds ``source``, ``conc_unit`` (``"ng/mL"``, ``"ug/mL"``, ``"mg/L"``, ``"pg/mL"``, ``"nM"``,
``"uM"``, ``"pM"``, ...), ``dose_unit`` (``"mg/kg"``, ``"mg"``, ``"ug/kg"``, ``"nmol/kg"``, ...; None
without a dose column), ``time_column`` and ``conc_column`` (as written) and ``lloq`` (the ``lloq`` given,
or the limit the file states when all its ``<x`` cells say the same ``x``; else None).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.input_files import distinct_files, naming_other_sheets
from assaykit.io.pk.columns import CONC_UNITS, DOSE_UNITS, ROUTES, TIME_UNITS
from assaykit.io.pk.table import BLQ_MARKERS, PK_COLUMNS, from_table
from assaykit.io.tables import SOURCE_ROW, read_raw_table

__all__ = [
    "BLQ_MARKERS",
    "CONC_UNITS",
    "DOSE_UNITS",
    "PK_COLUMNS",
    "ROUTES",
    "TIME_UNITS",
    "pk_from_frame",
    "read_pk",
    "read_pk_files",
]


def _check_lloq(lloq: float | None) -> None:
    if lloq is not None and not (isinstance(lloq, int | float) and np.isfinite(lloq) and lloq > 0):
        raise AssayInputError(
            f"the LLOQ must be a number > 0 (in the unit of the concentrations), got {lloq!r}"
        )


def read_pk(path: str | Path, *, sheet: str | int | None = None, lloq: float | None = None) -> pd.DataFrame:
    """Read a PK file (long layout, one row per plasma sample) into the canonical PK frame.

    Parameters
    ----------
    path
        A ``.csv``, ``.tsv``/``.txt`` or ``.xlsx`` file with one row per sample and the columns
        ``subject`` (or ``animal``, ``id``); a time column whose name carries its unit (``time_h``,
        ``time_min``, ``time_d``, ``time_s``); one concentration column whose name carries its unit
        (``conc_ng_mL``, ``conc_ug_mL``, ``conc_mg_L``, ``conc_pg_mL``, ``conc_nM``, ``conc_uM``,
        ``conc_pM``); optional ``dose_<unit>`` (``dose_mg_kg``, ``dose_mg``, ``dose_ug_kg``,
        ``dose_nmol_kg``, ...; one value per subject, which may be written on one of its rows only),
        ``route`` (oral, po, ip, sc, im -> extravascular; iv, iv bolus -> iv-bolus; infusion ->
        iv-infusion), ``group`` (or ``treatment``), ``compound`` and ``analyte`` columns. Other columns
        are ignored. A concentration cell is a number, a BLQ marker (``BLQ``, ``BQL``, ``<LLOQ``, ``<0.5``,
        ``ND`` for not detected, ...; :data:`BLQ_MARKERS`) or empty (``NA``) for a missing sample.
    sheet
        For ``.xlsx``: the sheet name or 0-based position; the first sheet when None.
    lloq
        Lower limit of quantification in the unit of the concentration column: measured values below it
        are BLQ too (``blq`` True, ``conc`` NaN). None: only the cells marked BLQ are.

    Returns
    -------
    pandas.DataFrame
        The canonical PK frame (see the module docstring).

    Raises
    ------
    AssayInputError
        One line naming the file, row and column: a missing subject, time or concentration column; a time,
        concentration or dose column without a unit (``time`` -> "name it time_h or time_min") or with an
        unknown one; two concentration columns (in different units: "mixed units"); a time that is not a
        number or negative; a concentration that is neither a number, a BLQ marker nor empty; a negative
        concentration or dose; an unknown route; a subject in two groups, or with two doses or routes; a
        profile (subject x analyte) whose times are not in increasing order or repeat.

    Warns
    -----
    UserWarning
        A profile with no measurable concentration (the NCA reports it as not analysed); times in a
        ``time_h`` column that read like minutes (running to 200 h or more, every one a multiple of 5) or
        fractions of a minute in a ``time_min`` column ending within 72 min; a largest concentration above
        1 g/L (10 mM) or below 1 pg/L (1 fM). Only such clear cases are warned about: a concentration off by
        a factor of 1000 within the plausible range (ug/mL for ng/mL) cannot be told from the data.

    Examples
    --------
    >>> samples = read_pk("examples/pk/pk.csv")  # doctest: +SKIP
    >>> samples.attrs["conc_unit"]  # doctest: +SKIP
    'ng/mL'
    """
    path = Path(path)
    _check_lloq(lloq)
    with naming_other_sheets(path, sheet):
        table = read_raw_table(path, sheet=sheet)
        return from_table(table, path, lloq=lloq, stacklevel=3)


def pk_from_frame(df: pd.DataFrame, *, lloq: float | None = None, source: str = "<data>") -> pd.DataFrame:
    """Check an in-memory table of samples and return the canonical PK frame.

    Parameters
    ----------
    df
        One row per sample with the columns of :func:`read_pk`; cells may be strings or numbers (NaN and
        None are empty). It is not modified.
    lloq
        As in :func:`read_pk`.
    source
        What to call the data in messages and ``attrs["source"]``.

    Returns
    -------
    pandas.DataFrame
        The canonical PK frame; ``source_row`` is the line the row would have in a CSV written with
        ``df.to_csv(index=False)`` (position + 2).

    Raises
    ------
    AssayInputError
        As :func:`read_pk`.

    Examples
    --------
    >>> frame = pd.DataFrame({"animal": ["r1", "r1"], "time_h": [0.5, 2], "conc_ng_mL": [120, "BLQ"]})
    >>> pk_from_frame(frame)[["subject", "time_h", "conc", "blq"]]
      subject  time_h   conc    blq
    0      r1     0.5  120.0  False
    1      r1     2.0    NaN   True
    """
    _check_lloq(lloq)
    table = df.copy()
    table.columns = pd.Index([str(c).strip() for c in table.columns])
    table.index = pd.Index(np.arange(len(table)) + 2, name=SOURCE_ROW)
    return from_table(table, source, lloq=lloq, stacklevel=3)


def read_pk_files(
    paths: Sequence[str | Path], *, sheet: str | int | None = None, lloq: float | None = None
) -> pd.DataFrame:
    """Read several PK files into one canonical PK frame.

    Parameters
    ----------
    paths
        The files, each as for :func:`read_pk`; for example one file per analyte or per study day.
    sheet, lloq
        Passed to :func:`read_pk` for every file.

    Returns
    -------
    pandas.DataFrame
        The frames of all files, in the order given (``source_row`` counts within each file; a ``file``
        column names it when there are several). With one file it is exactly ``read_pk(paths[0])``.

    Raises
    ------
    AssayInputError
        When no file is given, a file is given twice, the files give concentrations (or doses) in different
        units, a profile (subject x analyte) is in two files, a subject has two doses, routes or groups
        across the files, or as :func:`read_pk` for the first file with a problem.
    """
    files = distinct_files(paths)
    if not files:
        raise AssayInputError("no PK file given")
    frames = [read_pk(p, sheet=sheet, lloq=lloq) for p in files]
    if len(frames) == 1:
        return frames[0]
    for key, what in (("conc_unit", "concentrations"), ("dose_unit", "doses")):
        units = {f.attrs[key] for f in frames if f.attrs[key] is not None}
        if len(units) > 1:
            found = ", ".join(f"{f.attrs[key]} in {p}" for f, p in zip(frames, files, strict=True))
            raise AssayInputError(f"mixed units: the files give {what} in different units ({found})")
    for frame, path in zip(frames, files, strict=True):
        frame["file"] = str(path)
    out = pd.concat(frames, ignore_index=True)
    profiles = out.groupby(["subject", "analyte"], sort=False)["file"].unique()
    for (subject, analyte), where in profiles.items():
        if len(where) > 1:
            raise AssayInputError(
                f"subject '{subject}', analyte '{analyte}' is in {where[0]} and in {where[1]}; "
                "give each profile once",
                path=where[1],
            )
    for column in ("group", "dose", "route"):
        given = out[out[column].notna() & (out[column] != "")]
        values = given.groupby("subject", sort=False)[column].first()
        differs = given[given[column].to_numpy() != values.reindex(given["subject"]).to_numpy()]
        if not differs.empty:
            subject = differs["subject"].iloc[0]
            listed = given[given["subject"] == subject].drop_duplicates(column)
            found = ", ".join(f"{v} in {f}" for v, f in zip(listed[column], listed["file"], strict=True))
            raise AssayInputError(
                f"subject '{subject}' has two values of {column} across the files ({found})"
            )
        empty = out[column].isna() | (out[column] == "")
        filled = values.reindex(out.loc[empty, "subject"])
        out.loc[empty, column] = filled.fillna("" if column != "dose" else np.nan).to_numpy()
    attrs = dict(frames[0].attrs)
    attrs["source"] = ", ".join(f.attrs["source"] for f in frames)
    attrs["dose_unit"] = next((f.attrs["dose_unit"] for f in frames if f.attrs["dose_unit"]), None)
    attrs["lloq"] = lloq if lloq is not None else _same([f.attrs["lloq"] for f in frames])
    out.attrs = attrs
    return out


def _same(values: list[float | None]) -> float | None:
    distinct = {v for v in values if v is not None}
    return distinct.pop() if len(distinct) == 1 else None
