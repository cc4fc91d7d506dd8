"""Read the patients table of a trial: one row per patient, randomised, treated, completed or why not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assaykit.io.row_problems import RowProblems
from assaykit.io.tables import SOURCE_ROW, find_column
from assaykit.io.trial.visits import ARM_NAMES, PATIENT_NAMES

#: Yes/no cells (lower case). Anything else, an empty cell included, is an error.
TRUE_CELLS = frozenset({"yes", "y", "true", "t", "1", "1.0"})
FALSE_CELLS = frozenset({"no", "n", "false", "f", "0", "0.0"})
FLAGS = ("randomised", "treated", "completed")
_SPELLINGS = {"randomised": ("randomised", "randomized")}
REASON_NAMES = ("discontinued_reason", "discontinuation_reason", "reason")


def read_patient_table(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Check a raw patients table (cells as text, ``source_row`` index) and build the patients frame."""
    patient_col = find_column(table, PATIENT_NAMES, path=path, what="patient")
    arm_col = find_column(table, ARM_NAMES, path=path, what="arm", taken=[patient_col])
    taken = [patient_col, arm_col]
    flag_cols = {
        f: find_column(table, _SPELLINGS.get(f, (f,)), path=path, what=f, taken=taken) for f in FLAGS
    }
    reason_col = find_column(table, REASON_NAMES, path=path, required=False, what="discontinued_reason")
    problems = RowProblems(path)
    rows = []
    seen: dict[str, int] = {}
    for line, record in zip(table.index, table.to_dict("records"), strict=True):
        line = int(line)
        patient, arm = str(record[patient_col]).strip(), str(record[arm_col]).strip()
        if not patient:
            problems.add(line, "empty cell", patient_col)
            continue
        if patient in seen:
            problems.add(line, f"patient {patient} is listed twice (also row {seen[patient]})", patient_col)
            continue
        seen[patient] = line
        row: dict[str, object] = {"patient": patient, "arm": arm}
        for flag, column in flag_cols.items():
            text = str(record[column]).strip()
            lowered = text.lower()
            if lowered not in TRUE_CELLS | FALSE_CELLS:
                shown = f"'{text}'" if text else "an empty cell"
                problems.add(
                    line, f"patient {patient}: {shown} is not yes/no (yes, no, 1, 0, true, false)", column
                )
            row[flag] = lowered in TRUE_CELLS
        row["discontinued_reason"] = str(record[reason_col]).strip() if reason_col is not None else ""
        row[SOURCE_ROW] = line
        if row["randomised"] and not arm:
            problems.add(line, f"patient {patient}: randomised without an arm", arm_col)
        elif row["treated"] and not row["randomised"]:
            problems.add(line, f"patient {patient}: treated but not randomised", flag_cols["treated"])
        elif row["completed"] and not row["treated"]:
            problems.add(line, f"patient {patient}: completed but not treated", flag_cols["completed"])
        elif row["completed"] and row["discontinued_reason"]:
            problems.add(
                line,
                f"patient {patient}: completed, yet discontinued ({row['discontinued_reason']})",
                reason_col,
            )
        rows.append(row)
    problems.raise_first()
    out = pd.DataFrame(rows, columns=["patient", "arm", *FLAGS, "discontinued_reason", SOURCE_ROW])
    out = out.astype({"patient": str, "arm": str, **dict.fromkeys(FLAGS, bool), "discontinued_reason": str})
    out = out.astype({SOURCE_ROW: "int64"})
    out.attrs = {"source": str(path)}
    return out
