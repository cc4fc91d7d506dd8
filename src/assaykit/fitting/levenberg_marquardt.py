"""The batch engine's iteration: Levenberg-Marquardt for many curves at once, in numpy.

Every curve is a row of ``(C, N)`` arrays (rows padded with zero-weight points); each iteration of
:func:`levenberg_marquardt` evaluates the model, its analytic Jacobian, ``J^T W J`` and the damped
Gauss-Newton steps of all curves still iterating in a few numpy calls, so thousands of curves cost about as
much as a handful fitted one at a time. :func:`poisson_rounds` repeats it with Poisson weights until each
curve's weighted SS settles. The batch engine (:func:`~assaykit.fitting.batch.fit_curves`) prepares the
curves and computes the statistics of the results.

The iteration is Marquardt's, with the damping scaled by the diagonal of ``J^T W J`` as MINPACK's
``lmder`` scales it, and Nielsen's update of the damping factor. A curve has converged when, as in MINPACK
with ``ftol = xtol = 1e-12``, the actual and predicted relative reductions of the SS are both at most
``ftol``, or the scaled step is at most ``xtol`` times the scaled parameter vector.

Sources: Marquardt DW (1963) J Soc Ind Appl Math 11:431-441; Moré JJ (1978) "The Levenberg-Marquardt
algorithm: implementation and theory", Lecture Notes in Mathematics 630:105-116 (MINPACK's scaling and
convergence tests); Nielsen HB (1999) "Damping parameter in Marquardt's method", IMM-REP-1999-05, DTU.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from assaykit.fitting.fit_types import CurveModel

FTOL = 1e-12
XTOL = 1e-12
_POISSON_ROUNDS = 50


def _parameters(free: tuple[str, ...], p: np.ndarray, fixed: Mapping[str, np.ndarray]) -> dict:
    values = {name: p[:, j : j + 1] for j, name in enumerate(free)}
    values.update({name: v[:, None] for name, v in fixed.items()})
    return values


def _evaluate(
    model: CurveModel,
    x: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray | None,
    p: np.ndarray,
    free: tuple[str, ...],
    fixed: Mapping[str, np.ndarray],
    extra: Mapping[str, object],
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Weighted residuals ``(C, N)`` and the Jacobian's columns (k arrays ``(C, N)``) at ``p``."""
    values = _parameters(free, p, fixed)
    with np.errstate(over="ignore", invalid="ignore"):
        r = model.func(x, **values, **extra) - y
        jac = model.jacobian(x, **values, **extra)
        columns = [np.broadcast_to(jac[name], x.shape) for name in free]
        if sw is not None:
            r = r * sw
            columns = [column * sw for column in columns]
    return r, columns


