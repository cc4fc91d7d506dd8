"""The competition models users name (``--model``): each formula bundled with what the engine needs.

Every :class:`~assaykit.fitting.fit_types.CurveModel` here bundles a formula written the way GraphPad Prism
documents it (X = log10 molar concentration) with its Jacobian, starting guess and Prism name: the one-site
sigmoids of :mod:`assaykit.fitting.logistic`, the two-site models of :mod:`assaykit.fitting.two_site` and
homologous competition (:mod:`assaykit.fitting.homologous`). :data:`COMPETITION_MODELS` maps the names to
them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from assaykit.fitting.fit_types import CurveModel
from assaykit.fitting.homologous import _homologous_jacobian, guess_homologous, homologous, homologous_starts
from assaykit.fitting.logistic import (
    _logistic4_jacobian,
    _one_site_fit_ki_jacobian,
    guess_competition_batch,
    logistic4,
    one_site_fit_ki,
)
from assaykit.fitting.two_site import (
    _two_site_fit_ki_jacobian,
    _two_site_jacobian,
    guess_two_site,
    two_site,
    two_site_fit_ki,
    two_site_starts,
)

LOGISTIC4 = CurveModel(
    name="4pl",
    batch_guess=guess_competition_batch,
    func=logistic4,
    jacobian=_logistic4_jacobian,
    param_names=("top", "bottom", "log_ic50", "hill_slope"),
    prism_name="log(inhibitor) vs. response -- Variable slope (four parameters)",
)
ONE_SITE = CurveModel(
    name="one-site",
    batch_guess=guess_competition_batch,
    func=logistic4,
    jacobian=_logistic4_jacobian,
    param_names=("top", "bottom", "log_ic50", "hill_slope"),
    fixed=MappingProxyType({"hill_slope": -1.0}),
    prism_name="One site - Fit logIC50",
)
FIT_KI = CurveModel(
    name="fit-ki",
    batch_guess=guess_competition_batch,
    func=one_site_fit_ki,
    jacobian=_one_site_fit_ki_jacobian,
    param_names=("top", "bottom", "log_ki"),
    constants=("radioligand_nM", "kd_nM"),
    potency="log_ki",
    prism_name="One site - Fit Ki",
)

TWO_SITE = CurveModel(
    name="two-site",
    func=two_site,
    jacobian=_two_site_jacobian,
    param_names=("top", "bottom", "log_ic50_hi", "log_ic50_lo", "fraction_hi"),
    potency="log_ic50_hi",
    prism_name="Two sites - Fit logIC50",
    guess=guess_two_site,
    starts=two_site_starts,
)
TWO_SITE_KI = CurveModel(
    name="two-site-ki",
    func=two_site_fit_ki,
    jacobian=_two_site_fit_ki_jacobian,
    param_names=("top", "bottom", "log_ki_hi", "log_ki_lo", "fraction_hi"),
    constants=("radioligand_nM", "kd_nM", "kd_lo_nM"),
    potency="log_ki_hi",
    prism_name="Two sites - Fit Ki",
    guess=guess_two_site,
    starts=two_site_starts,
)
HOMOLOGOUS = CurveModel(
    name="homologous",
    func=homologous,
    jacobian=_homologous_jacobian,
    param_names=("log_kd", "bmax", "bottom"),
    potency="log_kd",
    prism_name="One site - Homologous",
    guess=guess_homologous,
    data_columns=("hot_nM",),
    starts=homologous_starts,
)

#: Competition models by the name users give them.
COMPETITION_MODELS: Mapping[str, CurveModel] = MappingProxyType(
    {model.name: model for model in (LOGISTIC4, ONE_SITE, FIT_KI, TWO_SITE, TWO_SITE_KI, HOMOLOGOUS)}
)
