"""Terminal tables for a group comparison (full precision stays in the written files)."""

from __future__ import annotations

import math

import pandas as pd

from assaykit.formatting import sig
from assaykit.stats.compare import GroupComparison
from assaykit.stats.plots import significance_mark

#: Short names of the tests on the terminal.
TEST_LABELS = {
    "welch_t": "Welch t",
    "mann_whitney_u": "Mann-Whitney",
    "dunnett": "Dunnett",
    "dunn_holm": "Dunn-Holm",
    "jonckheere_terpstra": "Jonckheere-Terpstra",
    "linear_contrast": "linear contrast",
}


def format_comparisons(result: GroupComparison) -> str:
    """Render one line per endpoint x group: n, mean ± SEM, difference, test, p_adjusted, hedges_g.

    The control's line comes first in each endpoint and carries only its n and mean ± SEM.

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
    header = ["endpoint", "group", "n", "mean ± SEM", "difference", "test", "p_adjusted", "hedges_g"]
    lines: list[list[str]] = []
    for endpoint in result.endpoints:
        control = summary.loc[(endpoint, result.control)]
        lines.append(
            [
                endpoint,
                f"{result.control} (control)",
                f"{control['n']:.0f}",
                _mean_sem(control),
                "",
                "",
                "",
                "",
            ]
        )
        rows = result.comparisons[result.comparisons["endpoint"] == endpoint]
        for row in rows.itertuples(index=False):
            stats = summary.loc[(endpoint, row.group)]
            tested = bool(row.test)
            lines.append(
                [
                    "",
                    str(row.group),
                    f"{stats['n']:.0f}",
                    _mean_sem(stats),
                    _signed(row.difference) if tested else "",
                    TEST_LABELS.get(row.test, row.test) if tested else "not tested",
                    _p_with_mark(row.p_adjusted) if tested else "",
                    "" if not tested or math.isnan(row.hedges_g) else f"{row.hedges_g:.2f}",
                ]
            )
    return _align(header, lines, right={"n", "mean ± SEM", "difference", "p_adjusted", "hedges_g"})


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


def _mean_sem(stats: pd.Series) -> str:
    if stats["n"] == 0:
        return "no value"
    sem = "" if math.isnan(stats["sem"]) else f" ± {sig(stats['sem'], 2)}"
    return f"{sig(stats['mean'], 3)}{sem}"


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
