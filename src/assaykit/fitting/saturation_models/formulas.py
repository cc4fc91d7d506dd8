"""Saturation binding formulas: bound radioligand as a function of its concentration (nM, not log).

Each formula is written the way GraphPad Prism documents it, as a plain broadcastable numpy function with
its analytic Jacobian: one class of sites (:func:`one_site_specific`, :func:`specific_hill`), two classes
(:func:`two_site_specific`), and total and nonspecific binding fitted together (:func:`one_site_total`,
:func:`two_site_total`). ``x`` is the radioligand concentration in nM; Kd (``kd_nM``) is on that linear
scale, and Bmax is in the units of the data (cpm, dpm, fmol/mg, ...).

The "total" models fit total and nonspecific binding as one least-squares problem (Prism's global fit of
"One site -- Total and nonspecific binding"), with NS and Background shared: every tube carries the
per-point indicator ``is_total`` (1 for a total-binding tube, 0 for a nonspecific one) and

    ``Y = is_total * specific(X) + NS * X + Background``.
"""

from __future__ import annotations

import numpy as np

from assaykit.fitting.distributions import expit


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
