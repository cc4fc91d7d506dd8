"""The one fitting engine and the models it fits.

The formulas (:mod:`assaykit.fitting.models`) are plain numpy functions; :func:`fit_curve` fits any of them
with lmfit and reports Prism-style standard errors, confidence intervals and dependencies.
"""

from assaykit.fitting.engine import AMBIGUOUS_DEPENDENCY, CurveFit, CurveFitError, fit_curve, profile_interval
from assaykit.fitting.models import (
    COMPETITION_MODELS,
    FIT_KI,
    LOGISTIC4,
    ONE_SITE,
    CurveModel,
    cheng_prusoff_shift,
    logistic4,
    one_site_fit_ki,
)

__all__ = [
    "AMBIGUOUS_DEPENDENCY",
    "COMPETITION_MODELS",
    "FIT_KI",
    "LOGISTIC4",
    "ONE_SITE",
    "CurveFit",
    "CurveFitError",
    "CurveModel",
    "cheng_prusoff_shift",
    "fit_curve",
    "logistic4",
    "one_site_fit_ki",
    "profile_interval",
]
