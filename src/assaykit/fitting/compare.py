"""Comparing two fits of the same data: the extra-sum-of-squares F test and Akaike's criterion (AICc).

Both are computed as GraphPad Prism computes them (Curve Fitting Guide, "Compare tab" and "Interpreting
comparison of models"; Motulsky & Christopoulos 2004, *Fitting Models to Biological Data*, ch. 21-24):

- F test (nested models only): ``F = ((SS1 - SS2) / (DF1 - DF2)) / (SS2 / DF2)``, with P from the F
  distribution with ``(DF1 - DF2, DF2)`` degrees of freedom; model 1 is the simpler one (more DF);
- ``AIC = N ln(SS/N) + 2K`` and ``AICc = AIC + 2K(K + 1)/(N - K - 1)``, where ``K`` is the number of
  fitted parameters plus one (the variance of the scatter is estimated too);
- the probability that the more complex model is correct, given that one of the two is, is
  ``exp(-0.5 d) / (1 + exp(-0.5 d))`` with ``d = AICc(complex) - AICc(simpler)``.

The F test at ``alpha`` decides which model is preferred. If either fit is ambiguous (or did not converge),
Prism picks the other model without a test; so does :func:`compare_fits`, and its ``note`` says so.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from assaykit.fitting.distributions import expit
from assaykit.fitting.fit_types import CurveFit

#: Columns of a comparison row, in order (``ModelComparison.as_row`` adds ``compound`` and ``plate`` first).
COMPARISON_FIELDS = (
    "simpler",
    "complex",
    "ss_simple",
    "ss_complex",
    "df_simple",
    "df_complex",
    "f",
    "p_value",
    "aicc_simple",
    "aicc_complex",
    "delta_aicc",
    "prob_complex",
    "preferred",
    "note",
)


@dataclass(frozen=True)
class ModelComparison:
    """The comparison of a simpler and a more complex model fitted to the same points.

    Attributes
    ----------
    simpler, complex
        The models' names.
    ss_simple, ss_complex
        (Weighted) residual sums of squares.
    df_simple, df_complex
        Degrees of freedom (points minus fitted parameters; NaN for a model that could not be fitted).
    f, p_value
        Extra-sum-of-squares F ratio and its P value (NaN when the test does not apply).
    aicc_simple, aicc_complex
        Corrected Akaike information criterion of each fit (NaN when ``N - K - 1 <= 0``).
    delta_aicc
        ``aicc_complex - aicc_simple``: negative when the complex model is the more likely.
    prob_complex
        Probability that the complex model is correct (of the two), from ``delta_aicc``.
    preferred
        The preferred model's name: by the F test at ``alpha``, or the other model when one fit is
        ambiguous; empty when neither fit can be used.
    note
        Why the preference was made without a test, or other caveats; empty otherwise.
    """

    simpler: str
    complex: str
    ss_simple: float
    ss_complex: float
    df_simple: float
    df_complex: float
    f: float
    p_value: float
    aicc_simple: float
    aicc_complex: float
    delta_aicc: float
    prob_complex: float
    preferred: str
    note: str

    def as_row(self, **keys: object) -> dict[str, object]:
        """Return the comparison as one table row, with ``keys`` (e.g. compound and plate) first."""
        return {**keys, **asdict(self)}


def aicc(ss: float, n: int, n_params: int) -> float:
    """Corrected Akaike information criterion of a least-squares fit, as Prism computes it.

    Parameters
    ----------
    ss
        (Weighted) residual sum of squares.
    n
        Number of points.
    n_params
        Number of fitted parameters; ``K = n_params + 1`` counts the variance of the scatter too.

    Returns
    -------
    float
        ``N ln(SS/N) + 2K + 2K(K + 1)/(N - K - 1)``; NaN when ``N - K - 1 <= 0`` or ``SS <= 0``.

    Notes
    -----
    GraphPad Curve Fitting Guide, "How the AICc computations work"; Burnham & Anderson (2002) *Model
    Selection and Multimodel Inference*, 2nd ed., Springer, eq. 2.14 with the least-squares likelihood.
    """
    k = n_params + 1
    if n - k - 1 <= 0 or not ss > 0:
        return math.nan
    return n * math.log(ss / n) + 2.0 * k + 2.0 * k * (k + 1) / (n - k - 1)


def f_test(ss_simple: float, df_simple: int, ss_complex: float, df_complex: int) -> tuple[float, float]:
    """Extra-sum-of-squares F test of nested models.

    Parameters
    ----------
    ss_simple, df_simple
        SS and degrees of freedom of the simpler model (the one with fewer parameters, so more DF).
    ss_complex, df_complex
        SS and degrees of freedom of the more complex model.

    Returns
    -------
    tuple of float
        ``(F, P)``; ``F`` is negative (and ``P`` is 1) when the complex model fits worse.

    Raises
    ------
    ValueError
        When the simpler model does not have more degrees of freedom ("Models have the same DF" in Prism),
        or the complex model has none.
    """
    if df_simple <= df_complex:
        raise ValueError(
            f"the simpler model needs more DF than the complex one ({df_simple} <= {df_complex})"
        )
    if df_complex < 1:
        raise ValueError("the complex model has no degrees of freedom")
    if not ss_complex > 0:
        return math.inf, 0.0
    dfn = df_simple - df_complex
    f = ((ss_simple - ss_complex) / dfn) / (ss_complex / df_complex)
    from scipy.special import fdtrc  # imported here: slow to import, and only comparisons need it

    return f, float(fdtrc(dfn, df_complex, f)) if f > 0 else 1.0  # fdtrc: the F distribution's survival


def _usable(fit: CurveFit | None) -> str:
    """Why a fit cannot take part in a test ('' when it can)."""
    if fit is None:
        return "could not be fitted"
    if not fit.converged:
        return "did not converge"
    if fit.ambiguous:
        return "is ambiguous"
    return ""


def compare_fits(
    simple: CurveFit | None,
    complex_: CurveFit | None,
    *,
    alpha: float = 0.05,
    names: tuple[str, str] | None = None,
) -> ModelComparison:
    """Compare a simpler and a more complex model fitted to the same points, as Prism does.

    Parameters
    ----------
    simple, complex_
        The two fits (None for a model that could not be fitted at all). They must be fits of the same
        points with the same weights, the simpler one nested in the complex one.
    alpha
        Significance level of the F test.
    names
        The models' names, needed when a fit is None (default: the fits' model names).

    Returns
    -------
    ModelComparison
        Both tests and the preferred model (see the module docstring for the rules).

    Raises
    ------
    ValueError
        When the fits have different numbers of points, or the same DF.
    """
    simple_name = names[0] if names else simple.model.name  # type: ignore[union-attr]
    complex_name = names[1] if names else complex_.model.name  # type: ignore[union-attr]
    nan = math.nan
    numbers: dict[str, list[float]] = {"ss": [nan, nan], "df": [nan, nan], "aicc": [nan, nan]}
    for i, fit in enumerate((simple, complex_)):
        if fit is not None:
            numbers["ss"][i], numbers["df"][i] = fit.ss, fit.df
            numbers["aicc"][i] = aicc(fit.ss, fit.n_points, len(fit.free))
    if simple is not None and complex_ is not None:
        if simple.n_points != complex_.n_points:
            raise ValueError(f"the fits have different points ({simple.n_points} and {complex_.n_points})")
        if simple.df == complex_.df:
            raise ValueError("Models have the same DF: the F test needs nested models")
    f = p = nan
    checks = ((simple_name, _usable(simple)), (complex_name, _usable(complex_)))
    problems = [(name, why) for name, why in checks if why]
    if not problems:
        f, p = f_test(numbers["ss"][0], simple.df, numbers["ss"][1], complex_.df)  # type: ignore[union-attr]
        preferred = complex_name if p < alpha else simple_name
        note = "" if f >= 0 else f"the {complex_name} fit has a larger SS than the {simple_name} fit"
    elif len(problems) == 1:
        name, why = problems[0]
        preferred = complex_name if name == simple_name else simple_name
        note = f"the {name} fit {why}: {preferred} chosen without a test"
    else:
        preferred = ""
        note = "; ".join(f"the {name} fit {why}" for name, why in problems) + ": no model preferred"
    delta = numbers["aicc"][1] - numbers["aicc"][0]
    return ModelComparison(
        simpler=simple_name,
        complex=complex_name,
        ss_simple=numbers["ss"][0],
        ss_complex=numbers["ss"][1],
        df_simple=numbers["df"][0],
        df_complex=numbers["df"][1],
        f=f,
        p_value=p,
        aicc_simple=numbers["aicc"][0],
        aicc_complex=numbers["aicc"][1],
        delta_aicc=delta,
        prob_complex=float(expit(-0.5 * delta)) if math.isfinite(delta) else nan,
        preferred=preferred,
        note=note,
    )
