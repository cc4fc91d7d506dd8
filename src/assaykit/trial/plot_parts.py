"""What the trial's figures share: the columns they read, the arms' order and colours, the visit axis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CONTROL_GREY",
    "DODGE",
    "LSMEANS_COLUMNS",
    "OUTCOME_TITLES",
    "RATE_COLUMNS",
    "arm_line",
    "arm_order",
    "checked_table",
    "arm_colours",
    "frame_visits",
    "numeric_column",
    "dodge_offsets",
    "visit_positions",
]

#: Columns :func:`plot_change_by_visit` reads (those of ``MMRMResult.lsmeans``).
LSMEANS_COLUMNS = ("visit", "arm", "estimate", "ci_low", "ci_high")
#: Columns :func:`plot_responders` reads (those of ``rate_table``).
RATE_COLUMNS = ("arm", "n", "rate", "rate_low", "rate_high")
#: The control arm's colour; the other arms take the house palette in order.
CONTROL_GREY = "#7F7F7F"
#: Panel titles of the outcomes :mod:`assaykit.trial.rates` and :mod:`assaykit.trial.withdrawal` name.
OUTCOME_TITLES = {
    "responder": "Responders (≥ 50% fall in HAM-A)",
    "remission": "Remission (HAM-A ≤ 7)",
    "syndrome": "Withdrawal syndrome",
}
#: Offset between neighbouring arms at a visit, as a share of the smallest gap between visits.
DODGE = 0.07


def checked_table(table: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    """Return ``table`` when it has every column (and is a table), else raise a one-line error."""
    if not isinstance(table, pd.DataFrame):
        raise AssayInputError(f"the {what} must be a table, not {type(table).__name__}")
    for column in columns:
        if column not in table.columns:
            have = ", ".join(map(str, table.columns)) or "none"
            raise AssayInputError(f"the {what} have no column '{column}' (columns: {have})", column=column)
    return table


def numeric_column(table: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """Return the column as floats (missing as NaN); a value that is not a number raises."""
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna() & table[column].notna()
    if bad.any():
        raise AssayInputError(f"the {what} have {table[column][bad].iloc[0]!r}, not a number", column=column)
    return values.to_numpy(dtype=float)


def arm_order(arms: Sequence[str], control: str | None) -> list[str]:
    """Return the arms in order of appearance, the control first."""
    found = list(dict.fromkeys(str(a) for a in arms))
    return [a for a in found if a == control] + [a for a in found if a != control]


def arm_colours(arms: Sequence[str], control: str | None) -> dict[str, str]:
    """Return each arm's colour: the control grey, the others the house palette in order."""
    from assaykit.plotting import PALETTE

    others = iter(PALETTE)
    return {a: CONTROL_GREY if a == control else next(others, "#000000") for a in arms}


def visit_positions(visits: Sequence[object]) -> tuple[np.ndarray, list[str]]:
    """Return the x position of each visit (its value when all are increasing numbers) and tick labels."""
    numeric = all(isinstance(v, int | float | np.integer | np.floating) for v in visits)
    x = np.asarray(visits, dtype=float) if numeric else np.array([])
    if not (numeric and np.all(np.diff(x) > 0)):  # text, or numbers out of order: evenly spaced
        x = np.arange(len(visits), dtype=float)
    labels = [f"{v:g}" if isinstance(v, float | np.floating) else str(v) for v in visits]
    return x, labels


def dodge_offsets(n_arms: int, x: np.ndarray) -> np.ndarray:
    """Return each arm's x offset: centred on the visit, ``DODGE`` of the smallest visit gap apart."""
    gaps = np.diff(np.sort(x))
    step = DODGE * (float(gaps[gaps > 0].min()) if (gaps > 0).any() else 1.0)
    return (np.arange(n_arms) - (n_arms - 1) / 2) * step


def arm_line(ax: Axes, x: np.ndarray, y: np.ndarray, yerr: np.ndarray, colour: str, label: str) -> None:
    """Draw one arm's means with their error bars, joined by a line."""
    ax.errorbar(x, y, yerr=yerr, fmt="o-", color=colour, ms=4.5, lw=1.2, capsize=2.5, label=label)


def frame_visits(ax: Axes, x: np.ndarray, labels: list[str]) -> None:
    """Put the visits on the x axis, with half a gap of room at each end."""
    ax.set_xticks(x, labels)
    pad = 0.5 * (float(np.diff(np.sort(x)).min()) if len(x) > 1 else 1.0)
    ax.set_xlim(float(x.min()) - pad, float(x.max()) + pad)
    ax.set_xlabel("Visit")
