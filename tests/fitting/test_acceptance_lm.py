"""Issue acceptance: on any competition data set, the default fit's log IC50 and its SE agree with an
independent Levenberg-Marquardt fit of the same equation (scipy.optimize.least_squares, method="lm", with
the covariance built here from its Jacobian as SS/DF * (J'J)^-1), within 1e-4 and 0.5%.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from scipy.optimize import curve_fit, least_squares

from assaykit.fitting import COMPETITION_MODELS, fit_curve


def prism_4pl(x, top, bottom, log_ic50, hill):
    """Prism's text, written out independently of assaykit."""
    return bottom + (top - bottom) / (1 + 10 ** ((log_ic50 - x) * hill))


def independent_lm(x, y, p0):
    res = least_squares(lambda p: prism_4pl(x, *p) - y, p0, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
    ss = float(res.fun @ res.fun)
    df = x.size - 4
    cov = np.linalg.inv(res.jac.T @ res.jac) * ss / df
    return res, np.sqrt(np.diag(cov)), ss


@st.composite
def competition_data(draw):
    n_conc = draw(st.integers(6, 12))
    reps = draw(st.integers(1, 4))
    top = draw(st.floats(500, 20000))
    bottom = top * draw(st.floats(0.0, 0.3))
    lo = draw(st.floats(-12, -8))
    log_c = lo + 0.5 * np.arange(n_conc)
    log_ic50 = draw(st.floats(log_c[1], log_c[-2]))
    hill = draw(st.floats(-2.0, -0.5))
    noise = draw(st.floats(0.01, 0.08))
    seed = draw(st.integers(0, 2**32 - 1))
    x = np.repeat(log_c, reps)
    rng = np.random.default_rng(seed)
    y = prism_4pl(x, top, bottom, log_ic50, hill) + rng.normal(0, noise * top, x.size)
    return x, y


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(competition_data())
def test_default_fit_matches_independent_levenberg_marquardt(data):
    x, y = data
    assume(x.size > 4 + 2)  # a few degrees of freedom
    fit = fit_curve(COMPETITION_MODELS["4pl"], x, y)
    assume(fit.converged and not fit.ambiguous)
    p0 = [fit.values[k] * (1 + 0.05) for k in ("top", "bottom")] + [fit.values["log_ic50"] + 0.2, -1.0]
    res, se, ss = independent_lm(x, y, p0)
    # both must have found the same minimum; a different local minimum is not a comparison
    assume(res.success and abs(ss - fit.ss) <= 1e-9 * max(ss, 1.0))
    event("compared")
    assert fit.values["log_ic50"] == pytest.approx(res.x[2], abs=1e-4)
    assert fit.stderr["log_ic50"] == pytest.approx(se[2], rel=5e-3)


@pytest.mark.parametrize("model", ["4pl", "one-site"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_curve_fit_to_1e6(model, seed):
    rng = np.random.default_rng(seed)
    x = np.repeat(np.arange(-11, -4.9, 0.5), 3)
    truth = (3000.0, 250.0, -8.2 + 0.3 * seed, -0.8 - 0.1 * seed)
    y = prism_4pl(x, *truth) * (1 + rng.normal(0, 0.04, x.size))
    fit = fit_curve(COMPETITION_MODELS[model], x, y)
    if model == "one-site":
        func = lambda x, t, b, lic: prism_4pl(x, t, b, lic, -1.0)  # noqa: E731
        p0 = truth[:3]
    else:
        func, p0 = prism_4pl, truth
    popt, pcov = curve_fit(func, x, y, p0=p0, xtol=1e-15, ftol=1e-15, gtol=1e-15, maxfev=100000)
    assert fit.values["log_ic50"] == pytest.approx(popt[2], abs=1e-6)
    for i, name in enumerate(("top", "bottom", "log_ic50")):
        assert fit.values[name] == pytest.approx(popt[i], rel=1e-5)
        assert fit.stderr[name] == pytest.approx(np.sqrt(pcov[i, i]), rel=5e-3)
