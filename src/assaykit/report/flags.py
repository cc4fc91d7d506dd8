"""The flags of a results table, one per curve or animal and code, each explained in words.

A ``flags`` cell holds codes joined by ``;`` (``ambiguous; ic50_outside_range``), some with a reason after
a colon (``not_fitted: fewer than 3 concentrations``). The meanings come from the protocols' own flag
tables (:func:`assaykit.methods.explain_flags` with each protocol's ``FLAG_MEANINGS``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from assaykit.report.document import Flag

__all__ = ["flag_meanings", "table_flags"]

#: The module holding each kind of section's ``FLAG_MEANINGS`` (code -> one plain sentence).
_MEANINGS = {
    "binding": "assaykit.binding.flags",
    "saturation": "assaykit.saturation.flags",
    "epm": "assaykit.epm.endpoints",
    "ldb": "assaykit.ldb.endpoints",
    "compare": "assaykit.stats.comparison_rows",
    "pk": "assaykit.pk.flags",
}


def flag_meanings(kind: str) -> Mapping[str, str]:
    """Return the flag meanings of a kind of section (``binding``, ``saturation``, ``epm``, ``ldb``, ...).

    Parameters
    ----------
    kind
        A key of the section kinds.

    Returns
    -------
    Mapping
        The protocol's ``FLAG_MEANINGS``.
    """
    import importlib

    return importlib.import_module(_MEANINGS[kind]).FLAG_MEANINGS


def table_flags(
    flags: pd.Series | Sequence[object],
    subjects: Sequence[str],
    meanings: Mapping[str, str],
) -> list[Flag]:
    """Return every flag of a table's ``flags`` column, in row order, explained.

    Parameters
    ----------
    flags
        The column (empty or NaN for a row without flags).
    subjects
        What each row is (``"diazepam (plate 1)"``, ``"rat 07"``), the same length.
    meanings
        The protocol's flag meanings, by code.

    Returns
    -------
    list of Flag
    """
    from assaykit.methods import explain_flags

    found = []
    for cell, subject in zip(list(flags), subjects, strict=True):
        if cell is None or (isinstance(cell, float) and cell != cell) or not str(cell).strip():
            continue
        for code, meaning in explain_flags(str(cell), meanings):
            found.append(Flag(subject=str(subject), code=code, meaning=meaning))
    return found
