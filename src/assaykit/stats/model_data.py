"""The table a linear model of one endpoint is fitted to, with the user's labels recoded to safe codes.

Group, factor and block labels can be any text ("AK-101 10 mg/kg", "diazepam + vehicle"), and column
names too: none of them goes into a formula. :func:`model_frame` recodes them to ``g0`` (the control),
``g1``, ... and ``f0``, ``b0``, ... in fixed columns ``y``, ``g``, ``f``, ``b``, and keeps the labels to
translate back. It also drops (and counts) the animals without a value or a label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.stats.inputs import group_order, numeric_endpoint

__all__ = ["ModelFrame", "design_matrix", "model_frame"]


@dataclass
class ModelFrame:
    """An endpoint's animals, ready for a formula with fixed, safe names.

    Attributes
    ----------
    frame
        Columns ``y`` (the endpoint), ``g`` (group code) and ``f`` / ``b`` for the factors asked for, one row
        per animal used.
    labels
        For each coded column (``g``, ``f``, ``b``), the user's label of each code, code order: ``labels["g"]
        [0]`` is the control.
    n_missing
        Animals dropped because the endpoint has no value.
    notes
        Sentences about what was dropped.
    """

    frame: pd.DataFrame
    labels: dict[str, list[str]]
    n_missing: int = 0
    notes: list[str] = field(default_factory=list)

    def code(self, column: str, label: str) -> str:
        """Return the code (``g1``, ``f0``, ...) of a user's label in a coded column."""
        return f"{column}{self.labels[column].index(label)}"

    def label(self, code: str) -> str:
        """Return the user's label of a code such as ``g1``."""
        return self.labels[code[0]][int(code[1:])]

    def count(self, **codes: str) -> int:
        """Animals with the given codes, e.g. ``count(g="g1", f="f0")``."""
        mask = pd.Series(True, index=self.frame.index)
        for column, value in codes.items():
            mask &= self.frame[column] == value
        return int(mask.sum())


def model_frame(
    data: pd.DataFrame, endpoint: str, *, group: str, control: str, factors: dict[str, str]
) -> ModelFrame:
    """Check the columns, read the endpoint as numbers, drop incomplete animals and recode the labels.

    Parameters
    ----------
    data
        One row per animal.
    endpoint
        The endpoint column (numbers; blank or NaN is missing).
    group
        The group column.
    control
        The control group's label.
    factors
        The other coded columns: ``{"f": "sex"}``, ``{"b": "cohort"}`` or both.

    Returns
    -------
    ModelFrame
        Groups in the order of :func:`~assaykit.stats.inputs.group_order` (control first); factor and block
        levels in sorted order of their text.

    Raises
    ------
    AssayInputError
        When a column is missing, the endpoint holds something other than numbers, or the control is not a
        group of the table.
    """
    if not isinstance(data, pd.DataFrame):
        raise AssayInputError(f"expected a table (pandas DataFrame) of animals, got {type(data).__name__}")
    for column in (group, *factors.values()):
        if column not in data.columns:
            names = ", ".join(str(c) for c in data.columns)
            raise AssayInputError(f"no column '{column}'; the columns are {names}", column=column)
    y = numeric_endpoint(data, endpoint, None)
    labels = {"g": data[group], **{code: data[name] for code, name in factors.items()}}
    text = {code: column.astype(object).map(lambda v: str(v).strip()) for code, column in labels.items()}
    blank = pd.Series(False, index=data.index)
    for code, column in labels.items():
        blank |= column.isna() | (text[code] == "")
    groups_seen = set(text["g"][labels["g"].notna()])
    if control not in groups_seen:
        shown = ", ".join(f"'{g}'" for g in sorted(groups_seen))
        raise AssayInputError(
            f"the control group '{control}' is not in the group column; the groups are {shown}", column=group
        )
    missing = y.isna() & ~blank
    notes = []
    if missing.any():
        notes.append(f"{endpoint}: {int(missing.sum())} animal(s) without a value were left out")
    if blank.any():
        names = ", ".join(f"'{c}'" for c in (group, *factors.values()))
        notes.append(f"{endpoint}: {int(blank.sum())} animal(s) without a label in {names} were left out")
    keep = ~(y.isna() | blank)
    gone = sorted(groups_seen - set(text["g"][keep]))
    if gone:
        shown = ", ".join(f"'{g}'" for g in gone)
        notes.append(f"{endpoint}: no animal of group(s) {shown} has a value: not compared")
    frame = pd.DataFrame({"y": y[keep].to_numpy()})
    table = pd.DataFrame({code: text[code][keep].to_numpy() for code in text})
    present = table["g"].tolist()
    order = (
        group_order(table, control, group="g") if control in present else [control, *pd.unique(table["g"])]
    )
    coded = {"g": order}
    for code in factors:
        coded[code] = sorted(pd.unique(table[code]))
    for code, levels in coded.items():
        index = {label: i for i, label in enumerate(levels)}
        frame[code] = [f"{code}{index[v]}" for v in table[code]]
    return ModelFrame(frame=frame, labels=coded, n_missing=int(missing.sum()), notes=notes)


