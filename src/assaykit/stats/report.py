"""Terminal tables for a group comparison (full precision stays in the written files)."""

from __future__ import annotations

import math

import pandas as pd

from assaykit.formatting import sig
from assaykit.stats.compare import GroupComparison
from assaykit.stats.plot_text import format_omnibus as omnibus_text
from assaykit.stats.plot_text import significance_mark

#: Short names of the tests on the terminal.
TEST_LABELS = {
    "welch_t": "Welch t",
    "mann_whitney_u": "Mann-Whitney",
    "dunnett": "Dunnett",
    "dunnett_t3": "Dunnett T3",
    "dunn_holm": "Dunn-Holm",
    "dunn_bonferroni": "Dunn-Bonferroni",
    "steel": "Steel",
    "logrank": "log-rank",
    "jonckheere_terpstra": "Jonckheere-Terpstra",
    "linear_contrast": "linear contrast",
}


def format_comparisons(result: GroupComparison) -> str:
    """Render one line per endpoint x group: n, mean ± SD (or SEM), difference, test, p_adjusted, hedges_g.

    The control's line comes first in each endpoint and carries only its n and mean ± spread (SD, or SEM
    when the plan's ``spread`` is ``sem``). Latencies analysed as censored data are left to
    :func:`format_latency`. With a primary endpoint, the endpoint is labelled primary or
    secondary and a ``p_adjusted_endpoints`` column gives the p-values adjusted across the secondary
    endpoints.

    Parameters
    ----------
    result
        From :func:`assaykit.stats.compare.compare_groups`.

    Returns
    -------
    str
        An aligned text table.
    """
    summary = result.summary.set_index(["endpoint", "group"])
    spread = result.plan.spread
    centre = f"mean ± {spread.upper()}"
    across = result.plan.primary is not None
    header = ["endpoint", "group", "n", centre, "difference", "test", "p_adjusted"]
    header += ["p_adjusted_endpoints"] if across else []
    header += ["hedges_g"]
    lines: list[list[str]] = []
    for endpoint in result.endpoints:
        if endpoint in result.survival:
            continue  # a censored latency: its medians and tests are in the latency table
        control = summary.loc[(endpoint, result.control)]
        label = endpoint
        if across:
            label += " (primary)" if endpoint == result.plan.primary else " (secondary)"
        blank = [""] * (len(header) - 4)
        lines.append(
            [label, f"{result.control} (control)", f"{control['n']:.0f}", _centre(control, spread), *blank]
        )
        rows = result.comparisons[result.comparisons["endpoint"] == endpoint]
        for row in rows.itertuples(index=False):
            stats = summary.loc[(endpoint, row.group)]
            tested = bool(row.test)
            cells = [
                "",
                str(row.group),
                f"{stats['n']:.0f}",
                _centre(stats, spread),
                _signed(row.difference) if tested else "",
                TEST_LABELS.get(row.test, row.test) if tested else "not tested",
                _p_with_mark(row.p_adjusted) if tested else "",
            ]
            if across:
                secondary = tested and endpoint != result.plan.primary
                cells.append(_p_with_mark(row.p_adjusted_endpoints) if secondary else "")
            cells.append("" if not tested or math.isnan(row.hedges_g) else f"{row.hedges_g:.2f}")
            lines.append(cells)
    right = {"n", centre, "difference", "p_adjusted", "p_adjusted_endpoints", "hedges_g"}
    return _align(header, lines, right=right)


