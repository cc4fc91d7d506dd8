"""The sensitivity analysis of the primary endpoint: an ANCOVA of the change at one visit on the baseline.

``change ~ baseline + arm`` by ordinary least squares (statsmodels) on the patients observed at that visit
(observed cases: nothing imputed), with the least-squares mean of each arm at the mean baseline and the
difference of each arm from the control with its t test and confidence interval, as ``lm`` and ``emmeans``
give them (ICH E9 section 5.7; EMA 2015, Guideline on adjustment for baseline covariates in clinical trials).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from assaykit.errors import AssayInputError
from assaykit.trial.mmrm import prepare


@dataclass(frozen=True)
class AncovaResult:
    """An endpoint ANCOVA.

    ``coefficients`` carry R's term names; ``lsmeans`` per arm; ``contrasts`` each arm minus the control.
    """

    visit: object
    coefficients: pd.DataFrame
    lsmeans: pd.DataFrame
    contrasts: pd.DataFrame
    n_patients: int
    df: float
    level: float


def fit_ancova(
    data: pd.DataFrame,
    *,
    response: str = "change",
    baseline: str = "baseline",
    arm: str = "arm",
    visit: str = "visit",
    patient: str = "patient",
    control: str = "placebo",
    endpoint: object | None = None,
    level: float = 0.95,
) -> AncovaResult:
    """Fit ``change ~ baseline + arm`` at the endpoint visit and compare each arm with the control.

    Parameters
    ----------
    data
        The long table of :func:`assaykit.trial.mmrm.fit_mmrm` (one row per patient and post-baseline visit).
    response, baseline, arm, visit, patient, control
        As for :func:`assaykit.trial.mmrm.fit_mmrm`.
    endpoint
        The visit analysed; the last visit by default.
    level
        The confidence level.

    Returns
    -------
    AncovaResult
        Contrasts: ``arm, vs, estimate, se, df, t, p_value, ci_low, ci_high``.
    """
    import statsmodels.api as sm

    d, vlev, alev = prepare(
        data, response=response, baseline=baseline, arm=arm, visit=visit, patient=patient, control=control
    )
    end = vlev[-1] if endpoint is None else endpoint
    if end not in vlev:
        raise AssayInputError(f"the endpoint visit {end!r} is not among the visits", column=visit)
    e = d[d[visit] == end]
    names = ["(Intercept)", baseline] + [f"{arm}{a}" for a in alev[1:]]
    x = np.column_stack(
        [np.ones(len(e)), e[baseline].to_numpy(float)] + [(e[arm] == a).to_numpy(float) for a in alev[1:]]
    )
    if len(e) <= x.shape[1]:
        raise AssayInputError(f"only {len(e)} patients have a value at visit {end!r}", column=response)
    fit = sm.OLS(e[response].to_numpy(float), x).fit()
    df = float(fit.df_resid)
    coef = pd.DataFrame(
        {"term": names, "estimate": fit.params, "se": fit.bse, "t": fit.tvalues, "p_value": fit.pvalues}
    )
    bmean = float(e[baseline].mean())
    grid = np.array([[1.0, bmean] + [float(a == b) for b in alev[1:]] for a in alev])
    lsm = _table(alev, grid, fit, df, level).drop(columns=["t", "p_value"])
    con = _table(alev[1:], grid[1:] - grid[0], fit, df, level)
    con.insert(1, "vs", control)
    return AncovaResult(end, coef, lsm, con, len(e), df, level)


def _table(labels: list, rows: np.ndarray, fit, df: float, level: float) -> pd.DataFrame:
    est = rows @ fit.params
    se = np.sqrt(np.einsum("ra,ab,rb->r", rows, fit.cov_params(), rows))
    t = est / se
    half = stats.t.ppf(0.5 + level / 2, df) * se
    return pd.DataFrame(
        {
            "arm": labels,
            "estimate": est,
            "se": se,
            "df": df,
            "t": t,
            "p_value": 2 * stats.t.sf(np.abs(t), df),
            "ci_low": est - half,
            "ci_high": est + half,
        }
    )
