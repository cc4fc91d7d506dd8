"""A CONSORT-style flow table: randomised, treated, completed, discontinued by reason and analysed per arm.

Definitions (Schulz KF, Altman DG, Moher D (2010) CONSORT 2010 statement. BMJ 340:c332, item 13 and the
flow diagram):

* randomised: patients with ``randomised`` true (others, e.g. screening failures, are not counted);
* treated: randomised patients who took at least one dose (``treated``);
* completed: treated patients who finished the double-blind treatment period (``completed``);
* discontinued: treated patients who did not complete, by ``discontinued_reason`` ("not recorded" when
  blank); randomised patients who were never treated are a row of their own;
* analysed (modified intention to treat, mITT): treated patients with a baseline HAM-A total and at
  least one HAM-A total after baseline. Patients are analysed in the arm they were randomised to. The
  missing visits of analysed patients are not imputed: the mixed model for repeated measures uses every
  observed visit under missing at random, and no last observation is carried forward.
"""

from __future__ import annotations

import pandas as pd

from assaykit.errors import AssayInputError

__all__ = ["analysed_patients", "consort_table"]

_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}


def _flags(patients: pd.DataFrame, column: str) -> pd.Series:
    def parse(value: object, patient: object) -> bool:
        if isinstance(value, bool):
            return value
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return False
        text = str(value).strip().lower()
        if text in _TRUE or text in ("1.0",):
            return True
        if text in _FALSE or text in ("0.0",):
            return False
        raise AssayInputError(f"patient {patient}: {value!r} is not yes/no", column=column)

    return pd.Series(
        [parse(v, p) for v, p in zip(patients[column], patients["patient"], strict=True)],
        index=patients.index,
        dtype=bool,
    )


def analysed_patients(
    visits: pd.DataFrame, *, baseline_visit: object = "baseline", score: str = "hama_total"
) -> set[str]:
    """Patients with a baseline score and at least one score after baseline (the mITT's data condition).

    Parameters
    ----------
    visits
        Long table with ``patient``, ``visit`` and the score column.
    baseline_visit
        The baseline visit's label.
    score
        The score column (a visit with a missing score does not count).

    Returns
    -------
    set of str
        The patients (as strings).
    """
    for column in ("patient", "visit", score):
        if column not in visits.columns:
            raise AssayInputError(f"no column '{column}' in the visits table", column=column)
    scored = visits[pd.to_numeric(visits[score], errors="coerce").notna()]
    at_baseline = set(scored.loc[scored["visit"] == baseline_visit, "patient"].astype(str))
    later = set(scored.loc[scored["visit"] != baseline_visit, "patient"].astype(str))
    return at_baseline & later


def consort_table(
    patients: pd.DataFrame,
    visits: pd.DataFrame | None = None,
    *,
    baseline_visit: object = "baseline",
    score: str = "hama_total",
) -> pd.DataFrame:
    """Patient flow per arm, as in a CONSORT diagram (definitions in the module's docstring).

    Parameters
    ----------
    patients
        One row per patient: ``patient``, ``arm``, ``randomised``, ``treated``, ``completed`` (yes/no)
        and ``discontinued_reason`` (blank when completed).
    visits
        The long visits table, to find the analysed (mITT) patients; without it ``patients`` must have
        an ``analysed`` yes/no column.
    baseline_visit, score
        The baseline visit and the score column of ``visits``.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per stage and arm, arms in order of appearance then ``"total"``: ``stage``
        (``randomised``, ``treated``, ``not treated``, ``completed``, ``discontinued``,
        ``discontinued: <reason>`` one per reason, ``analysed (mITT)``), ``arm``, ``n`` and
        ``percent`` (of the arm's randomised patients).

    Raises
    ------
    AssayInputError
        A column is missing, a patient appears twice, a flag is not yes/no, or the flags contradict
        each other (treated but not randomised, completed but not treated, completed with a reason for
        discontinuing).
    """
    needed = ["patient", "arm", "randomised", "treated", "completed", "discontinued_reason"]
    if visits is None:
        needed.append("analysed")
    for column in needed:
        if column not in patients.columns:
            hint = " (or give the visits table)" if column == "analysed" else ""
            raise AssayInputError(f"no column '{column}' in the patients table{hint}", column=column)
    dup = patients["patient"].astype(str).duplicated()
    if dup.any():
        raise AssayInputError(f"patient {patients['patient'][dup].iloc[0]} appears twice", column="patient")
    frame = pd.DataFrame({"patient": patients["patient"].astype(str), "arm": patients["arm"]})
    for column in ("randomised", "treated", "completed"):
        frame[column] = _flags(patients, column)
    reason = patients["discontinued_reason"].astype("string").str.strip()
    frame["reason"] = reason.where(reason.notna() & (reason != ""), pd.NA)
    for patient, row in frame.set_index("patient").iterrows():
        if row["treated"] and not row["randomised"]:
            raise AssayInputError(f"patient {patient}: treated but not randomised", column="treated")
        if row["completed"] and not row["treated"]:
            raise AssayInputError(f"patient {patient}: completed but not treated", column="completed")
        if row["completed"] and pd.notna(row["reason"]):
            raise AssayInputError(
                f"patient {patient}: completed, yet discontinued ({row['reason']})",
                column="discontinued_reason",
            )
        if row["randomised"] and pd.isna(row["arm"]):
            raise AssayInputError(f"patient {patient}: randomised without an arm", column="arm")
    if visits is None:
        frame["analysed"] = _flags(patients, "analysed")
    else:
        frame["analysed"] = frame["patient"].isin(
            analysed_patients(visits, baseline_visit=baseline_visit, score=score)
        )
    frame["analysed"] &= frame["treated"]
    frame = frame[frame["randomised"]].assign(arm=lambda f: f["arm"].astype(str))
    stopped = frame["treated"] & ~frame["completed"]
    reasons = sorted(frame.loc[stopped, "reason"].fillna("not recorded").unique())
    arms = list(dict.fromkeys(frame["arm"]))
    rows = []
    for arm in [*arms, "total"]:
        group = frame if arm == "total" else frame[frame["arm"] == arm]
        n_random = len(group)
        stop = group["treated"] & ~group["completed"]
        counts = {
            "randomised": n_random,
            "treated": int(group["treated"].sum()),
            "not treated": int((~group["treated"]).sum()),
            "completed": int(group["completed"].sum()),
            "discontinued": int(stop.sum()),
        }
        why = group.loc[stop, "reason"].fillna("not recorded")
        counts |= {f"discontinued: {r}": int((why == r).sum()) for r in reasons}
        counts["analysed (mITT)"] = int(group["analysed"].sum())
        for stage, n in counts.items():
            percent = 100.0 * n / n_random if n_random else float("nan")
            rows.append({"stage": stage, "arm": arm, "n": n, "percent": percent})
    table = pd.DataFrame(rows, columns=["stage", "arm", "n", "percent"])
    table.attrs["not_randomised"] = int((~_flags(patients, "randomised")).sum())
    return table