def format_omnibus(result: GroupComparison) -> str:
    """Render the omnibus test of each endpoint: F(df1, df2) and p, or H(df) and p, both families.

    Dunnett's (and Dunn's, Steel's) comparisons with the control are single-step tests that hold their
    error rate on their own; they are not gated on the omnibus test, which is shown for the record.

    Parameters
    ----------
    result
        From :func:`assaykit.stats.compare.compare_groups`.

    Returns
    -------
    str
        An aligned text table, or an empty string when no endpoint had three or more groups tested.
    """
    lines = []
    for endpoint in result.endpoints:
        rows = result.comparisons[
            (result.comparisons["endpoint"] == endpoint) & (result.comparisons["test"] != "")
        ]
        if rows.empty:
            continue
        row = rows.iloc[0]
        head = omnibus_text(
            row["omnibus_test"],
            row["omnibus_statistic"],
            row["omnibus_df"],
            row["omnibus_df_error"],
            row["omnibus_p"],
        )
        alt = omnibus_text(
            row["alternative_omnibus_test"],
            row["alternative_omnibus_statistic"],
            row["alternative_omnibus_df"],
            row["alternative_omnibus_df_error"],
            row["alternative_omnibus_p"],
        )
        if head or alt:
            lines.append([str(endpoint), head, alt])
    if not lines:
        return ""
    return _align(["omnibus: endpoint", "headline family", "alternative family"], lines, right=set())


def format_latency(result: GroupComparison) -> str:
    """Render each censored latency: n, censored, Kaplan-Meier median (95% CI), log-rank p, hazard ratio.

    Parameters
    ----------
    result
        From :func:`assaykit.stats.compare.compare_groups`.

    Returns
    -------
    str
        An aligned text table, or an empty string without latencies analysed as censored data.
    """
    km = result.latency
    if km is None or km.empty:
        return ""
    models = result.models
    tests = {
        (str(r.endpoint), str(r.analysis), str(r.group)): r
        for r in models[models["analysis"].isin(["logrank", "cox"])].itertuples(index=False)
    }
    across = {}
    if result.plan.primary is not None:
        rows = result.comparisons
        across = dict(
            zip(zip(rows["endpoint"], rows["group"], strict=True), rows["p_adjusted_endpoints"], strict=True)
        )
    lines = []
    for row in km.itertuples(index=False):
        if math.isnan(row.median):
            median = "not reached"
        else:
            low = sig(row.median_ci_low, 3) or "-"
            high = sig(row.median_ci_high, 3) or "not reached"
            median = f"{sig(row.median, 3)} ({low}, {high})"
        logrank = tests.get((str(row.endpoint), "logrank", str(row.group)))
        cox = tests.get((str(row.endpoint), "cox", str(row.group)))
        hazard = "" if cox is None else _with_ci(cox.estimate, cox.ci_low, cox.ci_high)
        label = f"{row.group} (control)" if row.group == result.control else str(row.group)
        cells = [str(row.endpoint), label, f"{row.n:.0f}", f"{row.n_censored:.0f}", median]
        cells.append("" if logrank is None else _p_with_mark(logrank.p_adjusted))
        if across:
            p = across.get((str(row.endpoint), str(row.group)), math.nan)
            cells.append("" if row.endpoint == result.plan.primary else _p_with_mark(p))
        lines.append([*cells, hazard])
    header = ["latency: endpoint", "group", "n", "n_censored", "median (95% CI)", "log-rank p_adjusted"]
    header += ["p_adjusted_endpoints"] if across else []
    header.append("hazard_ratio (95% CI)")
    return _align(header, lines, right={"n", "n_censored", "log-rank p_adjusted", "p_adjusted_endpoints"})


def format_locomotion(result: GroupComparison) -> str:
    """Render each group's anxiety and locomotor reading (the ``anxiety_locomotion`` table), one line each.

    Parameters
    ----------
    result
        From :func:`assaykit.stats.compare.compare_groups`.

    Returns
    -------
    str
        An aligned text table, or an empty string when the table is empty.
    """
    table = result.locomotion
    if table is None or table.empty:
        return ""
    lines = [[str(r.group), str(r.anxiety), str(r.locomotion), str(r.reading)] for r in table.itertuples()]
    return _align(["anxiety vs locomotion: group", "anxiety", "locomotion", "reading"], lines, right=set())


