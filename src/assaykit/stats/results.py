"""Plain result records shared by the statistical functions of :mod:`assaykit.stats`."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class TestResult:
    """One test: its statistic, degrees of freedom and p-value (and a confidence interval when it has one).

    Attributes
    ----------
    statistic
        The test statistic (t, U, F, H, ...).
    p_value
        Two-sided p-value.
    df
        Degrees of freedom (the numerator df of an F test, the df of a chi-square); NaN when the statistic has
        none (U, z).
    df_error
        The denominator (error) df of an F test; NaN otherwise.
    ci_low, ci_high
        95% confidence interval of the difference the test is about, when it gives one; NaN otherwise.
    """

    __test__ = False  # not a pytest test class, despite the name

    statistic: float
    p_value: float
    df: float = math.nan
    df_error: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan


@dataclass(frozen=True)
class ControlFamily:
    """Several groups compared with one control: one entry per group, in the order the groups were given.

    Attributes
    ----------
    statistic
        The statistic of each comparison (Dunnett's t, Welch's t for T3, Steel's or Dunn's z).
    p_value
        Each comparison's two-sided p-value before adjustment for multiplicity.
    p_adjusted
        The p-values adjusted over the family of comparisons with the control.
    df
        Degrees of freedom of the statistics: one number when they share it (Dunnett's N - k), an array
        with one per comparison when they do not (Welch-Satterthwaite df of Dunnett's T3); NaN for z.
    ci_low, ci_high
        Confidence interval of each difference from the control (NaN or None when the test gives none);
        ``ci_type`` says whether they are simultaneous.
    notes
        Anything the computation reported (degenerate data and the like).
    critical_value
        The two-sided critical value of the intervals: Dunnett's ``d`` (one number), or one per comparison
        for T3 (an array); NaN when there are no intervals.
    ci_type
        ``"simultaneous"`` (joint coverage over the family), ``"per_comparison"``, or ``""`` without
        intervals.
    adjustment
        The multiplicity adjustment of ``p_adjusted``: ``"dunnett"``, ``"dunnett_t3"``, ``"steel"``,
        ``"holm"``, ``"bonferroni"``.
    """

    statistic: np.ndarray
    p_value: np.ndarray
    p_adjusted: np.ndarray
    df: float | np.ndarray = math.nan
    ci_low: np.ndarray | None = None
    ci_high: np.ndarray | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    critical_value: float | np.ndarray = math.nan
    ci_type: str = ""
    adjustment: str = ""


@dataclass(frozen=True)
class TrendResult:
    """A test for a monotonic dose-response trend.

    Attributes
    ----------
    statistic
        Jonckheere-Terpstra's J, or the t of the linear contrast.
    p_value
        Two-sided p-value.
    z
        The standardised statistic (J - E[J]) / SD[J] for Jonckheere-Terpstra; NaN for the contrast.
    df
        Degrees of freedom of the contrast's t; NaN for Jonckheere-Terpstra.
    estimate
        The contrast's slope of the group means per dose step; NaN for Jonckheere-Terpstra.
    mean, variance
        E[J] and Var[J] under the null hypothesis (Jonckheere-Terpstra only).
    """

    statistic: float
    p_value: float
    z: float = math.nan
    df: float = math.nan
    estimate: float = math.nan
    mean: float = math.nan
    variance: float = math.nan


@contextlib.contextmanager
def constant_groups_allowed() -> Iterator[None]:
    """Silence scipy's "precision loss" warning about a group whose values are all equal.

    scipy warns when a sample's variance is zero up to rounding (e.g. two animals with the same entry
    percentage). The statistics here are still defined (Welch's SE then comes from the other group), and
    data with no variation at all are caught before scipy is called and reported in a note.

    Yields
    ------
    None
        The block runs without that warning.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Precision loss occurred", category=RuntimeWarning)
        yield
