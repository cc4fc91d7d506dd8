"""Read the visits table of a trial: one row per patient and visit, with scale items or totals.

Cells are checked here, at the file's boundary, so that every error names the file, the row and the column.
The scales' scoring (totals, subscales, the proration of partly missing visits) is the trial protocol's
(:mod:`assaykit.trial.scales`, :mod:`assaykit.trial.checklist`): this layer may not import it, so the item
ranges of the two standard scales are restated here (:data:`HAMA_RANGE`, :data:`PWC_RANGE`; a test checks
that they agree with the protocol's).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.row_problems import RowProblems
from assaykit.io.tables import SOURCE_ROW, find_column

#: The HAM-A item columns and their range (14 items scored 0-4).
HAMA_ITEMS = tuple(f"hama_{i:02d}" for i in range(1, 15))
HAMA_RANGE = (0, 4)
#: The PWC-20 item columns and their range (20 items scored 0-3).
PWC_ITEMS = tuple(f"pwc_{i:02d}" for i in range(1, 21))
PWC_RANGE = (0, 3)
#: The HAM-A total, when the file gives totals rather than items.
HAMA_TOTAL = "hama_total"
HAMA_TOTAL_MAX = 56

PATIENT_NAMES = ("patient", "patient_id", "subject")
ARM_NAMES = ("arm", "treatment")
VISIT_NAMES = ("visit", "visit_day", "visit_week")
#: Text cells that mean "not rated".
MISSING = frozenset({"", "na", "n/a", "nan", ".", "nd"})
#: Text visit labels (lower case, spaces collapsed) that are the baseline; "screening" is the baseline only
#: when none of these is present.
BASELINE_LABELS = frozenset({"baseline", "0", "day 0", "week 0", "visit 0", "d0", "w0"})
_SPACES = re.compile(r"\s+")


def _label(text: str) -> str:
    return _SPACES.sub(" ", text.strip().lower())


def _item_columns(table: pd.DataFrame, names: tuple[str, ...], path: Path, what: str) -> dict[str, str]:
    """Map each item name to the file's column; {} when none is there; error when only some are."""
    found = {name: find_column(table, name, path=path, required=False) for name in names}
    absent = [name for name, column in found.items() if column is None]
    if len(absent) == len(names):
        return {}
    if absent:
        shown = ", ".join(absent[:5]) + (f" and {len(absent) - 5} more" if len(absent) > 5 else "")
        raise AssayInputError(
            f"the {what} item columns {shown} are missing (give all of them or none)", path=path
        )
    return {name: column for name, column in found.items() if column is not None}


def _score(text: str, low: int, high: int) -> tuple[float, str | None]:
    """Read an item cell: (value, None) or (NaN, problem); blank and NA are NaN without a problem."""
    if text.lower() in MISSING:
        return math.nan, None
    try:
        value = float(text)
    except ValueError:
        return math.nan, f"'{text}' is not a number"
    if not math.isfinite(value) or value != round(value):
        return math.nan, f"{text} is not a whole number"
    if not low <= value <= high:
        return math.nan, f"{int(value)} is out of range {low}-{high}"
    return value, None


def _total(text: str) -> tuple[float, str | None]:
    """Read a HAM-A total cell (a prorated total may be fractional)."""
    if text.lower() in MISSING:
        return math.nan, None
    try:
        value = float(text)
    except ValueError:
        return math.nan, f"'{text}' is not a number"
    if not 0 <= value <= HAMA_TOTAL_MAX:  # NaN and infinities fail too
        return math.nan, f"{text} is out of range 0-{HAMA_TOTAL_MAX}"
    return value, None


