"""Two-site competition ("Two sites - Fit logIC50") for many curves at once, each from several starts.

The two-site sum of squares has several local minima (a minor high-affinity site or a minor low-affinity
one; sites close together or far apart), so one start per curve is not enough. :func:`grid_starts` finds,
for every curve at once, the best pair of site positions of each kind on a grid (the variable-projection
search of :func:`assaykit.fitting.two_site.guess_two_site`, vectorised over curves), and
:func:`fit_two_site_curves` refines every start of every curve with the batch engine
(:func:`~assaykit.fitting.batch.fit_curves`), one batch per kind of start, and keeps each curve's converged
fit with the smallest sum of squares: the several starts of a curve are extra rows of the batch.

The one-curve path (:func:`~assaykit.fitting.fit_curve` with ``TWO_SITE``) refines only the best grid
start and tries further starts only when that fails; taking the best of all refined starts reaches the same
minimum on well-posed curves (a fit with a lower SS where that path stops at a worse local minimum).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from assaykit.fitting.batch import _fit_set
from assaykit.fitting.fitset import FitSet
from assaykit.fitting.levenberg_marquardt import levenberg_marquardt
from assaykit.fitting.models import TWO_SITE
from assaykit.fitting.padded import fittable
from assaykit.fitting.two_site import GRID_STEP, _site

__all__ = ["N_STARTS", "fit_two_site_curves", "grid_starts"]

#: Kinds of grid start per curve: minor or major high-affinity site, sites close or far apart.
N_STARTS = 4
#: Iterations the batch engine may take from each start (two-site fits creep along shallow valleys).
TWO_SITE_MAX_ITER = 400
#: Iterations every start gets before each curve's best start is refined further.
SCOUT_ITER = 40
_CLOSE = 1.5  # log units: sites closer than this are "close" (as in two_site._grid_candidates)
_CHUNK = 256  # curves per block of the grid search (bounds the (curves, pairs) temporaries)


def grid_starts(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best grid start of each kind for every curve, as :func:`two_site._grid_candidates` finds it.

    For fixed site positions the model ``Bottom + A_hi s_hi + A_lo s_lo`` is linear in its amplitudes, so
    each pair of positions on a grid (the curve's tested range plus one log unit each side, in
    ``GRID_STEP`` steps) is solved exactly by linear least squares, from sums over the curve's points that
    are shared by all pairs. The best pair is kept from each kind of two-site curve (fraction of
    high-affinity sites below or above one half; sites closer or further apart than 1.5 log units).

    Parameters
    ----------
    x, y
        ``(C, N)`` points, one curve per row.
    mask
        ``(C, N)`` True for real points; every row needs at least one.

    Returns
    -------
    tuple of numpy.ndarray
        ``starts`` ``(C, N_STARTS, 5)`` as ``[top, bottom, log IC50 hi, log IC50 lo, fraction hi]`` and
        ``found`` ``(C, N_STARTS)``, False where a curve has no grid pair of that kind (its start is NaN).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    mask = np.asarray(mask, dtype=bool)
    starts = np.full((x.shape[0], N_STARTS, 5), np.nan)
    found = np.zeros((x.shape[0], N_STARTS), bool)
    for lo in range(0, x.shape[0], _CHUNK):
        block = slice(lo, lo + _CHUNK)
        starts[block], found[block] = _grid_block(x[block], y[block], mask[block])
    return starts, found


def _grid_block(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`grid_starts` for one block of curves: the pair systems are solved once per set of points."""
    c = x.shape[0]
    starts = np.full((c, N_STARTS, 5), np.nan)
    found = np.zeros((c, N_STARTS), bool)
    # Curves tested at the same concentrations (a screen's usual layout) share their grid and normal
    # equations; only the right-hand sides differ.
    _, pattern = np.unique(np.where(mask, x, np.inf), axis=0, return_inverse=True)
    for u in range(int(pattern.max(initial=-1)) + 1):
        rows = np.flatnonzero(pattern.ravel() == u)
        starts[rows], found[rows] = _grid_shared(x[rows[0]], mask[rows[0]], y[rows])
    return starts, found


