"""Outliers by the ROUT method (Motulsky & Brown 2006), as GraphPad Prism applies it to curve fits.

ROUT ("robust regression and outlier removal") has three steps, each a function here:

1. :func:`robust_fit`: fit the model by minimising the Lorentzian merit function
   ``sum ln(1 + (r_i / RSDR)^2)`` (paper, eq. 8), where ``RSDR`` is the robust standard deviation of the
   residuals (:func:`rsdr`). Scatter from a Lorentzian (Cauchy) distribution has wide tails, so far-off
   points barely pull on the curve.
2. :func:`rout_outliers`: test the robust fit's residuals with the paper's false-discovery-rate rule
   (Benjamini & Hochberg 1995, adapted), so that with Q = 1% about 1% of the points called outliers are
   false discoveries.
3. :func:`fit_rout`: refit by ordinary (or weighted) least squares without the outliers; that fit is the one
   to report.

Sources: Motulsky HJ, Brown RE (2006) "Detecting outliers when fitting data with nonlinear regression - a new
method based on robust nonlinear regression and the false discovery rate", BMC Bioinformatics 7:123; the
percentile convention of RSDR (Hyndman & Fan type 7) from Motulsky's comment on that article; GraphPad Curve
Fitting Guide, "Diagnostics tab" (``RSDR = P68 * N/(N - K)``) and "ROUT method" (Q = 1% by default; with
Gaussian scatter one or more points are falsely flagged in about 2-3% of experiments).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from assaykit.fitting.engine import fit_curve
from assaykit.fitting.fit_types import CurveFit, CurveFitError, CurveModel

#: Percentile of ``|residuals|`` that estimates one SD of Gaussian scatter: 100 * (Phi(1) - Phi(-1)).
P68 = 68.27
#: Tenths of the points (those with the largest residuals) that the outlier test examines: the paper's 30%.
TESTED_FRACTION_TENTHS = 3
#: Robust fitting rounds (each a Lorentzian fit at a fixed scale) before giving up on convergence.
MAX_ROUNDS = 50
_ROUND_TOL = 1e-9


def rsdr(residuals: np.ndarray, n_params: int) -> float:
    """Robust standard deviation of the residuals, ``RSDR = P68 * N / (N - K)``.

    Parameters
    ----------
    residuals
        The residuals of a fit (weighted residuals for a weighted fit).
    n_params
        ``K``, the number of fitted parameters.

    Returns
    -------
    float
        The 68.27th percentile of the absolute residuals, by Hyndman & Fan's definition 7 (linear
        interpolation between order statistics: numpy's default, Excel's PERCENTILE), corrected for the
        degrees of freedom as the standard deviation of the residuals is.

    Raises
    ------
    ValueError
        When there are no more points than parameters.

    Notes
    -----
    Motulsky & Brown (2006), eq. 1; Hyndman RJ, Fan Y (1996) Am Stat 50:361-365.
    """
    r = np.abs(np.asarray(residuals, dtype=float))
    n = r.size
    if n <= n_params:
        raise ValueError(f"{n} residuals leave no degrees of freedom for {n_params} parameters")
    return float(np.percentile(r, P68, method="linear")) * n / (n - n_params)


def rout_outliers(
    residuals: np.ndarray, n_params: int, q_percent: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Flag outliers among the residuals of a robust fit by the ROUT false-discovery-rate rule.

    Parameters
    ----------
    residuals
        The residuals of the robust fit (weighted residuals for a weighted fit).
    n_params
        ``K``, the number of fitted parameters.
    q_percent
        Q, the largest false discovery rate wanted, in percent (Prism's default is 1%).

    Returns
    -------
    tuple of numpy.ndarray
        A boolean array, True for each outlier, and the two-tailed P value of each residual.

    Notes
    -----
    The steps of Motulsky & Brown (2006), "Outlier removal":

    1. Each residual's ratio ``t_i = |r_i| / RSDR`` gets a two-tailed P value from the t distribution with
       ``N - K`` degrees of freedom.
    2. Rank the points by ``|r_i|`` from smallest (``i = 1``) to largest (``i = N``). Only the 30% with the
       largest residuals are tested, so no more than 30% can be called outliers (here ``i > floor(0.7 N)``,
       computed in integers).
    3. Going up from the lowest-ranked tested point, the first point with ``P_i < Q (N - (i - 1)) / N`` and
       every point with a larger residual are outliers. ``Q (N - (i - 1)) / N`` is the Benjamini-Hochberg
       threshold of the point's rank among the P values (the largest residual is compared with ``Q / N``).
    """
    r = np.abs(np.asarray(residuals, dtype=float))
    n = r.size
    if not 0.0 < q_percent < 100.0:
        raise ValueError(f"Q must be a percentage between 0 and 100, not {q_percent!r}")
    scale = rsdr(r, n_params)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(r > 0, r / scale, 0.0)  # RSDR = 0 (most points on the curve): any residual is infinite t
    from scipy import special  # imported here: slow to import

    p = 2.0 * special.stdtr(n - n_params, -t)  # two-sided: 2 * t.sf(t)
    order = np.argsort(r, kind="stable")
    rank = np.arange(1, n + 1)
    threshold = (q_percent / 100.0) * (n - (rank - 1)) / n
    tested = rank > (n * (10 - TESTED_FRACTION_TENTHS)) // 10
    hits = np.flatnonzero(tested & (p[order] < threshold))
    outlier = np.zeros(n, dtype=bool)
    if hits.size:
        outlier[order[hits[0] :]] = True
    return outlier, p


