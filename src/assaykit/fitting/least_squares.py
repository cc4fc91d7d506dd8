"""One curve's least squares: lmfit's Levenberg-Marquardt with the model's analytic Jacobian.

:func:`least_squares` minimises the (weighted) sum of squares of one curve over its free parameters;
:func:`jacobian_matrix` and :func:`information_matrix` give the Jacobian and ``J^T W J`` at a fit, from
which the engine computes Prism's standard errors and dependencies. Both the engine
(:func:`~assaykit.fitting.engine.fit_curve`) and the profile-likelihood search
(:func:`~assaykit.fitting.profile_likelihood.profile_interval`) fit through it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from assaykit.fitting.fit_types import CurveModel

_TOLERANCES = {"xtol": 1e-12, "ftol": 1e-12}
_MAX_NFEV = 4000


def least_squares(
    model: CurveModel,
    x: np.ndarray,
    y: np.ndarray,
    sqrt_w: np.ndarray | None,
    start: Mapping[str, float],
    free: tuple[str, ...],
    constants: Mapping[str, float],
) -> tuple[dict[str, float], float, bool, str, int]:
    """Minimise the (weighted) SS over ``free`` from ``start``; return values, SS, success, message, nfev.

    lmfit's Levenberg-Marquardt (MINPACK ``lmder``) is given the model's analytic Jacobian: with
    MINPACK's forward-difference Jacobian the iteration stops up to ~1e-6 log units short of the minimum.

    Parameters
    ----------
    model
        The model to fit.
    x, y
        The points.
    sqrt_w
        Square roots of the weights, one per point; None for an unweighted fit.
    start
        A starting value for every parameter of the model; those not in ``free`` stay at it.
    free
        The parameters to fit.
    constants
        The model's constants and per-point data arrays, passed to its formula and Jacobian.

    Returns
    -------
    tuple
        ``(values, ss, success, message, nfev)``: every parameter's value, the (weighted) SS (``inf`` when
        the optimiser failed), whether it converged to finite values, its message and the evaluations used.
    """
    import lmfit  # imported here: it is slow to import and the batch engine does not need it

    values = {name: float(start[name]) for name in model.param_names}
    fixed = {name: v for name, v in values.items() if name not in free}

    def residual(params: lmfit.Parameters) -> np.ndarray:
        resid = model.func(x, **params.valuesdict(), **fixed, **constants) - y
        return resid if sqrt_w is None else resid * sqrt_w

    def jacobian(params: lmfit.Parameters) -> np.ndarray:
        jac = jacobian_matrix(model, x, {**params.valuesdict(), **fixed}, free, constants)
        return jac if sqrt_w is None else jac * sqrt_w[:, None]

    if not free:  # nothing to fit: evaluate
        resid = residual(lmfit.Parameters())
        return values, float(resid @ resid), True, "no free parameters", 1
    params = lmfit.Parameters()
    for name in free:
        params.add(name, value=values[name])
    try:
        result = lmfit.minimize(
            residual,
            params,
            method="leastsq",
            nan_policy="raise",
            calc_covar=False,
            max_nfev=_MAX_NFEV,
            Dfun=jacobian,
            col_deriv=0,
            **_TOLERANCES,
        )
    except (ValueError, FloatingPointError, ArithmeticError) as exc:
        return values, math.inf, False, f"optimiser failed: {exc}", 0
    best = {**fixed, **{name: float(result.params[name].value) for name in free}}
    best = {name: best[name] for name in model.param_names}
    ok = bool(result.success) and all(math.isfinite(v) for v in best.values())
    ss = float(np.sum(result.residual**2)) if ok else math.inf
    return best, ss, ok, str(result.message), int(result.nfev)


def jacobian_matrix(
    model: CurveModel,
    x: np.ndarray,
    values: Mapping[str, float],
    free: tuple[str, ...],
    constants: Mapping[str, float],
) -> np.ndarray:
    """Return the model's analytic Jacobian at ``values`` as an (n points, n free) matrix."""
    jac_all = model.jacobian(x, **values, **constants)
    return np.column_stack([np.broadcast_to(jac_all[name], x.shape) for name in free])


def information_matrix(
    model: CurveModel,
    x: np.ndarray,
    w: np.ndarray | None,
    values: Mapping[str, float],
    free: tuple[str, ...],
    constants: Mapping[str, float],
) -> np.ndarray:
    """Return ``J^T W J`` over the free parameters at ``values``."""
    jac = jacobian_matrix(model, x, values, free, constants)
    if w is not None:
        return jac.T @ (jac * w[:, None])
    return jac.T @ jac
