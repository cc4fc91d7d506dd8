"""The competition formulas against closed forms written here from GraphPad Prism's text.

Nothing in this file is compared with assaykit's own output: every expected value is either Prism's
equation typed in independently, an algebraic identity (midpoint, plateaus, Cheng-Prusoff shift) or a
central finite difference of the formula.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from assaykit.fitting import (
    COMPETITION_MODELS,
    FIT_KI,
    LOGISTIC4,
    ONE_SITE,
    cheng_prusoff_shift,
    logistic4,
    one_site_fit_ki,
)
from assaykit.fitting.logistic import guess_competition


def prism_4pl(x, top, bottom, log_ic50, hill_slope):
    """Prism: ``Y=Bottom + (Top-Bottom)/(1+10^((LogIC50-X)*HillSlope))``."""
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - x) * hill_slope))


def prism_fit_ki(x, top, bottom, log_ki, radioligand_nm, kd_nm):
    """Prism "One site - Fit Ki": ``logEC50=log(10^logKi*(1+RadioligandNM/HotKdNM))``, slope -1."""
    log_ec50 = math.log10(10.0**log_ki * (1.0 + radioligand_nm / kd_nm))
    return bottom + (top - bottom) / (1.0 + 10.0 ** (x - log_ec50))


PARAMS = [
    # top, bottom, log_ic50, hill
    (5000.0, 400.0, -8.3, -1.0),
    (100.0, 0.0, -6.0, -0.6),
    (20000.0, 3000.0, -9.7, -2.0),
    (1.0, -0.5, -7.2, -1.37),
    (300.0, 1200.0, -5.5, 1.1),  # a rising curve
]
X = np.linspace(-13.0, -3.0, 81)


@pytest.mark.parametrize("params", PARAMS)
def test_logistic4_equals_prism_text(params):
    got = logistic4(X, *params)
    want = np.array([prism_4pl(float(x), *params) for x in X])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * abs(params[0] - params[1]))


@pytest.mark.parametrize("params", PARAMS)
def test_logistic4_keyword_call_matches_positional(params):
    top, bottom, log_ic50, hill = params
    got = logistic4(X, hill_slope=hill, log_ic50=log_ic50, bottom=bottom, top=top)
    np.testing.assert_allclose(got, prism_4pl(X, *params), rtol=1e-12)


@pytest.mark.parametrize("params", PARAMS)
def test_value_at_log_ic50_is_the_midpoint(params):
    top, bottom, log_ic50, hill = params
    assert float(logistic4(np.array([log_ic50]), *params)[0]) == pytest.approx(
        (top + bottom) / 2.0, rel=1e-14, abs=1e-14
    )


@pytest.mark.parametrize("params", PARAMS)
def test_plateaus_at_extreme_concentrations(params):
    top, bottom, log_ic50, hill = params
    low, high = logistic4(np.array([log_ic50 - 40.0, log_ic50 + 40.0]), *params)
    # falling curve (hill < 0): Top at low X, Bottom at high X; rising curve the other way round
    first, last = (top, bottom) if hill < 0 else (bottom, top)
    assert low == pytest.approx(first, rel=1e-12)
    assert high == pytest.approx(last, rel=1e-12)


def test_one_decade_from_ic50_with_unit_slope_is_10_and_90_percent():
    # Y = Bottom + Span/(1+10^(X-logIC50)): at X = logIC50 - 1 the fraction is 1/1.1, at +1 it is 1/11
    y = logistic4(np.array([-9.0, -7.0]), top=100.0, bottom=0.0, log_ic50=-8.0, hill_slope=-1.0)
    np.testing.assert_allclose(y, [100.0 / 1.1, 100.0 / 11.0], rtol=1e-13)


def test_one_site_is_4pl_with_hill_minus_one_from_prism_one_site_text():
    # Prism One site - Fit logIC50: Y=Bottom + (Top-Bottom)/(1+10^(X-LogIC50))
    top, bottom, log_ic50 = 4200.0, 350.0, -8.1
    want = bottom + (top - bottom) / (1.0 + 10.0 ** (X - log_ic50))
    got = ONE_SITE.func(X, top=top, bottom=bottom, log_ic50=log_ic50, **ONE_SITE.fixed)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert dict(ONE_SITE.fixed) == {"hill_slope": -1.0}


@pytest.mark.parametrize(
    ("radioligand_nm", "kd_nm"), [(1.0, 1.5), (0.2, 3.0), (10.0, 0.5), (1e-6, 1.0), (2.0, 2.0)]
)
def test_fit_ki_equals_prism_text_and_one_site_at_shifted_ic50(radioligand_nm, kd_nm):
    top, bottom, log_ki = 3100.0, 210.0, -8.6
    got = one_site_fit_ki(X, top, bottom, log_ki, radioligand_nm, kd_nm)
    want = np.array([prism_fit_ki(float(x), top, bottom, log_ki, radioligand_nm, kd_nm) for x in X])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # Cheng-Prusoff: logIC50 = logKi + log10(1 + L/Kd)
    log_ic50 = log_ki + math.log10(1.0 + radioligand_nm / kd_nm)
    np.testing.assert_allclose(got, prism_4pl(X, top, bottom, log_ic50, -1.0), rtol=1e-12)


@pytest.mark.parametrize(("radioligand_nm", "kd_nm"), [(1.0, 1.5), (1.0, 1.0), (9.0, 1.0), (0.0, 2.0)])
def test_cheng_prusoff_shift_closed_form(radioligand_nm, kd_nm):
    assert cheng_prusoff_shift(radioligand_nm, kd_nm) == pytest.approx(
        math.log10(1.0 + radioligand_nm / kd_nm), abs=1e-15
    )


def test_cheng_prusoff_shift_hand_values():
    assert cheng_prusoff_shift(9.0, 1.0) == pytest.approx(1.0, abs=1e-15)  # 1 + 9 = 10
    assert cheng_prusoff_shift(1.0, 1.0) == pytest.approx(math.log10(2.0), abs=1e-15)
    assert cheng_prusoff_shift(0.0, 1.0) == 0.0


def central_difference(func, params: dict, name: str, x: np.ndarray) -> np.ndarray:
    h = 1e-6 * max(1.0, abs(params[name]))
    up, down = dict(params), dict(params)
    up[name] += h
    down[name] -= h
    return (func(x, **up) - func(x, **down)) / (2.0 * h)


@pytest.mark.parametrize("params", PARAMS)
def test_logistic4_jacobian_matches_central_differences(params):
    values = dict(zip(("top", "bottom", "log_ic50", "hill_slope"), params, strict=True))
    jac = LOGISTIC4.jacobian(X, **values)
    assert set(jac) == set(LOGISTIC4.param_names)
    scale = abs(values["top"] - values["bottom"])
    for name in LOGISTIC4.param_names:
        numeric = central_difference(prism_4pl, values, name, X)
        np.testing.assert_allclose(
            np.broadcast_to(jac[name], X.shape), numeric, rtol=1e-6, atol=1e-7 * scale, err_msg=name
        )


@pytest.mark.parametrize(("radioligand_nm", "kd_nm"), [(1.0, 1.5), (4.0, 0.3)])
def test_fit_ki_jacobian_matches_central_differences(radioligand_nm, kd_nm):
    values = {"top": 3100.0, "bottom": 210.0, "log_ki": -8.6}
    consts = {"radioligand_nM": radioligand_nm, "kd_nM": kd_nm}
    jac = FIT_KI.jacobian(X, **values, **consts)
    assert set(jac) == {"top", "bottom", "log_ki"}

    def reference(x, top, bottom, log_ki):
        return np.array([prism_fit_ki(float(v), top, bottom, log_ki, radioligand_nm, kd_nm) for v in x])

    for name in values:
        numeric = central_difference(reference, values, name, X)
        np.testing.assert_allclose(
            np.broadcast_to(jac[name], X.shape), numeric, rtol=1e-6, atol=1e-7 * 2890.0, err_msg=name
        )


@pytest.mark.parametrize("hill", [-2.0, -1.0, -0.5, 0.7, 3.0, -40.0])
def test_no_overflow_or_warning_at_extreme_x(hill):
    x = np.array([-1e6, -400.0, -300.0, -30.0, -8.0, 10.0, 300.0, 400.0, 1e6])
    params = {"top": 5000.0, "bottom": 400.0, "log_ic50": -8.0, "hill_slope": hill}
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        y = logistic4(x, **params)
        jac = LOGISTIC4.jacobian(x, **params)
        yk = one_site_fit_ki(x, 5000.0, 400.0, -8.5, 1.0, 1.5)
        jk = FIT_KI.jacobian(x, top=5000.0, bottom=400.0, log_ki=-8.5, radioligand_nM=1.0, kd_nM=1.5)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(yk))
    for arr in (*jac.values(), *jk.values()):
        assert np.all(np.isfinite(arr))
    # the far ends are the plateaus exactly (Prism's limits), the jacobian's sigmoid terms vanish there
    first, last = (5000.0, 400.0) if hill < 0 else (400.0, 5000.0)
    assert y[0] == pytest.approx(first, rel=1e-15)
    assert y[-1] == pytest.approx(last, rel=1e-15)
    assert jac["log_ic50"][0] == 0.0 and jac["log_ic50"][-1] == 0.0
    assert jac["hill_slope"][0] == 0.0 and jac["hill_slope"][-1] == 0.0


def test_models_registry_describes_prism_equations():
    assert set(COMPETITION_MODELS) == {"4pl", "one-site", "fit-ki", "two-site", "two-site-ki", "homologous"}
    assert COMPETITION_MODELS["4pl"].fixed == {}
    assert COMPETITION_MODELS["one-site"].fixed == {"hill_slope": -1.0}
    assert COMPETITION_MODELS["fit-ki"].constants == ("radioligand_nM", "kd_nM")
    assert COMPETITION_MODELS["fit-ki"].potency == "log_ki"
    assert COMPETITION_MODELS["4pl"].potency == "log_ic50"


def test_guess_on_hand_built_data():
    # means: -10 -> 1000, -9 -> 800, -8 -> 400, -7 -> 200 ; half-way (1000+200)/2 = 600 is crossed
    # between -9 (800) and -8 (400) at -9 + (600-800)/(400-800) = -8.5
    x = np.repeat([-10.0, -9.0, -8.0, -7.0], 2)
    y = np.array([990, 1010, 790, 810, 390, 410, 195, 205], dtype=float)
    guess = guess_competition(x, y, {"radioligand_nM": 1.0, "kd_nM": 1.0})
    assert guess["top"] == pytest.approx(1000.0)
    assert guess["bottom"] == pytest.approx(200.0)
    assert guess["log_ic50"] == pytest.approx(-8.5)
    assert guess["hill_slope"] == -1.0
    assert guess["log_ki"] == pytest.approx(-8.5 - math.log10(2.0))
