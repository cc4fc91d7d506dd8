"""Withdrawal checklists: the PWC-20 and user-defined checklists described in a small TOML file.

The Physician Withdrawal Checklist (PWC-20; Rickels K, Garcia-Espana F, Mandos LA, Case GW (2008)
Physician Withdrawal Checklist (PWC-20). J Clin Psychopharmacol 28:447-451) has 20 symptoms each rated
0 (not present) to 3 (severe); the total runs 0-60. Its item texts are the authors'; this package keeps only
the item numbers, as columns ``pwc_01`` .. ``pwc_20``.

Any other checklist is described by a TOML file of item names (the input columns), score ranges and
subscales, so that the analysis is not tied to one instrument::

    key = "cwc"                       # score columns: cwc_total, cwc_<subscale>
    title = "Clinic withdrawal checklist"
    range = [0, 3]                    # every item's range unless the item gives its own
    items = ["cwc_01", "cwc_02", { name = "cwc_03", range = [0, 4] }]

    [subscales]
    somatic = ["cwc_01", "cwc_03"]
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.trial.scales import Item, ScaleSpec, score_scale

__all__ = ["PWC20", "ChecklistSpec", "load_checklist", "score_checklist"]

#: A checklist is described like any other scale.
ChecklistSpec = ScaleSpec

#: The PWC-20: 20 items scored 0-3, columns ``pwc_01`` .. ``pwc_20``, total ``pwc_total`` (0-60).
PWC20 = ScaleSpec(key="pwc", title="PWC-20", items=tuple(Item(f"pwc_{i:02d}", 0, 3) for i in range(1, 21)))

_KEYS = {"key", "title", "range", "items", "subscales"}


def _range(value: object, where: str, path: Path) -> tuple[int, int]:
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and value[0] < value[1]
    )
    if not ok:
        raise AssayInputError(f"{where}: range must be two whole numbers [low, high], low < high", path=path)
    return value[0], value[1]


def load_checklist(path: str | Path) -> ChecklistSpec:
    """Read a checklist's description (item names, ranges, subscales) from a TOML file.

    Parameters
    ----------
    path
        The TOML file (see the module's docstring for its keys).

    Returns
    -------
    ChecklistSpec
        The checklist, for :func:`score_checklist` and the withdrawal analysis.

    Raises
    ------
    AssayInputError
        The file is missing or not TOML, a key is unknown or missing, an item name is repeated or not a
        valid column name, a range is not ``[low, high]`` of whole numbers, or a subscale names an item
        the checklist does not have.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssayInputError("no such checklist file", path=path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise AssayInputError(f"not a TOML file ({error})", path=path) from None
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise AssayInputError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})", path=path)
    key = data.get("key")
    if not isinstance(key, str) or not key.isidentifier():
        raise AssayInputError("'key' must be a short name of letters, digits and _ (e.g. 'pwc')", path=path)
    title = data.get("title", key)
    default = _range(data["range"], "'range'", path) if "range" in data else None
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise AssayInputError("'items' must be a list of item names", path=path)
    items: list[Item] = []
    for k, entry in enumerate(raw_items, start=1):
        name, bounds = entry, default
        if isinstance(entry, dict):
            extra = sorted(set(entry) - {"name", "range"})
            if extra:
                raise AssayInputError(f"item {k}: unknown key {extra[0]!r} (name, range)", path=path)
            name = entry.get("name")
            if "range" in entry:
                bounds = _range(entry["range"], f"item {name}", path)
        if not isinstance(name, str) or not name.isidentifier():
            raise AssayInputError(f"item {k}: {name!r} is not a valid column name", path=path)
        if bounds is None:
            raise AssayInputError(
                f"item {name}: no range (give 'range' for the checklist or the item)", path=path
            )
        if name in {item.name for item in items}:
            raise AssayInputError(f"item {name} is listed twice", path=path)
        items.append(Item(name, *bounds))
    names = {item.name for item in items}
    subscales = data.get("subscales", {})
    if not isinstance(subscales, dict):
        raise AssayInputError("'subscales' must be a table of name = [items]", path=path)
    for sub, members in subscales.items():
        if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
            raise AssayInputError(f"subscale {sub}: must be a list of item names", path=path)
        strangers = [m for m in members if m not in names]
        if strangers:
            raise AssayInputError(
                f"subscale {sub}: {strangers[0]} is not an item of the checklist", path=path
            )
        if sub == "total" or not sub.isidentifier():
            raise AssayInputError(f"subscale {sub!r}: not a valid name", path=path)
    return ScaleSpec(
        key=key,
        title=str(title),
        items=tuple(items),
        subscales={sub: tuple(members) for sub, members in subscales.items()},
    )


def score_checklist(
    items: pd.DataFrame, spec: ChecklistSpec = PWC20, *, max_missing: int = 0
) -> pd.DataFrame:
    """Total and subscale scores of a withdrawal checklist at each patient's visit.

    Parameters
    ----------
    items
        One row per patient and visit with the item columns of ``spec`` (and ``patient``, ``arm``,
        ``visit``).
    spec
        The checklist: :data:`PWC20` or one read by :func:`load_checklist`.
    max_missing
        The most items that may be missing for a visit's total to be prorated (default 0: a visit with
        a missing item has a missing total; see :mod:`assaykit.trial.scales`).

    Returns
    -------
    pandas.DataFrame
        The id columns present, ``{key}_total`` (``pwc_total`` for the PWC-20), one column per subscale,
        ``n_missing``, ``prorated``.

    Raises
    ------
    AssayInputError
        An item column is absent or a score is out of the item's range (naming patient, visit and item).
    """
    return score_scale(items, spec, max_missing=max_missing)