def _grid_shared(x: np.ndarray, mask: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best grid start of each kind for curves with the same points ``x[mask]`` and responses ``y``."""
    xs = x[mask]
    ys = y[:, mask]
    grid = np.arange(xs.min() - 1.0, xs.max() + 1.0 + GRID_STEP / 2, GRID_STEP)
    s = _site(xs[None, :], grid[:, None])  # (grid, points)
    i, j = np.triu_indices(grid.size, k=1)  # every pair with the high-affinity site left of the other
    design = np.stack([np.ones((i.size, xs.size)), s[i], s[j]], axis=2)  # (pairs, points, 3)
    normal = np.einsum("kpa,kpb->kab", design, design)
    # The same tiny ridge as the one-curve search: adjacent columns are nearly collinear.
    scale = np.einsum("kaa->ka", normal).max(axis=1)[:, None, None]
    inverse = np.linalg.inv(normal + 1e-12 * scale * np.eye(3))
    k, n = i.size, xs.size
    rhs = (ys @ design.transpose(1, 0, 2).reshape(n, 3 * k)).reshape(-1, k, 3)  # (curves, pairs, 3)
    # 3x3 products written out: (curves, pairs) arrays, no per-pair matrix calls
    coef = np.stack([sum(inverse[:, a, b] * rhs[..., b] for b in range(3)) for a in range(3)], axis=-1)
    fitted_sq = sum(coef[..., a] * normal[:, a, b] * coef[..., b] for a in range(3) for b in range(3))
    # SS = y'y - 2 b'X'y + b'X'X b, from the same sums (no (curves, pairs, points) array)
    ss = (ys**2).sum(axis=1)[:, None] - 2.0 * (coef * rhs).sum(axis=-1) + fitted_sq
    span = coef[..., 1] + coef[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(span != 0, coef[..., 1] / span, 0.5)
    gap = grid[j] - grid[i]
    c = ys.shape[0]
    starts = np.full((c, N_STARTS, 5), np.nan)
    found = np.zeros((c, N_STARTS), bool)
    kinds = (
        (fraction < 0.5) & (gap <= _CLOSE),
        (fraction < 0.5) & (gap > _CLOSE),
        (fraction >= 0.5) & (gap <= _CLOSE),
        (fraction >= 0.5) & (gap > _CLOSE),
    )
    every = np.arange(c)
    for kind, in_kind in enumerate(kinds):
        in_kind = in_kind & np.isfinite(ss)
        best = np.argmin(np.where(in_kind, ss, np.inf), axis=1)
        has = in_kind.any(axis=1)
        b, a = coef[every, best, 0], span[every, best]
        p = np.column_stack([b + a, b, grid[i[best]], grid[j[best]], fraction[every, best]])
        starts[has, kind] = p[has]
        found[:, kind] = has
    return starts, found


def fit_two_site_curves(
    x: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    fixed: Mapping[str, float | np.ndarray] | None = None,
    weights: np.ndarray | None = None,
    level: float = 0.95,
    max_iter: int = TWO_SITE_MAX_ITER,
) -> FitSet:
    """Fit the two-site model ("Two sites - Fit logIC50") to C curves, each from :data:`N_STARTS` starts.

    Every grid start of every curve (:func:`grid_starts`) is a row of one batch, refined for
    :data:`SCOUT_ITER` iterations; each curve's row with the smallest SS is then refined to convergence
    (the one-curve path's polish of every start and refinement of the best, vectorised).

    Parameters
    ----------
    x, y
        ``(C, N)`` points, one curve per row.
    mask
        ``(C, N)`` True for real points; None when every entry is one.
    fixed
        Parameters held constant (``top``, ``bottom``), each a number or one value per curve; the starts'
        values of those parameters are replaced by them.
    weights
        None or ``(C, N)`` positive weights (e.g. a main fit's final Poisson weights). The grid starts are
        found unweighted, as the one-curve guess finds them.
    level
        Confidence level of the asymptotic intervals.
    max_iter
        Iterations allowed per curve in all.

    Returns
    -------
    FitSet
        One row per curve: of its starts, the fit with the smallest weighted SS, ``converged`` as the batch
        engine decides it (False also for a curve that cannot be fitted: fewer than 5 distinct
        concentrations of free parameters, no degrees of freedom, non-finite data). The sites are in the
        order the optimiser left them (the SS does not depend on it; see
        :func:`~assaykit.fitting.two_site.order_sites`).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    c = x.shape[0]
    mask = np.ones(x.shape, bool) if mask is None else np.asarray(mask, dtype=bool)
    fixed_all = {n: np.broadcast_to(np.asarray(v, float), (c,)).copy() for n, v in (fixed or {}).items()}
    unknown = sorted(set(fixed_all) - set(TWO_SITE.param_names))
    if unknown:
        raise ValueError(f"model 'two-site' has no parameter(s) {', '.join(unknown)}")
    free = tuple(name for name in TWO_SITE.param_names if name not in fixed_all)
    k = len(free)
    w = None if weights is None else np.where(mask, np.asarray(weights, dtype=float), 1.0)
    valid = fittable(x, mask, k) & np.where(mask, np.isfinite(x) & np.isfinite(y), True).all(axis=1)
    if fixed_all:
        valid &= np.isfinite(np.column_stack(list(fixed_all.values()))).all(axis=1)
    if w is not None:
        valid &= (np.isfinite(w) & (w > 0)).all(axis=1)
    x_ok = np.where(mask, x, np.where(mask.any(axis=1, keepdims=True), x[:, :1], 0.0))
    y_ok = np.where(mask & valid[:, None], y, 0.0)
    idx = np.flatnonzero(valid)
    p = np.full((c, k), np.nan)
    ss = np.full(c, np.nan)
    info = np.full((c, k, k), np.nan)
    conv = np.zeros(c, bool)
    if idx.size and k:
        starts, found = grid_starts(x_ok[idx], y_ok[idx], mask[idx])
        columns = [TWO_SITE.param_names.index(name) for name in free]
        p0 = starts[..., columns]  # (curves, starts, free)
        n_s = N_STARTS
        # scouting: every start of every curve, a few iterations (a curve lacking a kind repeats its best)
        first = np.argmax(found, axis=1)
        p0 = np.where(found[..., None], p0, p0[np.arange(idx.size), first][:, None, :])
        rows = np.repeat(idx, n_s)
        p_s, ss_s, info_s, conv_s = _lm(
            x_ok, y_ok, mask, w, rows, p0.reshape(-1, k), free, fixed_all, SCOUT_ITER
        )
        # each curve goes on from its start with the smallest SS, converged or not: a start still descending
        # below another's local minimum is on its way to the better fit (an ambiguous one, maybe)
        ss_s = np.where(np.isfinite(ss_s), ss_s, np.inf)
        pick = np.argmin(ss_s.reshape(-1, n_s), axis=1)
        best = np.arange(idx.size) * n_s + pick
        p[idx], ss[idx], info[idx], conv[idx] = p_s[best], ss_s[best], info_s[best], conv_s[best]
        # a curve whose best start has not converged yet goes on from where it stopped
        more = idx[~conv[idx]]
        if more.size and max_iter > SCOUT_ITER:
            p_m, ss_m, info_m, conv_m = _lm(
                x_ok, y_ok, mask, w, more, p[more], free, fixed_all, max_iter - SCOUT_ITER
            )
            p[more], ss[more], info[more], conv[more] = p_m, ss_m, info_m, conv_m
    return _fit_set(TWO_SITE, free, fixed_all, p, ss, info, conv, valid, x_ok, y, mask, w, {}, {}, level)


def _lm(
    x: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray,
    w: np.ndarray | None,
    rows: np.ndarray,
    p0: np.ndarray,
    free: tuple[str, ...],
    fixed: Mapping[str, np.ndarray],
    max_iter: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run the batch engine's Levenberg-Marquardt on curves ``rows`` (a curve may repeat) from ``p0``."""
    sw = mask[rows].astype(float)
    if w is not None:
        sw = sw * np.sqrt(w[rows])
    fx = {name: v[rows] for name, v in fixed.items()}
    p, ss, info, converged, _ = levenberg_marquardt(
        TWO_SITE, x[rows], y[rows], sw, p0, free, fx, {}, max_iter
    )
    return p, ss, info, converged  # no limits given: no parameter can have left them