def design_matrix(
    frame: pd.DataFrame, terms: list[str], levels: dict[str, int], *, coding: str = "treatment"
) -> tuple[np.ndarray, list[str], dict[str, slice]]:
    """Build the model matrix of an intercept and factor terms (``"g"``, ``"f"``, ``"g:f"``, ``"b"``).

    Built here rather than from a formula so that no label is ever parsed. ``coding="treatment"`` gives
    R's ``contr.treatment`` (the first level, code 0, is the reference: the control for ``g``);
    ``coding="sum"`` gives ``contr.sum`` (level j is +1 in column j, the last level is -1 in every column),
    the coding type III sums of squares need (Fox & Weisberg 2019, An R Companion to Applied Regression,
    3rd ed., section 5.3.4). An interaction's columns are the products of its factors' columns.

    Parameters
    ----------
    frame
        Coded columns as made by :func:`model_frame` (values ``g0``, ``g1``, ...).
    terms
        The terms after the intercept, e.g. ``["g", "f", "g:f"]``.
    levels
        Number of levels of each coded column.
    coding
        ``"treatment"`` or ``"sum"``.

    Returns
    -------
    tuple
        The matrix (n x p), its column names (``Intercept``, ``g1``, ``g1:f1``, ...) and the columns of each
        term.
    """
    n = len(frame)
    columns: list[np.ndarray] = [np.ones(n)]
    names = ["Intercept"]
    where: dict[str, slice] = {}
    main: dict[str, tuple[np.ndarray, list[str]]] = {}
    for term in terms:
        parts = term.split(":")
        for part in parts:
            if part not in main:
                main[part] = _coded(frame[part], part, levels[part], coding)
        block, block_names = main[parts[0]]
        for part in parts[1:]:
            other, other_names = main[part]
            block = (block[:, :, None] * other[:, None, :]).reshape(n, -1)
            block_names = [f"{a}:{b}" for a in block_names for b in other_names]
        where[term] = slice(len(names), len(names) + len(block_names))
        columns.extend(block.T)
        names.extend(block_names)
    return np.column_stack(columns), names, where


def _coded(values: pd.Series, code: str, count: int, coding: str) -> tuple[np.ndarray, list[str]]:
    index = np.array([int(v[1:]) for v in values])
    if coding == "treatment":
        matrix = (index[:, None] == np.arange(1, count)[None, :]).astype(float)
        return matrix, [f"{code}{j}" for j in range(1, count)]
    matrix = (index[:, None] == np.arange(count - 1)[None, :]).astype(float)
    matrix[index == count - 1, :] = -1.0
    return matrix, [f"{code}{j}" for j in range(count - 1)]
