"""Saturation binding models: bound radioligand as a function of its concentration (nM, not log).

Each formula is written the way GraphPad Prism documents it, as a plain broadcastable numpy function with
an analytic Jacobian, and bundled with its data-driven starting guess, its own starting points and the
span of its profile-likelihood search in a :class:`~assaykit.fitting.fit_types.CurveModel`. ``x`` is the
radioligand concentration in nM; Kd (``kd_nM``) is on that linear scale, and Bmax is in the units of the
data (cpm, dpm, fmol/mg, ...).

The "total" models fit total and nonspecific binding as one least-squares problem (Prism's global fit of
"One site -- Total and nonspecific binding"), with NS and Background shared: every tube carries the
per-point indicator ``is_total`` (1 for a total-binding tube, 0 for a nonspecific one) and

    ``Y = is_total * specific(X) + NS * X + Background``.

Starting values come from a grid over Kd (and for two sites over both Kds) on which the model is linear in
every other parameter, so that each grid point's best Bmax, NS and Background are one linear least-squares
solve; the grid point with the smallest sum of squares is the guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from assaykit.fitting.distributions import expit
from assaykit.fitting.fit_types import CurveModel

#: The profile-likelihood search for a Kd reaches this factor below and above the estimate.
KD_PROFILE_FACTOR = 1e4

_GRID_POINTS = 41  # Kd values tried for the guess, log-spaced over the data range widened 10-fold each way
_MIN_SITE_RATIO = 4.0  # two-site guesses: KdLo / KdHi at least this


def one_site_specific(x: np.ndarray, bmax: float = 1.0, kd_nM: float = 1.0) -> np.ndarray:  # noqa: N803
    """Specific binding to one class of sites: Prism "One site -- Specific binding".

    ``Y = Bmax*X/(Kd + X)``

    Parameters
    ----------
    x
        Radioligand concentration, nM.
    bmax
        Maximal specific binding, in the units of the data.
    kd_nM
        Equilibrium dissociation constant, nM: the concentration that occupies half the sites.

    Returns
    -------
    numpy.ndarray
        Specific binding at each ``x``.

    Notes
    -----
    Source: GraphPad Prism 8 Curve Fitting Guide, "Equation: One site -- Specific binding"
    (https://www.graphpad.com/guides/prism/8/curve-fitting/reg_classic_hyperbola.htm): a rectangular
    hyperbola, the binding isotherm.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return bmax * x / (kd_nM + x)


def _one_site_specific_jacobian(x: np.ndarray, bmax: float, kd_nM: float) -> dict[str, np.ndarray]:  # noqa: N803
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = kd_nM + x
        return {"bmax": x / d, "kd_nM": -bmax * x / d**2}


def specific_hill(
    x: np.ndarray,
    bmax: float = 1.0,
    kd_nM: float = 1.0,  # noqa: N803
    hill: float = 1.0,
) -> np.ndarray:
    """Specific binding with a Hill slope: Prism "Specific binding with Hill slope".

    ``Y = Bmax*X^h/(Kd^h + X^h)``

    Evaluated as ``Bmax * expit(h * ln(X/Kd))``, the same value for ``X, Kd > 0``, which neither
    overflows for steep slopes nor fails at ``X = 0`` (where Y is 0 for ``h > 0``).

    Parameters
    ----------
    x
        Radioligand concentration, nM.
    bmax
        Maximal specific binding, in the units of the data.
    kd_nM
        The concentration that gives half-maximal binding, nM (must be > 0).
    hill
        Hill slope ``h``: 1 for a single class of independent sites.

    Returns
    -------
    numpy.ndarray
        Specific binding at each ``x`` (NaN when ``kd_nM <= 0``).

    Notes
    -----
    Source: GraphPad Prism 7 Curve Fitting Guide, "Equation: Specific binding with Hill slope"
    (https://www.graphpad.com/guides/prism/7/curve-fitting/reg_specific_hill.htm).
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return bmax * expit(hill * (np.log(x) - np.log(kd_nM)))


def _specific_hill_jacobian(
    x: np.ndarray,
    bmax: float,
    kd_nM: float,  # noqa: N803
    hill: float,
) -> dict[str, np.ndarray]:
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(x) - np.log(kd_nM)
        s = expit(hill * log_ratio)
        ds = s * (1.0 - s)  # d expit(u) / du
        # where ds is 0 (X = 0, or far on a plateau) the product with an infinite log ratio is 0, not NaN
        d_hill = np.where(ds > 0, bmax * ds * log_ratio, 0.0)
        return {"bmax": s, "kd_nM": -bmax * ds * hill / kd_nM, "hill": d_hill}


def two_site_specific(
    x: np.ndarray,
    bmax_hi: float = 1.0,
    kd_hi_nM: float = 0.1,  # noqa: N803
    bmax_lo: float = 1.0,
    kd_lo_nM: float = 10.0,  # noqa: N803
) -> np.ndarray:
    """Specific binding to two classes of sites: Prism "Two sites -- Specific binding".

    ``Site1 = BmaxHi*X/(KdHi + X)``, ``Site2 = BmaxLo*X/(KdLo + X)``, ``Y = Site1 + Site2``

    Parameters
    ----------
    x
        Radioligand concentration, nM.
    bmax_hi, kd_hi_nM
        Maximal binding and Kd (nM) of the high-affinity sites (the smaller Kd).
    bmax_lo, kd_lo_nM
        Maximal binding and Kd (nM) of the low-affinity sites.

    Returns
    -------
    numpy.ndarray
        Specific binding at each ``x``.

    Notes
    -----
    Source: GraphPad Prism 7 Curve Fitting Guide, "Equation: Two sites -- Specific binding"
    (https://www.graphpad.com/guides/prism/7/curve-fitting/reg_two_sites_specific.htm).
    """
    return one_site_specific(x, bmax_hi, kd_hi_nM) + one_site_specific(x, bmax_lo, kd_lo_nM)


def _two_site_specific_jacobian(
    x: np.ndarray,
    bmax_hi: float,
    kd_hi_nM: float,  # noqa: N803
    bmax_lo: float,
    kd_lo_nM: float,  # noqa: N803
) -> dict[str, np.ndarray]:
    hi = _one_site_specific_jacobian(x, bmax_hi, kd_hi_nM)
    lo = _one_site_specific_jacobian(x, bmax_lo, kd_lo_nM)
    return {"bmax_hi": hi["bmax"], "kd_hi_nM": hi["kd_nM"], "bmax_lo": lo["bmax"], "kd_lo_nM": lo["kd_nM"]}


def one_site_total(
    x: np.ndarray,
    bmax: float = 1.0,
    kd_nM: float = 1.0,  # noqa: N803
    ns_slope: float = 0.0,
    background: float = 0.0,
    is_total: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Total and nonspecific binding fitted together: Prism "One site -- Total and nonspecific binding".

    ``specific = Bmax*X/(X + Kd)``, ``nonspecific = NS*X + Background``; total-binding tubes (data set A)
    follow ``specific + nonspecific`` and nonspecific tubes (data set B) ``nonspecific``, with NS and
    Background shared. As one formula over every tube:

    ``Y = is_total*Bmax*X/(Kd + X) + NS*X + Background``

    Parameters
    ----------
    x
        Radioligand concentration, nM.
    bmax, kd_nM
        Maximal specific binding (units of the data) and Kd (nM).
    ns_slope
        Nonspecific binding per nM of radioligand (units of the data per nM).
    background
        Nonspecific binding at zero radioligand (instrument background), units of the data.
    is_total
        Per point: 1 for a total-binding tube, 0 for a nonspecific-binding tube. The default 1 gives the
        total-binding curve; 0 gives the nonspecific line.

    Returns
    -------
    numpy.ndarray
        Binding at each ``x``.

    Notes
    -----
    Source: GraphPad Prism 7 Curve Fitting Guide, "Equation: One site -- Fit total and nonspecific binding"
    (http://graphpad.com/guides/prism/7/curve-fitting/reg_one_site_fit_total_and_ns.htm), which calls the
    global fit of both data sets "the best approach"; for ``is_total = 1`` alone it is "One site -- Total"
    (https://www.graphpad.com/guides/prism/7/curve-fitting/reg_one_site_total.htm).
    """
    x = np.asarray(x, dtype=float)
    return np.asarray(is_total, dtype=float) * one_site_specific(x, bmax, kd_nM) + ns_slope * x + background


def _one_site_total_jacobian(
    x: np.ndarray,
    bmax: float,
    kd_nM: float,  # noqa: N803
    ns_slope: float,
    background: float,
    is_total: np.ndarray | float = 1.0,
) -> dict[str, np.ndarray]:
    x = np.asarray(x, dtype=float)
    total = np.asarray(is_total, dtype=float)
    specific = _one_site_specific_jacobian(x, bmax, kd_nM)
    return {
        "bmax": total * specific["bmax"],
        "kd_nM": total * specific["kd_nM"],
        "ns_slope": x,
        "background": np.ones_like(x),
    }


def two_site_total(
    x: np.ndarray,
    bmax_hi: float = 1.0,
    kd_hi_nM: float = 0.1,  # noqa: N803
    bmax_lo: float = 1.0,
    kd_lo_nM: float = 10.0,  # noqa: N803
    ns_slope: float = 0.0,
    background: float = 0.0,
    is_total: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Total and nonspecific binding to two classes of sites: Prism "Two sites -- Total and nonspecific".

    ``Specific1 = BmaxHi*X/(X + KdHi)``, ``Specific2 = BmaxLo*X/(X + KdLo)``,
    ``Nonspecific = NS*X + Background``; total tubes follow ``Specific1 + Specific2 + Nonspecific`` and
    nonspecific tubes ``Nonspecific``, fitted together:

    ``Y = is_total*(BmaxHi*X/(KdHi + X) + BmaxLo*X/(KdLo + X)) + NS*X + Background``

    Parameters
    ----------
    x
        Radioligand concentration, nM.
    bmax_hi, kd_hi_nM, bmax_lo, kd_lo_nM
        The two classes of sites, as in :func:`two_site_specific`.
    ns_slope, background
        The nonspecific line, as in :func:`one_site_total`.
    is_total
        Per point: 1 for a total-binding tube, 0 for a nonspecific one.

    Returns
    -------
    numpy.ndarray
        Binding at each ``x``.

    Notes
    -----
    Source: GraphPad Prism 7 Curve Fitting Guide, "Equation: Two sites -- Fit total and nonspecific
    binding" (http://graphpad.com/guides/prism/7/curve-fitting/reg_two_sites_total_and_ns.htm).
    """
    x = np.asarray(x, dtype=float)
    specific = two_site_specific(x, bmax_hi, kd_hi_nM, bmax_lo, kd_lo_nM)
    return np.asarray(is_total, dtype=float) * specific + ns_slope * x + background


def _two_site_total_jacobian(
    x: np.ndarray,
    bmax_hi: float,
    kd_hi_nM: float,  # noqa: N803
    bmax_lo: float,
    kd_lo_nM: float,  # noqa: N803
    ns_slope: float,
    background: float,
    is_total: np.ndarray | float = 1.0,
) -> dict[str, np.ndarray]:
    x = np.asarray(x, dtype=float)
    total = np.asarray(is_total, dtype=float)
    jac = {
        k: total * v for k, v in _two_site_specific_jacobian(x, bmax_hi, kd_hi_nM, bmax_lo, kd_lo_nM).items()
    }
    return {**jac, "ns_slope": x, "background": np.ones_like(x)}


# --------------------------------------------------------------------------------------------------------
# Starting values
# --------------------------------------------------------------------------------------------------------
def _kd_grid(x: np.ndarray) -> np.ndarray:
    """Kd values to try: log-spaced from a tenth of the lowest to ten times the highest concentration."""
    positive = x[np.isfinite(x) & (x > 0)]
    if not positive.size:
        return np.array([1.0])
    return np.geomspace(positive.min() / 10.0, positive.max() * 10.0, _GRID_POINTS)


def _best_linear(columns: list[np.ndarray], y: np.ndarray) -> tuple[float, np.ndarray]:
    """Least-squares coefficients of ``y`` on ``columns``; return (SS, coefficients)."""
    design = np.column_stack(columns)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return float(resid @ resid), coef


def _nonspecific_columns(x: np.ndarray, total_model: bool) -> list[np.ndarray]:
    return [x, np.ones_like(x)] if total_model else []


def _indicator(constants: Mapping[str, object] | None, x: np.ndarray) -> np.ndarray:
    value = (constants or {}).get("is_total", 1.0)
    return np.broadcast_to(np.asarray(value, dtype=float), x.shape)


def _guess_one_site(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None, total_model: bool
) -> dict[str, float]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    total = _indicator(constants, x)
    best: tuple[float, float, np.ndarray] | None = None
    for kd in _kd_grid(x):
        ss, coef = _best_linear([total * x / (kd + x), *_nonspecific_columns(x, total_model)], y)
        if best is None or ss < best[0]:
            best = (ss, float(kd), coef)
    assert best is not None
    _, kd, coef = best
    guess = {"bmax": float(coef[0]), "kd_nM": kd}
    if total_model:
        guess.update(ns_slope=float(coef[1]), background=float(coef[2]))
    return guess


def _guess_two_site(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None, total_model: bool
) -> dict[str, float]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    total = _indicator(constants, x)
    grid = _kd_grid(x)[::2]
    best: tuple[float, float, float, np.ndarray] | None = None
    for i, kd_hi in enumerate(grid):
        for kd_lo in grid[i + 1 :]:
            if kd_lo < _MIN_SITE_RATIO * kd_hi:
                continue
            columns = [
                total * x / (kd_hi + x),
                total * x / (kd_lo + x),
                *_nonspecific_columns(x, total_model),
            ]
            ss, coef = _best_linear(columns, y)
            if best is None or ss < best[0]:
                best = (ss, float(kd_hi), float(kd_lo), coef)
    if best is None:  # a single concentration: no pair to try
        one = _guess_one_site(x, y, constants, total_model)
        guess = {"bmax_hi": one["bmax"] / 2, "kd_hi_nM": one["kd_nM"] / 3}
        guess.update(bmax_lo=one["bmax"] / 2, kd_lo_nM=one["kd_nM"] * 3)
        if total_model:
            guess.update(ns_slope=one["ns_slope"], background=one["background"])
        return guess
    _, kd_hi, kd_lo, coef = best
    guess = {"bmax_hi": float(coef[0]), "kd_hi_nM": kd_hi, "bmax_lo": float(coef[1]), "kd_lo_nM": kd_lo}
    if total_model:
        guess.update(ns_slope=float(coef[2]), background=float(coef[3]))
    return guess


def guess_one_site(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None = None
) -> dict[str, float]:
    """Return starting values for one-site specific binding: the best Bmax for each Kd on a grid.

    The guess is the grid point with the smallest sum of squares.

    Returns
    -------
    dict
        ``bmax`` and ``kd_nM``.
    """
    return _guess_one_site(x, y, constants, total_model=False)


def guess_hill(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None = None
) -> dict[str, float]:
    """Return starting values for specific binding with a Hill slope: the one-site guess, ``hill = 1``.

    Returns
    -------
    dict
        ``bmax``, ``kd_nM`` and ``hill``.
    """
    return {**_guess_one_site(x, y, constants, total_model=False), "hill": 1.0}


def guess_two_site(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None = None
) -> dict[str, float]:
    """Return starting values for two sites: the best pair of Kds (KdLo >= 4 KdHi) on a grid.

    Returns
    -------
    dict
        ``bmax_hi``, ``kd_hi_nM``, ``bmax_lo`` and ``kd_lo_nM``.
    """
    return _guess_two_site(x, y, constants, total_model=False)


def guess_one_site_total(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None = None
) -> dict[str, float]:
    """Return starting values for the global one-site model.

    For each Kd on a grid, Bmax, NS and Background follow by linear least squares over every tube; the
    guess is the grid point with the smallest sum of squares.

    Parameters
    ----------
    x, y
        Concentrations (nM) and signals of every tube.
    constants
        Holds ``is_total`` (1 for total tubes, 0 for nonspecific ones).

    Returns
    -------
    dict
        ``bmax``, ``kd_nM``, ``ns_slope`` and ``background``.
    """
    return _guess_one_site(x, y, constants, total_model=True)


def guess_two_site_total(
    x: np.ndarray, y: np.ndarray, constants: Mapping[str, object] | None = None
) -> dict[str, float]:
    """Return starting values for the global two-site model: :func:`guess_two_site` plus NS, Background.

    Returns
    -------
    dict
        ``bmax_hi``, ``kd_hi_nM``, ``bmax_lo``, ``kd_lo_nM``, ``ns_slope`` and ``background``.
    """
    return _guess_two_site(x, y, constants, total_model=True)


def _positions(x: np.ndarray) -> list[float]:
    """Return Kd values spread over the tested range.

    They are a quarter, half and three quarters of the way on a log scale, and three times the top.
    """
    positive = np.asarray(x, dtype=float)
    positive = positive[np.isfinite(positive) & (positive > 0)]
    if not positive.size:
        return [1.0]
    lo, hi = float(np.log(positive.min())), float(np.log(positive.max()))
    return [float(np.exp(lo + f * (hi - lo))) for f in (0.25, 0.5, 0.75)] + [3.0 * float(np.exp(hi))]


def starts_one_site(x: np.ndarray, guess: Mapping[str, float]) -> list[dict[str, float]]:
    """Further starting points for one-site models: Kd across the tested range (the rest from the guess)."""
    return [{"kd_nM": kd} for kd in _positions(x)]


def starts_hill(x: np.ndarray, guess: Mapping[str, float]) -> list[dict[str, float]]:
    """Further starting points for the Hill model: Kd across the range, with Hill slopes 1, 0.5 and 2."""
    return [{"kd_nM": kd, "hill": h} for h in (1.0, 0.5, 2.0) for kd in _positions(x)]


def starts_two_site(x: np.ndarray, guess: Mapping[str, float]) -> list[dict[str, float]]:
    """Further starting points for two-site models: pairs of Kds a decade apart across the tested range."""
    return [{"kd_hi_nM": kd / 3.0, "kd_lo_nM": kd * 3.0} for kd in _positions(x)]


def kd_profile_span(best: float) -> tuple[float, float]:
    """Span of the profile-likelihood search for a Kd: ``best / 1e4`` to ``best * 1e4``.

    A Kd is positive and on a linear scale, so the search reaches four decades either way from the
    estimate; a limit not reached within that is open (reported as 0 below and infinity above). A
    non-positive estimate leaves nothing to search.

    Parameters
    ----------
    best
        The best-fit Kd, nM.

    Returns
    -------
    tuple of float
        ``(low, high)`` in nM.
    """
    if not best > 0:
        return best, best
    return best / KD_PROFILE_FACTOR, best * KD_PROFILE_FACTOR


_ONE_SITE_PARAMS = ("bmax", "kd_nM")
_TWO_SITE_PARAMS = ("bmax_hi", "kd_hi_nM", "bmax_lo", "kd_lo_nM")
_NONSPECIFIC_PARAMS = ("ns_slope", "background")

ONE_SITE_SPECIFIC = CurveModel(
    name="one-site",
    func=one_site_specific,
    jacobian=_one_site_specific_jacobian,
    param_names=_ONE_SITE_PARAMS,
    potency="kd_nM",
    prism_name="One site -- Specific binding",
    guess=guess_one_site,
    starts=starts_one_site,
    profile_span=kd_profile_span,
)
SPECIFIC_HILL = CurveModel(
    name="hill",
    func=specific_hill,
    jacobian=_specific_hill_jacobian,
    param_names=(*_ONE_SITE_PARAMS, "hill"),
    potency="kd_nM",
    prism_name="Specific binding with Hill slope",
    guess=guess_hill,
    starts=starts_hill,
    profile_span=kd_profile_span,
)
TWO_SITE_SPECIFIC = CurveModel(
    name="two-site",
    func=two_site_specific,
    jacobian=_two_site_specific_jacobian,
    param_names=_TWO_SITE_PARAMS,
    potency="kd_hi_nM",
    prism_name="Two sites -- Specific binding",
    guess=guess_two_site,
    starts=starts_two_site,
    profile_span=kd_profile_span,
)
ONE_SITE_TOTAL = CurveModel(
    name="one-site-total",
    func=one_site_total,
    jacobian=_one_site_total_jacobian,
    param_names=(*_ONE_SITE_PARAMS, *_NONSPECIFIC_PARAMS),
    potency="kd_nM",
    prism_name="One site -- Total and nonspecific binding",
    guess=guess_one_site_total,
    data_columns=("is_total",),
    starts=starts_one_site,
    profile_span=kd_profile_span,
)
TWO_SITE_TOTAL = CurveModel(
    name="two-site-total",
    func=two_site_total,
    jacobian=_two_site_total_jacobian,
    param_names=(*_TWO_SITE_PARAMS, *_NONSPECIFIC_PARAMS),
    potency="kd_hi_nM",
    prism_name="Two sites -- Total and nonspecific binding",
    guess=guess_two_site_total,
    data_columns=("is_total",),
    starts=starts_two_site,
    profile_span=kd_profile_span,
)

#: Saturation models by the name users give them (``--model``); the first is the default.
SATURATION_MODELS: Mapping[str, CurveModel] = MappingProxyType(
    {
        model.name: model
        for model in (ONE_SITE_TOTAL, ONE_SITE_SPECIFIC, SPECIFIC_HILL, TWO_SITE_SPECIFIC, TWO_SITE_TOTAL)
    }
)

#: The models that fit total and nonspecific tubes together (they need ``is_total``).
GLOBAL_MODELS = frozenset(
    name for name, model in SATURATION_MODELS.items() if "is_total" in model.data_columns
)
