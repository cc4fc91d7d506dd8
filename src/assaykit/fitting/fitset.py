"""Many fits of one model as arrays: what the batch engine returns and what result tables are built from.

A :class:`FitSet` holds, for C curves fitted with the same model and the same free parameters, every number
a :class:`~assaykit.fitting.fit_types.CurveFit` holds, one array row per curve. Fits made one at a time by the
lmfit path are stacked into one with :meth:`FitSet.from_fits`; the batch engine
(:func:`~assaykit.fitting.batch.fit_curves`) builds one directly. Result tables are then computed column by
column, whichever engine fitted the curves.

The statistics follow GraphPad Prism (see :mod:`assaykit.fitting.engine`): ``Cov = SS/DF (J^T W J)^-1``,
``SE = sqrt(diag Cov)``, asymptotic limits ``P +/- t(level, DF) SE``, and dependency
``1 - 1 / (Cov_ii (Cov^-1)_ii)``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assaykit.fitting.fit_types import AMBIGUOUS_DEPENDENCY, CurveFit, CurveModel

#: Reciprocal condition number below which the information matrix is treated as singular.
SINGULAR_RCOND = 1e-13


def covariance_and_dependency(info: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Invert information matrices ``J^T W J``; return unscaled covariances and dependencies.

    Parameters
    ----------
    info
        One ``(k, k)`` matrix, or a stack ``(C, k, k)``.

    Returns
    -------
    tuple of numpy.ndarray
        ``(covariance, dependency)`` shaped like ``info`` and ``info[..., 0]``; NaN for a matrix with a
        non-finite entry, a zero diagonal, or a reciprocal condition number (after scaling to unit diagonal,
        so parameter units do not matter) below :data:`SINGULAR_RCOND`.
    """
    info = np.asarray(info, dtype=float)
    stack = info.reshape((-1, *info.shape[-2:]))
    k = stack.shape[-1]
    cov = np.full(stack.shape, np.nan)
    dependency = np.full(stack.shape[:-1], np.nan)
    if k == 0:
        return cov.reshape(info.shape), dependency.reshape(info.shape[:-1])
    d = np.sqrt(np.abs(np.diagonal(stack, axis1=-2, axis2=-1)))
    ok = np.isfinite(stack).all(axis=(-2, -1)) & (d > 0).all(axis=-1)
    corr = np.where(ok[:, None, None], stack, np.eye(k)) / np.where(ok[:, None], d, 1.0)[:, :, None]
    corr = corr / np.where(ok[:, None], d, 1.0)[:, None, :]
    ok &= 1.0 / np.linalg.cond(corr) >= SINGULAR_RCOND
    if ok.any():
        scale = d[ok][:, :, None] * d[ok][:, None, :]
        inverse = np.linalg.inv(corr[ok]) / scale
        cov[ok] = inverse
        diag_info = np.diagonal(stack[ok], axis1=-2, axis2=-1)
        dep = 1.0 - 1.0 / (np.diagonal(inverse, axis1=-2, axis2=-1) * diag_info)
        dependency[ok] = np.clip(dep, 0.0, 1.0)
    return cov.reshape(info.shape), dependency.reshape(info.shape[:-1])


