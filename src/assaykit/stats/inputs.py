"""What :func:`~assaykit.stats.compare.compare_groups` takes from its table.

The endpoints analysed by default (the presets of each assay, else the numeric columns that are not
design information), the order of the groups, the endpoint columns checked and read as numbers, and the
table of animals without a value (:data:`~assaykit.stats.columns.MISSING_COLUMNS`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tables import closest_name
from assaykit.stats.columns import MISSING_COLUMNS

#: The main endpoints of each assay, analysed by default when their columns are present.
EPM_ENDPOINTS = (
    "open_time_pct",
    "open_entries_pct",
    "open_time_s",
    "open_entries",
    "total_entries",
    "latency_open_s",
    "distance_cm",
)
LDB_ENDPOINTS = ("light_time_s", "light_time_pct", "latency_light_s", "transitions", "distance_cm")
#: EPM posture endpoints (from pose keypoints), analysed by default when they hold values.
EPM_POSTURES = ("head_dips", "unprotected_head_dips", "stretched_attend_postures")

#: Columns that describe the animal rather than measure it: never taken as endpoints by default.
DESIGN_INFO = ("animal", "group", "compound", "sex", "cohort", "excluded", "reason", "exclusion_reason")


def default_endpoints(data: pd.DataFrame, *, group: str = "group") -> list[str]:
    """Choose the endpoints to analyse when none are named.

    The assay's main endpoints when the table is an EPM (:data:`EPM_ENDPOINTS`, then the posture
    endpoints :data:`EPM_POSTURES` that hold values) or light-dark box (:data:`LDB_ENDPOINTS`) endpoint
    table, in that order; otherwise every numeric column that is not
    design information (:data:`DESIGN_INFO`, the group column, a ``dose_...`` column).

    Parameters
    ----------
    data
        The table.
    group
        The group column.

    Returns
    -------
    list of str
        Column names.
    """
    columns = [str(c) for c in data.columns]
    for preset in (EPM_ENDPOINTS, LDB_ENDPOINTS):
        if any(c in columns for c in preset[:-1]):  # all but distance_cm, which both have
            postures = EPM_POSTURES if preset is EPM_ENDPOINTS else ()
            measured = [c for c in postures if c in columns and _has_numbers(data[c])]
            return [c for c in preset if c in columns] + measured
    skip = {*DESIGN_INFO, group}
    return [
        c
        for c in columns
        if c not in skip
        and not c.lower().startswith("dose")
        and data[c].dtype.kind in "iuf"
        and data[c].notna().any()
    ]


def group_order(
    data: pd.DataFrame,
    control: str,
    *,
    group: str = "group",
    dose: str | None = None,
    compound: str | None = None,
) -> list[str]:
    """Order the groups: the control first, then the others in their order of first appearance in ``data``.

    With a dose column, the others are sorted by dose (groups without a dose last), within each compound
    when a compound column is given (compounds in order of first appearance).

    Parameters
    ----------
    data
        One row per animal.
    control
        The control group.
    group, dose, compound
        Column names; ``dose`` and ``compound`` may be None.

    Returns
    -------
    list of str
        The group names.
    """
    order = [str(g) for g in pd.unique(data[group])]
    others = [g for g in order if g != control]
    if dose is not None:
        doses = data.groupby(group, sort=False)[dose].first()
        compounds = (
            data.groupby(group, sort=False)[compound].first().astype(str)
            if compound is not None
            else pd.Series("", index=doses.index)
        )
        rank = {c: i for i, c in enumerate(pd.unique(compounds[others]))} if others else {}

        def key(name: str) -> tuple[int, bool, float, int]:
            value = float(doses[name])
            return (
                rank[compounds[name]],
                math.isnan(value),
                0.0 if math.isnan(value) else value,
                order.index(name),
            )

        others.sort(key=key)
    return [control, *others]


def not_found(head: str, name: str, known: Sequence[str], noun: str = "columns") -> str:
    """Write a missing-name message: ``head``, the names there are, and the closest one.

    ``no column 'sx' for the factor (--factor); the columns are animal, group, sex; did you mean 'sex'?``

    Parameters
    ----------
    head
        What is missing, e.g. ``no endpoint column 'x'``.
    name
        The name that was asked for (its closest match among ``known`` is suggested).
    known
        The names there are.
    noun
        What they are called in the message (``columns``, ``groups``).

    Returns
    -------
    str
        The message, for an :class:`~assaykit.errors.AssayInputError`.
    """
    message = f"{head}; the {noun} are {', '.join(known)}"
    suggestion = closest_name(known, [name])
    if suggestion is not None:
        message += f"; did you mean '{suggestion[0]}'?"
    return message


def group_labels(column: pd.Series) -> pd.Series:
    """Return a group column as stripped text, empty where a cell is empty (no group)."""
    return column.map(lambda v: "" if pd.api.types.is_scalar(v) and pd.isna(v) else str(v).strip())


def numeric_endpoint(table: pd.DataFrame, column: str, source: object) -> pd.Series:
    """Read an endpoint column as numbers.

    Parameters
    ----------
    table
        One row per animal; an ``animal`` column, when present, names the animal of a bad value.
    column
        The endpoint column.
    source
        The file the table came from, for the error message (or None).

    Returns
    -------
    pandas.Series
        The column as float64, NaN where an animal has no value.

    Raises
    ------
    AssayInputError
        When the column is missing, is true/false, or has a value that is not a finite number.
    """
    if column not in table.columns:
        names = [str(c) for c in table.columns]
        raise AssayInputError(not_found(f"no endpoint column '{column}'", column, names), path=source)
    values = table[column]
    if values.dtype.kind == "b":
        raise AssayInputError("true/false values are not an endpoint to average", path=source, column=column)
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    text = values.astype(object).where(values.notna(), "")
    bad = numbers.isna() & text.map(lambda v: str(v).strip() != "")
    if bad.any() or np.isinf(numbers.to_numpy()).any():
        at = int(np.flatnonzero(bad.to_numpy() | np.isinf(numbers.to_numpy()))[0])
        animal = f" for animal '{table['animal'].iloc[at]}'" if "animal" in table.columns else ""
        raise AssayInputError(
            f"'{values.iloc[at]}'{animal} is not a finite number", path=source, column=column
        )
    return numbers


def missing_values(table: pd.DataFrame, endpoints: list[str], group: str) -> pd.DataFrame:
    """List the animals without a value for some endpoint.

    Parameters
    ----------
    table
        One row per animal, the endpoint columns already numeric; ``animal`` and ``flags`` columns, when
        present, name the animals and say why a value is absent.
    endpoints
        The endpoint columns.
    group
        The group column.

    Returns
    -------
    pandas.DataFrame
        One row per such animal (:data:`~assaykit.stats.columns.MISSING_COLUMNS`), with the reason from
        ``flags`` if any, else "no value".
    """
    values = table[endpoints].to_numpy(dtype=float)
    absent = np.isnan(values)
    rows = []
    animals = (
        table["animal"]
        if "animal" in table.columns
        else pd.Series(table.index.astype(str), index=table.index)
    )
    flags = table["flags"] if "flags" in table.columns else None
    for i in np.flatnonzero(absent.any(axis=1)):
        which = [e for e, gone in zip(endpoints, absent[i], strict=True) if gone]
        reason = "" if flags is None else str(flags.iloc[i] if pd.notna(flags.iloc[i]) else "")
        rows.append(
            {
                "animal": str(animals.iloc[i]),
                "group": str(table[group].iloc[i]),
                "excluded_by": "missing value",
                "endpoints": "all" if len(which) == len(endpoints) else "; ".join(which),
                "reason": reason or "no value",
            }
        )
    return pd.DataFrame(rows, columns=list(MISSING_COLUMNS))


def _has_numbers(column: pd.Series) -> bool:
    """Whether a column holds at least one number (blank cells may be read as text)."""
    return bool(pd.to_numeric(column, errors="coerce").notna().any())
