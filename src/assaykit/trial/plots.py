"""The trial's figures: LS mean change from baseline by visit, the washout's checklist score, response rates.

* :func:`plot_change_by_visit`: the MMRM least-squares mean change from baseline of each arm at each visit
  with its confidence interval (:attr:`assaykit.trial.mmrm.MMRMResult.lsmeans`), the arms dodged apart on
  the visit axis, the control in grey, a line at no change.
* :func:`plot_withdrawal`: the withdrawal checklist total (PWC-20 or the user's) of each arm from the end
  of treatment through the washout, as mean +/- SE of the patients scored at each visit (the SE describes
  the precision of the mean: Cumming, Fidler & Vaux 2007, J Cell Biol 177:7-11), the washout shaded and
  the syndrome's threshold rule in the legend.
* :func:`plot_responders`: responder (and remission) rates per arm as bars with their exact Clopper-Pearson
  intervals (:func:`assaykit.trial.rates.rate_table`), on a 0-100% axis, with n under each bar.

Every figure is a :class:`matplotlib.figure.Figure` outside pyplot, in the house style, written atomically
by :func:`assaykit.plotting.save_figure`; :func:`trial_figure_jobs` lists a run's figures as
:class:`~assaykit.figure_jobs.FigureJob` objects for :func:`~assaykit.figure_jobs.write_figures`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.figure_jobs import FigureJob
from assaykit.trial.plot_parts import (
    LSMEANS_COLUMNS,
    OUTCOME_TITLES,
    RATE_COLUMNS,
    arm_colours,
    arm_line,
    arm_order,
    checked_table,
    dodge_offsets,
    frame_visits,
    numeric_column,
    visit_positions,
)
from assaykit.trial.withdrawal_plot import plot_withdrawal, withdrawal_means

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "LSMEANS_COLUMNS",
    "RATE_COLUMNS",
    "plot_change_by_visit",
    "plot_responders",
    "plot_withdrawal",
    "trial_figure_jobs",
    "withdrawal_means",
]


def plot_change_by_visit(
    lsmeans: pd.DataFrame,
    path: str | Path,
    *,
    title: str | None = None,
    score: str = "HAM-A total",
    control: str | None = "placebo",
    level: float = 0.95,
) -> Path:
    """Plot the LS mean change from baseline of each arm at each visit, with its confidence interval.

    Parameters
    ----------
    lsmeans
        One row per visit and arm: ``visit``, ``arm``, ``estimate``, ``ci_low``, ``ci_high``, as
        :attr:`assaykit.trial.mmrm.MMRMResult.lsmeans` has them. The visits are drawn in their order of
        appearance, at their values when these are increasing numbers (days, weeks), else evenly spaced.
    path
        Output file: ``.png``, ``.pdf`` or ``.svg``, in an existing folder.
    title
        A title; none when None.
    score
        The score's name, for the y label.
    control
        The control arm: drawn first (leftmost at each visit) and in grey.
    level
        The intervals' confidence level, for the y label (the table's bounds are drawn as they are).

    Returns
    -------
    Path
        The path written. Each arm is an error-bar container of the axes labelled with the arm.

    Raises
    ------
    AssayInputError
        A column is missing, a value is not a number, a visit and arm appear twice, an estimate lies
        outside its interval, or the figure cannot be written.
    """
    from assaykit.plotting import cleared_on_error, house_style, new_figure, save_figure

    what = "LS means"
    table = checked_table(lsmeans, LSMEANS_COLUMNS, what)
    values = {c: numeric_column(table, c, what) for c in ("estimate", "ci_low", "ci_high")}
    frame = pd.DataFrame({"visit": table["visit"].to_numpy(), "arm": table["arm"].astype(str).to_numpy()})
    frame = frame.assign(**values)
    twice = frame.duplicated(["visit", "arm"])
    if twice.any():
        row = frame[twice].iloc[0]
        raise AssayInputError(f"the LS means have arm {row['arm']!r} at visit {row['visit']!r} twice")
    outside = (frame["ci_low"] > frame["estimate"]) | (frame["estimate"] > frame["ci_high"])
    if outside.any():
        row = frame[outside].iloc[0]
        raise AssayInputError(
            f"the LS mean of {row['arm']!r} at visit {row['visit']!r} lies outside its interval"
        )
    visits = [v.item() if isinstance(v, np.generic) else v for v in dict.fromkeys(frame["visit"])]
    arms = arm_order(frame["arm"], control)
    colours = arm_colours(arms, control)
    x, labels = visit_positions(visits)
    offsets = dodge_offsets(len(arms), x)
    with house_style():
        fig, ax = new_figure(5.0, 3.6)
        with cleared_on_error(fig):
            ax.axhline(0.0, color="#4D4D4D", lw=0.8, ls=":", zorder=0, gid="zero")
            for arm, offset in zip(arms, offsets, strict=True):
                rows = frame[frame["arm"] == arm].set_index("visit").reindex(visits)
                est, low, high = (rows[c].to_numpy(dtype=float) for c in ("estimate", "ci_low", "ci_high"))
                arm_line(ax, x + offset, est, np.vstack([est - low, high - est]), colours[arm], arm)
            frame_visits(ax, x, labels)
            ax.set_ylabel(f"Change from baseline in {score}\n(LS mean, {100 * level:g}% CI)")
            ax.legend(loc="best")
            if title:
                ax.set_title(title)
        return save_figure(fig, path)


def _rates(table: pd.DataFrame, arms: list[str] | None) -> tuple[pd.DataFrame, list[str]]:
    what = "rates"
    checked_table(table, RATE_COLUMNS, what)
    frame = pd.DataFrame({"arm": table["arm"].astype(str).to_numpy()})
    frame = frame.assign(**{c: numeric_column(table, c, what) for c in RATE_COLUMNS[1:]})
    if frame["arm"].duplicated().any():
        raise AssayInputError(f"the rates have arm {frame['arm'][frame['arm'].duplicated()].iloc[0]!r} twice")
    low, high = frame["rate_low"], frame["rate_high"]
    bad = (low < 0) | (high > 1) | (low > frame["rate"]) | (frame["rate"] > high)
    if bad.any():
        raise AssayInputError(
            f"the rate of arm {frame['arm'][bad].iloc[0]!r} is not a proportion within its interval",
            column="rate",
        )
    if arms is None:
        control = table.attrs.get("control", "placebo")
        arms = arm_order(frame["arm"], control)
    elif set(frame["arm"]) != set(arms):
        raise AssayInputError(
            f"the two rate tables have different arms ({', '.join(arms)}; {', '.join(frame['arm'])})",
            column="arm",
        )
    return frame.set_index("arm").loc[arms].reset_index(), arms


def plot_responders(
    rate_table: pd.DataFrame,
    path: str | Path,
    *,
    remission: pd.DataFrame | None = None,
    title: str | None = None,
) -> Path:
    """Plot the rate of each arm as a bar with its exact 95% CI, one panel per outcome, n under the bars.

    Parameters
    ----------
    rate_table
        :func:`assaykit.trial.rates.rate_table` of the responders: ``arm``, ``n``, ``rate``, ``rate_low``,
        ``rate_high`` (Clopper-Pearson; proportions), optionally ``outcome`` (the panel's title). Its
        ``attrs`` give the control (drawn first, in grey; else "placebo") and the level.
    path
        Output file: ``.png``, ``.pdf`` or ``.svg``, in an existing folder.
    remission
        The same table of remission: a second panel, the arms in the same order.
    title
        A title over the panels; none when None.

    Returns
    -------
    Path
        The path written. Each panel is labelled with its outcome; its bars carry the gids ``bar:<arm>``
        and the intervals are an error-bar container labelled ``ci``.

    Raises
    ------
    AssayInputError
        A column is missing, a value is not a number, a rate is not a proportion within its interval, an
        arm appears twice, the two tables have different arms, or the figure cannot be written.
    """
    from assaykit.plotting import blank_figure, cleared_on_error, house_style, save_figure

    first, arms = _rates(rate_table, None)
    panels = [(rate_table, first)]
    if remission is not None:
        panels.append((remission, _rates(remission, arms)[0]))
    control = rate_table.attrs.get("control", "placebo")
    colours = arm_colours(arms, control)
    level = float(rate_table.attrs.get("level", 0.95))
    with house_style():
        fig = blank_figure(0.6 + 1.0 * len(arms) * len(panels), 3.4)
        with cleared_on_error(fig):
            axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
            for ax, (table, frame) in zip(axes, panels, strict=True):
                outcome = str(table["outcome"].iloc[0]) if "outcome" in table.columns and len(table) else ""
                ax.set_label(outcome or "rate")
                _draw_rates(ax, frame, colours)
                ax.set_title(OUTCOME_TITLES.get(outcome, outcome), fontsize=9)
            axes[0].set_ylabel(f"Patients (%), exact {100 * level:g}% CI\n(Clopper-Pearson)")
            axes[0].set_ylim(0.0, 100.0)
            axes[0].set_yticks(np.arange(0, 101, 20))
            if title:
                fig.suptitle(title, fontsize=10)
        return save_figure(fig, path)


def _draw_rates(ax: Axes, frame: pd.DataFrame, colours: dict[str, str]) -> None:
    x = np.arange(len(frame), dtype=float)
    rate, low, high = (100 * frame[c].to_numpy(float) for c in ("rate", "rate_low", "rate_high"))
    bars = ax.bar(x, np.nan_to_num(rate), width=0.65, color=[colours[a] for a in frame["arm"]], zorder=2)
    for bar, arm in zip(bars, frame["arm"], strict=True):
        bar.set_gid(f"bar:{arm}")
    shown = np.isfinite(rate)
    yerr = np.vstack([rate - low, high - rate])[:, shown]
    ax.errorbar(x[shown], rate[shown], yerr=yerr, fmt="none", ecolor="k", elinewidth=1, capsize=3, label="ci")
    ticks = [
        f"{a}\nn = {int(n)}" if math.isfinite(n) else a for a, n in zip(frame["arm"], frame["n"], strict=True)
    ]
    ax.set_xticks(x, ticks)
    ax.set_xlim(-0.6, len(frame) - 0.4)


def trial_figure_jobs(
    *,
    lsmeans: pd.DataFrame | None = None,
    responders: pd.DataFrame | None = None,
    remission: pd.DataFrame | None = None,
    withdrawal_scores: pd.DataFrame | None = None,
    withdrawal_visits: Sequence[object] | None = None,
    threshold: float | None = None,
    control: str = "placebo",
    score: str = "HAM-A total",
    total: str = "pwc_total",
    checklist: str = "PWC-20",
) -> list[tuple[str, FigureJob]]:
    """Return a trial's figures as ``(file stem, job)`` for :func:`~assaykit.figure_jobs.write_figures`.

    Parameters
    ----------
    lsmeans
        ``MMRMResult.lsmeans``: the figure ``change_from_baseline``.
    responders, remission
        ``rate_table`` of the responders and of remission: the figure ``responders``.
    withdrawal_scores, withdrawal_visits
        The checklist totals (long table) and the end-of-treatment then washout visits: the figure
        ``withdrawal``, with the syndrome's ``threshold`` in its legend.
    control, score, total, checklist
        The control arm, the efficacy score's name, the checklist total's column and the checklist's name.

    Returns
    -------
    list of (str, FigureJob)
        The figures whose inputs are given, in the order above.
    """
    jobs: list[tuple[str, FigureJob]] = []
    if lsmeans is not None:
        kwargs = {"score": score, "control": control, "title": f"{score}: change from baseline (MMRM)"}
        jobs.append(("change_from_baseline", FigureJob(plot_change_by_visit, (lsmeans,), kwargs)))
    if responders is not None:
        kwargs = {
            "remission": remission,
            "title": f"{score}: response" + (" and remission" * (remission is not None)),
        }
        jobs.append(("responders", FigureJob(plot_responders, (responders,), kwargs)))
    if withdrawal_scores is not None:
        if withdrawal_visits is None:
            raise AssayInputError("the withdrawal figure needs the end-of-treatment and washout visits")
        kwargs = {
            "visits": list(withdrawal_visits),
            "threshold": threshold,
            "control": control,
            "total": total,
            "checklist": checklist,
            "title": f"{checklist} over the washout",
        }
        jobs.append(("withdrawal", FigureJob(plot_withdrawal, (withdrawal_scores,), kwargs)))
    return jobs
