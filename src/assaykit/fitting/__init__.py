"""The one fitting engine and the models it fits.

The formulas (:mod:`assaykit.fitting.logistic`, :mod:`assaykit.fitting.two_site`,
:mod:`assaykit.fitting.homologous`) are plain numpy functions, bundled with what the engine needs in a
:class:`CurveModel` (:mod:`assaykit.fitting.models`); :func:`fit_curve` fits any of them with lmfit and
reports Prism-style standard errors, confidence intervals and dependencies, and :func:`fit_curves` fits many
curves of one model at once (:mod:`assaykit.fitting.batch`), returning a :class:`FitSet`.
"""

from assaykit.fitting.batch import fit_curves
from assaykit.fitting.compare import ModelComparison, aicc, compare_fits, f_test
from assaykit.fitting.engine import fit_curve
from assaykit.fitting.fit_types import AMBIGUOUS_DEPENDENCY, CurveFit, CurveFitError, CurveModel
from assaykit.fitting.fitset import FitSet
from assaykit.fitting.homologous import homologous
from assaykit.fitting.logistic import cheng_prusoff_shift, logistic4, one_site_fit_ki
from assaykit.fitting.models import (
    COMPETITION_MODELS,
    FIT_KI,
    HOMOLOGOUS,
    LOGISTIC4,
    ONE_SITE,
    TWO_SITE,
    TWO_SITE_KI,
)
from assaykit.fitting.outliers import RoutFit, fit_rout, rout_outliers, rsdr
from assaykit.fitting.profile_likelihood import profile_interval
from assaykit.fitting.two_site import two_site, two_site_fit_ki

__all__ = [
    "AMBIGUOUS_DEPENDENCY",
    "COMPETITION_MODELS",
    "FIT_KI",
    "HOMOLOGOUS",
    "LOGISTIC4",
    "ONE_SITE",
    "TWO_SITE",
    "TWO_SITE_KI",
    "CurveFit",
    "CurveFitError",
    "CurveModel",
    "FitSet",
    "ModelComparison",
    "RoutFit",
    "aicc",
    "cheng_prusoff_shift",
    "compare_fits",
    "f_test",
    "fit_curve",
    "fit_curves",
    "fit_rout",
    "homologous",
    "logistic4",
    "one_site_fit_ki",
    "profile_interval",
    "rout_outliers",
    "rsdr",
    "two_site",
    "two_site_fit_ki",
]