def read_visit_table(
    table: pd.DataFrame, path: Path, *, checklist: Mapping[str, tuple[int, int]] | None = None
) -> pd.DataFrame:
    """Check a raw visits table (cells as text, ``source_row`` index) and build the visits frame."""
    patient_col = find_column(table, PATIENT_NAMES, path=path, what="patient")
    arm_col = find_column(table, ARM_NAMES, path=path, what="arm", taken=[patient_col])
    visit_col = find_column(table, VISIT_NAMES, path=path, what="visit", taken=[patient_col, arm_col])
    unit = {"visit_day": "day", "visit_week": "week"}.get(visit_col.strip().lower())
    hama = _item_columns(table, HAMA_ITEMS, path, "HAM-A")
    total_col = find_column(table, HAMA_TOTAL, path=path, required=False)
    if not hama and total_col is None:
        raise AssayInputError(
            f"no HAM-A scores: give the item columns {HAMA_ITEMS[0]} .. {HAMA_ITEMS[-1]} or '{HAMA_TOTAL}'",
            path=path,
        )
    if checklist is None:
        pwc = _item_columns(table, PWC_ITEMS, path, "PWC-20")
        ranges = {name: HAMA_RANGE for name in hama} | {name: PWC_RANGE for name in pwc}
        items = {**hama, **pwc}
    else:
        own = _item_columns(table, tuple(checklist), path, "checklist")
        if not own:
            raise AssayInputError(
                f"no checklist item columns ({', '.join(list(checklist)[:3])}, ...)", path=path
            )
        ranges = {name: HAMA_RANGE for name in hama} | dict(checklist)
        items = {**hama, **own}
    problems = RowProblems(path)
    rows = []
    for line, record in zip(table.index, table.to_dict("records"), strict=True):
        patient, arm, visit_text = (str(record[c]).strip() for c in (patient_col, arm_col, visit_col))
        for value, column in ((patient, patient_col), (arm, arm_col), (visit_text, visit_col)):
            if not value:
                problems.add(int(line), "empty cell", column)
        if not (patient and arm and visit_text):
            continue
        visit: object = visit_text
        if unit is not None:
            try:
                number = float(visit_text)
            except ValueError:
                problems.add(int(line), f"'{visit_text}' is not a number of {unit}s", visit_col)
                continue
            visit = int(number) if number == round(number) else number
        where = f"patient {patient}, visit {visit}"
        row = {"patient": patient, "arm": arm, "visit": visit}
        for name, column in items.items():
            value, problem = _score(str(record[column]).strip(), *ranges[name])
            if problem is not None:
                problems.add(int(line), f"{where}, item {name}: {problem}", column)
            row[name] = value
        if total_col is not None:
            text = str(record[total_col]).strip()
            value, problem = _total(text)
            if problem is not None:
                problems.add(int(line), f"{where}, {HAMA_TOTAL}: {problem}", total_col)
            elif (
                hama
                and not math.isnan(value)
                and all(not math.isnan(row[n]) for n in HAMA_ITEMS)
                and value != sum(row[n] for n in HAMA_ITEMS)
            ):
                problems.add(
                    int(line), f"{where}: {HAMA_TOTAL} {text} is not the sum of the items", total_col
                )
            row[HAMA_TOTAL] = value
        row[SOURCE_ROW] = int(line)
        rows.append(row)
    problems.raise_first()
    names = ["patient", "arm", "visit", *items, *([HAMA_TOTAL] if total_col is not None else []), SOURCE_ROW]
    out = pd.DataFrame(rows, columns=names)
    if hama and total_col is not None:
        out = out.drop(columns=HAMA_TOTAL)  # the items are scored by the protocol; the total was checked
    _check_patients(out, path, arm_col, visit_col)
    order, baseline = visit_order(out, path, visit_col, numeric=unit is not None)
    out = out.astype({"patient": str, "arm": str, SOURCE_ROW: "int64"})
    out.attrs = {
        "source": str(path),
        "visits": order,
        "baseline_visit": baseline,
        "visit_unit": unit,
        "hama": "items" if hama else "total",
        "checklist_items": [n for n in items if n not in hama],
    }
    return out


def _check_patients(out: pd.DataFrame, path: Path, arm_col: str, visit_col: str) -> None:
    """Raise at the second row of a patient in two arms, or of a visit of a patient given twice."""
    first_arm = out.groupby("patient", sort=False)["arm"].transform("first")
    other = out[out["arm"] != first_arm]
    if len(other):
        row = other.iloc[0]
        raise AssayInputError(
            f"patient {row['patient']} is in two arms ({first_arm[other.index[0]]} and {row['arm']})",
            path=path,
            row=int(row[SOURCE_ROW]),
            column=arm_col,
        )
    twice = out[out.duplicated(["patient", "visit"])]
    if len(twice):
        row = twice.iloc[0]
        earlier = out[(out["patient"] == row["patient"]) & (out["visit"] == row["visit"])][SOURCE_ROW].iloc[0]
        raise AssayInputError(
            f"patient {row['patient']} has visit {row['visit']} twice (also row {earlier})",
            path=path,
            row=int(row[SOURCE_ROW]),
            column=visit_col,
        )


def visit_order(out: pd.DataFrame, path: Path, visit_col: str, *, numeric: bool) -> tuple[list, object]:
    """Return the visits in order and the baseline visit (the rule is in the package's docstring)."""
    if numeric:
        order = sorted(out["visit"].unique().tolist())
        if 0 not in order:
            raise AssayInputError(
                f"no baseline: the baseline visit is {visit_col} 0", path=path, column=visit_col
            )
        return order, 0
    # Each patient's rows, in file order, say which visit follows which; merge them (Kahn's algorithm, ties
    # broken by first appearance in the file) so that a patient who missed a visit does not reorder the rest.
    first = list(dict.fromkeys(out["visit"]))
    rank = {v: k for k, v in enumerate(first)}
    after: dict[object, set] = {v: set() for v in first}
    for _, visits in out.groupby("patient", sort=False)["visit"]:
        sequence = visits.tolist()
        for a, b in zip(sequence, sequence[1:], strict=False):
            after[a].add(b)
    before = {v: 0 for v in first}
    for a in first:
        for b in after[a]:
            before[b] += 1
    ready = [v for v in first if before[v] == 0]
    order = []
    while ready:
        ready.sort(key=rank.__getitem__)
        v = ready.pop(0)
        order.append(v)
        for b in after[v]:
            before[b] -= 1
            if before[b] == 0:
                ready.append(b)
    if len(order) < len(first):
        stuck = [v for v in first if v not in order]
        raise AssayInputError(
            f"the visits {stuck[0]} and {stuck[1]} come in different orders for different patients: list "
            "each patient's visits in time order, or use a visit_day or visit_week column",
            path=path,
            column=visit_col,
        )
    labels = {v: _label(v) for v in order}
    baseline = next((v for v in order if labels[v] in BASELINE_LABELS), None)
    if baseline is None:
        baseline = next((v for v in order if labels[v] == "screening"), None)
    if baseline is None:
        raise AssayInputError(
            "no baseline visit: name it 'baseline' (or use visit_day / visit_week with 0 at baseline)",
            path=path,
            column=visit_col,
        )
    early = [v for v in order[: order.index(baseline)] if labels[v] != "screening"]
    if early:
        raise AssayInputError(
            f"visit {early[0]} comes before the baseline ({baseline})", path=path, column=visit_col
        )
    return order, baseline
