"""Checks of a PK table that span rows: subjects, profiles, and units that look wrong.

- One subject is one animal: it belongs to one group and gets one dose by one route (a dose written on the
  first row only is filled in for the subject's other rows).
- A profile (one subject, one analyte) has its samples in time order, one per time.
- A profile without any measurable concentration is warned about (the NCA reports it as not analysed).
- Units: times in a ``time_h`` column that read like minutes, or the reverse, and concentrations beyond what
  any drug reaches in plasma or any assay quantifies, are warned about. Only such clear cases: a factor of
  1000 inside the plausible range (ng/mL written as ug/mL for a potent drug) cannot be told from the data.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.pk.columns import CONC_SCALE, PKColumns, normal_name

#: Largest plausible plasma concentration: 1 g/L (mass units) or 10 mM (molar units).
MAX_PLAUSIBLE = {"mass": 1.0, "molar": 1e-2}
#: Smallest plausible largest concentration of a file: 1 pg/L (mass) or 1 fM (molar).
MIN_PLAUSIBLE = {"mass": 1e-12, "molar": 1e-15}
#: A ``time_h`` column reaching this many hours, every time a whole multiple of 5, reads like minutes.
MINUTES_LIKE_HOURS = 200.0


def _rows(lines: pd.Series | np.ndarray, limit: int = 6) -> str:
    values = [str(int(v)) for v in lines]
    return ", ".join(values[:limit]) + (", ..." if len(values) > limit else "")


def _one_per_subject(
    out: pd.DataFrame, name: str, column: str, path: str | Path, what: str, hint: str
) -> None:
    """Require one value of ``name`` per subject (missing ones ignored), then fill the missing ones in."""
    missing = out[name].isna() if out[name].dtype.kind == "f" else out[name] == ""
    given = out[~missing]
    if given.empty:
        return
    firsts = given.groupby("subject", sort=False)[name].first()
    differs = given[given[name].to_numpy() != firsts.reindex(given["subject"]).to_numpy()]
    if not differs.empty:
        bad = differs.iloc[0]
        first = given[given["subject"] == bad["subject"]].iloc[0]
        shown = [f"{v:g}" if isinstance(v, float) else f"'{v}'" for v in (first[name], bad[name])]
        raise AssayInputError(
            f"the {what} differs within subject '{bad['subject']}' ({shown[0]} at row {first['source_row']}, "
            f"{shown[1]} here); {hint.format(subject=bad['subject'], value=bad[name])}",
            path=path,
            row=int(bad["source_row"]),
            column=column,
        )
    if missing.any():
        filled = firsts.reindex(out.loc[missing, "subject"]).to_numpy()
        if out[name].dtype.kind != "f":
            filled = pd.Series(filled).fillna("").astype(str).to_numpy()
        out.loc[missing, name] = filled


def check_subjects(out: pd.DataFrame, path: str | Path, found: PKColumns) -> None:
    """Check that each subject has one group, one dose and one route; fill in cells left empty."""
    if found.group is not None:
        hint = "give each animal its own id (e.g. '{value}-{subject}')"
        _one_per_subject(out, "group", found.group, path, "group", hint)
    if found.dose is not None:
        _one_per_subject(out, "dose", found.dose, path, "dose", "give each subject one dose")
    if found.route is not None:
        _one_per_subject(out, "route", found.route, path, "route", "give each subject one route")


def check_profiles(out: pd.DataFrame, path: str | Path, found: PKColumns, *, stacklevel: int) -> None:
    """Require each profile's times in order, one sample per time; warn about profiles with no value."""
    unit = normal_name(found.time).split("_", 1)[1]
    keys = ["subject", "analyte"]
    previous = out.groupby(keys, sort=False)["time_h"].shift()
    step = out["time_h"] - previous
    bad = np.flatnonzero((step <= 0).to_numpy())
    if len(bad):
        i = int(bad[0])
        here = out.iloc[i]
        same = out[(out["subject"] == here["subject"]) & (out["analyte"] == here["analyte"])]
        before = same[same["source_row"] < here["source_row"]].iloc[-1]
        t_here, t_before = (float(v) / found.hours_per_unit for v in (here["time_h"], before["time_h"]))
        who = f"subject '{here['subject']}'" + (f", analyte '{here['analyte']}'" if found.analyte else "")
        if step.iloc[i] == 0:
            message = (
                f"{who} has two samples at {t_here:g} {unit} (rows {before['source_row']} and "
                f"{here['source_row']}); one sample per time (average replicates, or give them their own "
                "analyte or subject)"
            )
        else:
            message = (
                f"{who}: time {t_here:g} {unit} comes after {t_before:g} {unit} "
                f"(row {before['source_row']}); sort each subject's samples by time"
            )
        raise AssayInputError(message, path=path, row=int(here["source_row"]), column=found.time)
    measurable = out["conc"].gt(0) & ~out["blq"]
    has_value = measurable.groupby([out["subject"], out["analyte"]], sort=False).any()
    empty = [k for k, v in has_value.items() if not v]
    if empty:
        listed = ", ".join(f"'{s}'" + (f" ({a})" if found.analyte else "") for s, a in empty[:10])
        more = f" and {len(empty) - 10} more" if len(empty) > 10 else ""
        warnings.warn(
            f"{path}: {len(empty)} profile{'s have' if len(empty) > 1 else ' has'} no measurable "
            f"concentration (every sample BLQ, zero or missing): {listed}{more}; the NCA reports "
            f"{'them' if len(empty) > 1 else 'it'} as not analysed",
            UserWarning,
            stacklevel=stacklevel,
        )


