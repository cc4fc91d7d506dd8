"""Rating scales of a trial: item checks and scores of HAM-A and of any scale a :class:`ScaleSpec` describes.

The Hamilton Anxiety Rating Scale (HAM-A; Hamilton M (1959) The assessment of anxiety states by rating.
Br J Med Psychol 32:50-55) has 14 items scored 0 (not present) to 4 (very severe): the total runs 0-56,
the psychic subscale is items 1-6 and 14, the somatic subscale items 7-13 (Maier W et al. (1988) The
Hamilton Anxiety Scale: reliability, validity and sensitivity to change in anxiety and depressive
disorders. J Affect Disord 14:61-68). Item columns are named ``hama_01`` .. ``hama_14``; no item texts
are kept here, the numbers suffice.

Partly missing visits: a visit with at most ``max_missing`` items missing (default 2 of the 14) is prorated:
the total is the mean of the items observed times the number of items of the scale, and each subscale the mean
of its own observed items times its number of items (so that a prorated total need not equal the sum of the
prorated subscales). A visit with more items missing has a missing total, and a subscale with more than
``max_missing`` of its own items missing is missing. This is the usual "prorate when few items are missing"
rule of multi-item scales (Fayers PM, Machin D (2016) Quality of Life, 3rd ed., Wiley, ch. 15: imputing a
missing item by the mean of the patient's other items at that visit); ICH E9 (R1) asks that the rule is fixed
in the statistical analysis plan before the data are unblinded, so ``max_missing`` is an option;
``max_missing=0`` scores only complete visits. Scores are kept at full precision (a prorated total is not
rounded).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError

__all__ = ["HAMA", "HAMA_ITEMS", "Item", "ScaleSpec", "score_hama", "score_scale", "validate_items"]

#: Columns that identify a visit of a patient: kept in front of the scores when present.
ID_COLUMNS = ("patient", "arm", "visit")


@dataclass(frozen=True)
class Item:
    """One item of a scale: its column name and the range of its integer scores."""

    name: str
    low: int
    high: int


@dataclass(frozen=True)
class ScaleSpec:
    """A multi-item rating scale or checklist: items with integer scores, a total and subscales.

    Parameters
    ----------
    key
        Short snake_case name; the score columns are ``{key}_total`` and ``{key}_{subscale}``.
    title
        The scale's name for people (``"HAM-A"``).
    items
        The items in order; each name is the input column that holds its scores.
    subscales
        Subscale name -> the names of its items.
    """

    key: str
    title: str
    items: tuple[Item, ...]
    subscales: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def item_names(self) -> tuple[str, ...]:
        """The item column names, in order."""
        return tuple(item.name for item in self.items)

    @property
    def total_column(self) -> str:
        """The name of the total score column."""
        return f"{self.key}_total"


HAMA_ITEMS = tuple(f"hama_{i:02d}" for i in range(1, 15))
#: The HAM-A: 14 items 0-4, psychic = items 1-6 and 14, somatic = items 7-13.
HAMA = ScaleSpec(
    key="hama",
    title="HAM-A",
    items=tuple(Item(name, 0, 4) for name in HAMA_ITEMS),
    subscales={
        "psychic": tuple(HAMA_ITEMS[i - 1] for i in (1, 2, 3, 4, 5, 6, 14)),
        "somatic": tuple(HAMA_ITEMS[i - 1] for i in range(7, 14)),
    },
)


def _where(frame: pd.DataFrame, index, item: str | None = None) -> str:
    parts = []
    for column in ("patient", "visit"):
        if column in frame.columns:
            parts.append(f"{column} {frame.at[index, column]}")
    if item is not None:
        parts.append(f"item {item}")
    return ", ".join(parts)


def _row(frame: pd.DataFrame, index) -> int | None:
    if "source_row" in frame.columns and pd.notna(frame.at[index, "source_row"]):
        return int(frame.at[index, "source_row"])
    return None


def validate_items(frame: pd.DataFrame, spec: ScaleSpec) -> pd.DataFrame:
    """Check the item columns of a scale and return them as floats (NaN where an item is missing).

    Parameters
    ----------
    frame
        One row per patient and visit, with a column per item of ``spec`` (and ``patient``, ``visit``
        to name the rows in errors; an optional ``source_row`` gives the file's row).
    spec
        The scale.

    Returns
    -------
    pandas.DataFrame
        The item columns, float, same index as ``frame``.

    Raises
    ------
    AssayInputError
        An item column is absent, or a score is not a number, not a whole number or out of the item's
        range; the message names the patient, visit and item of the first problem and counts the rest.
    """
    absent = [name for name in spec.item_names if name not in frame.columns]
    if absent:
        shown = ", ".join(absent[:5]) + (f" and {len(absent) - 5} more" if len(absent) > 5 else "")
        raise AssayInputError(f"the {spec.title} item columns {shown} are missing")
    dup_keys = [c for c in ("patient", "visit") if c in frame.columns]
    if len(dup_keys) == 2:
        dup = frame.duplicated(dup_keys, keep="first")
        if dup.any():
            index = frame.index[np.flatnonzero(dup.to_numpy())[0]]
            raise AssayInputError(
                f"{_where(frame, index)}: appears twice (one row per patient and visit)",
                row=_row(frame, index),
            )
    values = {}
    problems: list[tuple[object, str, str]] = []
    for item in spec.items:
        raw = frame[item.name]
        numbers = pd.to_numeric(raw, errors="coerce").astype(float)
        text_missing = raw.map(lambda v: isinstance(v, str) and v.strip() in ("", "NA", "na", "."))
        not_number = numbers.isna() & raw.notna() & ~text_missing
        for index in frame.index[not_number.to_numpy()]:
            problems.append((index, item.name, f"{raw.at[index]!r} is not a number"))
        known = numbers.notna()
        bad_range = known & ((numbers < item.low) | (numbers > item.high))
        for index in frame.index[bad_range.to_numpy()]:
            value = numbers.at[index]
            shown = int(value) if float(value).is_integer() else value
            problems.append((index, item.name, f"{shown} is out of range {item.low}-{item.high}"))
        fractional = known & ~bad_range & (numbers != np.round(numbers))
        for index in frame.index[fractional.to_numpy()]:
            problems.append((index, item.name, f"{numbers.at[index]} is not a whole number"))
        values[item.name] = numbers
    if problems:
        order = {index: k for k, index in enumerate(frame.index)}
        problems.sort(key=lambda p: (order[p[0]], spec.item_names.index(p[1])))
        index, name, message = problems[0]
        more = f" (and {len(problems) - 1} more item problems)" if len(problems) > 1 else ""
        raise AssayInputError(f"{message}{more}", location=_where(frame, index, name), row=_row(frame, index))
    return pd.DataFrame(values, index=frame.index)


def _prorated(items: pd.DataFrame, names: tuple[str, ...], max_missing: int) -> tuple[pd.Series, pd.Series]:
    block = items[list(names)]
    observed = block.notna().sum(axis=1)
    missing = len(names) - observed
    score = block.sum(axis=1, min_count=1) * len(names) / observed.where(observed > 0)
    score = score.where(missing <= max_missing)
    return score, missing


def score_scale(items: pd.DataFrame, spec: ScaleSpec, *, max_missing: int = 0) -> pd.DataFrame:
    """Total and subscale scores of each visit of a scale, with the proration rule of the module.

    Parameters
    ----------
    items
        One row per patient and visit with the item columns of ``spec``; ``patient``, ``arm``,
        ``visit`` are kept when present.
    spec
        The scale.
    max_missing
        The most items that may be missing for a visit's total (and a subscale's, counting its own
        items) to be prorated rather than missing.

    Returns
    -------
    pandas.DataFrame
        The id columns present, ``{key}_total``, ``{key}_{subscale}`` for each subscale, ``n_missing``
        (items missing at the visit) and ``prorated`` (True when the total was prorated from fewer than
        all items), one row per input row in the input order.

    Raises
    ------
    AssayInputError
        As :func:`validate_items`, or ``max_missing`` is negative.
    """
    if max_missing < 0:
        raise AssayInputError(f"max_missing must be 0 or more, not {max_missing}")
    values = validate_items(items, spec)
    out = items[[c for c in ID_COLUMNS if c in items.columns]].copy()
    total, missing = _prorated(values, spec.item_names, max_missing)
    out[spec.total_column] = total.to_numpy()
    for name, members in spec.subscales.items():
        out[f"{spec.key}_{name}"] = _prorated(values, members, max_missing)[0].to_numpy()
    out["n_missing"] = missing.astype(int).to_numpy()
    out["prorated"] = ((missing > 0) & total.notna()).to_numpy()
    out.attrs["scale"] = spec.title
    out.attrs["max_missing"] = max_missing
    return out.reset_index(drop=True)


def score_hama(items: pd.DataFrame, *, max_missing: int = 2) -> pd.DataFrame:
    """HAM-A total (0-56), psychic and somatic subscale scores of each patient and visit.

    Parameters
    ----------
    items
        One row per patient and visit with columns ``hama_01`` .. ``hama_14`` (integers 0-4, blank or
        NaN when an item was not rated), and ``patient``, ``visit`` (and ``arm``) to identify the rows.
    max_missing
        The most items that may be missing for the visit's total to be prorated (see the module's
        notes); more missing items leave the total missing.

    Returns
    -------
    pandas.DataFrame
        ``patient``, ``arm``, ``visit`` (those present), ``hama_total``, ``hama_psychic``,
        ``hama_somatic``, ``n_missing``, ``prorated``.

    Raises
    ------
    AssayInputError
        An item column is absent, a patient has two rows for one visit, or a score is not a whole number
        from 0 to 4: ``patient P07, visit week 2, item hama_05: 6 is out of range 0-4``.

    Examples
    --------
    >>> row = {"patient": "P01", "visit": "baseline", **{f"hama_{i:02d}": 2 for i in range(1, 15)}}
    >>> score_hama(pd.DataFrame([row]))[["hama_total", "hama_psychic", "hama_somatic"]].iloc[0].tolist()
    [28.0, 14.0, 14.0]
    """
    return score_scale(items, HAMA, max_missing=max_missing)
