"""The compartment formulas against the textbook equations and the compartment ODEs (scipy solve_ivp)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from assaykit.pk import fit_models
from assaykit.pk.models import (
    one_compartment_iv,
    one_compartment_oral,
    two_compartment_iv,
    two_compartment_macro,
    two_compartment_micro,
    two_compartment_oral,
)

T = np.array([0.0, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12, 24, 48])


def _ode(rates: np.ndarray, y0: list[float]) -> np.ndarray:
    """Amounts in each compartment at T, for the linear system dA/dt = rates @ A."""
    sol = solve_ivp(lambda t, a: rates @ a, (0, T[-1]), y0, t_eval=T, method="LSODA", rtol=1e-12, atol=1e-14)
    assert sol.success
    return sol.y


def test_one_compartment_iv_is_the_exponential() -> None:
    assert np.allclose(one_compartment_iv(T, dose=10, v=2.5, k=0.3), 4.0 * np.exp(-0.3 * T), rtol=1e-14)


def test_bateman_equals_the_textbook_formula_and_its_limit() -> None:
    dose, v, ka, k, lag = 100.0, 20.0, 1.3, 0.2, 0.4
    tau = np.clip(T - lag, 0, None)
    expected = dose * ka / (v * (ka - k)) * (np.exp(-k * tau) - np.exp(-ka * tau))
    assert np.allclose(one_compartment_oral(T, dose, v, ka, k, lag), expected, rtol=1e-12, atol=0)
    assert np.all(one_compartment_oral(T, dose, v, ka, k, lag)[lag >= T] == 0)
    limit = dose / v * k * T * np.exp(-k * T)  # ka = k
    assert np.allclose(one_compartment_oral(T, dose, v, k, k), limit, rtol=1e-14)
    near = one_compartment_oral(T, dose, v, k * (1 + 1e-9), k)
    assert np.allclose(near, limit, rtol=1e-8)


@pytest.mark.parametrize(("ka", "k"), [(1.5, 0.1), (0.05, 0.3)])
def test_one_compartment_oral_solves_the_gut_central_odes(ka: float, k: float) -> None:
    dose, v = 50.0, 12.0
    rates = np.array([[-ka, 0.0], [ka, -k]])
    gut_central = _ode(rates, [dose, 0.0])
    assert np.allclose(one_compartment_oral(T, dose, v, ka, k), gut_central[1] / v, rtol=1e-8, atol=1e-12)


def test_two_compartment_iv_solves_the_central_peripheral_odes() -> None:
    dose, v1, k10, k12, k21 = 100.0, 10.0, 0.3, 0.8, 0.25
    rates = np.array([[-(k10 + k12), k21], [k12, -k21]])
    central = _ode(rates, [dose, 0.0])[0] / v1
    macro = two_compartment_macro(dose, v1, k10, k12, k21)
    assert macro["alpha"] > macro["beta"] > 0
    assert np.allclose(two_compartment_iv(T, **macro), central, rtol=1e-8, atol=1e-12)
    assert two_compartment_micro(**macro) == pytest.approx({"k10": k10, "k12": k12, "k21": k21}, rel=1e-12)


def test_two_compartment_oral_solves_the_gut_central_peripheral_odes() -> None:
    dose, v1, k10, k12, k21, ka = 100.0, 10.0, 0.3, 0.8, 0.25, 2.0
    rates = np.array([[-ka, 0.0, 0.0], [ka, -(k10 + k12), k21], [0.0, k12, -k21]])
    central = _ode(rates, [dose, 0.0, 0.0])[1] / v1
    macro = two_compartment_macro(dose, v1, k10, k12, k21, ka=ka)
    assert np.allclose(two_compartment_oral(T, **macro, ka=ka), central, rtol=1e-8, atol=1e-12)
    lagged = two_compartment_oral(T + 0.5, **macro, ka=ka, tlag=0.5)
    assert np.allclose(lagged, central, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize(
    ("model", "values", "constants"),
    [
        (fit_models.ONE_IV, {"log_v": 1.0, "log_k": -2.0}, {"dose": 5.0}),
        (fit_models.TWO_IV, {"a": 3.0, "log_alpha": 0.5, "b": 0.7, "log_beta": -2.0}, {}),
        (fit_models.ONE_ORAL, {"log_ka": 0.5, "log_k": -2.0, "log_v_f": -0.5, "tlag": 0.3}, {"dose": 4.0}),
        (
            fit_models.ONE_ORAL,
            {"log_ka": -2.0 + 1e-5, "log_k": -2.0, "log_v_f": 0.0, "tlag": 0.3},
            {"dose": 4.0},
        ),
        (fit_models.ONE_ORAL, {"log_ka": -2.5, "log_k": -2.0, "log_v_f": 0.0, "tlag": 0.05}, {"dose": 4.0}),
        (
            fit_models.TWO_ORAL,
            {"a": 3.0, "log_alpha": 0.2, "b": 0.7, "log_beta": -2.0, "log_ka": 1.0, "tlag": 0.3},
            {},
        ),
    ],
)
def test_the_analytic_jacobians_equal_central_differences(model, values, constants) -> None:
    jac = model.jacobian(T, **values, **constants)
    for name in model.param_names:
        h = 1e-6
        up, down = dict(values, **{name: values[name] + h}), dict(values, **{name: values[name] - h})
        numeric = (model.func(T, **up, **constants) - model.func(T, **down, **constants)) / (2 * h)
        assert np.allclose(jac[name], numeric, rtol=1e-7, atol=1e-8 * np.abs(numeric).max()), name


def test_the_fitting_wrappers_are_the_formulas_in_log_rates() -> None:
    got = fit_models.two_oral(T, 2.0, np.log(1.2), 0.5, np.log(0.1), np.log(3.0), 0.25)
    assert np.allclose(got, two_compartment_oral(T, 2.0, 1.2, 0.5, 0.1, 3.0, 0.25), rtol=1e-14)
