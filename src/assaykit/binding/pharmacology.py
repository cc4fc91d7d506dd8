"""Pharmacological conversions: Cheng-Prusoff, Ki with the Kd's uncertainty, relative potency."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from assaykit.fitting.distributions import t_quantile


def cheng_prusoff(ic50: ArrayLike, radioligand: float, kd: float) -> np.ndarray:
    """Inhibition constant from IC50 by the Cheng-Prusoff equation.

    ``Ki = IC50 / (1 + [L] / Kd)``

    Parameters
    ----------
    ic50
        Concentration giving half-maximal inhibition of specific binding (any concentration unit; Ki comes
        out in the same unit).
    radioligand
        Free radioligand concentration [L] in the assay.
    kd
        The radioligand's equilibrium dissociation constant, in the same unit as ``radioligand``.

    Returns
    -------
    numpy.ndarray
        Ki, in the unit of ``ic50``.

    Raises
    ------
    ValueError
        When ``radioligand`` is negative or ``kd`` is not positive.

    Notes
    -----
    Cheng Y, Prusoff WH (1973) "Relationship between the inhibition constant (KI) and the concentration of
    inhibitor which causes 50 per cent inhibition (I50) of an enzymatic reaction", Biochem Pharmacol
    22:3099-3108. Valid for competitive, reversible binding at equilibrium with negligible ligand depletion
    (GraphPad Curve Fitting Guide, "One site - Fit Ki").

    Examples
    --------
    >>> float(cheng_prusoff(10.0, radioligand=1.0, kd=1.5))
    6.0
    """
    if not np.isfinite(radioligand) or radioligand < 0:
        raise ValueError(f"radioligand concentration must be >= 0, not {radioligand!r}")
    if not np.isfinite(kd) or kd <= 0:
        raise ValueError(f"Kd must be > 0, not {kd!r}")
    return np.asarray(ic50, dtype=float) / (1.0 + radioligand / kd)


def log_ki_se_with_kd(
    log_ic50_se: float | np.ndarray,
    radioligand: float,
    kd: float,
    kd_se: float,
) -> float | np.ndarray:
    """Return the SE of log10 Ki including the uncertainty of the radioligand's Kd (delta method).

    ``log Ki = log IC50 - log10(1 + L/Kd)``, with the IC50 from the curve fit and Kd from an independent
    experiment (saturation binding), so

    ``Var(log Ki) = Var(log IC50) + (d log10(1 + L/Kd) / dKd)^2 Var(Kd)``,
    ``d log10(1 + L/Kd) / dKd = -(L/Kd^2) / ((1 + L/Kd) ln 10)``.

    Parameters
    ----------
    log_ic50_se
        SE of log10 IC50 from the curve fit (for "Fit Ki" models, the SE of the fitted log Ki, which is the
        same number); a number or an array of them (one per curve).
    radioligand, kd, kd_se
        The radioligand's concentration, its Kd and the SE of that Kd, all in one concentration unit.

    Returns
    -------
    float or numpy.ndarray
        ``sqrt(Var(log Ki))``, shaped like ``log_ic50_se``.

    Notes
    -----
    First-order (delta method) propagation; Kd and IC50 are independent estimates. Ku HH (1966) J Res Natl
    Bur Stand 70C:263-273; Motulsky & Christopoulos (2004) ch. 17.

    Examples
    --------
    >>> round(log_ki_se_with_kd(0.05, radioligand=1.0, kd=1.0, kd_se=0.0), 12)
    0.05
    """
    if not (np.isfinite(kd) and kd > 0 and np.isfinite(kd_se) and kd_se >= 0):
        raise ValueError(f"Kd must be > 0 and its SE >= 0, not {kd!r} and {kd_se!r}")
    ratio = radioligand / kd
    slope = -(radioligand / kd**2) / ((1.0 + ratio) * np.log(10.0))
    total = np.sqrt(np.square(log_ic50_se) + (slope * kd_se) ** 2)
    return float(total) if np.ndim(total) == 0 else total


def relative_potency(results: pd.DataFrame, reference: str, *, level: float = 0.95) -> pd.DataFrame:
    """Potency of each compound relative to a reference fitted on the same plate: the ratio of IC50s.

    Parameters
    ----------
    results
        A results table (:func:`assaykit.binding.analyze_competition`), with ``compound``, ``plate``,
        ``log_ic50``, ``log_ic50_se`` and ``df``.
    reference
        The reference compound's name.
    level
        Confidence level of the ratio's interval.

    Returns
    -------
    pandas.DataFrame
        One row per compound (other than the reference) and plate on which the reference was also fitted,
        columns :data:`~assaykit.binding.columns.POTENCY_COLUMNS`:
        ``ratio = IC50(compound) / IC50(reference)`` (above 1: the compound is less potent), its confidence
        limits, ``log_ratio`` (log10), ``log_ratio_se`` and the Welch-Satterthwaite ``df``. NaN where either
        curve has no log IC50 or SE (e.g. a two-site or homologous fit, or one that failed).

    Raises
    ------
    ValueError
        When the reference is not a compound of ``results``.

    Notes
    -----
    The curves are independent fits, so ``SE(log ratio) = sqrt(SE_a^2 + SE_b^2)``. The interval is
    ``log ratio +/- t(level, df) * SE``, transformed to the ratio scale, with the Welch-Satterthwaite
    degrees of freedom ``df = (SE_a^2 + SE_b^2)^2 / (SE_a^4/DF_a + SE_b^4/DF_b)`` (Satterthwaite 1946,
    Biometrics Bull 2:110-114). It lies between ``min(DF_a, DF_b)`` and ``DF_a + DF_b`` and falls below the
    sum when the two SEs differ: the usual allowance for unequal scatter, where the sum of the DFs would give
    too narrow an interval. On one plate the radioligand's concentration and Kd are the same for both
    compounds, so the ratio of IC50s equals the ratio of Ki values and the Kd's uncertainty cancels.
    """
    from assaykit.binding.columns import POTENCY_COLUMNS

    if reference not in set(results["compound"]):
        names = ", ".join(map(str, dict.fromkeys(results["compound"])))
        raise ValueError(f"reference '{reference}' is not among the compounds ({names})")
    refs = results[results["compound"] == reference].set_index("plate")
    rows = []
    for _, row in results[results["compound"] != reference].iterrows():
        if row["plate"] not in refs.index:
            continue
        ref = refs.loc[row["plate"]]
        log_ratio = float(row["log_ic50"]) - float(ref["log_ic50"])
        var_a, var_b = float(row["log_ic50_se"]) ** 2, float(ref["log_ic50_se"]) ** 2
        se = float(np.sqrt(var_a + var_b))
        with np.errstate(divide="ignore", invalid="ignore"):
            df = (var_a + var_b) ** 2 / (var_a**2 / float(row["df"]) + var_b**2 / float(ref["df"]))
        t = float(t_quantile(level, df))  # NaN for a NaN df; scipy.special only for a fractional df
        rows.append(
            {
                "compound": row["compound"],
                "reference": reference,
                "plate": row["plate"],
                "ratio": 10.0**log_ratio,
                "ratio_ci_low": 10.0 ** (log_ratio - t * se),
                "ratio_ci_high": 10.0 ** (log_ratio + t * se),
                "log_ratio": log_ratio,
                "log_ratio_se": se,
                "df": df,
            }
        )
    return pd.DataFrame(rows, columns=list(POTENCY_COLUMNS))
