"""The primary efficacy analysis: a mixed model for repeated measures (MMRM) of the change from baseline.

``change ~ visit + arm + arm:visit + baseline + baseline:visit`` with an unstructured covariance of a
patient's visits, fitted by REML (:mod:`assaykit.trial.reml`), as ``nlme::gls`` with ``corSymm`` +
``varIdent`` fits it (Mallinckrodt et al. 2008, Drug Inf J 42:303; Mallinckrodt et al. 2001, J Biopharm Stat
11:9). Every observed visit of every patient is used; missed visits are not imputed (no last observation
carried forward): the analysis is valid when they are missing at random (ICH E9(R1), the treatment-policy /
hypothetical estimands). When the unstructured covariance cannot be estimated or the fit does not converge,
the heterogeneous Toeplitz, then the heterogeneous AR(1), then compound symmetry is used, and the result says
which and why.

Least-squares means are those of ``emmeans`` (Searle, Speed & Milliken 1980, Am Stat 34:216): each arm at each
visit with the baseline at its mean over the analysed rows; the differences against the control at each visit
are tested with Satterthwaite degrees of freedom (the default) or emmeans' ``mode = "df.error"`` (N - p - the
number of correlation and variance-function parameters).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from assaykit.errors import AssayInputError
from assaykit.trial import reml

DF_METHODS = ("satterthwaite", "residual")
LABELS = {
    "unstructured": "unstructured",
    "toeplitz_heterogeneous": "heterogeneous Toeplitz",
    "ar1_heterogeneous": "heterogeneous AR(1)",
    "compound_symmetry": "compound symmetry",
}


@dataclass(frozen=True)
class MMRMResult:
    """An MMRM fit: tidy tables and what was done.

    Attributes
    ----------
    coefficients
        ``term, estimate, se, df, t, p_value`` (R's term names; df = N - p as ``summary(gls)``).
    covariance
        The estimated visit x visit covariance of the residuals.
    lsmeans
        ``visit, arm, estimate, se, df, ci_low, ci_high``.
    contrasts
        ``visit, arm, vs, estimate, se, df, t, p_value, ci_low, ci_high`` (arm minus control).
    primary
        The rows of ``contrasts`` at the primary visit.
    structure_used, converged, loglik_reml, n_patients, n_obs, notes
        The covariance structure fitted, whether it converged, the REML log-likelihood (as ``logLik(gls)``),
        the patients and rows analysed, and sentences on the fallbacks and the handling of missing visits.
    """

    coefficients: pd.DataFrame
    covariance: pd.DataFrame
    lsmeans: pd.DataFrame
    contrasts: pd.DataFrame
    primary: pd.DataFrame
    structure_used: str
    converged: bool
    loglik_reml: float
    n_patients: int
    n_obs: int
    df_method: str
    level: float
    notes: list[str] = field(default_factory=list)


def _py(value: object) -> object:
    """Return a numpy scalar as the Python one (its repr is what a user wrote: 10, not np.int64(10))."""
    return value.item() if isinstance(value, np.generic) else value


def _levels(values: pd.Series, given: Sequence | None, column: str) -> list:
    if given is not None:
        absent = [v for v in given if not (values == v).any()]
        if absent:
            raise AssayInputError(f"visit {absent[0]!r} has no patients with a value", column=column)
        extra = sorted(set(values) - set(given), key=str)
        if extra:
            raise AssayInputError(f"visit {extra[0]!r} is not among the visits given", column=column)
        return list(given)
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.ordered:
        return [c for c in values.cat.categories if (values == c).any()]
    if pd.api.types.is_numeric_dtype(values):
        return sorted(_py(v) for v in values.unique())
    return [_py(v) for v in pd.unique(values)]  # strings: in the order they first appear


def prepare(
    data: pd.DataFrame,
    *,
    response: str,
    baseline: str,
    arm: str,
    visit: str,
    patient: str,
    control: str,
    visits: Sequence | None = None,
) -> tuple[pd.DataFrame, list, list]:
    """Check the long table and return (analysed rows, visit levels, arm levels with the control first).

    Raises
    ------
    AssayInputError
        A missing column, a non-numeric response or baseline, a patient in two arms or with two baselines or a
        visit twice, a baseline visit among the post-baseline rows, no control arm, or an arm with no value at
        a visit.
    """
    for col in (response, baseline, arm, visit, patient):
        if col not in data.columns:
            raise AssayInputError(
                f"no column {col!r} (columns: {', '.join(map(str, data.columns))})", column=col
            )
    d = data[[patient, arm, visit, baseline, response]].copy()
    for col in (response, baseline):
        num = pd.to_numeric(d[col], errors="coerce")
        bad = num.isna() & d[col].notna()
        if bad.any():
            raise AssayInputError(
                f"{_py(d[col][bad].iloc[0])!r} for patient {d[patient][bad].iloc[0]} is not a number",
                column=col,
            )
        d[col] = num.astype(float)
    for col, what in ((arm, "arms"), (baseline, "baseline values")):
        n = d.dropna(subset=[col]).groupby(patient)[col].nunique()
        if (n > 1).any():
            raise AssayInputError(f"patient {n.index[n > 1][0]} has two {what}", column=col)
    base_visit = d[visit].astype(str).str.lower().isin(["baseline", "0"])
    if base_visit.any():
        raise AssayInputError(
            f"visit {_py(d[visit][base_visit].iloc[0])!r} is the baseline: give the post-baseline "
            f"visits with the change from baseline",
            column=visit,
        )
    dup = d.duplicated([patient, visit])
    if dup.any():
        raise AssayInputError(
            f"patient {d[patient][dup].iloc[0]} has visit {_py(d[visit][dup].iloc[0])!r} twice", column=visit
        )
    d = d.dropna(subset=[response])
    nobase = d[baseline].isna()
    if nobase.any():
        raise AssayInputError(f"patient {d[patient][nobase].iloc[0]} has no baseline value", column=baseline)
    if not (d[arm] == control).any():
        raise AssayInputError(
            f"no patient in the control arm {control!r} has a value (arms: "
            f"{', '.join(map(str, pd.unique(data[arm])))})",
            column=arm,
        )
    vlev = _levels(d[visit], visits, visit)
    alev = [control] + sorted(set(d[arm]) - {control}, key=str)
    counts = d.groupby([visit, arm]).size()
    for v in vlev:
        for a in alev:
            if counts.get((v, a), 0) == 0:
                raise AssayInputError(
                    f"arm {a!r} has no patient with a value at visit {v!r}", column=response
                )
    return d, vlev, alev


def design(d: pd.DataFrame, vlev: list, alev: list, *, visit: str, arm: str, baseline: str):
    """Return the design matrix of the MMRM in R's column order and names (treatment contrasts)."""
    vi = {v: i for i, v in enumerate(vlev)}
    ai = {a: i for i, a in enumerate(alev)}
    vcode = d[visit].map(vi).to_numpy()
    acode = d[arm].map(ai).to_numpy()
    b = d[baseline].to_numpy(float)
    cols, names = [np.ones(len(d))], ["(Intercept)"]
    for i, v in enumerate(vlev[1:], 1):
        cols.append((vcode == i).astype(float))
        names.append(f"{visit}{v}")
    for j, a in enumerate(alev[1:], 1):
        cols.append((acode == j).astype(float))
        names.append(f"{arm}{a}")
    cols.append(b)
    names.append(baseline)
    for j, a in enumerate(alev[1:], 1):
        for i, v in enumerate(vlev[1:], 1):
            cols.append(((vcode == i) & (acode == j)).astype(float))
            names.append(f"{visit}{v}:{arm}{a}")
    for i, v in enumerate(vlev[1:], 1):
        cols.append((vcode == i) * b)
        names.append(f"{visit}{v}:{baseline}")
    return np.column_stack(cols), names


def _grid_row(names: list[str], v, a, bmean: float, *, visit: str, arm: str, baseline: str) -> np.ndarray:
    """Return the design row of arm ``a`` at visit ``v``, baseline ``bmean`` (emmeans' reference grid)."""
    want = {
        "(Intercept)": 1.0,
        f"{visit}{v}": 1.0,
        f"{arm}{a}": 1.0,
        baseline: bmean,
        f"{visit}{v}:{arm}{a}": 1.0,
        f"{visit}{v}:{baseline}": bmean,
    }
    return np.array([want.get(n, 0.0) for n in names])


def fit_mmrm(
    data: pd.DataFrame,
    *,
    response: str = "change",
    baseline: str = "baseline",
    arm: str = "arm",
    visit: str = "visit",
    patient: str = "patient",
    control: str = "placebo",
    covariance: str = "unstructured",
    visits: Sequence | None = None,
    primary_visit: object | None = None,
    df_method: str = "satterthwaite",
    level: float = 0.95,
) -> MMRMResult:
    """Fit the MMRM and compare every arm with the control at every visit.

    Parameters
    ----------
    data
        One row per patient and post-baseline visit; rows with a missing ``response`` are missed visits.
    response, baseline, arm, visit, patient
        Column names: the change from baseline, the baseline score, the arm, the visit, the patient.
    control
        The control arm (placebo), the reference of the contrasts.
    covariance
        The first covariance structure to try (one of :data:`assaykit.trial.reml.STRUCTURES`); the later ones
        in that list are the fallbacks.
    visits
        The visits in order; by default numeric visits sorted, ordered categoricals in their order, and text
        in the order it first appears.
    primary_visit
        The visit of the primary comparison; the last visit by default.
    df_method
        ``"satterthwaite"`` or ``"residual"`` (emmeans' ``mode = "df.error"`` for gls).
    level
        The confidence level of the intervals.

    Returns
    -------
    MMRMResult
    """
    if covariance not in reml.STRUCTURES:
        raise AssayInputError(
            f"unknown covariance {covariance!r}; expected one of {', '.join(reml.STRUCTURES)}"
        )
    if df_method not in DF_METHODS:
        raise AssayInputError(f"unknown df method {df_method!r}; expected one of {', '.join(DF_METHODS)}")
    names_ = dict(visit=visit, arm=arm, baseline=baseline)
    d, vlev, alev = prepare(
        data,
        response=response,
        baseline=baseline,
        arm=arm,
        visit=visit,
        patient=patient,
        control=control,
        visits=visits,
    )
    primary = vlev[-1] if primary_visit is None else primary_visit
    if primary not in vlev:
        raise AssayInputError(f"the primary visit {primary!r} is not among the visits", column=visit)
    x, names = design(d, vlev, alev, **names_)
    pcode = pd.factorize(d[patient])[0]
    position = d[visit].map({v: i for i, v in enumerate(vlev)}).to_numpy()
    y = d[response].to_numpy(float)
    pats = {tuple(sorted(g.tolist())) for _, g in d.assign(_p=position).groupby(patient)["_p"]}
    notes = []
    fit = None
    for s in reml.STRUCTURES[reml.STRUCTURES.index(covariance) :]:
        why = reml.estimable(s, [tuple(p) for p in pats], len(vlev), vlev)
        if why is None:
            fit = reml.fit_reml(y, x, pcode, position, len(vlev), s)
            if fit.converged:
                break
            why = fit.message
        notes.append(f"{LABELS[s]} covariance not used: {why}.")
        fit = None
    if fit is None:
        raise AssayInputError(
            "the MMRM could not be fitted with any covariance structure: " + " ".join(notes)
        )
    if notes:
        notes.append(f"Fitted with the {LABELS[fit.structure]} covariance instead.")
    n_pat = int(pd.Series(pcode).nunique())
    dropped = int(data[patient].nunique()) - n_pat
    notes.append(
        f"{n_pat} patients with at least one post-baseline value analysed"
        + (f" ({dropped} with none left out)" if dropped else "")
        + "; missed visits are not imputed (missing at random assumed, no LOCF)."
    )
    se = np.sqrt(np.diag(fit.cov_beta))
    df_coef = fit.n_obs - x.shape[1]
    t = fit.beta / se
    coef = pd.DataFrame(
        {
            "term": names,
            "estimate": fit.beta,
            "se": se,
            "df": float(df_coef),
            "t": t,
            "p_value": 2 * stats.t.sf(np.abs(t), df_coef),
        }
    )
    bmean = float(d[baseline].mean())
    grid = [(v, a, _grid_row(names, v, a, bmean, **names_)) for v in vlev for a in alev]
    lsm = _estimates(fit, [(v, a) for v, a, _ in grid], np.array([r for *_, r in grid]), df_method, level)
    lsm = lsm.drop(columns=["t", "p_value"])
    rows = {(v, a): r for v, a, r in grid}
    keys = [(v, a) for v in vlev for a in alev[1:]]
    con = _estimates(fit, keys, np.array([rows[k] - rows[(k[0], control)] for k in keys]), df_method, level)
    con.insert(2, "vs", control)
    cov = pd.DataFrame(fit.covariance, index=pd.Index(vlev, name=visit), columns=pd.Index(vlev, name=visit))
    return MMRMResult(
        coef,
        cov,
        lsm,
        con,
        con[con["visit"] == primary].reset_index(drop=True),
        fit.structure,
        fit.converged,
        fit.loglik,
        n_pat,
        fit.n_obs,
        df_method,
        level,
        notes,
    )


def _estimates(fit: reml.RemlFit, keys: list, rows: np.ndarray, df_method: str, level: float) -> pd.DataFrame:
    est = rows @ fit.beta
    se = np.sqrt(np.einsum("ra,ab,rb->r", rows, fit.cov_beta, rows))
    if df_method == "satterthwaite":
        df = reml.satterthwaite_df(fit, rows)
    else:
        df = np.full(len(keys), float(fit.n_obs - fit.beta.size - (fit.n_theta - 1)))
    t = est / se
    half = stats.t.ppf(0.5 + level / 2, df) * se
    return pd.DataFrame(
        {
            "visit": [k[0] for k in keys],
            "arm": [k[1] for k in keys],
            "estimate": est,
            "se": se,
            "df": df,
            "t": t,
            "p_value": 2 * stats.t.sf(np.abs(t), df),
            "ci_low": est - half,
            "ci_high": est + half,
        }
    )
