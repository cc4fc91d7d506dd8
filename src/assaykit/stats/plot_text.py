"""The words on the group figures: axis labels, significance marks, the omnibus test and the post-hoc test.

Everything here is text built from the comparisons table (:data:`~assaykit.stats.columns.COMPARISON_COLUMNS`);
nothing draws, so the figures of :mod:`assaykit.stats.plots` and :mod:`assaykit.stats.estimation_plot` say
the same thing in the same words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

#: Axis labels of the EPM and light-dark box endpoints; other columns get one from their name.
ENDPOINT_LABELS: dict[str, str] = {
    "open_time_pct": "Open-arm time (% of arm time)",
    "open_time_total_pct": "Open-arm time (% of session)",
    "open_entries_pct": "Open-arm entries (% of arm entries)",
    "open_time_s": "Open-arm time (s)",
    "closed_time_s": "Closed-arm time (s)",
    "center_time_s": "Centre time (s)",
    "open_entries": "Open-arm entries",
    "closed_entries": "Closed-arm entries",
    "total_entries": "Arm entries",
    "latency_open_s": "Latency to an open arm (s)",
    "distance_cm": "Distance travelled (cm)",
    "mean_speed_cm_s": "Mean speed (cm/s)",
    "head_dips": "Head dips",
    "unprotected_head_dips": "Unprotected head dips",
    "stretched_attend_postures": "Stretched-attend postures",
    "light_time_s": "Time in the light (s)",
    "light_time_pct": "Time in the light (%)",
    "latency_light_s": "Latency to the light (s)",
    "transitions": "Transitions",
    "light_entries": "Entries into the light",
}

#: Units read from the end of a column name, longest first.
UNIT_SUFFIXES = (
    ("_cm_s", "cm/s"),
    ("_mm_s", "mm/s"),
    ("_pct", "%"),
    ("_percent", "%"),
    ("_ms", "ms"),
    ("_min", "min"),
    ("_cm", "cm"),
    ("_mm", "mm"),
    ("_s", "s"),
)

#: Significance marks: the largest p-value each mark stands for, in increasing order.
MARKS = ((0.001, "***"), (0.01, "**"), (0.05, "*"))

#: The tests of a group against the control, as the ``test`` column names them, in words.
TEST_NAMES: dict[str, str] = {
    "welch_t": "Welch's t-test",
    "student_t": "Student's t-test",
    "mann_whitney_u": "Mann-Whitney U",
    "dunnett": "Dunnett",
    "dunnett_t3": "Dunnett's T3",
    "games_howell": "Games-Howell",
    "steel": "Steel",
    "dunn_holm": "Dunn (Holm)",
    "dunn_bonferroni": "Dunn (Bonferroni)",
    "logrank": "log-rank",
}

#: The omnibus tests, as the ``omnibus_test`` column names them: the words and the statistic's letter.
OMNIBUS_NAMES: dict[str, tuple[str, str]] = {
    "anova": ("one-way ANOVA", "F"),
    "welch_anova": ("Welch ANOVA", "F"),
    "kruskal_wallis": ("Kruskal-Wallis", "H"),
    "logrank": ("log-rank", "χ²"),
}

#: Rank-based tests of a group against the control (any other ``dunn_*`` name counts too).
RANK_TESTS = frozenset({"mann_whitney_u", "dunn_holm", "dunn_bonferroni", "steel"})

#: Tests of one group against the control whose p needs no adjustment (the family has one comparison).
_SINGLE_TESTS = frozenset({"welch_t", "student_t", "mann_whitney_u"})
#: Parametric many-to-one tests whose intervals are simultaneous, by the ``test`` column's name.
_SIMULTANEOUS = ("dunnett", "dunnett_t3", "games_howell")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def axis_label(column: str) -> str:
    """Make a readable axis label for an endpoint column: known endpoints by name, others with the unit.

    Examples
    --------
    >>> axis_label("open_time_pct")
    'Open-arm time (% of arm time)'
    >>> axis_label("rearing_time_s")
    'rearing time (s)'
    """
    if column in ENDPOINT_LABELS:
        return ENDPOINT_LABELS[column]
    for suffix, unit in UNIT_SUFFIXES:
        if column.endswith(suffix) and len(column) > len(suffix):
            return f"{column[: -len(suffix)].replace('_', ' ')} ({unit})"
    return column.replace("_", " ")


def unit_of(column: str) -> str:
    """Return the unit at the end of a column's name (``latency_open_s`` -> ``s``); empty when none."""
    for suffix, unit in UNIT_SUFFIXES:
        if column.endswith(suffix) and len(column) > len(suffix):
            return unit
    return ""


def significance_mark(p: float) -> str:
    """``***`` (p < 0.001), ``**`` (< 0.01), ``*`` (< 0.05), ``ns``; empty for NaN (not tested)."""
    if p is None or not math.isfinite(p):
        return ""
    for limit, mark in MARKS:
        if p < limit:
            return mark
    return "ns"


def format_p(p: float) -> str:
    """Write a p-value for a figure: three decimals from 0.001 up, two significant figures below.

    Examples
    --------
    >>> format_p(0.0043)
    'p = 0.004'
    >>> format_p(3.4e-05)
    'p = 3.4 × 10⁻⁵'
    """
    if not math.isfinite(p):
        return "p undefined"
    if p >= 0.001:
        return f"p = {p:.3f}"
    if p < 1e-16:  # below the accuracy of the distribution functions
        return "p < 10⁻¹⁶"
    mantissa, exponent = f"{p:.1e}".split("e")
    return f"p = {mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def format_df(df: float) -> str:
    """Degrees of freedom: a whole number as such (``40``), a Welch-Satterthwaite one to one decimal."""
    if not math.isfinite(df):
        return "?"
    return str(round(df)) if abs(df - round(df)) < 1e-9 else f"{df:.1f}"


