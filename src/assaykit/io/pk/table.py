"""Check a PK table (cells as read, one row per sample) and build the canonical PK frame.

Every cell is read and checked here; the checks that span rows (times in order within a profile, one dose
and one route per subject, plausible units) are in :mod:`assaykit.io.pk.checks`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.input_files import with_hint
from assaykit.io.number_cells import cell_hint
from assaykit.io.pk.checks import check_profiles, check_subjects, warn_implausible
from assaykit.io.pk.columns import ROUTES, PKColumns, pk_columns
from assaykit.io.row_problems import RowProblems

#: The columns of the canonical PK frame, in order (``compound`` follows ``group`` when the file has one).
PK_COLUMNS = ("subject", "analyte", "group", "time_h", "conc", "blq", "dose", "route", "source_row")

#: Cells (lower case) that mean "below the limit of quantification" (or not detected).
BLQ_MARKERS = frozenset(
    {"blq", "bql", "bloq", "<lloq", "<loq", "< lloq", "< loq", "lloq", "<lod", "nd", "n.d.", "nq", "n.q.",
     "not detected", "below lloq"}
)  # fmt: skip
#: Cells (lower case) that mean "no sample" (missing, not BLQ).
MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "."})

_LESS_THAN = re.compile(r"^<\s*(?P<value>[0-9.,eE+-]+)$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
_ROUTE_TEXT = "oral/po, ip, sc, im (extravascular), iv (iv bolus) or infusion (iv infusion)"


def cell(value: Any) -> str:
    """Return one cell as stripped text: empty for None/NaN, ``2`` for the float 2.0."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value))
    return str(value).strip()


def number(text: str, decimal_comma: bool) -> float:
    """Parse a number cell (a decimal comma in semicolon files); ValueError when it is not one."""
    if decimal_comma and _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _conc_cell(text: str, decimal_comma: bool) -> tuple[float, bool, float | None]:
    """Read a concentration cell: (value, blq, LLOQ stated in a ``<0.5`` cell); ValueError if unreadable."""
    lowered = text.lower()
    if lowered in MISSING_MARKERS:
        return math.nan, False, None
    if lowered in BLQ_MARKERS:
        return math.nan, True, None
    less = _LESS_THAN.match(text)
    if less is not None:
        return math.nan, True, number(less["value"], decimal_comma)
    return number(text, decimal_comma), False, None


def from_table(table: pd.DataFrame, path: str | Path, *, lloq: float | None, stacklevel: int) -> pd.DataFrame:
    """Check every sample of a table (one row per sample, ``source_row`` index) and build the PK frame."""
    columns = [str(c) for c in table.columns]
    try:
        found = pk_columns(columns, path)
    except AssayInputError as exc:  # a file for another command? (a PK table may have a compound column)
        lowered = [c.strip().lower() for c in columns]
        if any(c.startswith("time") for c in lowered) and any(c.startswith("conc") for c in lowered):
            raise
        raise with_hint(exc, columns, "pk") from None
    return _build(table, found, path, lloq=lloq, stacklevel=stacklevel + 1)


def _build(
    table: pd.DataFrame, found: PKColumns, path: str | Path, *, lloq: float | None, stacklevel: int
) -> pd.DataFrame:
    decimal_comma = table.attrs.get("delimiter") == ";"
    problems = RowProblems(path)
    rows: list[tuple[Any, ...]] = []
    stated: set[float] = set()
    for line, record in zip(table.index, table.to_dict("records"), strict=True):
        line = int(line)
        subject = cell(record[found.subject])
        if not subject:
            problems.add(line, "empty subject; every sample needs its animal", found.subject)
            continue
        time_text = cell(record[found.time])
        try:
            time = number(time_text, decimal_comma)
        except ValueError:
            what = "empty time" if not time_text else f"'{time_text}' is not a time"
            problems.add(line, f"{what}; every sample needs its time after the dose", found.time)
            continue
        if time < 0:
            problems.add(
                line,
                f"negative time {time_text}; times count from the dose (a pre-dose sample is at time 0)",
                found.time,
            )
            continue
        conc_text = cell(record[found.conc])
        try:
            conc, blq, limit = _conc_cell(conc_text, decimal_comma)
        except ValueError:
            markers = "BLQ, <LLOQ, <0.5 or ND"
            problems.add(
                line,
                f"'{conc_text}' is not a concentration; expected a number, a BLQ marker ({markers}) or an "
                f"empty cell for a missing sample{cell_hint(conc_text, concentration=True)}",
                found.conc,
            )
            continue
        if conc < 0:
            problems.add(line, f"negative concentration {conc_text}; concentrations are >= 0", found.conc)
            continue
        if limit is not None:
            stated.add(limit)
        if lloq is not None and conc < lloq:
            conc, blq = math.nan, True
        dose = math.nan
        if found.dose is not None:
            dose_text = cell(record[found.dose])
            if dose_text:
                try:
                    dose = number(dose_text, decimal_comma)
                except ValueError:
                    problems.add(line, f"'{dose_text}' is not a dose", found.dose)
                    continue
                if dose < 0:
                    problems.add(line, f"negative dose {dose_text}", found.dose)
                    continue
        route = ""
        if found.route is not None:
            route_text = cell(record[found.route])
            route = ROUTES.get(" ".join(route_text.lower().split()), "") if route_text else ""
            if route_text and not route:
                problems.add(line, f"unknown route '{route_text}'; expected {_ROUTE_TEXT}", found.route)
                continue
        rows.append(
            (
                subject,
                (cell(record[found.analyte]) if found.analyte else "") or "parent",
                cell(record[found.group]) if found.group else "",
                cell(record[found.compound]) if found.compound else "",
                time * found.hours_per_unit,
                conc,
                blq,
                dose,
                route,
                line,
            )
        )
    problems.raise_first()
    names = ["subject", "analyte", "group", "compound", *PK_COLUMNS[3:]]
    out = pd.DataFrame(rows, columns=names).astype(
        {"subject": str, "analyte": str, "group": str, "compound": str, "time_h": float, "conc": float,
         "blq": bool, "dose": float, "route": str, "source_row": "int64"}
    )  # fmt: skip
    if found.compound is None:
        out = out.drop(columns="compound")
    times_as_written = out["time_h"].to_numpy() / found.hours_per_unit
    check_subjects(out, path, found)
    check_profiles(out, path, found, stacklevel=stacklevel + 1)
    warn_implausible(out, times_as_written, path, found, stacklevel=stacklevel + 1)
    out.attrs = {
        "source": str(path),
        "conc_unit": found.conc_unit,
        "dose_unit": found.dose_unit,
        "time_column": found.time,
        "conc_column": found.conc,
        "lloq": lloq if lloq is not None else (next(iter(stated)) if len(stated) == 1 else None),
    }
    return out