@dataclass(frozen=True)
class RobustFit:
    """The Lorentzian (robust) fit of ROUT's first step.

    Attributes
    ----------
    values
        Best-fit value of every parameter, fixed ones included.
    residuals
        ``y - f(x)`` at each point, times ``sqrt(w)`` for a weighted fit.
    rsdr
        The robust SD of those residuals.
    converged
        Whether the rounds of Lorentzian fits settled (parameters and RSDR stopped changing).
    rounds
        Lorentzian fits made.
    """

    values: dict[str, float]
    residuals: np.ndarray
    rsdr: float
    converged: bool
    rounds: int


def robust_fit(
    model: CurveModel,
    x: np.ndarray,
    y: np.ndarray,
    start: CurveFit,
    *,
    poisson: bool = False,
    weights: np.ndarray | None = None,
) -> RobustFit:
    """Fit by minimising the Lorentzian merit function scaled by the RSDR (ROUT's first step).

    Parameters
    ----------
    model
        The model.
    x, y
        The points.
    start
        A least-squares fit of the same points (:func:`~assaykit.fitting.engine.fit_curve`): its values are
        the starting point, and its fixed parameters, constants and data arrays are used.
    poisson
        Weight each residual by ``1/sqrt(Y)`` of the current robust curve (Poisson weighting).
    weights
        Fixed weights ``w_i`` (residuals times ``sqrt(w_i)``), instead of Poisson weights.

    Returns
    -------
    RobustFit
        The robust best fit and its residuals.

    Notes
    -----
    The paper's method is adaptive: it begins essentially as least squares and becomes more robust as the
    fit proceeds, because the scale of the Lorentzian, the RSDR, is recomputed from the current residuals.
    Here each round minimises ``sum ln(1 + (r_i / s)^2)`` at a fixed scale ``s`` (scipy's Cauchy loss,
    trust-region reflective, with the model's analytic Jacobian), starting from the least-squares fit with
    ``s`` its RSDR; ``s`` is then recomputed from the new residuals and the next round starts where the last
    ended, until neither the parameters nor ``s`` change (relative change below 1e-9). The fixed point is
    the paper's: parameters that minimise the Lorentzian merit at the RSDR of their own residuals. With
    Poisson weights the weights ``1/Y`` are recomputed from the curve between rounds, as for least squares.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    free = start.free
    fixed = {name: start.values[name] for name in model.param_names if name not in free}
    extra = {**start.constants, **(start.data or {})}
    values = dict(start.values)

    def sqrt_weights(current: Mapping[str, float]) -> np.ndarray | None:
        if weights is not None:
            return np.sqrt(np.asarray(weights, dtype=float))
        if not poisson:
            return None
        curve = model.func(x, **current, **extra)
        if not np.all(np.isfinite(curve) & (curve > 0)):
            raise CurveFitError("Poisson weights need a fitted curve above zero at every point")
        return 1.0 / np.sqrt(curve)

    def residuals(current: Mapping[str, float], sw: np.ndarray | None) -> np.ndarray:
        r = y - model.func(x, **current, **extra)
        return r if sw is None else r * sw

    sw = sqrt_weights(values)
    r = residuals(values, sw)
    scale = rsdr(r, len(free))
    converged, rounds = False, 0
    while rounds < MAX_ROUNDS and scale > 0 and free:
        rounds += 1

        def fun(p: np.ndarray, sw: np.ndarray | None = sw) -> np.ndarray:
            resid = model.func(x, **fixed, **dict(zip(free, p, strict=True)), **extra) - y
            return resid if sw is None else resid * sw

        def jac(p: np.ndarray, sw: np.ndarray | None = sw) -> np.ndarray:
            parts = model.jacobian(x, **fixed, **dict(zip(free, p, strict=True)), **extra)
            matrix = np.column_stack([np.broadcast_to(parts[name], x.shape) for name in free])
            return matrix if sw is None else matrix * sw[:, None]

        from scipy import optimize  # imported here: slow to import

        p0 = np.array([values[name] for name in free])
        result = optimize.least_squares(
            fun, p0, jac=jac, loss="cauchy", f_scale=scale, method="trf", x_scale="jac",
            ftol=1e-12, xtol=1e-12, gtol=1e-12, max_nfev=2000,
        )  # fmt: skip
        if not np.all(np.isfinite(result.x)):
            break
        new = {**fixed, **dict(zip(free, result.x, strict=True))}
        new = {name: float(new[name]) for name in model.param_names}
        sw = sqrt_weights(new)
        r = residuals(new, sw)
        new_scale = rsdr(r, len(free))
        moved = np.abs(result.x - p0) <= _ROUND_TOL * np.maximum(np.abs(p0), 1.0)
        values = new
        if moved.all() and abs(new_scale - scale) <= _ROUND_TOL * scale:
            scale, converged = new_scale, True
            break
        scale = new_scale
    if scale == 0 or not free:
        converged = True
    return RobustFit(values=values, residuals=r, rsdr=scale, converged=converged, rounds=rounds)


@dataclass(frozen=True)
class RoutFit:
    """The result of fitting with ROUT outlier removal.

    Attributes
    ----------
    fit
        The least-squares fit of the points that are not outliers: the fit to report.
    outlier
        One boolean per input point, True for an outlier.
    p_values
        Two-tailed P value of each point's robust residual (see :func:`rout_outliers`).
    robust
        The robust fit the outliers were judged against.
    q_percent
        The Q used, in percent.
    """

    fit: CurveFit
    outlier: np.ndarray
    p_values: np.ndarray
    robust: RobustFit
    q_percent: float

    @property
    def n_outliers(self) -> int:
        """Number of points removed as outliers."""
        return int(self.outlier.sum())


def fit_rout(
    model: CurveModel,
    x: np.ndarray,
    y: np.ndarray,
    *,
    q_percent: float = 1.0,
    fixed: Mapping[str, float] | None = None,
    constants: Mapping[str, float] | None = None,
    data: Mapping[str, np.ndarray] | None = None,
    weights: np.ndarray | str | None = None,
    ci: str = "asymptotic",
    level: float = 0.95,
) -> RoutFit:
    """Fit a curve with ROUT: robust fit, outlier test, least-squares fit of the rest.

    Parameters
    ----------
    model, x, y, fixed, constants, data, weights, ci, level
        As for :func:`~assaykit.fitting.engine.fit_curve`; ``weights`` may be an array or ``"poisson"``,
        and applies to the robust step (weighted residuals) and to the final fit.
    q_percent
        Q in percent (default 1%, Prism's default).

    Returns
    -------
    RoutFit
        The final least-squares fit, which points were outliers and the robust fit behind the decision.

    Raises
    ------
    CurveFitError
        As :func:`~assaykit.fitting.engine.fit_curve`, for the data as given or for the points left once the
        outliers are removed.
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    options = {"fixed": fixed, "constants": constants, "level": level}
    start = fit_curve(model, x, y, data=data, weights=weights, **options)
    poisson = isinstance(weights, str)
    array = None if weights is None or poisson else np.asarray(weights, dtype=float).ravel()
    robust = robust_fit(model, x, y, start, poisson=poisson, weights=array)
    outlier, p = rout_outliers(robust.residuals, len(start.free), q_percent)
    if not outlier.any() and ci == "asymptotic":
        final = start
    else:
        keep = ~outlier
        kept = {k: np.asarray(v, dtype=float).ravel()[keep] for k, v in (data or {}).items()} or None
        kept_weights = weights if array is None else array[keep]
        final = fit_curve(model, x[keep], y[keep], data=kept, weights=kept_weights, ci=ci, **options)
    return RoutFit(fit=final, outlier=outlier, p_values=p, robust=robust, q_percent=q_percent)
