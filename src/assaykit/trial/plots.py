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


def _checked(table: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    """Return ``table`` when it has every column (and is a table), else raise a one-line error."""
    if not isinstance(table, pd.DataFrame):
        raise AssayInputError(f"the {what} must be a table, not {type(table).__name__}")
    for column in columns:
        if column not in table.columns:
            have = ", ".join(map(str, table.columns)) or "none"
            raise AssayInputError(f"the {what} have no column '{column}' (columns: {have})", column=column)
    return table


def _numbers(table: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """Return the column as floats (missing as NaN); a value that is not a number raises."""
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna() & table[column].notna()
    if bad.any():
        raise AssayInputError(f"the {what} have {table[column][bad].iloc[0]!r}, not a number", column=column)
    return values.to_numpy(dtype=float)


def _arm_order(arms: Sequence[str], control: str | None) -> list[str]:
    """Return the arms in order of appearance, the control first."""
    found = list(dict.fromkeys(str(a) for a in arms))
    return [a for a in found if a == control] + [a for a in found if a != control]


def _colours(arms: Sequence[str], control: str | None) -> dict[str, str]:
    from assaykit.plotting import PALETTE

    others = iter(PALETTE)
    return {a: CONTROL_GREY if a == control else next(others, "#000000") for a in arms}


def _positions(visits: Sequence[object]) -> tuple[np.ndarray, list[str]]:
    """Return the x position of each visit (its value when all are increasing numbers) and tick labels."""
    numeric = all(isinstance(v, int | float | np.integer | np.floating) for v in visits)
    x = np.asarray(visits, dtype=float) if numeric else np.array([])
    if not (numeric and np.all(np.diff(x) > 0)):  # text, or numbers out of order: evenly spaced
        x = np.arange(len(visits), dtype=float)
    labels = [f"{v:g}" if isinstance(v, float | np.floating) else str(v) for v in visits]
    return x, labels


def _offsets(n_arms: int, x: np.ndarray) -> np.ndarray:
    """Return each arm's x offset: centred on the visit, ``DODGE`` of the smallest visit gap apart."""
    gaps = np.diff(np.sort(x))
    step = DODGE * (float(gaps[gaps > 0].min()) if (gaps > 0).any() else 1.0)
    return (np.arange(n_arms) - (n_arms - 1) / 2) * step


def _arm_line(ax: Axes, x: np.ndarray, y: np.ndarray, yerr: np.ndarray, colour: str, label: str) -> None:
    ax.errorbar(x, y, yerr=yerr, fmt="o-", color=colour, ms=4.5, lw=1.2, capsize=2.5, label=label)


def _frame_visits(ax: Axes, x: np.ndarray, labels: list[str]) -> None:
    ax.set_xticks(x, labels)
    pad = 0.5 * (float(np.diff(np.sort(x)).min()) if len(x) > 1 else 1.0)
    ax.set_xlim(float(x.min()) - pad, float(x.max()) + pad)
    ax.set_xlabel("Visit")


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
    from assaykit.plotting import house_style, new_figure, save_figure

    what = "LS means"
    table = _checked(lsmeans, LSMEANS_COLUMNS, what)
    values = {c: _numbers(table, c, what) for c in ("estimate", "ci_low", "ci_high")}
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
    arms = _arm_order(frame["arm"], control)
    colours = _colours(arms, control)
    x, labels = _positions(visits)
    offsets = _offsets(len(arms), x)
    with house_style():
        fig, ax = new_figure(5.0, 3.6)
        try:
            ax.axhline(0.0, color="#4D4D4D", lw=0.8, ls=":", zorder=0, gid="zero")
            for arm, offset in zip(arms, offsets, strict=True):
                rows = frame[frame["arm"] == arm].set_index("visit").reindex(visits)
                est, low, high = (rows[c].to_numpy(dtype=float) for c in ("estimate", "ci_low", "ci_high"))
                _arm_line(ax, x + offset, est, np.vstack([est - low, high - est]), colours[arm], arm)
            _frame_visits(ax, x, labels)
            ax.set_ylabel(f"Change from baseline in {score}\n(LS mean, {100 * level:g}% CI)")
            ax.legend(loc="best")
            if title:
                ax.set_title(title)
        except BaseException:
            fig.clear()
            raise
        return save_figure(fig, path)


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
    table = _checked(scores, ("patient", "arm", "visit", total), what)
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
        {"arm": table["arm"].astype(str), "visit": table["visit"], "value": _numbers(table, total, what)}
    )
    rows = []
    for name in _arm_order(frame["arm"], control):
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
    from assaykit.plotting import house_style, new_figure, save_figure

    if threshold is not None and not (isinstance(threshold, int | float) and 0 < threshold < math.inf):
        raise AssayInputError(f"the withdrawal threshold must be a positive number, not {threshold!r}")
    means = withdrawal_means(per_patient_scores, visits, total=total, control=control)
    visits = list(visits)
    arms = list(dict.fromkeys(means["arm"]))
    colours = _colours(arms, control)
    x, labels = _positions(visits)
    labels[0] = f"{labels[0]}\nend of\ntreatment"
    offsets = _offsets(len(arms), x)
    with house_style():
        fig, ax = new_figure(5.0, 3.6)
        try:
            start = 0.5 * (x[0] + x[1])
            ax.axvspan(start, x[-1] + (x[-1] - start), color="#000000", alpha=0.06, lw=0, gid="washout")
            top_left = {"transform": ax.get_xaxis_transform(), "va": "top", "fontsize": 8}
            ax.text(start, 1.0, " washout", color="#4D4D4D", gid="washout-label", **top_left)
            for name, offset in zip(arms, offsets, strict=True):
                rows = means[means["arm"] == name]
                mean, se = rows["mean"].to_numpy(float), np.nan_to_num(rows["se"].to_numpy(float))
                label = f"{name} (n = {int(rows['n'].iloc[0])})"
                _arm_line(ax, x + offset, mean, se, colours[name], label)
            _frame_visits(ax, x, labels)
            top = np.nanmax((means["mean"] + means["se"].fillna(0)).to_numpy(float), initial=1.0)
            ax.set_ylim(0.0, 1.15 * top)
            ax.set_ylabel(f"{checklist} total (mean ± SE)")
            rule = None
            if threshold is not None:
                rule = f"withdrawal syndrome: a rise of ≥ {threshold:g}\npoints over the end of treatment"
            ax.legend(loc="upper right", title=rule, title_fontsize=7.0, alignment="left")
            if title:
                ax.set_title(title)
        except BaseException:
            fig.clear()
            raise
        return save_figure(fig, path)


def _rates(table: pd.DataFrame, arms: list[str] | None) -> tuple[pd.DataFrame, list[str]]:
    what = "rates"
    _checked(table, RATE_COLUMNS, what)
    frame = pd.DataFrame({"arm": table["arm"].astype(str).to_numpy()})
    frame = frame.assign(**{c: _numbers(table, c, what) for c in RATE_COLUMNS[1:]})
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
        arms = _arm_order(frame["arm"], control)
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
    from assaykit.plotting import blank_figure, house_style, save_figure

    first, arms = _rates(rate_table, None)
    panels = [(rate_table, first)]
    if remission is not None:
        panels.append((remission, _rates(remission, arms)[0]))
    control = rate_table.attrs.get("control", "placebo")
    colours = _colours(arms, control)
    level = float(rate_table.attrs.get("level", 0.95))
    with house_style():
        fig = blank_figure(0.6 + 1.0 * len(arms) * len(panels), 3.4)
        try:
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
        except BaseException:
            fig.clear()
            raise
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
