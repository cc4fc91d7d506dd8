"""Read a trial's case-report data: the visits table (scale scores) and the patients table (the flow).

The visits frame (:func:`read_visits`) has one row per patient and visit, in file order:

=================== ======= ===========================================================================
patient             str     the ``patient`` (or ``patient_id``, ``subject``) column
arm                 str     the ``arm`` (or ``treatment``) column, e.g. ``placebo``, ``diazepam``
visit               str/int the ``visit`` column as written (text), or the number of a ``visit_day`` or
                            ``visit_week`` column
hama_01 .. hama_14  float   HAM-A items 0-4 (NaN when not rated), when the file gives them
hama_total          float   the HAM-A total 0-56, when the file gives totals instead of items
pwc_01 .. pwc_20    float   PWC-20 items 0-3, when the file gives them (or a user's checklist's items)
source_row          int     1-based line (CSV/TSV, header = line 1) or sheet row (XLSX)
=================== ======= ===========================================================================

Visit order and baseline (``attrs["visits"]``, ``attrs["baseline_visit"]``):

* ``visit_day`` / ``visit_week``: the visits are the numbers, in increasing order; 0 is the baseline (negative
  days, e.g. a screening visit, come before it).
* ``visit`` (text): each patient's rows, in file order, give the order of that patient's visits; the orders
  of all patients are merged (a patient who missed week 1 does not move week 2 before it), ties broken by
  first appearance in the file. Patients whose rows disagree (week 2 above week 1 for one, below for another)
  are an error. The baseline is the visit labelled ``baseline`` (or ``0``, ``day 0``, ``week 0``, any case),
  else ``screening``; no visit but ``screening`` may come before it.

A cell ``""``, ``NA``, ``n/a``, ``.`` or ``ND`` is an item not rated. The items are not scored here (the
totals, subscales and the proration of partly missing visits are :func:`assaykit.trial.scales.score_hama`'s):
a file with both items and ``hama_total`` has its totals checked against the items' sum on complete visits
and dropped.

The patients frame (:func:`read_patients`): ``patient``, ``arm``, ``randomised``, ``treated``,
``completed`` (bool; cells yes/no, y/n, true/false, t/f, 1/0 in any case; an empty cell is an error),
``discontinued_reason`` (str, ``""`` when blank or when the column is absent), ``source_row``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.input_files import naming_other_sheets
from assaykit.io.tables import SOURCE_ROW, read_raw_table
from assaykit.io.text_files import table_suffix
from assaykit.io.trial.patients import read_patient_table
from assaykit.io.trial.visits import HAMA_ITEMS, HAMA_RANGE, PWC_ITEMS, PWC_RANGE, read_visit_table
from assaykit.io.xlsx_read import sheet_names

__all__ = [
    "HAMA_ITEMS",
    "HAMA_RANGE",
    "PWC_ITEMS",
    "PWC_RANGE",
    "check_trial",
    "read_patients",
    "read_trial",
    "read_visits",
]


def _named_sheet(path: Path, name: str) -> str | None:
    """Return a workbook's sheet called ``name`` (any case); None for a text file or no such sheet."""
    if table_suffix(path) != ".xlsx":
        return None
    return next((s for s in sheet_names(path) if s.strip().casefold() == name), None)


def _read(
    path: Path,
    sheet: str | int | None,
    build: Callable[[pd.DataFrame], pd.DataFrame],
    option: str = "--sheet",
) -> pd.DataFrame:
    with naming_other_sheets(path, sheet, option):
        return build(read_raw_table(path, sheet=sheet))


