"""Counts of a one-way layout (groups or arms) by Poisson and negative binomial (NB2) log-linear GLMs.

:func:`one_way_count_fits` fits ``log E[y] = X b`` both ways and gives what deciding between them needs:
the Poisson fit's Pearson chi2 / residual df and the likelihood-ratio test of alpha = 0. The NB2 variance is
``mu + alpha mu^2``, alpha by maximum likelihood as ``MASS::glm.nb``. As alpha = 0 lies on the boundary of
the parameter space, the LR statistic follows the 50:50 mixture of a point mass at 0 and chi2(1), so
``p = P(chi2_1 >= LR) / 2`` (Self SG, Liang KY (1987) J Am Stat Assoc 82:605-610; Cameron AC, Trivedi PK
(2013) Regression Analysis of Count Data, 2nd ed., sec. 3.4). The counts are called overdispersed when the
Pearson ratio exceeds :data:`OVERDISPERSION` or the LR test has p < :data:`LR_LEVEL`.

Used by the group statistics (:func:`assaykit.stats.glm.count_comparisons`) and the trial's washout symptom
counts (:func:`assaykit.trial.withdrawal.count_comparisons`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import statsmodels.api as sm
from scipy import optimize
from scipy import stats as sps

__all__ = ["LR_LEVEL", "OVERDISPERSION", "CountFits", "nb_alpha", "one_way_count_fits"]

#: Pearson chi2 / residual df above which a Poisson (or binomial) fit is called overdispersed.
OVERDISPERSION = 1.5
#: Level of the likelihood-ratio test of alpha = 0.
LR_LEVEL = 0.05


@dataclass(frozen=True)
class CountFits:
    """The Poisson and negative binomial fits of one set of counts, and the dispersion check.

    Attributes
    ----------
    poisson
        The Poisson GLM fit (statsmodels ``GLMResults``).
    negative_binomial
        The NB2 GLM fit at ``alpha``; the Poisson fit itself when alpha is estimated at 0.
    alpha
        The maximum-likelihood NB2 dispersion (0 on the boundary).
    pearson_chi2_df
        The Poisson fit's Pearson chi2 / residual df (NaN without residual df).
    lr_p
        The p-value of the likelihood-ratio test of alpha = 0 (50:50 chi-bar-square).
    overdispersed
        ``pearson_chi2_df > OVERDISPERSION`` or ``lr_p < LR_LEVEL``.
    """

    poisson: Any
    negative_binomial: Any
    alpha: float
    pearson_chi2_df: float
    lr_p: float
    overdispersed: bool


def nb_alpha(y: np.ndarray, design: np.ndarray, poisson: Any) -> tuple[float, float]:
    """Return the maximum-likelihood NB2 alpha of a one-way layout and the log-likelihood there.

    In a one-way layout the fitted means are the group means whatever alpha is (the score equation of a
    group's coefficient is ``sum (y - mu) / (1 + alpha mu) = 0`` within the group), so alpha maximises the
    profile log-likelihood with the means held at the Poisson fit's. It is located on ``log alpha`` by
    bounded Brent, then refined by statsmodels' Newton iterations on all parameters
    (``NegativeBinomial(loglike_method="nb2")``: the joint maximum ``MASS::glm.nb`` converges to). Returns
    alpha = 0 and the Poisson log-likelihood when the maximum is on the boundary.
    """
    mu = poisson.fittedvalues

    def negative(log_alpha: float) -> float:
        family = sm.families.NegativeBinomial(alpha=math.exp(log_alpha))
        return -float(family.loglike(y, mu))

    bounds = (math.log(1e-9), math.log(1e4))
    found = optimize.minimize_scalar(negative, bounds=bounds, method="bounded", options={"xatol": 1e-10})
    alpha, llf = math.exp(found.x), -float(found.fun)
    if alpha < 1e-7 or llf <= poisson.llf:
        return 0.0, float(poisson.llf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.NegativeBinomial(y, design, loglike_method="nb2")
        refined = model.fit(start_params=np.r_[poisson.params, alpha], method="newton", disp=0, maxiter=100)
    a = float(refined.params[-1])
    converged = bool(refined.mle_retvals.get("converged")) and math.isfinite(refined.llf)
    if converged and a > 0 and abs(a - alpha) <= 1e-3 * alpha and refined.llf >= llf - 1e-9:
        return a, float(refined.llf)
    return alpha, llf


def one_way_count_fits(y: np.ndarray, design: np.ndarray) -> CountFits:
    """Fit counts of a one-way layout by Poisson and NB2 GLMs and check their dispersion.

    Parameters
    ----------
    y
        The counts (whole numbers >= 0).
    design
        The design matrix: an intercept and one indicator column per group but the reference.

    Returns
    -------
    CountFits
        Both fits (IRLS to tolerance 1e-12), alpha, the Pearson ratio and the LR test of alpha = 0.
    """
    glm_fit = {"tol": 1e-12, "maxiter": 200}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        poisson = sm.GLM(y, design, family=sm.families.Poisson()).fit(**glm_fit)
    pearson = poisson.pearson_chi2 / poisson.df_resid if poisson.df_resid > 0 else math.nan
    alpha, llf_nb = nb_alpha(y, design, poisson)
    lr = max(2.0 * (llf_nb - poisson.llf), 0.0)
    lr_p = 0.5 * float(sps.chi2.sf(lr, 1)) if lr > 0 else 1.0
    negative_binomial = poisson
    if alpha > 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            family = sm.families.NegativeBinomial(alpha=alpha)
            negative_binomial = sm.GLM(y, design, family=family).fit(**glm_fit)
    overdispersed = bool(pearson > OVERDISPERSION or lr_p < LR_LEVEL)
    return CountFits(poisson, negative_binomial, alpha, float(pearson), lr_p, overdispersed)
