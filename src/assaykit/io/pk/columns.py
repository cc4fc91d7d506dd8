"""The columns of a PK table: which column is which, and the units their names carry.

A PK table states its units in its column names, as every assaykit table does: ``time_h`` or ``time_min``,
``conc_ng_mL`` or ``conc_nM``, ``dose_mg_kg``. This module reads those names (:func:`pk_columns`) and knows
the units (:data:`TIME_UNITS`, :data:`CONC_UNITS`, :data:`DOSE_UNITS`) and the routes (:data:`ROUTES`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assaykit.errors import AssayInputError
from assaykit.io.tables import find_column

#: Hours per unit of each time suffix (``time_<suffix>``, case-insensitive).
TIME_UNITS: dict[str, float] = {
    "h": 1.0,
    "hr": 1.0,
    "hrs": 1.0,
    "hour": 1.0,
    "hours": 1.0,
    "min": 1.0 / 60.0,
    "mins": 1.0 / 60.0,
    "minutes": 1.0 / 60.0,
    "s": 1.0 / 3600.0,
    "sec": 1.0 / 3600.0,
    "d": 24.0,
    "day": 24.0,
    "days": 24.0,
}

#: Concentration suffixes (``conc_<suffix>``) and the unit each stands for. Mass per volume is matched
#: ignoring case (``conc_ng_ml`` is ng/mL); molar units are case-sensitive (``mM`` is millimolar).
CONC_UNITS: dict[str, str] = {
    "pg_ml": "pg/mL",
    "ng_ml": "ng/mL",
    "ug_ml": "ug/mL",
    "mg_ml": "mg/mL",
    "ng_l": "ng/L",
    "ug_l": "ug/L",
    "mg_l": "mg/L",
    "g_l": "g/L",
    "pM": "pM",
    "nM": "nM",
    "uM": "uM",
    "µM": "uM",
    "mM": "mM",
    "pmol_l": "pM",
    "nmol_l": "nM",
    "umol_l": "uM",
}

#: Grams per litre of each mass concentration unit, mol per litre of each molar one (for plausibility).
CONC_SCALE: dict[str, float] = {
    "pg/mL": 1e-9,
    "ng/mL": 1e-6,
    "ug/mL": 1e-3,
    "mg/mL": 1.0,
    "ng/L": 1e-9,
    "ug/L": 1e-6,
    "mg/L": 1e-3,
    "g/L": 1.0,
    "pM": 1e-12,
    "nM": 1e-9,
    "uM": 1e-6,
    "mM": 1e-3,
}

#: Dose suffixes (``dose_<suffix>``, case-insensitive) and the unit each stands for.
DOSE_UNITS: dict[str, str] = {
    "mg_kg": "mg/kg",
    "ug_kg": "ug/kg",
    "ng_kg": "ng/kg",
    "g_kg": "g/kg",
    "mg": "mg",
    "ug": "ug",
    "ng": "ng",
    "nmol_kg": "nmol/kg",
    "umol_kg": "umol/kg",
    "mmol_kg": "mmol/kg",
    "nmol": "nmol",
    "umol": "umol",
}

#: Route as written (lower case) -> route of the canonical frame.
ROUTES: dict[str, str] = {
    **dict.fromkeys(
        ("extravascular", "ev", "oral", "po", "p.o.", "per os", "gavage", "ip", "i.p.", "intraperitoneal",
         "sc", "s.c.", "subcutaneous", "im", "i.m.", "intramuscular", "in", "intranasal", "sl",
         "sublingual", "rectal", "pr", "inhalation", "topical", "transdermal"),
        "extravascular",
    ),
    **dict.fromkeys(("iv", "i.v.", "iv bolus", "iv-bolus", "bolus", "intravenous", "intravenous bolus"),
                    "iv-bolus"),
    **dict.fromkeys(("infusion", "iv infusion", "iv-infusion", "intravenous infusion"), "iv-infusion"),
}  # fmt: skip

SUBJECT_COLUMNS = ("subject", "animal", "id", "animal_id", "subject_id")
GROUP_COLUMNS = ("group", "treatment")
ANALYTE_COLUMNS = ("analyte",)
COMPOUND_COLUMNS = ("compound",)
ROUTE_COLUMNS = ("route",)

_TIME = re.compile(r"(?i)^(?:time|t)(?:_(?P<unit>.*))?$")
_CONC = re.compile(r"(?i)^conc(?:entration)?(?:_(?P<unit>.*))?$")
_DOSE = re.compile(r"(?i)^dose(?:_(?P<unit>.*))?$")
_TIME_HINT = "name it time_h or time_min (time_d, time_s also work)"
_CONC_HINT = "name it conc_ng_mL, conc_ug_mL, conc_mg_L, conc_pg_mL, conc_nM, conc_uM or conc_pM"
_DOSE_HINT = "name it dose_mg_kg, dose_ug_kg, dose_nmol_kg, dose_mg or dose_nmol"


@dataclass(frozen=True)
class PKColumns:
    """Which column of a table holds what; None for an optional column the table does not have."""

    subject: str
    time: str
    hours_per_unit: float
    conc: str
    conc_unit: str
    dose: str | None
    dose_unit: str | None
    route: str | None
    group: str | None
    analyte: str | None
    compound: str | None


_BRACKETED = re.compile(r"^(?P<name>\w+?)[\s_]*[(\[]\s*(?P<unit>[^)\]]+?)\s*[)\]]$")


def normal_name(name: str) -> str:
    """Return a column name with a unit in brackets in the form of the others: ``Time (h)`` -> ``Time_h``.

    Examples
    --------
    >>> normal_name("Conc (ng/mL)"), normal_name("dose [mg/kg]"), normal_name("time_h")
    ('Conc_ng_mL', 'dose_mg_kg', 'time_h')
    """
    name = name.strip()
    found = _BRACKETED.match(name)
    if found is None:
        return name
    unit = re.sub(r"[\s/]+", "_", found["unit"]).replace("µ", "u").replace("μ", "u")
    return f"{found['name']}_{unit}"


def conc_unit_of(suffix: str) -> str | None:
    """Return the unit (``"ng/mL"``, ``"nM"``) of a ``conc_<suffix>`` column, or None when unknown."""
    suffix = suffix.strip().replace("μ", "u").replace("µ", "u")
    if suffix in CONC_UNITS and not suffix.islower():  # molar: as written
        return CONC_UNITS[suffix]
    lowered = suffix.lower()
    return CONC_UNITS.get(lowered) if "_" in lowered else None


def _one(columns: list[str], pattern: re.Pattern[str], what: str, path: str | Path | None) -> str | None:
    found = [c for c in columns if pattern.match(normal_name(c))]
    if len(found) > 1:
        listed = " and ".join(f"'{c}'" for c in found)
        raise AssayInputError(f"two {what} columns ({listed}); keep one", path=path, column=found[1])
    return found[0] if found else None


def _conc_column(columns: list[str], path: str | Path | None) -> tuple[str, str]:
    found = [(c, _CONC.match(normal_name(c))) for c in columns]
    found = [(c, m) for c, m in found if m is not None]
    if not found:
        listed = ", ".join(f"'{c}'" for c in columns)
        raise AssayInputError(
            f"no concentration column; {_CONC_HINT} (the unit in the name); the columns are {listed}",
            path=path,
        )
    units = []
    for name, match in found:
        suffix = match["unit"]
        if not suffix:
            raise AssayInputError(
                f"the concentration column '{name}' has no unit; {_CONC_HINT}", path=path, column=name
            )
        unit = conc_unit_of(suffix)
        if unit is None:
            raise AssayInputError(
                f"unknown concentration unit '{suffix}'; {_CONC_HINT}", path=path, column=name
            )
        units.append(unit)
    if len(found) > 1:
        names = " and ".join(f"'{c}'" for c, _ in found)
        if len(set(units)) > 1:
            message = (
                f"mixed units: two concentration columns in different units ({names}); "
                "give every concentration in one unit, in one column"
            )
        else:
            message = f"two concentration columns ({names}); keep one"
        raise AssayInputError(message, path=path, column=found[1][0])
    return found[0][0], units[0]


def pk_columns(columns: list[str], path: str | Path | None) -> PKColumns:
    """Find the columns of a PK table from their names.

    Parameters
    ----------
    columns
        The column names as written.
    path
        The file, for messages.

    Returns
    -------
    PKColumns
        The columns found and the units their names state.

    Raises
    ------
    AssayInputError
        No subject, time or concentration column; a time, concentration or dose column without a unit or
        with an unknown one; two columns for one quantity (two concentration columns in different units
        are "mixed units").
    """
    subject = find_column(columns, SUBJECT_COLUMNS, path=path, what="subject (animal)")
    time = _one(columns, _TIME, "time", path)
    if time is None:
        listed = ", ".join(f"'{c}'" for c in columns)
        raise AssayInputError(f"no time column; {_TIME_HINT}; the columns are {listed}", path=path)
    time_unit = _TIME.match(normal_name(time))["unit"]  # type: ignore[index]
    if not time_unit:
        raise AssayInputError(f"the time column '{time}' has no unit; {_TIME_HINT}", path=path, column=time)
    if time_unit.lower() not in TIME_UNITS:
        raise AssayInputError(f"unknown time unit '{time_unit}'; {_TIME_HINT}", path=path, column=time)
    conc, conc_unit = _conc_column(columns, path)
    dose = _one(columns, _DOSE, "dose", path)
    dose_unit = None
    if dose is not None:
        suffix = _DOSE.match(normal_name(dose))["unit"]  # type: ignore[index]
        if not suffix:
            raise AssayInputError(
                f"the dose column '{dose}' has no unit; {_DOSE_HINT}", path=path, column=dose
            )
        dose_unit = DOSE_UNITS.get(suffix.lower())
        if dose_unit is None:
            raise AssayInputError(f"unknown dose unit '{suffix}'; {_DOSE_HINT}", path=path, column=dose)
    return PKColumns(
        subject=subject,
        time=time,
        hours_per_unit=TIME_UNITS[time_unit.lower()],
        conc=conc,
        conc_unit=conc_unit,
        dose=dose,
        dose_unit=dose_unit,
        route=find_column(columns, ROUTE_COLUMNS, path=path, required=False),
        group=find_column(columns, GROUP_COLUMNS, path=path, required=False, what="group"),
        analyte=find_column(columns, ANALYTE_COLUMNS, path=path, required=False),
        compound=find_column(columns, COMPOUND_COLUMNS, path=path, required=False),
    )
