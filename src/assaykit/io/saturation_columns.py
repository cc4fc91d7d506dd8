"""The columns of a saturation binding table: which names are accepted, and finding each one.

Used by :mod:`assaykit.io.saturation`, which re-exports the public constants.
"""

from __future__ import annotations

import re
from pathlib import Path

from assaykit.errors import AssayInputError
from assaykit.io.tables import closest_name
from assaykit.units import ACCEPTED_CONC_COLUMNS, ConcentrationUnit, parse_conc_column

#: Columns of the canonical saturation frame, in order (described in :mod:`assaykit.io.saturation`).
SATURATION_COLUMNS = ("dataset", "kind", "conc_nM", "signal", "replicate", "source_row")

#: Values accepted in the ``kind`` column (any case), and the kind each one means.
KIND_NAMES = {"total": "total", "nsb": "nsb", "ns": "nsb", "nonspecific": "nsb", "non-specific": "nsb"}

#: Accepted signal column names (any case); the name is the signal unit.
SIGNAL_COLUMNS = ("cpm", "dpm", "counts")

#: Accepted names of the column that says which data set (experiment) a tube belongs to (any case).
DATASET_COLUMNS = ("dataset", "set", "experiment", "plate")

#: A specific-binding column: ``specific`` or ``specific_<unit>``.
SPECIFIC = re.compile(r"(?i)^specific(?:_(?P<unit>\w+))?$")
#: The kinds, as messages list them.
KIND_TEXT = "total or nsb (also ns, nonspecific)"
#: The concentration column names a saturation file may use, as messages list them.
CONC_ACCEPTED = ACCEPTED_CONC_COLUMNS.replace(" or log_conc_M", "").replace(", conc_pM", " or conc_pM")


def conc_column(columns: list[str], path: str | Path) -> tuple[str, ConcentrationUnit]:
    """Find the one radioligand concentration column (linear, unit in the name)."""
    found: list[tuple[str, ConcentrationUnit]] = []
    for column in columns:
        stripped = column.strip()
        prefix = re.match(r"(?i)^(log_?)?conc_", stripped)
        if prefix:  # the prefix in any case (Conc_nM); the unit letters stay case-sensitive
            stripped = prefix.group(0).lower() + stripped[prefix.end() :]
        try:
            unit = parse_conc_column(stripped)
        except ValueError as exc:
            message = str(exc).replace(ACCEPTED_CONC_COLUMNS, CONC_ACCEPTED)
            if "log" in stripped.lower():
                message = log_message(column)
            raise AssayInputError(message, path=path, column=column) from None
        if unit is not None and unit.log:
            raise AssayInputError(log_message(column), path=path, column=column)
        if unit is not None:
            found.append((column, unit))
    if len(found) > 1:
        names = ", ".join(f"'{c}'" for c, _ in found)
        raise AssayInputError(f"{len(found)} concentration columns ({names}); keep exactly one", path=path)
    if not found:
        listing = ", ".join(f"'{c}'" for c in columns)
        message = (
            f"no radioligand concentration column; name it {CONC_ACCEPTED} (the unit is part of the name); "
            f"the columns are {listing}"
        )
        ignored = {*SIGNAL_COLUMNS, "kind", "replicate", *DATASET_COLUMNS, "specific"}
        near = closest_name(
            [c for c in columns if c.strip().lower() not in ignored],
            ["conc_M", "conc_mM", "conc_uM", "conc_nM", "conc_pM"],
        )
        if near is not None:
            message += f"; did you mean '{near[1]}' for '{near[0]}'?"
        raise AssayInputError(message, path=path)
    return found[0]


def log_message(column: str) -> str:
    """Say that saturation binding needs the concentration itself, not its log."""
    return (
        f"'{column}' is a log concentration, but saturation binding is fitted against the radioligand "
        f"concentration itself; give it as {CONC_ACCEPTED}"
    )


def specific_column(columns: list[str], path: str | Path) -> tuple[str, str]:
    """Find the ``specific``/``specific_<unit>`` column; return it and the unit ("" when none)."""
    found = [(c, m) for c in columns if (m := SPECIFIC.match(c.strip()))]
    if len(found) > 1:
        names = ", ".join(f"'{c}'" for c, _ in found)
        raise AssayInputError(f"{len(found)} specific-binding columns ({names}); keep one", path=path)
    if not found:
        listing = ", ".join(f"'{c}'" for c in columns)
        hint = ""
        if any(c.strip().lower() == "kind" for c in columns):
            hint = "; this file has a kind column: leave out --specific (specific=False) to fit total and nsb"
        raise AssayInputError(
            "no specific-binding column; with --specific (specific=True) the file needs a column named "
            f"'specific' or 'specific_<unit>' (e.g. specific_cpm); the columns are {listing}{hint}",
            path=path,
        )
    column, match = found[0]
    unit = match.group("unit") or ""
    return column, unit.lower() if unit.lower() in SIGNAL_COLUMNS else unit
