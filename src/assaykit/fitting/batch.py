"""The batch engine: fit many curves of one model at once with a vectorised Levenberg-Marquardt.

:func:`fit_curves` checks the curves (every row of ``(C, N)`` arrays is a curve, padded with zero-weight
points), takes the model's batch guess, fits them ``chunk`` at a time with the vectorised iteration of
:mod:`assaykit.fitting.levenberg_marquardt` (all curves of a chunk in a few numpy calls per step), and
computes every curve's standard errors, intervals, dependencies and goodness of fit, returning a
:class:`~assaykit.fitting.fitset.FitSet`. The model functions are the same plain functions the lmfit path
fits (:mod:`assaykit.fitting.models`). Curves that fail (no convergence within ``max_iter``, non-finite
values) come back with ``converged`` False, for the caller to refit one at a time with
:func:`~assaykit.fitting.engine.fit_curve`, which tries several starting points.

The standard errors and intervals are Prism's (see :mod:`assaykit.fitting.fitset`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np

from assaykit.fitting.distributions import t_quantile
from assaykit.fitting.fit_types import CurveModel
from assaykit.fitting.fitset import FitSet, JoinedFits, covariance_and_dependency
from assaykit.fitting.levenberg_marquardt import levenberg_marquardt, poisson_rounds, take
from assaykit.fitting.padded import PaddedCurves, fittable, pad_groups

__all__ = ["PaddedCurves", "fit_curves", "fittable", "pad_groups"]  # the padding helpers, for callers

MAX_ITER = 200
#: Curves :func:`fit_curves` fits together: big enough that numpy's per-call overhead is spread thin,
#: small enough that each temporary (``CHUNK_CURVES x N`` floats, 2.6 MB at 33 points) stays cheap to reuse.
CHUNK_CURVES = 10_000


def fit_curves(
    model: CurveModel,
    x: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    fixed: Mapping[str, float | np.ndarray] | None = None,
    constants: Mapping[str, float] | None = None,
    data: Mapping[str, np.ndarray] | None = None,
    weights: np.ndarray | str | None = None,
    level: float = 0.95,
    max_iter: int = MAX_ITER,
    chunk: int | None = CHUNK_CURVES,
    limits: Mapping[str, tuple[float | np.ndarray, float | np.ndarray]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> FitSet:
    """Fit C curves of one model at once; the batch counterpart of :func:`~assaykit.fitting.fit_curve`.

    The curves are fitted ``chunk`` at a time (each chunk whole, as one batch) and the results joined in
    order. Every curve's iteration depends on its own row alone, so the numbers are those of one batch of
    all curves; what chunking changes is memory and speed: each of the iteration's temporaries is a
    ``(chunk, N)`` array that stays in the processor's cache and is reused, instead of a fresh ``(C, N)``
    array (264 MB at a million curves of 33 points) that the kernel must page in at every step.

    Parameters
    ----------
    model
        A model with a ``batch_guess`` (``4pl``, ``one-site``, ``fit-ki``).
    x, y
        ``(C, N)`` points, one curve per row (every replicate its own point).
    mask
        ``(C, N)`` True for real points; None when every entry is one. Padding must hold finite ``x``.
    fixed
        Parameters held constant, each a number or one value per curve (besides the model's own).
    constants
        The model's experimental constants.
    data
        ``(C, N)`` per-point arrays the model takes besides ``x``.
    weights
        None, ``(C, N)`` positive weights, or ``"poisson"``: ``1/Y`` of each fitted curve, recomputed until
        the weighted SS changes by at most 1e-10 of itself, as :func:`~assaykit.fitting.fit_curve` does.
    level
        Confidence level of the asymptotic intervals.
    max_iter
        Iterations allowed per curve.
    chunk
        Curves fitted together (:data:`CHUNK_CURVES` by default); None for all at once.
    limits
        Free parameter -> ``(low, high)``, numbers or one value per curve: a curve whose iterate leaves
        them is stopped at once, not converged, its ``message`` naming the parameter. For curves that have
        no minimum where the parameter means anything (a log IC50 running far beyond the tested
        concentrations as Top - Bottom grows without bound): without limits they use up ``max_iter``.
    progress
        Called with the number of curves fitted so far after each chunk (for a progress bar).

    Returns
    -------
    FitSet
        One row per curve. A curve that cannot be fitted (too few distinct concentrations, no degrees of
        freedom, invalid data) or did not converge has ``converged`` False and says why in ``message``:
        refit it with :func:`~assaykit.fitting.fit_curve`, which raises or tries other starting points.

    Raises
    ------
    ValueError
        For a model without ``batch_guess``, an unknown fixed parameter, mismatched shapes or a ``chunk``
        below 1.
    """
    if chunk is not None and chunk < 1:
        raise ValueError(f"chunk must be at least 1 curve, not {chunk}")
    c = np.shape(x)[0] if np.ndim(x) == 2 else 0
    if chunk is None or c <= chunk:
        return _fit_batch(model, x, y, mask, fixed, constants, data, weights, level, max_iter, limits)

    def rows(value: object, part: slice) -> object:  # a per-curve (or per-point) array's rows; else as is
        return value[part] if isinstance(value, np.ndarray) and value.ndim and len(value) == c else value

    joined = JoinedFits(c)
    for start in range(0, c, chunk):
        part = slice(start, start + chunk)
        given = {name: rows(np.asarray(v) if np.ndim(v) else v, part) for name, v in (fixed or {}).items()}
        per_point = {name: np.asarray(v)[part] for name, v in (data or {}).items()}
        points = (np.asarray(x)[part], np.asarray(y)[part], None if mask is None else np.asarray(mask)[part])
        bounds = {
            name: (rows(np.asarray(lo), part), rows(np.asarray(hi), part))
            for name, (lo, hi) in (limits or {}).items()
        }
        fits = _fit_batch(
            model, *points, given, constants, per_point, rows(weights, part), level, max_iter, bounds
        )
        joined.add(start, fits)
        if progress is not None:
            progress(min(start + chunk, c))
    return joined.fits()


def _fit_batch(
    model: CurveModel,
    x: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray | None,
    fixed: Mapping[str, float | np.ndarray] | None,
    constants: Mapping[str, float] | None,
    data: Mapping[str, np.ndarray] | None,
    weights: np.ndarray | str | None,
    level: float,
    max_iter: int,
    limits: Mapping[str, tuple[float | np.ndarray, float | np.ndarray]] | None = None,
) -> FitSet:
    """Fit all the curves given in one batch (:func:`fit_curves` without chunks; the same parameters)."""
    if model.batch_guess is None:
        raise ValueError(f"model '{model.name}' has no batch guess; fit it with fit_curve")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError(f"x and y must be (C, N) arrays of one shape, not {x.shape} and {y.shape}")
    c = x.shape[0]
    mask = np.ones(x.shape, bool) if mask is None else np.asarray(mask, dtype=bool)
    consts = {name: float((constants or {})[name]) for name in model.constants if name in (constants or {})}
    arrays = {name: np.asarray(v, dtype=float) for name, v in (data or {}).items()}
    fixed_all = {
        name: np.broadcast_to(np.asarray(v, dtype=float), (c,)).copy() for name, v in model.fixed.items()
    }
    fixed_all.update(
        {n: np.broadcast_to(np.asarray(v, dtype=float), (c,)).copy() for n, v in (fixed or {}).items()}
    )
    unknown = sorted(set(fixed_all) - set(model.param_names))
    if unknown:
        raise ValueError(f"model '{model.name}' has no parameter(s) {', '.join(unknown)}")
    free = tuple(name for name in model.param_names if name not in fixed_all)
    k = len(free)

    valid = fittable(x, mask, k)
    valid &= np.where(mask, np.isfinite(x) & np.isfinite(y), True).all(axis=1)
    valid &= np.isfinite(np.column_stack([v for v in fixed_all.values()] or [np.zeros(c)])).all(axis=1)
    for v in arrays.values():
        valid &= np.where(mask, np.isfinite(v), True).all(axis=1)
    if len(consts) < len(model.constants) or not all(math.isfinite(v) and v > 0 for v in consts.values()):
        valid[:] = False
    poisson = isinstance(weights, str) and weights == "poisson"
    w = None
    if isinstance(weights, np.ndarray):
        w = np.where(mask, weights, 1.0)
        valid &= (np.isfinite(w) & (w > 0)).all(axis=1)
    elif weights is not None and not poisson:
        raise ValueError(f"weights must be an array, None or 'poisson', not {weights!r}")

    x_ok = np.where(mask, x, np.where(mask.any(axis=1, keepdims=True), x[:, :1], 0.0))
    y_ok = np.where(mask & valid[:, None], y, 0.0)
    extra: dict[str, object] = {**consts, **arrays}
    idx = np.flatnonzero(valid)
    bounds = {
        free.index(name): tuple(np.broadcast_to(np.asarray(b, dtype=float), (c,))[idx] for b in pair)
        for name, pair in (limits or {}).items()
        if name in free
    }
    stopped = np.zeros((c, k), bool)
    p = np.full((c, k), np.nan)
    if idx.size and k:  # the guess only for curves that can be fitted (it needs valid constants)
        guess = model.batch_guess(x_ok[idx], y_ok[idx], mask[idx], consts)
        p0 = np.column_stack([np.asarray(guess[name], dtype=float) for name in free])
        p[idx] = np.where(np.isfinite(p0), p0, 0.0)
    ss = np.full(c, np.nan)
    info = np.full((c, k, k), np.nan)
    conv = np.zeros(c, bool)
    weight_rounds = w
    if idx.size:
        sub = take(extra, idx)
        fx = take(fixed_all, idx)
        base = mask[idx].astype(float)
        w_sub = None if w is None else w[idx]
        sw = base if w_sub is None else base * np.sqrt(w_sub)
        if w_sub is None and mask[idx].all():
            sw = None  # no padding, no weights: skip multiplying by ones
        p_i, ss_i, info_i, conv_i, stop_i = levenberg_marquardt(
            model, x_ok[idx], y_ok[idx], sw, p[idx], free, fx, sub, max_iter, bounds
        )
        if poisson:
            p_i, ss_i, info_i, conv_i, w_sub, stop_p = poisson_rounds(
                model, x_ok[idx], y_ok[idx], base, p_i, conv_i, free, fx, sub, max_iter, bounds
            )
            stop_i |= stop_p
            weight_rounds = np.ones(x.shape)
            weight_rounds[idx] = np.where(base > 0, w_sub, 1.0)
        p[idx], ss[idx], info[idx], conv[idx], stopped[idx] = p_i, ss_i, info_i, conv_i, stop_i
    fits = _fit_set(
        model, free, fixed_all, p, ss, info, conv, valid, x_ok, y, mask, weight_rounds, consts, arrays, level
    )
    if stopped.any():
        message = list(fits.message)
        for i in np.flatnonzero(stopped.any(axis=1)):
            names = " and ".join(free[j] for j in np.flatnonzero(stopped[i]))
            message[i] = f"stopped: {names} ran beyond the limits (no minimum within them)"
        fits = replace(fits, message=tuple(message))
    return fits


def _packed(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Move each row's real points first, in order (FitSet's layout), the padding after them."""
    order = np.argsort(~mask, axis=1, kind="stable")
    return np.take_along_axis(np.where(mask, values, 0.0), order, axis=1)


def _fit_set(
    model: CurveModel,
    free: tuple[str, ...],
    fixed: Mapping[str, np.ndarray],
    p: np.ndarray,
    ss: np.ndarray,
    info: np.ndarray,
    converged: np.ndarray,
    valid: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray,
    weights: np.ndarray | None,
    constants: dict[str, float],
    data: dict[str, np.ndarray],
    level: float,
) -> FitSet:
    """Compute SEs, intervals, dependency and goodness of fit of the batch results (Prism's formulas)."""
    c, k = p.shape
    n_points = mask.sum(axis=1)
    df = n_points - k
    names = model.param_names
    values = np.column_stack([p[:, free.index(n)] if n in free else fixed[n] for n in names])
    cov_unscaled, dependency = covariance_and_dependency(info)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = cov_unscaled * (ss / np.where(df > 0, df, np.nan))[:, None, None]
        se_free = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
        half = t_quantile(level, np.where(df > 0, df, np.nan))[:, None] * se_free
    stderr = np.full(values.shape, np.nan)
    ci_low = np.full(values.shape, np.nan)
    ci_high = np.full(values.shape, np.nan)
    for j, name in enumerate(free):
        col = names.index(name)
        stderr[:, col] = se_free[:, j]
        ci_low[:, col] = p[:, j] - half[:, j]
        ci_high[:, col] = p[:, j] + half[:, j]
    w = mask.astype(float) if weights is None else np.where(mask, weights, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        y_mean = (w * np.where(mask, y, 0.0)).sum(axis=1) / w.sum(axis=1)
        ss_total = (w * (np.where(mask, y, 0.0) - y_mean[:, None]) ** 2).sum(axis=1)
        r_squared = np.where(ss_total > 0, 1.0 - ss / ss_total, np.nan)
        sy_x = np.sqrt(ss / np.where(df > 0, df, np.nan))
    ok = converged & np.isfinite(values).all(axis=1)
    message = tuple(
        "converged (batch Levenberg-Marquardt)"
        if good
        else ("not fittable by the batch engine" if not v else "batch Levenberg-Marquardt did not converge")
        for good, v in zip(ok, valid, strict=True)
    )
    return FitSet(
        model=model,
        free=free,
        values=values,
        stderr=stderr,
        ci_low=ci_low,
        ci_high=ci_high,
        covariance=cov,
        dependency=dependency,
        n_points=n_points,
        df=df,
        ss=ss,
        r_squared=r_squared,
        sy_x=sy_x,
        converged=ok,
        message=message,
        constants=constants,
        ci_method="asymptotic",
        level=level,
        weights=None if weights is None else _packed(weights, mask),
        data={k: _packed(v, mask) for k, v in data.items()} or None,
    )
