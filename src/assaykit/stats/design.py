"""The study design: which group each animal is in, its dose, and which animals are left out and why.

A design is a table with one row per animal: ``animal``, ``group``, optionally a dose column named with
its unit (``dose_mg_kg``, ``dose_ug_kg``, ...), ``compound`` (which drug a dose is of, to keep a positive
control out of the test drug's dose-response trend), ``sex``, ``cohort``, ``excluded`` (true/false, yes/no,
1/0 or empty) and ``reason`` (or ``exclusion_reason``). It may be its own file (:func:`read_design`) or
columns of the endpoint table itself (:func:`design_from_table`). :func:`apply_design` joins it to the
endpoints, checking that the two name the same animals.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tables import SOURCE_ROW, closest_name, find_column, read_raw_table

#: Cell values of the ``excluded`` column, lower-cased, and what they mean.
EXCLUDED_VALUES = {
    "": False,
    "false": False,
    "no": False,
    "n": False,
    "0": False,
    "true": True,
    "yes": True,
    "y": True,
    "1": True,
}

#: Optional design columns besides the dose, in the order they are kept.
OPTIONAL_COLUMNS = ("compound", "sex", "cohort")

#: Columns of the exclusions table.
EXCLUSION_COLUMNS = ("animal", "group", "excluded_by", "endpoints", "reason")

#: How a dose column must be named: ``dose_`` and its unit.
DOSE_NAME = re.compile(r"^dose_[A-Za-z0-9µ/_.-]+$")

_REASON_NAMES = ("reason", "exclusion_reason")
_EXCLUDED_NAMES = ("excluded", "exclude")


def read_design(path: str | Path, *, group: str = "group") -> pd.DataFrame:
    """Read a design file (CSV, TSV or XLSX; the first sheet): one row per animal.

    Parameters
    ----------
    path
        The file.
    group
        The name of the group column.

    Returns
    -------
    pandas.DataFrame
        See :func:`design_from_table`.

    Raises
    ------
    AssayInputError
        As :func:`assaykit.io.tables.read_raw_table` and :func:`design_from_table`.

    Examples
    --------
    >>> design = read_design("examples/design/study_design.csv")  # doctest: +SKIP
    >>> design.attrs["dose_column"]  # doctest: +SKIP
    'dose_mg_kg'
    """
    return design_from_table(read_raw_table(path), path=path, group=group)


def design_from_table(
    table: pd.DataFrame, *, path: str | Path | None = None, group: str = "group"
) -> pd.DataFrame:
    """Take the design out of a table of text cells (a design file, or an endpoint table with a group).

    Column names are matched ignoring case and surrounding spaces.

    Parameters
    ----------
    table
        Cells as text, e.g. from :func:`assaykit.io.tables.read_raw_table` (whose ``source_row`` index
        lets messages name the row). It needs ``animal`` and ``group`` columns.
    path
        The file, for messages; ``table.attrs["source"]`` when None.
    group
        The name of the group column.

    Returns
    -------
    pandas.DataFrame
        One row per animal, in the table's order: ``animal``, ``group``, the dose column (float, NaN when
        empty) if there is one, ``compound``, ``sex``, ``cohort`` when present (text), ``excluded`` (bool)
        and ``reason`` (text, empty when none). ``attrs`` holds ``source`` and ``dose_column`` (None when
        there is none). Without an ``excluded`` column, an animal with a reason is excluded.

    Raises
    ------
    AssayInputError
        For a missing ``animal`` or group column, an empty animal id, an animal listed twice, a group left
        empty for an animal that is not excluded, a dose column without a unit (``dose``) or two of them,
        a dose that is not a number or is negative, two doses (or compounds) within one group, an
        ``excluded`` cell that is not true/false/yes/no/1/0/empty, and a reason given for an animal marked
        as not excluded.
    """
    where = path if path is not None else table.attrs.get("source")
    columns = [str(c) for c in table.columns]
    animal_col = find_column(columns, ("animal",), path=where, what="animal")
    group_col = find_column(columns, (group,), path=where, what="group")
    dose_col = _dose_column(columns, where)
    optional = {name: find_column(columns, (name,), path=where, required=False) for name in OPTIONAL_COLUMNS}
    excluded_col = find_column(columns, _EXCLUDED_NAMES, path=where, required=False, what="excluded")
    reason_col = find_column(columns, _REASON_NAMES, path=where, required=False, what="exclusion reason")
    lines = [int(i) for i in table.index] if table.index.name == SOURCE_ROW else [None] * len(table)

    def cells(column: str | None) -> list[str]:
        return [""] * len(table) if column is None else [_text(v) for v in table[column].tolist()]

    animals, groups, reasons = cells(animal_col), cells(group_col), cells(reason_col)
    excluded = []
    for line, text, reason in zip(lines, cells(excluded_col), reasons, strict=True):
        if excluded_col is None:
            excluded.append(bool(reason))
            continue
        if text.lower() not in EXCLUDED_VALUES:
            raise AssayInputError(
                f"'{text}' is not a yes/no value; write true/false, yes/no, 1/0 or leave it empty",
                path=where,
                row=line,
                column=excluded_col,
            )
        excluded.append(EXCLUDED_VALUES[text.lower()])
        if reason and not excluded[-1]:
            raise AssayInputError(
                f"a reason ('{reason}') is given but the animal is not excluded; set {excluded_col} to yes "
                "or clear the reason",
                path=where,
                row=line,
                column=reason_col,
            )
    seen: dict[str, int | None] = {}
    for line, animal, name, out in zip(lines, animals, groups, excluded, strict=True):
        if not animal:
            raise AssayInputError("empty animal id", path=where, row=line, column=animal_col)
        if animal in seen:
            first = f" (also on row {seen[animal]})" if seen[animal] is not None else ""
            raise AssayInputError(
                f"animal '{animal}' is listed twice{first}; give each animal one row",
                path=where,
                row=line,
                column=animal_col,
            )
        seen[animal] = line
        if not name and not out:
            raise AssayInputError(
                f"animal '{animal}' has no group; give it one, or mark it excluded with a reason",
                path=where,
                row=line,
                column=group_col,
            )
    design = pd.DataFrame({"animal": animals, "group": groups})
    if dose_col is not None:
        design[dose_col] = _doses(cells(dose_col), lines, where, dose_col)
    for name, column in optional.items():
        if column is not None:
            design[name] = cells(column)
    design["excluded"] = np.array(excluded, dtype=bool)
    design["reason"] = reasons
    _check_groups(design, dose_col, where)
    design.attrs = {"source": None if where is None else str(where), "dose_column": dose_col}
    return design


def check_control(design: pd.DataFrame, control: str) -> None:
    """Check that ``control`` is a group of the design with at least one animal not excluded.

    Parameters
    ----------
    design
        From :func:`read_design` or :func:`design_from_table`.
    control
        The control group's name, exactly as written in the design.

    Raises
    ------
    AssayInputError
        When there is no such group (the message lists the groups and suggests a close name), or every
        animal of it is excluded.
    """
    where = design.attrs.get("source")
    kept = list(pd.unique(design.loc[~design["excluded"], "group"]))
    if control in kept:
        return
    if control in set(design["group"]):
        raise AssayInputError(f"every animal of the control group '{control}' is excluded", path=where)
    message = f"no group named '{control}' (the control); the groups are {_listing(kept)}"
    suggestion = closest_name(kept, [control])
    if suggestion is not None:
        message += f"; did you mean '{suggestion[0]}'?"
    raise AssayInputError(message, path=where)


def apply_design(
    endpoints: pd.DataFrame, design: pd.DataFrame, control: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join the design to the endpoint table: assign groups and doses, and set the excluded animals aside.

    Parameters
    ----------
    endpoints
        One row per animal with an ``animal`` column (ids are compared as text, ignoring surrounding
        spaces). A ``group`` column in it, if any, must agree with the design.
    design
        From :func:`read_design` or :func:`design_from_table`.
    control
        The control group.

    Returns
    -------
    data : pandas.DataFrame
        The animals not excluded: ``animal``, ``group``, the design's dose, ``compound``, ``sex`` and
        ``cohort`` columns when it has them, then the other columns of ``endpoints``. Rows are in the
        design's order of groups (the order of their first animal in the design), then in the endpoint
        table's order. ``attrs`` keeps ``endpoints.attrs`` and adds ``dose_column``.
    exclusions : pandas.DataFrame
        The animals the design excludes: ``animal, group, excluded_by`` (``"design"``), ``endpoints``
        (``"all"``) and ``reason`` (empty when the design gives none).

    Raises
    ------
    AssayInputError
        When an animal of the endpoints is not in the design, an animal of the design that is not excluded
        has no row in the endpoints (both list the animals), an animal has two rows in the endpoints, the
        endpoints' own group column disagrees with the design, or the control group does not exist or
        has no animal left (see :func:`check_control`).
    """
    source = endpoints.attrs.get("source")
    design_source = design.attrs.get("source")
    if "animal" not in endpoints.columns:
        raise AssayInputError("no 'animal' column in the endpoint table", path=source)
    ids = [_text(v) for v in endpoints["animal"].tolist()]
    duplicated = sorted(a for a, count in Counter(ids).items() if count > 1)
    if duplicated:
        raise AssayInputError(
            f"animal(s) with more than one row in the endpoints: {_listing(duplicated)}; give each animal "
            "one row",
            path=source,
        )
    known = set(design["animal"])
    unknown = [a for a in ids if a not in known]
    if unknown:
        raise AssayInputError(
            f"{len(unknown)} animal(s) of the endpoints are not in the design: {_listing(unknown)}; add a "
            "row for each (to leave one out, set excluded to yes and give a reason)",
            path=design_source,
        )
    present = set(ids)
    kept = design[~design["excluded"]]
    absent = [a for a in kept["animal"] if a not in present]
    if absent:
        raise AssayInputError(
            f"{len(absent)} animal(s) of the design have no row in the endpoints: {_listing(absent)}; if an "
            "animal was not tested, set excluded to yes and give the reason",
            path=design_source,
        )
    check_control(design, control)
    table = endpoints.copy()
    table["animal"] = ids
    by_animal = kept.set_index("animal")
    if "group" in table.columns:
        theirs = [_text(v) for v in table["group"].tolist()]
        clashes = [
            f"{a} ({g} vs {by_animal.at[a, 'group']})"
            for a, g in zip(ids, theirs, strict=True)
            if a in by_animal.index and g and g != by_animal.at[a, "group"]
        ]
        if clashes:
            raise AssayInputError(
                f"the endpoints' group column disagrees with the design for {_listing(clashes)}; keep one "
                "of them",
                path=source,
            )
    design_columns = [c for c in kept.columns if c not in ("animal", "excluded", "reason")]
    table = table[table["animal"].isin(by_animal.index)]
    rest = [c for c in table.columns if c != "animal" and c not in design_columns]
    data = pd.concat(
        [
            table[["animal"]].reset_index(drop=True),
            by_animal.loc[table["animal"], design_columns].reset_index(drop=True),
        ],
        axis=1,
    )
    data = pd.concat([data, table[rest].reset_index(drop=True)], axis=1)
    rank = {name: i for i, name in enumerate(pd.unique(kept["group"]))}
    data = data.iloc[np.argsort(data["group"].map(rank).to_numpy(), kind="stable")].reset_index(drop=True)
    data.attrs = dict(endpoints.attrs) | {"dose_column": design.attrs.get("dose_column")}
    dropped = design[design["excluded"]]
    exclusions = pd.DataFrame(
        {
            "animal": dropped["animal"].to_numpy(dtype=object),
            "group": dropped["group"].to_numpy(dtype=object),
            "excluded_by": "design",
            "endpoints": "all",
            "reason": dropped["reason"].to_numpy(dtype=object),
        },
        columns=list(EXCLUSION_COLUMNS),
    )
    return data, exclusions