def read_visits(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    checklist: Mapping[str, tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """Read a trial's visits table (one row per patient and visit) into the visits frame.

    Parameters
    ----------
    path
        A ``.csv``, ``.tsv``/``.txt`` or ``.xlsx`` file with the columns of the module's table: a patient, an
        arm and a visit column, the HAM-A items ``hama_01`` .. ``hama_14`` or ``hama_total``, and optionally
        the PWC-20 items ``pwc_01`` .. ``pwc_20``. Other columns are ignored.
    sheet
        For ``.xlsx``: the sheet name or 0-based position; the first sheet when None.
    checklist
        A withdrawal checklist other than the PWC-20: item column -> (lowest, highest score), e.g.
        ``{item.name: (item.low, item.high) for item in spec.items}`` of a
        :func:`assaykit.trial.checklist.load_checklist` spec. All its columns must be present.

    Returns
    -------
    pandas.DataFrame
        The visits frame; ``attrs``: ``source``, ``visits`` (in order), ``baseline_visit``, ``visit_unit``
        (``"day"``, ``"week"`` or None), ``hama`` (``"items"`` or ``"total"``), ``checklist_items``.

    Raises
    ------
    AssayInputError
        One line naming the file, row and column: a missing patient, arm or visit column; no HAM-A items nor
        total; some but not all items of a scale; an empty patient, arm or visit cell; a score that is not a
        whole number in the item's range (``patient P07, visit week 2, item hama_05: 6 is out of range
        0-4``); a total out of 0-56 or different from its items' sum; a patient in two arms; a visit twice
        for one patient; no baseline visit; visits in contradicting orders.

    Examples
    --------
    >>> visits = read_visits("examples/trial/visits.csv")  # doctest: +SKIP
    >>> visits.attrs["visits"]  # doctest: +SKIP
    ['baseline', 'week 1', 'week 2', 'washout day 3', 'washout day 7']
    """
    path = Path(path)
    return _read(path, sheet, lambda table: read_visit_table(table, path, checklist=checklist))


def read_patients(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a trial's patients table (one row per patient) into the patients frame.

    Parameters
    ----------
    path
        A ``.csv``, ``.tsv``/``.txt`` or ``.xlsx`` file with ``patient``, ``arm``, ``randomised`` (or
        ``randomized``), ``treated``, ``completed`` and optionally ``discontinued_reason`` columns.
    sheet
        For ``.xlsx``: the sheet name or 0-based position; the first sheet when None.

    Returns
    -------
    pandas.DataFrame
        The patients frame (see the module's docstring).

    Raises
    ------
    AssayInputError
        A missing column; a patient listed twice; a yes/no cell that is neither (``'maybe'``, empty); a
        randomised patient without an arm; flags that contradict each other (treated but not randomised,
        completed but not treated, completed with a reason for discontinuing).
    """
    path = Path(path)
    return _read(path, sheet, lambda table: read_patient_table(table, path), "--patients-sheet")


def check_trial(visits: pd.DataFrame, patients: pd.DataFrame) -> None:
    """Check that a visits frame and a patients frame describe the same patients in the same arms.

    Raises
    ------
    AssayInputError
        A patient of the visits table is not in the patients table, or is in another arm there (the
        error names the visits file and row).

    Warns
    -----
    UserWarning
        Treated patients of the patients table without any row in the visits table.
    """
    arms = dict(zip(patients["patient"], patients["arm"], strict=True))
    source = visits.attrs.get("source")
    table = f" {patients.attrs['source']}" if patients.attrs.get("source") else ""
    for row in visits.drop_duplicates("patient").itertuples(index=False):
        row = row._asdict()
        where = {"path": source, "row": int(row[SOURCE_ROW]) if SOURCE_ROW in row else None}
        if row["patient"] not in arms:
            raise AssayInputError(
                f"patient {row['patient']} is not in the patients table{table}",
                column="patient",
                **where,
            )
        if arms[row["patient"]] != row["arm"]:
            raise AssayInputError(
                f"patient {row['patient']} is in arm {row['arm']} here but in {arms[row['patient']]} in the "
                "patients table",
                column="arm",
                **where,
            )
    missing = sorted(set(patients.loc[patients["treated"], "patient"]) - set(visits["patient"]))
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        warnings.warn(
            f"{len(missing)} treated patient(s) of the patients table have no visit: {shown}",
            UserWarning,
            stacklevel=2,
        )


def read_trial(
    visits_path: str | Path,
    patients_path: str | Path,
    *,
    sheet: str | int | None = None,
    patients_sheet: str | int | None = None,
    checklist: Mapping[str, tuple[int, int]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the visits and patients tables of a trial and check them against each other.

    Parameters
    ----------
    visits_path, patients_path
        The two files (see :func:`read_visits` and :func:`read_patients`).
    sheet
        For an ``.xlsx`` visits file: its sheet (name or 0-based position); when None, the sheet called
        ``visits`` if the workbook has one, else the first.
    patients_sheet
        The same for the patients file, whose default is the sheet called ``patients``, else the first: the
        two tables may be two sheets of one workbook.
    checklist
        As in :func:`read_visits`.

    Returns
    -------
    tuple of pandas.DataFrame
        The visits frame and the patients frame.

    Raises
    ------
    AssayInputError
        As :func:`read_visits`, :func:`read_patients` and :func:`check_trial`.
    """
    visits_path, patients_path = Path(visits_path), Path(patients_path)
    if sheet is None:
        sheet = _named_sheet(visits_path, "visits")
    if patients_sheet is None:
        patients_sheet = _named_sheet(patients_path, "patients")
    visits = read_visits(visits_path, sheet=sheet, checklist=checklist)
    patients = read_patients(patients_path, sheet=patients_sheet)
    check_trial(visits, patients)
    return visits, patients
