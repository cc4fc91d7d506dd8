"""Non-inferiority and equivalence of two active arms from an estimated difference and its standard error.

For a difference ``d = A - B`` (e.g. the MMRM's LS-mean difference tofisopam - diazepam in HAM-A change, where
lower is better) and a margin ``M > 0``:

- non-inferiority of A to B: H0 ``d >= M`` (A worse by at least M) against H1 ``d < M`` when lower is better
  (``d <= -M`` against ``d > -M`` when higher is better), a one-sided t test at ``alpha = (1 - level) / 2``;
  concluded when the two-sided ``level`` CI lies on the good side of the margin (ICH E9 section 3.3.2; ICH
  E10; EMA CPMP/EWP/2158/99, Guideline on the choice of the non-inferiority margin);
- equivalence: the two one-sided tests (TOST, Schuirmann 1987, J Pharmacokinet Biopharm 15:657) of ``d <= -M``
  and ``d >= M``, each at ``alpha = 1 - level``; equivalent when both reject, i.e. when the ``1 - 2 alpha`` CI
  lies within ``(-M, M)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from assaykit.errors import AssayInputError


@dataclass(frozen=True)
class MarginTest:
    """A margin test.

    The CI the decision rests on, the p value (the larger of the two for TOST) and the verdict.
    """

    kind: str
    estimate: float
    se: float
    df: float
    margin: float
    ci_level: float
    ci_low: float
    ci_high: float
    p_value: float
    conclusion: bool
    statement: str


def noninferiority(
    estimate: float,
    se: float,
    df: float,
    margin: float,
    *,
    kind: str = "noninferiority",
    level: float = 0.95,
    higher_is_better: bool = False,
) -> MarginTest:
    """Test non-inferiority or equivalence of a difference against a margin.

    Parameters
    ----------
    estimate, se, df
        The difference (test arm minus reference arm), its standard error and degrees of freedom
        (``numpy.inf`` for a normal approximation).
    margin
        The margin, a positive number on the scale of ``estimate``.
    kind
        ``"noninferiority"`` or ``"equivalence"``.
    level
        For non-inferiority the two-sided CI level (one-sided alpha = (1 - level) / 2); for equivalence
        ``1 - alpha`` of each one-sided test (the CI is then ``1 - 2 alpha``, 90% for level 0.95).
    higher_is_better
        False for scales where a drop is improvement (HAM-A change).

    Returns
    -------
    MarginTest
    """
    if kind not in ("noninferiority", "equivalence"):
        raise AssayInputError(f"unknown comparison {kind!r}; expected 'noninferiority' or 'equivalence'")
    if not (np.isfinite(margin) and margin > 0):
        raise AssayInputError(f"the margin must be a positive number, not {margin!r}")
    if not (np.isfinite(se) and se > 0) or not df > 0 or not 0 < level < 1:
        raise AssayInputError(
            f"need a positive SE and df and a level in (0, 1) (se={se}, df={df}, level={level})"
        )
    if kind == "noninferiority":
        alpha = (1 - level) / 2
        ci_level = level
        if higher_is_better:
            p = float(stats.t.sf((estimate + margin) / se, df))
        else:
            p = float(stats.t.cdf((estimate - margin) / se, df))
    else:
        alpha = 1 - level
        ci_level = 1 - 2 * alpha
        p = float(max(stats.t.sf((estimate + margin) / se, df), stats.t.cdf((estimate - margin) / se, df)))
    half = float(stats.t.ppf(1 - alpha, df)) * se
    low, high = estimate - half, estimate + half
    if kind == "equivalence":
        ok = bool(low > -margin and high < margin)
        what = f"equivalent within +/-{margin:g}" if ok else f"not shown equivalent within +/-{margin:g}"
    else:
        ok = bool(low > -margin) if higher_is_better else bool(high < margin)
        what = ("non-inferior" if ok else "non-inferiority not shown") + f" at margin {margin:g}"
    statement = (
        f"difference {estimate:.3g} ({100 * ci_level:g}% CI {low:.3g} to {high:.3g}): {what} "
        f"(p = {p:.3g}, one-sided alpha {alpha:g})"
    )
    return MarginTest(
        kind,
        float(estimate),
        float(se),
        float(df),
        float(margin),
        ci_level,
        float(low),
        float(high),
        p,
        ok,
        statement,
    )