def format_omnibus(test: str, statistic: float, df: float, df_error: float, p: float) -> str:
    """Write an omnibus test as a reviewer reads it, e.g. ``one-way ANOVA F(3, 40) = 5.21, p = 0.004``.

    ``anova`` and ``welch_anova`` give ``F(df, df_error)`` (Welch's error df to one decimal), and
    ``kruskal_wallis`` gives ``H(df)``, ``logrank`` gives ``χ²(df)``; the reporting follows the APA style
    (statistic to two decimals, p to three, exact below 0.001). A test that could not be computed (NaN
    statistic) is said to be undefined; an empty ``test`` gives an empty string.
    """
    if not test:
        return ""
    name, letter = OMNIBUS_NAMES.get(test, (test.replace("_", " "), "statistic"))
    if not math.isfinite(statistic):
        return f"{name} undefined" + (" (no variation within groups)" if test != "logrank" else "")
    dfs = (
        format_df(df)
        if letter in ("H", "χ²") or not math.isfinite(df_error)
        else f"{format_df(df)}, {format_df(df_error)}"
    )
    return f"{name} {letter}({dfs}) = {statistic:.2f}, {format_p(p)}"


def endpoint_rows(comparisons: pd.DataFrame | None, endpoint: str) -> pd.DataFrame:
    """Return the comparisons table's rows of one endpoint (an empty table when there is none)."""
    if comparisons is None or comparisons.empty or "endpoint" not in comparisons:
        return pd.DataFrame()
    return comparisons[comparisons["endpoint"].astype(str) == endpoint]


def omnibus_text(rows: pd.DataFrame) -> str:
    """Write the omnibus test of one endpoint's comparison rows (:func:`format_omnibus`); empty if none.

    Every row of an endpoint carries the same omnibus test; the first row naming one is used. Two groups
    have none (the ``omnibus_test`` column is empty).
    """
    if rows.empty or "omnibus_test" not in rows:
        return ""
    for row in rows.itertuples(index=False):
        test = _text(row.omnibus_test)
        if test:
            return format_omnibus(
                test,
                _number(row.omnibus_statistic),
                _number(row.omnibus_df),
                _number(row.omnibus_df_error),
                _number(row.omnibus_p),
            )
    return ""


def headline_test(rows: pd.DataFrame) -> str:
    """Return the headline test of one endpoint's comparison rows (the first non-empty ``test``), or ""."""
    if rows.empty or "test" not in rows:
        return ""
    return next((t for t in (_text(v) for v in rows["test"]) if t), "")


def is_rank_test(test: str) -> bool:
    """Whether a test compares ranks (:data:`RANK_TESTS`, or any ``dunn_*`` variant)."""
    return test in RANK_TESTS or test.startswith("dunn_")


def name_of_test(test: str) -> str:
    """Return a test's name in words (:data:`TEST_NAMES`; an unknown name with its underscores as spaces)."""
    return TEST_NAMES.get(test, test.replace("_", " "))


def posthoc_text(test: str, control: str) -> str:
    """Say which test the marks come from and what they mean.

    For example ``Dunnett vs vehicle (adjusted p): * p < 0.05, ** p < 0.01, *** p < 0.001, ns p ≥ 0.05``.

    The marks follow :func:`significance_mark`; the p-values are adjusted for the comparisons with the
    control unless the test is of a single group against it (Welch's t, Mann-Whitney U).
    """
    if not test:
        return ""
    adjusted = "" if test in _SINGLE_TESTS else " (adjusted p)"
    return f"{name_of_test(test)} vs {control}{adjusted}: * p < 0.05, ** p < 0.01, *** p < 0.001, ns p ≥ 0.05"


def ci_label(rows: pd.DataFrame) -> str:
    """Say what kind of 95% CI of the differences the rows carry.

    For example ``simultaneous (Dunnett)`` or ``per comparison``.

    The ``difference_ci_type`` column decides when present (``simultaneous``, ``per_comparison``, or a
    label in words, kept as it is). Without it, the rule of
    :func:`~assaykit.stats.comparison_rows.analyse_endpoint` applies: the intervals are Dunnett's
    simultaneous ones when Dunnett's test was run (``test`` or ``alternative_test``), and Welch's
    per-comparison ones when Welch's t was. Empty when neither can be told. Several kinds are joined
    with ``" / "``.
    """
    if rows.empty:
        return ""
    tests = [_text(v) for c in ("test", "alternative_test") if c in rows for v in rows[c]]
    method = next((name_of_test(t) for t in tests if t in _SIMULTANEOUS), "")
    if "difference_ci_type" in rows:
        kinds = _unique(_text(v) for v in rows["difference_ci_type"])
        labels = []
        for kind in kinds:
            if kind == "simultaneous":
                labels.append(f"simultaneous ({method})" if method else "simultaneous")
            elif kind in ("per_comparison", "per comparison"):
                labels.append("per comparison")
            else:
                labels.append(kind.replace("_", " "))
        return " / ".join(labels)
    if "dunnett" in tests:
        return "simultaneous (Dunnett)"
    if "welch_t" in tests:
        return "per comparison (Welch)"
    return ""


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