def _normal_equations(r: np.ndarray, columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``SS = r.r``, ``J^T J`` and ``J^T r`` of every row, one product per pair of columns."""
    c, k = r.shape[0], len(columns)
    info = np.empty((c, k, k))
    grad = np.empty((c, k))
    for a in range(k):
        grad[:, a] = np.einsum("cn,cn->c", columns[a], r)
        for b in range(a + 1):
            info[:, a, b] = info[:, b, a] = np.einsum("cn,cn->c", columns[a], columns[b])
    return np.einsum("cn,cn->c", r, r), info, grad


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve the stacked systems ``a x = b``; a singular system gets the pseudo-inverse step."""
    try:
        return np.linalg.solve(a, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return (np.linalg.pinv(a) @ b[..., None])[..., 0]


@dataclass
class _Work:
    """The curves still iterating, compacted: row ``i`` is curve ``ids[i]``."""

    ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    sw: np.ndarray | None
    fixed: dict
    extra: dict
    p: np.ndarray
    ss: np.ndarray
    info: np.ndarray
    grad: np.ndarray
    scale: np.ndarray
    lam: np.ndarray
    nu: np.ndarray
    limits: dict

    def keep(self, rows: np.ndarray) -> None:
        """Drop every curve but ``rows``."""
        for name in ("ids", "x", "y", "p", "ss", "info", "grad", "scale", "lam", "nu"):
            setattr(self, name, getattr(self, name)[rows])
        self.limits = {j: (lo[rows], hi[rows]) for j, (lo, hi) in self.limits.items()}
        if self.sw is not None:
            self.sw = self.sw[rows]
        self.fixed = take(self.fixed, rows)
        self.extra = take(self.extra, rows)


def levenberg_marquardt(
    model: CurveModel,
    x: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray | None,
    p0: np.ndarray,
    free: tuple[str, ...],
    fixed: Mapping[str, np.ndarray],
    extra: Mapping[str, object],
    max_iter: int,
    limits: Mapping[int, tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Minimise every row's weighted SS.

    Parameters
    ----------
    model
        The model; its formula and Jacobian take ``(C, 1)`` parameter columns.
    x, y
        ``(C, N)`` points, one curve per row.
    sw
        ``(C, N)`` square roots of the weights (0 for padding); None when every weight is one.
    p0
        ``(C, k)`` starting values of the free parameters.
    free
        The free parameters, the columns of ``p0``.
    fixed
        Fixed parameter -> one value per curve.
    extra
        The model's constants and per-point arrays (``(C, N)``), passed to the formula.
    max_iter
        Iterations allowed per curve.
    limits
        Column of ``p0`` -> per-curve ``(low, high)``; None for none.

    Returns
    -------
    tuple of numpy.ndarray
        Parameters, SS, ``J^T W J`` at the end, convergence, and ``(C, k)`` which parameters of a row left
        their ``limits``, stopping it: it has no minimum inside them.
    """
    c, k = p0.shape
    left = np.zeros((c, k), bool)  # which parameters left their limits
    r, columns = _evaluate(model, x, y, sw, p0, free, fixed, extra)
    ss, info, grad = _normal_equations(r, columns)
    p_out, ss_out, info_out = p0.copy(), ss.copy(), info.copy()
    converged = ss == 0  # a perfect fit needs no iteration
    start = np.isfinite(ss) & np.isfinite(info).all(axis=(1, 2)) & ~converged
    rows = np.flatnonzero(start)
    work = _Work(
        ids=rows, x=x[rows], y=y[rows], sw=None if sw is None else sw[rows], fixed=take(fixed, rows),
        extra=take(extra, rows), p=p0[rows], ss=ss[rows], info=info[rows], grad=grad[rows],
        scale=np.zeros((rows.size, k)), lam=np.full(rows.size, 1e-3), nu=np.full(rows.size, 2.0),
        limits={j: (lo[rows], hi[rows]) for j, (lo, hi) in (limits or {}).items()},
    )  # fmt: skip
    eye = np.eye(k)
    for _ in range(max_iter):
        if work.ids.size == 0:
            break
        scale = np.maximum(work.scale, np.diagonal(work.info, axis1=1, axis2=2))  # MINPACK: D never shrinks
        work.scale = scale = np.where(scale > 0, scale, 1.0)
        step = _solve(work.info + work.lam[:, None, None] * eye * scale[:, None, :], -work.grad)
        trial = work.p + step
        r_t, cols_t = _evaluate(model, work.x, work.y, work.sw, trial, free, work.fixed, work.extra)
        ss_t, info_t, grad_t = _normal_equations(r_t, cols_t)
        predicted = -2.0 * np.einsum("cj,cj->c", work.grad, step) - np.einsum(
            "cj,cjk,ck->c", step, work.info, step
        )
        accept = np.isfinite(ss_t) & np.isfinite(info_t).all(axis=(1, 2)) & (ss_t < work.ss)
        reduction = work.ss - ss_t
        rho = np.where(predicted > 0, reduction / np.where(predicted > 0, predicted, 1.0), 0.0)
        small_f = accept & (reduction <= FTOL * work.ss) & (predicted <= FTOL * work.ss)
        step_norm = np.sqrt(np.einsum("cj,cj,cj->c", scale, step, step))
        small_x = step_norm <= XTOL * np.sqrt(np.einsum("cj,cj,cj->c", scale, work.p, work.p))
        work.p[accept], work.ss[accept] = trial[accept], ss_t[accept]
        work.info[accept], work.grad[accept] = info_t[accept], grad_t[accept]
        work.lam = np.where(
            accept, work.lam * np.maximum(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), work.lam * work.nu
        )
        work.nu = np.where(accept, 2.0, 2.0 * work.nu)
        done = small_f | small_x | (accept & (ss_t == 0))
        failed = ~done & (work.lam > 1e16)
        off = np.zeros(done.shape, bool)
        for j, (lo, hi) in work.limits.items():
            out = ~((work.p[:, j] >= lo) & (work.p[:, j] <= hi))
            if out.any():
                left[work.ids[out], j] = True
                off |= out
        failed |= off
        finished = done | failed
        if finished.any():
            ids = work.ids[finished]
            p_out[ids], ss_out[ids], info_out[ids] = work.p[finished], work.ss[finished], work.info[finished]
            converged[work.ids[done & ~off]] = True
            work.keep(np.flatnonzero(~finished))
    if work.ids.size:  # out of iterations: keep the last iterate, not converged
        p_out[work.ids], ss_out[work.ids], info_out[work.ids] = work.p, work.ss, work.info
    return p_out, ss_out, info_out, converged, left


def take(arrays: Mapping[str, object], index: np.ndarray) -> dict:
    """Rows ``index`` of every per-curve array (scalars pass through)."""
    return {k: (v[index] if isinstance(v, np.ndarray) and v.ndim else v) for k, v in arrays.items()}


def poisson_rounds(
    model: CurveModel,
    x: np.ndarray,
    y: np.ndarray,
    base: np.ndarray,
    p: np.ndarray,
    conv: np.ndarray,
    free: tuple[str, ...],
    fixed: Mapping[str, np.ndarray],
    extra: Mapping[str, object],
    max_iter: int,
    limits: Mapping[int, tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Refit with weights ``1/Y(curve)`` until each curve's weighted SS settles (Prism's iteration).

    Parameters
    ----------
    model, x, y, free, fixed, extra, max_iter, limits
        As in :func:`levenberg_marquardt`.
    base
        ``(C, N)`` 1 for a real point, 0 for padding.
    p, conv
        The unweighted fit's parameters and convergence; only converged curves are reweighted.

    Returns
    -------
    tuple of numpy.ndarray
        Parameters, SS, ``J^T W J``, convergence, the weights and which parameters left ``limits``.
    """
    c, k = p.shape
    stopped = np.zeros((c, k), bool)
    w = np.ones(x.shape)
    ss = np.full(c, np.nan)
    info = np.full((c, k, k), np.nan)
    previous = np.full(c, np.inf)
    active = np.flatnonzero(conv)
    conv = np.zeros(c, bool)
    for _ in range(_POISSON_ROUNDS):
        if active.size == 0:
            break
        a = active
        with np.errstate(over="ignore", invalid="ignore"):
            curve = model.func(x[a], **_parameters(free, p[a], take(fixed, a)), **take(extra, a))
        positive = (np.isfinite(curve) & (curve > 0) | (base[a] == 0)).all(axis=1)
        a, curve = a[positive], curve[positive]
        w[a] = np.where(base[a] > 0, 1.0 / np.where(curve > 0, curve, 1.0), 1.0)
        sw = base[a] * np.sqrt(w[a])
        bounds = {j: (lo[a], hi[a]) for j, (lo, hi) in limits.items()}
        p_a, ss_a, info_a, conv_a, stop_a = levenberg_marquardt(
            model, x[a], y[a], sw, p[a], free, take(fixed, a), take(extra, a), max_iter, bounds
        )
        p[a], ss[a], info[a] = p_a, ss_a, info_a
        stopped[a] |= stop_a
        settled = conv_a & (np.abs(ss_a - previous[a]) <= 1e-10 * np.maximum(ss_a, 1e-300))
        conv[a[settled]] = True
        previous[a] = ss_a
        active = a[conv_a & ~settled]
    return p, ss, info, conv, w, stopped
