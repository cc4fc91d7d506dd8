"""The types the whole fitting engine shares: a model, the result of one fit, and the error of a fit.

:class:`CurveModel` bundles a formula with what the engines need to fit it, :class:`CurveFit` is the result
of one fit (:func:`~assaykit.fitting.engine.fit_curve`), :class:`CurveFitError` what a fit raises for data
the model cannot fit at all, and :data:`AMBIGUOUS_DEPENDENCY` Prism's threshold of an ambiguous fit. The
formulas' registries, the engines and the sets of fits import this module and it imports none of them:
only the competition sigmoid's starting guess (:mod:`assaykit.fitting.logistic`), a model's default guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from assaykit.fitting.logistic import guess_competition

#: Dependency above which Prism calls a fit ambiguous.
AMBIGUOUS_DEPENDENCY = 0.9999


@dataclass(frozen=True)
class CurveModel:
    """A formula and what the fitting engine needs to know about it.

    Attributes
    ----------
    name
        The name users pass (``--model``).
    func
        The formula, ``func(x, **params, **constants)``.
    jacobian
        Analytic partial derivatives, ``jacobian(x, **params, **constants) -> {name: array}``.
    param_names
        Every parameter of ``func`` in a stable order (fixed ones included).
    fixed
        Parameters this model always holds constant, with their values (e.g. Hill slope -1).
    constants
        Names of experimental constants the user must supply (e.g. ``radioligand_nM``, ``kd_nM``).
    potency
        The parameter whose confidence interval matters most (profile-likelihood intervals are computed
        for it).
    prism_name
        The equation's name in GraphPad Prism, for reports.
    guess
        ``guess(x, y, constants) -> {name: value}`` starting values (``constants`` includes the per-point
        ``data`` arrays).
    data_columns
        Names of per-point arrays the formula takes besides ``x`` (e.g. ``is_total`` in a global fit of total
        and nonspecific binding, the hot ligand concentration in homologous competition); given to
        :func:`~assaykit.fitting.engine.fit_curve` as ``data``.
    starts
        ``starts(x, guess) -> [start, ...]``: starting points to try after the guess fails to converge; the
        default moves a log-scale ``potency`` to a quarter, half and three quarters of the range of ``x``.
    batch_guess
        ``batch_guess(x, y, mask, constants) -> {name: array}``: the guess for ``(C, N)`` padded curves at
        once; a model that has one can be fitted by the batch engine (:mod:`assaykit.fitting.batch`).
    profile_span
        ``profile_span(best) -> (low, high)``: the values of ``potency`` the profile-likelihood search may
        reach from its best fit ``best``; a side whose threshold is not crossed within them is open. The
        default (None) searches ``best +/- 12``, right for a log10 potency; a potency on a linear scale,
        such as a Kd in nM, needs a span that scales with it and stays positive.
    """

    name: str
    func: Callable[..., np.ndarray]
    jacobian: Callable[..., dict[str, np.ndarray]]
    param_names: tuple[str, ...]
    fixed: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    constants: tuple[str, ...] = ()
    potency: str = "log_ic50"
    prism_name: str = ""
    guess: Callable[..., dict[str, float]] = guess_competition
    data_columns: tuple[str, ...] = ()
    starts: Callable[..., list[dict[str, float]]] | None = None
    profile_span: Callable[[float], tuple[float, float]] | None = None
    batch_guess: Callable[..., dict[str, np.ndarray]] | None = None

    def __reduce__(self) -> tuple[Callable[..., CurveModel], tuple[dict[str, object]]]:
        """Pickle by fields, the read-only ``fixed`` as a dict (fits cross to worker processes and back).

        The formula, Jacobian and guesses are module-level functions, which pickle by name.
        """
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        fields["fixed"] = dict(self.fixed)
        return (_rebuild_model, (fields,))


def _rebuild_model(fields: dict[str, object]) -> CurveModel:
    """Unpickle a :class:`CurveModel` (see ``CurveModel.__reduce__``)."""
    return CurveModel(**{**fields, "fixed": MappingProxyType(dict(fields["fixed"]))})  # type: ignore[arg-type]


class CurveFitError(ValueError):
    """The data cannot be fitted by the model at all (too few points or concentrations, bad constants)."""


@dataclass(frozen=True)
class CurveFit:
    """The result of one curve fit.

    Attributes
    ----------
    model
        The fitted :class:`~assaykit.fitting.fit_types.CurveModel`.
    values
        Best-fit value of every parameter, fixed ones included.
    stderr
        Asymptotic standard error of each free parameter (NaN for fixed parameters or a singular fit).
    ci
        ``(low, high)`` confidence limits of each free parameter; the potency parameter's are profile
        likelihood limits when ``ci_method == "profile"`` (``-inf``/``inf`` where the profile never reaches
        the threshold within the search range).
    ci_method
        ``"asymptotic"`` or ``"profile"``.
    level
        Confidence level of ``ci``.
    free
        Names of the fitted (free) parameters, in model order.
    constants
        The experimental constants used (e.g. ``radioligand_nM``).
    data
        The per-point arrays the model takes besides ``x`` (see ``CurveModel.data_columns``).
    weights
        The weights used (None for an unweighted fit); with ``weights="poisson"`` the final ``1/Y`` of the
        curve.
    covariance
        Scaled covariance matrix of the free parameters, ``SS/DF * (J^T W J)^-1`` (NaN when singular).
    dependency
        Prism's dependency of each free parameter (NaN when singular).
    n_points, df
        Number of points fitted and degrees of freedom (``n_points - len(free)``).
    ss
        (Weighted) sum of squared residuals.
    r_squared
        ``1 - SS / SS_total`` about the (weighted) mean of ``y``.
    sy_x
        Standard deviation of the residuals, ``sqrt(SS / DF)``.
    converged
        Whether the optimiser reported convergence and every value is finite.
    message
        The optimiser's message.
    nfev
        Function evaluations used.
    """

    model: CurveModel
    values: dict[str, float]
    stderr: dict[str, float]
    ci: dict[str, tuple[float, float]]
    ci_method: str
    level: float
    free: tuple[str, ...]
    constants: dict[str, float]
    covariance: np.ndarray
    dependency: dict[str, float]
    n_points: int
    df: int
    ss: float
    r_squared: float
    sy_x: float
    converged: bool
    message: str
    nfev: int
    data: dict[str, np.ndarray] | None = None
    weights: np.ndarray | None = None

    @property
    def singular(self) -> bool:
        """True when the information matrix could not be inverted (some parameter is not identifiable)."""
        return bool(np.isnan(self.covariance).any())

    @property
    def ambiguous(self) -> bool:
        """True when the covariance is singular or some dependency exceeds 0.9999 (Prism's rule)."""
        if self.singular:
            return True
        return any(d > AMBIGUOUS_DEPENDENCY for d in self.dependency.values())

    def predict(self, x: np.ndarray, **data: np.ndarray) -> np.ndarray:
        """Evaluate the fitted curve at ``x`` (with the per-point ``data`` arrays the model takes, if any)."""
        return self.model.func(np.asarray(x, dtype=float), **self.values, **self.constants, **data)
