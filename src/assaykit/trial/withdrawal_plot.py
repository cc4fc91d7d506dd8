"""The washout figure: each arm's withdrawal checklist total from the end of treatment through the washout."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.trial.plot_parts import (
    arm_colours,
    arm_line,
    arm_order,
    checked_table,
    dodge_offsets,
    frame_visits,
    numeric_column,
    visit_positions,
)

__all__ = ["plot_withdrawal", "withdrawal_means"]


def withdrawal_means(
    scores: pd.DataFrame,
    visits: Sequence[object],
    *,
    total: str = "pwc_total",
    control: str | None = "placebo",
) -> pd.DataFrame:
    """Mean and SE of the checklist total of each arm at each visit, as :func:`plot_withdrawal` draws them.

    Parameters
    ----------
    scores
        Long table: ``patient``, ``arm``, ``visit`` and the ``total`` column (missing totals left out).
    visits
        The end-of-treatment visit, then the washout visits, in order.
    total
        The total's column.
    control
        The control arm, put first.

    Returns
    -------
    pandas.DataFrame
        One row per arm (control first) and visit (in the order given): ``arm``, ``visit``, ``n``
        (patients with a total), ``mean``, ``sd`` and ``se`` (``sd / sqrt(n)``; NaN when n < 2).

    Raises
    ------
    AssayInputError
        A column or a visit is missing, a total is not a number, or fewer than two visits (or one twice)
        are given.
    """
    what = "withdrawal scores"
    table = checked_table(scores, ("patient", "arm", "visit", total), what)
    visits = list(visits)
    if len(visits) < 2:
        raise AssayInputError(
            "give the end-of-treatment visit and at least one washout visit", column="visit"
        )
    if len(set(visits)) < len(visits):
        raise AssayInputError("a visit is given twice among the end-of-treatment and washout visits")
    present = set(table["visit"])
    for visit in visits:
        if visit not in present:
            raise AssayInputError(f"no visit {visit!r} in the withdrawal scores", column="visit")
    frame = pd.DataFrame(
        {
            "arm": table["arm"].astype(str),
            "visit": table["visit"],
            "value": numeric_column(table, total, what),
        }
    )
    rows = []
    for name in arm_order(frame["arm"], control):
        mine = frame[frame["arm"] == name]
        for visit in visits:
            v = mine.loc[mine["visit"] == visit, "value"].dropna().to_numpy()
            sd = float(np.std(v, ddof=1)) if v.size > 1 else math.nan
            mean = float(v.mean()) if v.size else math.nan
            rows.append({"arm": name, "visit": visit, "n": int(v.size), "mean": mean, "sd": sd})
    out = pd.DataFrame(rows)
    out["se"] = out["sd"] / np.sqrt(out["n"].where(out["n"] > 0))
    return out


def plot_withdrawal(
    per_patient_scores: pd.DataFrame,
    path: str | Path,
    *,
    visits: Sequence[object],
    title: str | None = None,
    total: str = "pwc_total",
    checklist: str = "PWC-20",
    threshold: float | None = None,
    control: str | None = "placebo",
) -> Path:
    """Plot the withdrawal checklist total of each arm over the washout: mean +/- SE per visit.

    Parameters
    ----------
    per_patient_scores
        Long table of the checklist totals of each patient: ``patient``, ``arm``, ``visit`` and the
        ``total`` column (score item columns first with :func:`assaykit.trial.checklist.score_checklist`).
    path
        Output file: ``.png``, ``.pdf`` or ``.svg``, in an existing folder.
    visits
        The end-of-treatment visit, then the washout visits, in order (as given to
        :func:`assaykit.trial.withdrawal.withdrawal_analysis`); the washout is shaded.
    title
        A title; none when None.
    total
        The total's column.
    checklist
        The checklist's name, for the y label.
    threshold
        The rise over the end-of-treatment total that makes a withdrawal syndrome; stated as the
        legend's title when given.
    control
        The control arm: first and grey.

    Returns
    -------
    Path
        The path written. Each arm is an error-bar container labelled ``"<arm> (n = <patients at the end of
        treatment>)"``; the washout's shading has the gid ``washout``.

    Raises
    ------
    AssayInputError
        As :func:`withdrawal_means`, for a threshold that is not a positive number, or when the figure
        cannot be written.
    """
    from assaykit.plotting import cleared_on_error, house_style, new_figure, save_figure

    if threshold is not None and not (isinstance(threshold, int | float) and 0 < threshold < math.inf):
        raise AssayInputError(f"the withdrawal threshold must be a positive number, not {threshold!r}")
    means = withdrawal_means(per_patient_scores, visits, total=total, control=control)
    visits = list(visits)
    arms = list(dict.fromkeys(means["arm"]))
    colours = arm_colours(arms, control)
    x, labels = visit_positions(visits)
    labels[0] = f"{labels[0]}\nend of\ntreatment"
    offsets = dodge_offsets(len(arms), x)
    with house_style():
        fig, ax = new_figure(5.0, 3.6)
        with cleared_on_error(fig):
            start = 0.5 * (x[0] + x[1])
            ax.axvspan(start, x[-1] + (x[-1] - start), color="#000000", alpha=0.06, lw=0, gid="washout")
            top_left = {"transform": ax.get_xaxis_transform(), "va": "top", "fontsize": 8}
            ax.text(start, 1.0, " washout", color="#4D4D4D", gid="washout-label", **top_left)
            for name, offset in zip(arms, offsets, strict=True):
                rows = means[means["arm"] == name]
                mean, se = rows["mean"].to_numpy(float), np.nan_to_num(rows["se"].to_numpy(float))
                label = f"{name} (n = {int(rows['n'].iloc[0])})"
                arm_line(ax, x + offset, mean, se, colours[name], label)
            frame_visits(ax, x, labels)
            top = np.nanmax((means["mean"] + means["se"].fillna(0)).to_numpy(float), initial=1.0)
            ax.set_ylim(0.0, 1.15 * top)
            ax.set_ylabel(f"{checklist} total (mean ± SE)")
            rule = None
            if threshold is not None:
                rule = f"withdrawal syndrome: a rise of ≥ {threshold:g}\npoints over the end of treatment"
            ax.legend(loc="upper right", title=rule, title_fontsize=7.0, alignment="left")
            if title:
                ax.set_title(title)
        return save_figure(fig, path)