def warn_implausible(
    out: pd.DataFrame, times: np.ndarray, path: str | Path, found: PKColumns, *, stacklevel: int
) -> None:
    """Warn about times and concentrations that look as if the unit in the column name were wrong.

    Parameters
    ----------
    out
        The PK frame.
    times
        The times as written, in the unit of the time column.
    path, found
        The file and its columns, for messages.
    stacklevel
        Of the warnings.
    """
    positive = times[times > 0]
    if len(positive):
        last = float(times.max())
        whole = bool(np.all(positive % 5 == 0))
        if found.hours_per_unit == 1.0 and last >= MINUTES_LIKE_HOURS and whole:
            warnings.warn(
                f"{path}: column '{found.time}' runs to {last:g} h ({last / 24:.3g} days) and every time is "
                "a multiple of 5, as minutes are; if the times are minutes, name the column time_min",
                UserWarning,
                stacklevel=stacklevel,
            )
        fractional = bool(np.any((positive % 1 != 0) & (positive < 1)))
        if abs(found.hours_per_unit - 1 / 60) < 1e-12 and last <= 72 and fractional:
            warnings.warn(
                f"{path}: column '{found.time}' holds fractions of a minute ({positive.min():g} min) and "
                f"ends at {last:g} min; if the times are hours, name the column time_h",
                UserWarning,
                stacklevel=stacklevel,
            )
    conc = out["conc"].to_numpy()
    conc = conc[np.isfinite(conc) & (conc > 0)]
    if not len(conc):
        return
    unit = found.conc_unit
    kind = "molar" if unit.endswith("M") else "mass"
    base = "mol/L" if kind == "molar" else "g/L"
    top = float(conc.max())
    scaled = top * CONC_SCALE[unit]
    if scaled > MAX_PLAUSIBLE[kind]:
        warnings.warn(
            f"{path}: the largest concentration, {top:g} {unit} = {scaled:.3g} {base}, is more than any drug "
            f"reaches in plasma; is the unit in '{found.conc}' right?",
            UserWarning,
            stacklevel=stacklevel,
        )
    elif scaled < MIN_PLAUSIBLE[kind]:
        warnings.warn(
            f"{path}: the largest concentration, {top:g} {unit} = {scaled:.3g} {base}, is below what any "
            f"assay quantifies; is the unit in '{found.conc}' right?",
            UserWarning,
            stacklevel=stacklevel,
        )
