"""Saturation binding models: each formula bundled with its guess, starting points and profile span.

The formulas (:mod:`~assaykit.fitting.saturation_models.formulas`: bound radioligand against its
concentration in nM, Kd on that linear scale, Bmax in the units of the data) and their starting values
(:mod:`~assaykit.fitting.saturation_models.starting_values`) are bundled here, with the span of their
profile-likelihood search (:func:`kd_profile_span`), in :class:`~assaykit.fitting.fit_types.CurveModel`
objects. :data:`SATURATION_MODELS` maps the names users give (``--model``) to them; :data:`GLOBAL_MODELS`
names those that fit total and nonspecific tubes together.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from assaykit.fitting.fit_types import CurveModel
from assaykit.fitting.saturation_models.formulas import (
    _one_site_specific_jacobian,
    _one_site_total_jacobian,
    _specific_hill_jacobian,
    _two_site_specific_jacobian,
    _two_site_total_jacobian,
    one_site_specific,
    one_site_total,
    specific_hill,
    two_site_specific,
    two_site_total,
)
from assaykit.fitting.saturation_models.starting_values import (
    guess_hill,
    guess_one_site,
    guess_one_site_total,
    guess_two_site,
    guess_two_site_total,
    starts_hill,
    starts_one_site,
    starts_two_site,
)

#: The profile-likelihood search for a Kd reaches this factor below and above the estimate.
KD_PROFILE_FACTOR = 1e4


def kd_profile_span(best: float) -> tuple[float, float]:
    """Span of the profile-likelihood search for a Kd: ``best / 1e4`` to ``best * 1e4``.

    A Kd is positive and on a linear scale, so the search reaches four decades either way from the
    estimate; a limit not reached within that is open (reported as 0 below and infinity above). A
    non-positive estimate leaves nothing to search.

    Parameters
    ----------
    best
        The best-fit Kd, nM.

    Returns
    -------
    tuple of float
        ``(low, high)`` in nM.
    """
    if not best > 0:
        return best, best
    return best / KD_PROFILE_FACTOR, best * KD_PROFILE_FACTOR


_ONE_SITE_PARAMS = ("bmax", "kd_nM")
_TWO_SITE_PARAMS = ("bmax_hi", "kd_hi_nM", "bmax_lo", "kd_lo_nM")
_NONSPECIFIC_PARAMS = ("ns_slope", "background")

ONE_SITE_SPECIFIC = CurveModel(
    name="one-site",
    func=one_site_specific,
    jacobian=_one_site_specific_jacobian,
    param_names=_ONE_SITE_PARAMS,
    potency="kd_nM",
    prism_name="One site -- Specific binding",
    guess=guess_one_site,
    starts=starts_one_site,
    profile_span=kd_profile_span,
)
SPECIFIC_HILL = CurveModel(
    name="hill",
    func=specific_hill,
    jacobian=_specific_hill_jacobian,
    param_names=(*_ONE_SITE_PARAMS, "hill"),
    potency="kd_nM",
    prism_name="Specific binding with Hill slope",
    guess=guess_hill,
    starts=starts_hill,
    profile_span=kd_profile_span,
)
TWO_SITE_SPECIFIC = CurveModel(
    name="two-site",
    func=two_site_specific,
    jacobian=_two_site_specific_jacobian,
    param_names=_TWO_SITE_PARAMS,
    potency="kd_hi_nM",
    prism_name="Two sites -- Specific binding",
    guess=guess_two_site,
    starts=starts_two_site,
    profile_span=kd_profile_span,
)
ONE_SITE_TOTAL = CurveModel(
    name="one-site-total",
    func=one_site_total,
    jacobian=_one_site_total_jacobian,
    param_names=(*_ONE_SITE_PARAMS, *_NONSPECIFIC_PARAMS),
    potency="kd_nM",
    prism_name="One site -- Total and nonspecific binding",
    guess=guess_one_site_total,
    data_columns=("is_total",),
    starts=starts_one_site,
    profile_span=kd_profile_span,
)
TWO_SITE_TOTAL = CurveModel(
    name="two-site-total",
    func=two_site_total,
    jacobian=_two_site_total_jacobian,
    param_names=(*_TWO_SITE_PARAMS, *_NONSPECIFIC_PARAMS),
    potency="kd_hi_nM",
    prism_name="Two sites -- Total and nonspecific binding",
    guess=guess_two_site_total,
    data_columns=("is_total",),
    starts=starts_two_site,
    profile_span=kd_profile_span,
)

#: Saturation models by the name users give them (``--model``); the first is the default.
SATURATION_MODELS: Mapping[str, CurveModel] = MappingProxyType(
    {
        model.name: model
        for model in (ONE_SITE_TOTAL, ONE_SITE_SPECIFIC, SPECIFIC_HILL, TWO_SITE_SPECIFIC, TWO_SITE_TOTAL)
    }
)

#: The models that fit total and nonspecific tubes together (they need ``is_total``).
GLOBAL_MODELS = frozenset(
    name for name, model in SATURATION_MODELS.items() if "is_total" in model.data_columns
)