def dose_unit(column: str | None) -> str:
    """Return the unit of a dose column for display: ``dose_mg_kg`` -> ``mg/kg``; empty for None."""
    if not column:
        return ""
    return column[len("dose_") :].replace("_", "/")


def _dose_column(columns: Iterable[str], where: str | Path | None) -> str | None:
    found = [c for c in columns if c.strip().lower().startswith("dose")]
    if not found:
        return None
    if len(found) > 1:
        raise AssayInputError(
            f"{len(found)} dose columns ({', '.join(found)}); keep one, named with its unit (dose_mg_kg)",
            path=where,
        )
    name = found[0]
    if not DOSE_NAME.match(name.strip()):
        raise AssayInputError(
            "a dose column needs its unit in the name: dose_mg_kg, dose_ug_kg, dose_mg ...",
            path=where,
            column=name,
        )
    return name


def _doses(texts: list[str], lines: list[int | None], where: str | Path | None, column: str) -> np.ndarray:
    values = np.full(len(texts), np.nan)
    for i, (text, line) in enumerate(zip(texts, lines, strict=True)):
        if not text:
            continue
        try:
            value = float(text)
        except ValueError:
            value = np.nan
        if not (np.isfinite(value) and value >= 0):
            raise AssayInputError(
                f"'{text}' is not a dose; expected a number >= 0 (or an empty cell)",
                path=where,
                row=line,
                column=column,
            )
        values[i] = value
    return values


def _check_groups(design: pd.DataFrame, dose_col: str | None, where: str | Path | None) -> None:
    """Within a group (animals not excluded), one dose and one compound."""
    kept = design[~design["excluded"]]
    for column in [c for c in (dose_col, "compound") if c is not None and c in kept.columns]:
        for name, values in kept.groupby("group", sort=False)[column]:
            distinct = pd.unique(values.fillna(-1.0) if values.dtype.kind == "f" else values)
            if len(distinct) > 1:
                shown = ", ".join(
                    "(empty)" if v in ("", -1.0) else f"{v:g}" if isinstance(v, float) else str(v)
                    for v in distinct
                )
                raise AssayInputError(
                    f"group '{name}' has more than one {column} ({shown}); a group is one treatment: split "
                    "it into groups, or correct the cells",
                    path=where,
                    column=column,
                )


def _text(value: object) -> str:
    """Return a cell as stripped text: empty for None/NaN/NA, ``3`` for a whole float (3.0, from JSON)."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _listing(names: list[str], limit: int = 20) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