@dataclass(frozen=True)
class FitSet:
    """C fits of one model with the same free parameters, as arrays (row ``i`` is curve ``i``).

    Attributes
    ----------
    model
        The fitted model.
    free
        The fitted parameters, in model order.
    values
        ``(C, P)`` best-fit values of every parameter in ``model.param_names`` (fixed ones included).
    stderr, ci_low, ci_high
        ``(C, P)`` standard errors and confidence limits (NaN for fixed parameters and singular fits).
    covariance
        ``(C, k, k)`` scaled covariance of the free parameters (NaN when singular).
    dependency
        ``(C, k)`` Prism's dependency of each free parameter.
    n_points, df
        Points fitted and degrees of freedom of each curve.
    ss, r_squared, sy_x
        (Weighted) residual sum of squares, R² and ``sqrt(SS/DF)``.
    converged
        Whether each fit converged (and is finite).
    message
        The optimiser's message for each curve.
    constants
        The model's experimental constants.
    ci_method, level
        How ``ci_low``/``ci_high`` were computed and their confidence level.
    weights
        ``(C, N)`` weights, the first ``n_points[i]`` of row ``i`` being curve ``i``'s; None when unweighted.
    data
        Per-point arrays the model takes besides ``x``, padded like ``weights``; None when it takes none.
    """

    model: CurveModel
    free: tuple[str, ...]
    values: np.ndarray
    stderr: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    covariance: np.ndarray
    dependency: np.ndarray
    n_points: np.ndarray
    df: np.ndarray
    ss: np.ndarray
    r_squared: np.ndarray
    sy_x: np.ndarray
    converged: np.ndarray
    message: tuple[str, ...]
    constants: dict[str, float]
    ci_method: str
    level: float
    weights: np.ndarray | None = None
    data: dict[str, np.ndarray] | None = None

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def _index(self, name: str) -> int:
        return self.model.param_names.index(name)

    def value(self, name: str) -> np.ndarray:
        """Best-fit values of parameter ``name``, one per curve (NaN for a parameter the model lacks)."""
        if name not in self.model.param_names:
            return np.full(len(self), np.nan)
        return self.values[:, self._index(name)]

    def se(self, name: str) -> np.ndarray:
        """Return the standard errors of parameter ``name``, one per curve (NaN when fixed or absent)."""
        if name not in self.model.param_names:
            return np.full(len(self), np.nan)
        return self.stderr[:, self._index(name)]

    def interval(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Confidence limits ``(low, high)`` of parameter ``name``, one per curve."""
        if name not in self.model.param_names:
            nan = np.full(len(self), np.nan)
            return nan, nan
        j = self._index(name)
        return self.ci_low[:, j], self.ci_high[:, j]

    @property
    def singular(self) -> np.ndarray:
        """Whether each curve's information matrix could not be inverted."""
        if not self.free:
            return np.zeros(len(self), bool)
        return np.isnan(self.covariance).any(axis=(1, 2))

    @property
    def ambiguous(self) -> np.ndarray:
        """Prism's rule per curve: singular, or some dependency above :data:`AMBIGUOUS_DEPENDENCY`."""
        return self.singular | (self.dependency > AMBIGUOUS_DEPENDENCY).any(axis=1)

    def fit(self, i: int) -> CurveFit:
        """Return curve ``i`` as a :class:`~assaykit.fitting.fit_types.CurveFit`."""
        names = self.model.param_names
        n = int(self.n_points[i])
        return CurveFit(
            model=self.model,
            values={name: float(self.values[i, j]) for j, name in enumerate(names)},
            stderr={name: float(self.stderr[i, j]) for j, name in enumerate(names)},
            ci={
                name: (float(self.ci_low[i, j]), float(self.ci_high[i, j]))
                for j, name in enumerate(names)
                if name in self.free
            },
            ci_method=self.ci_method,
            level=self.level,
            free=self.free,
            constants=dict(self.constants),
            covariance=self.covariance[i].copy(),
            dependency={name: float(self.dependency[i, j]) for j, name in enumerate(self.free)},
            n_points=n,
            df=int(self.df[i]),
            ss=float(self.ss[i]),
            r_squared=float(self.r_squared[i]),
            sy_x=float(self.sy_x[i]),
            converged=bool(self.converged[i]),
            message=self.message[i],
            nfev=0,
            data=None if self.data is None else {k: v[i, :n].copy() for k, v in self.data.items()},
            weights=None if self.weights is None else self.weights[i, :n].copy(),
        )

    @classmethod
    def from_fits(cls, fits: Sequence, model: CurveModel | None = None) -> FitSet:
        """Stack single fits (:class:`~assaykit.fitting.fit_types.CurveFit`) of one model and free set.

        Parameters
        ----------
        fits
            The fits; all of one model with the same free parameters, ci method and level.
        model
            The model, needed only when ``fits`` is empty.

        Returns
        -------
        FitSet
            Row ``i`` is ``fits[i]``.
        """
        if not fits:
            if model is None:
                raise ValueError("an empty FitSet needs its model")
            return _empty(model)
        first = fits[0]
        model, free, names = first.model, first.free, first.model.param_names
        if any(f.model.name != model.name or f.free != free for f in fits):
            raise ValueError("a FitSet holds fits of one model with the same free parameters")
        width = max(f.n_points for f in fits)

        def padded(get) -> np.ndarray:  # noqa: ANN001
            out = np.zeros((len(fits), width))
            for i, f in enumerate(fits):
                out[i, : f.n_points] = get(f)
            return out

        weighted = any(f.weights is not None for f in fits)
        data_names = tuple(first.data) if first.data else ()
        nan = math.nan
        return cls(
            model=model,
            free=free,
            values=np.array([[f.values.get(n, nan) for n in names] for f in fits], dtype=float),
            stderr=np.array([[f.stderr.get(n, nan) for n in names] for f in fits], dtype=float),
            ci_low=np.array([[f.ci.get(n, (nan, nan))[0] for n in names] for f in fits], dtype=float),
            ci_high=np.array([[f.ci.get(n, (nan, nan))[1] for n in names] for f in fits], dtype=float),
            covariance=np.array([f.covariance for f in fits], dtype=float).reshape(
                len(fits), *(len(free),) * 2
            ),
            dependency=np.array([[f.dependency[n] for n in free] for f in fits], dtype=float).reshape(
                len(fits), len(free)
            ),
            n_points=np.array([f.n_points for f in fits]),
            df=np.array([f.df for f in fits]),
            ss=np.array([f.ss for f in fits], dtype=float),
            r_squared=np.array([f.r_squared for f in fits], dtype=float),
            sy_x=np.array([f.sy_x for f in fits], dtype=float),
            converged=np.array([f.converged for f in fits], dtype=bool),
            message=tuple(f.message for f in fits),
            constants=dict(first.constants),
            ci_method=first.ci_method,
            level=first.level,
            weights=padded(lambda f: 1.0 if f.weights is None else f.weights) if weighted else None,
            data={k: padded(lambda f, k=k: f.data[k]) for k in data_names} or None,
        )

    def take(self, index: np.ndarray | Sequence[int]) -> FitSet:
        """Return the fits at ``index`` (in that order)."""
        index = np.asarray(index, dtype=int)
        arrays = {name: getattr(self, name)[index] for name in _ROW_ARRAYS}
        return FitSet(
            model=self.model,
            free=self.free,
            message=tuple(self.message[i] for i in index),
            constants=self.constants,
            ci_method=self.ci_method,
            level=self.level,
            weights=None if self.weights is None else self.weights[index],
            data=None if self.data is None else {k: v[index] for k, v in self.data.items()},
            **arrays,
        )

    @staticmethod
    def concat(sets: Sequence[FitSet]) -> FitSet:
        """Join fit sets of one model and free set, rows in order (per-point arrays padded to one width)."""
        sets = [s for s in sets if len(s)] or list(sets[:1])
        first = sets[0]
        if any(s.free != first.free or s.model.name != first.model.name for s in sets):
            raise ValueError("concat needs fits of the same model and free parameters")
        if len(sets) == 1:
            return first
        arrays = {name: np.concatenate([getattr(s, name) for s in sets]) for name in _ROW_ARRAYS}
        return FitSet(
            model=first.model,
            free=first.free,
            message=tuple(m for s in sets for m in s.message),
            constants=first.constants,
            ci_method=first.ci_method,
            level=first.level,
            weights=_stack_padded([s.weights for s in sets], [s.n_points for s in sets]),
            data=None
            if any(s.data is None for s in sets)
            else {
                k: _stack_padded([s.data[k] for s in sets], [s.n_points for s in sets]) for k in first.data
            },
            **arrays,
        )


_ROW_ARRAYS = (
    "values", "stderr", "ci_low", "ci_high", "covariance", "dependency", "n_points", "df", "ss", "r_squared",
    "sy_x", "converged",
)  # fmt: skip


class JoinedFits:
    """The fits of all curves, filled in chunk by chunk (:func:`~assaykit.fitting.batch.fit_curves`).

    Each chunk's arrays are copied into place as it is done, so that its own can go: keeping the chunks to
    concatenate them at the end (:meth:`FitSet.concat`) would hold every result twice. The per-point arrays
    (``weights``, ``data``) keep the chunks' common width, as one batch of all curves has them.

    Parameters
    ----------
    size
        The number of curves of all chunks together.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.first: FitSet | None = None
        self.arrays: dict[str, np.ndarray] = {}
        self.messages: list[str] = []

    def add(self, start: int, part: FitSet) -> None:
        """Copy ``part``, the fits of curves ``start`` to ``start + len(part)``, into place."""
        per_point = {"weights": part.weights, **{f"data:{k}": v for k, v in (part.data or {}).items()}}
        here = {**{name: getattr(part, name) for name in _ROW_ARRAYS}, **per_point}
        if self.first is None:
            self.first = part
            self.arrays = {
                name: np.empty((self.size, *a.shape[1:]), dtype=a.dtype)
                for name, a in here.items()
                if a is not None
            }
        for name, out in self.arrays.items():
            out[start : start + len(part)] = here[name]
        self.messages.extend(part.message)

    def fits(self) -> FitSet:
        """Return the fits of all curves, in order."""
        first = self.first
        assert first is not None and len(self.messages) == self.size
        data = {k.removeprefix("data:"): v for k, v in self.arrays.items() if k.startswith("data:")}
        return dataclasses.replace(
            first,
            message=tuple(self.messages),
            weights=self.arrays.get("weights"),
            data=data or None,
            **{name: self.arrays[name] for name in _ROW_ARRAYS},
        )


def _stack_padded(parts: Sequence[np.ndarray | None], counts: Sequence[np.ndarray]) -> np.ndarray | None:
    """Stack padded per-point arrays row-wise; a None part (unweighted) becomes ones; all None stays None."""
    if all(part is None for part in parts):
        return None
    width = max(int(n.max(initial=0)) for n in counts)
    out = np.ones((sum(len(n) for n in counts), width))
    row = 0
    for part, n in zip(parts, counts, strict=True):
        if part is not None:
            out[row : row + len(n), : part.shape[1]] = part[:, :width]
        row += len(n)
    return out


def _empty(model: CurveModel) -> FitSet:
    p = len(model.param_names)
    free = tuple(name for name in model.param_names if name not in model.fixed)
    k = len(free)
    return FitSet(
        model=model,
        free=free,
        values=np.empty((0, p)),
        stderr=np.empty((0, p)),
        ci_low=np.empty((0, p)),
        ci_high=np.empty((0, p)),
        covariance=np.empty((0, k, k)),
        dependency=np.empty((0, k)),
        n_points=np.empty(0, int),
        df=np.empty(0, int),
        ss=np.empty(0),
        r_squared=np.empty(0),
        sy_x=np.empty(0),
        converged=np.empty(0, bool),
        message=(),
        constants={},
        ci_method="asymptotic",
        level=0.95,
    )