def format_models(result: GroupComparison) -> str:
    """Render the model-based comparisons: analysis, stratum, group, estimate (CI), p_adjusted.

    The log-rank and Cox rows of latencies are shown by :func:`format_latency` instead.

    Parameters
    ----------
    result
        From :func:`assaykit.stats.compare.compare_groups`.

    Returns
    -------
    str
        An aligned text table, or an empty string when the plan asked for no model.
    """
    models = result.models
    if models is None or models.empty:
        return ""
    models = models[~models["analysis"].isin(["logrank", "cox"])]  # in the latency table
    if models.empty:
        return ""
    lines = []
    for row in models.itertuples(index=False):
        estimate = _with_ci(row.estimate, row.ci_low, row.ci_high)
        lines.append(
            [
                str(row.endpoint),
                str(row.analysis),
                str(row.stratum),
                str(row.group),
                str(row.scale),
                estimate,
                _p_with_mark(row.p_adjusted),
            ]
        )
    header = ["models: endpoint", "analysis", "stratum", "group", "scale", "estimate (95% CI)", "p_adjusted"]
    return _align(header, lines, right={"p_adjusted"})


def format_trend(result: GroupComparison) -> str:
    """Render the headline dose-response trend test of each endpoint and compound, one line each.

    Parameters
    ----------
    result
        From :func:`assaykit.stats.compare.compare_groups`.

    Returns
    -------
    str
        An aligned text table, or an empty string when no trend was tested.
    """
    trend = result.trend[result.trend["headline"].astype(bool)] if not result.trend.empty else result.trend
    if trend.empty:
        return ""
    lines = []
    for row in trend.itertuples(index=False):
        if math.isnan(row.statistic if row.test == "linear_contrast" else row.z):
            statistic = "undefined"
        elif row.test == "jonckheere_terpstra":
            statistic = f"z = {row.z:.2f}"
        else:
            statistic = f"t({row.df:.0f}) = {row.statistic:.2f}"
        lines.append(
            [
                str(row.endpoint),
                str(row.compound) or "dosed groups",
                str(row.doses),
                TEST_LABELS.get(row.test, row.test),
                statistic,
                _p_with_mark(row.p_value),
                str(row.direction),
            ]
        )
    header = ["trend: endpoint", "compound", "doses", "test", "statistic", "p", "direction"]
    return _align(header, lines, right={"p"})


def _centre(stats: pd.Series, spread: str) -> str:
    if stats["n"] == 0:
        return "no value"
    value = stats[spread]
    shown = "" if math.isnan(value) else f" ± {sig(value, 2)}"
    return f"{sig(stats['mean'], 3)}{shown}"


def _with_ci(estimate: float, low: float, high: float) -> str:
    """Write ``estimate (low, high)`` to 3 significant digits; no interval when a limit is NaN."""
    if math.isnan(estimate):
        return ""
    ci = "" if math.isnan(low) or math.isnan(high) else f" ({sig(low, 3)}, {sig(high, 3)})"
    return f"{sig(estimate, 3)}{ci}"


def _signed(value: float) -> str:
    text = sig(value, 3)
    return f"+{text}" if text and not text.startswith("-") and value != 0 else text


def _p_with_mark(p: float) -> str:
    if p is None or math.isnan(p):
        return ""
    text = "<0.001" if p < 0.001 else f"{p:.3f}"
    mark = significance_mark(p)
    return f"{text} {mark if mark != 'ns' else '':<3}"  # a fixed width keeps the numbers aligned


def _align(header: list[str], lines: list[list[str]], *, right: set[str]) -> str:
    widths = [
        max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(header)
    ]

    def render(cells: list[str]) -> str:
        parts = [
            cell.rjust(width) if name in right else cell.ljust(width)
            for cell, width, name in zip(cells, widths, header, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([render(header), *(render(line) for line in lines)])
