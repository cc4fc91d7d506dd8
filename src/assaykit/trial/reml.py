"""Restricted maximum likelihood for a linear model with a patterned residual covariance across visits.

The model is ``y = X beta + e`` where the errors of one patient are multivariate normal with the visits'
covariance ``Sigma`` (restricted to the visits the patient attended) and patients are independent. It is the
model that ``nlme::gls(y ~ ..., correlation = corSymm(form = ~ visit_index | patient),
weights = varIdent(form = ~ 1 | visit), method = "REML")`` fits, with four covariance structures:

- ``"unstructured"``: every variance and covariance free (``corSymm`` + ``varIdent``), q(q+1)/2 parameters,
  parameterised by the Cholesky factor of ``Sigma`` with a log diagonal;
- ``"toeplitz_heterogeneous"``: a variance per visit and one correlation per lag (``corARMA(p = q - 1)`` +
  ``varIdent``), the lag correlations parameterised by partial autocorrelations (Durbin-Levinson), so every
  parameter value gives a positive definite matrix;
- ``"ar1_heterogeneous"``: a variance per visit and correlation rho^|j - k| (``corAR1`` + ``varIdent``);
- ``"compound_symmetry"``: one variance and one correlation (``corCompSymm``).

``beta`` is profiled out (generalised least squares) and the restricted log-likelihood (Patterson & Thompson
1971, Biometrika 58:545; Harville 1977, JASA 72:320) is maximised over the covariance parameters with an
analytic gradient (quasi-Newton, then Newton steps on the finite-difference Hessian of that gradient until
the gradient vanishes). ``cov(beta) = (X' V^-1 X)^-1`` at the estimate, as ``summary(gls)`` reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

STRUCTURES = ("unstructured", "toeplitz_heterogeneous", "ar1_heterogeneous", "compound_symmetry")
_LOG2PI = float(np.log(2.0 * np.pi))


def covariance_matrix(structure: str, theta: np.ndarray, q: int) -> np.ndarray:
    """Return the q x q covariance of ``structure`` at parameters ``theta`` (complex-step safe).

    Parameters
    ----------
    structure
        One of :data:`STRUCTURES`.
    theta
        The unconstrained parameters (real, or complex for the complex-step derivative).
    q
        The number of visits.

    Returns
    -------
    numpy.ndarray
        ``Sigma``, symmetric positive definite for every real ``theta``.
    """
    if structure == "unstructured":
        low = np.zeros((q, q), dtype=theta.dtype)
        low[np.tril_indices(q)] = theta
        low[np.diag_indices(q)] = np.exp(np.diag(low))
        return low @ low.T
    if structure == "compound_symmetry":
        e = np.exp(theta[1])
        rho = (e - 1.0) / (e + q - 1.0)  # (-1/(q-1), 1), as nlme's corCompSymm
        corr = rho * np.ones((q, q), dtype=theta.dtype) + (1.0 - rho) * np.eye(q)
        return np.exp(2.0 * theta[0]) * corr
    sd = np.exp(theta[:q])
    lags = np.abs(np.subtract.outer(np.arange(q), np.arange(q)))
    if structure == "ar1_heterogeneous":
        corr = np.tanh(theta[q]) ** lags
    elif structure == "toeplitz_heterogeneous":
        acf = _pacf_to_acf(np.tanh(theta[q:]))
        corr = acf[lags]
    else:
        raise ValueError(
            f"unknown covariance structure {structure!r}; expected one of {', '.join(STRUCTURES)}"
        )
    return sd[:, None] * corr * sd[None, :]


def _pacf_to_acf(pacf: np.ndarray) -> np.ndarray:
    """Autocorrelations at lags 0..len(pacf) from partial autocorrelations (Durbin-Levinson recursion)."""
    acf = [np.ones((), dtype=pacf.dtype)]
    phi = np.zeros(0, dtype=pacf.dtype)
    for k, a in enumerate(pacf, start=1):
        phi = np.concatenate([phi - a * phi[::-1], [a]])
        acf.append(sum(phi[j] * acf[k - 1 - j] for j in range(k)))
    return np.array(acf)


def _start(structure: str, sigma0: np.ndarray) -> np.ndarray:
    """Return starting parameters: the unstructured start is ``sigma0`` itself, the others its variances."""
    q = sigma0.shape[0]
    logsd = 0.5 * np.log(np.diag(sigma0))
    if structure == "unstructured":
        low = np.linalg.cholesky(sigma0)
        low[np.diag_indices(q)] = np.log(np.diag(low))
        return low[np.tril_indices(q)]
    if structure == "compound_symmetry":
        return np.array([float(np.mean(logsd)), 0.0])
    extra = 1 if structure == "ar1_heterogeneous" else q - 1
    return np.concatenate([logsd, np.zeros(extra)])


def estimable(
    structure: str, patterns: list[tuple[int, ...]], q: int, labels: list | None = None
) -> str | None:
    """Return why ``structure`` cannot be estimated from the visit patterns seen, or None if it can.

    ``patterns`` are the sets of visit positions (0..q-1) patients were seen at; ``labels`` name the visits in
    the message (1..q by default).
    """
    name = list(range(1, q + 1)) if labels is None else list(labels)
    pairs = {(j, k) for p in patterns for j in p for k in p if j < k}
    if structure == "unstructured":
        missing = [(j, k) for j in range(q) for k in range(j + 1, q) if (j, k) not in pairs]
        if missing:
            both = "; ".join(f"{name[j]!r} and {name[k]!r}" for j, k in missing)
            return f"no patient was seen at both visits {both}, so their covariance is unknown"
    elif structure == "toeplitz_heterogeneous":
        lags = {k - j for j, k in pairs}
        gone = [lag for lag in range(1, q) if lag not in lags]
        if gone:
            return f"no patient was seen at two visits {gone[0]} apart, so that lag's correlation is unknown"
    elif not pairs and q > 1:
        return "no patient was seen at two visits, so the within-patient correlation is unknown"
    return None


@dataclass
class _Pattern:
    """Patients seen at the same visits: their responses and design rows stacked."""

    visits: np.ndarray  # positions 0..q-1
    y: np.ndarray  # (m, k)
    x: np.ndarray  # (m, k, p)


@dataclass(frozen=True)
class RemlFit:
    """A REML fit; ``beta`` and ``cov_beta`` follow the columns of the design matrix."""

    structure: str
    beta: np.ndarray
    cov_beta: np.ndarray
    covariance: np.ndarray
    theta: np.ndarray
    loglik: float
    converged: bool
    message: str
    n_obs: int
    n_patients: int
    n_theta: int
    information: np.ndarray = field(repr=False)
    patterns: list[_Pattern] = field(repr=False)


def _patterns(y, x, patient, position) -> list[_Pattern]:
    order = np.lexsort((position, patient))
    y, x, patient, position = y[order], x[order], patient[order], position[order]
    starts = np.flatnonzero(np.r_[True, patient[1:] != patient[:-1]])
    ends = np.r_[starts[1:], len(y)]
    groups: dict[tuple[int, ...], list[int]] = {}
    for s, e in zip(starts, ends, strict=True):
        groups.setdefault(tuple(int(v) for v in position[s:e]), []).append(s)
    out = []
    for visits, firsts in groups.items():
        k = len(visits)
        rows = np.asarray(firsts)[:, None] + np.arange(k)[None, :]
        out.append(_Pattern(np.asarray(visits), y[rows], x[rows]))
    return out


def _profile(pats: list[_Pattern], sigma: np.ndarray, gradient: bool):
    """Profile beta out at ``sigma``: return (loglik, beta, cov_beta, d loglik / d Sigma or None)."""
    p = pats[0].x.shape[2]
    xvx, xvy = np.zeros((p, p)), np.zeros(p)
    logdet, n, inv = 0.0, 0, []
    for pat in pats:
        sub = sigma[np.ix_(pat.visits, pat.visits)]
        chol = np.linalg.cholesky(sub)
        vinv = np.linalg.inv(sub)
        inv.append(vinv)
        logdet += pat.y.shape[0] * 2.0 * np.sum(np.log(np.diag(chol)))
        n += pat.y.size
        vx = np.einsum("ij,mjb->mib", vinv, pat.x)
        xvx += np.einsum("mia,mib->ab", pat.x, vx)
        xvy += np.einsum("mia,mi->a", vx, pat.y)
    cxx = np.linalg.cholesky(xvx)
    cov_beta = np.linalg.inv(xvx)
    beta = np.linalg.solve(xvx, xvy)
    quad, grad = 0.0, np.zeros_like(sigma) if gradient else None
    for pat, vinv in zip(pats, inv, strict=True):
        a = np.einsum("ij,mj->mi", vinv, pat.y - pat.x @ beta)
        quad += float(np.sum(a * (pat.y - pat.x @ beta)))
        if gradient:
            vx = np.einsum("ij,mjb->mib", vinv, pat.x)
            block = -pat.y.shape[0] * vinv + np.einsum("mia,ab,mjb->ij", vx, cov_beta, vx) + a.T @ a
            grad[np.ix_(pat.visits, pat.visits)] += 0.5 * block
    loglik = -0.5 * ((n - p) * _LOG2PI + logdet + 2.0 * np.sum(np.log(np.diag(cxx))) + quad)
    return loglik, beta, cov_beta, grad


def _jacobian(structure: str, theta: np.ndarray, q: int) -> np.ndarray:
    """D Sigma / d theta by the complex step (exact to rounding): shape (len(theta), q, q)."""
    h = 1e-30
    out = np.empty((theta.size, q, q))
    for k in range(theta.size):
        t = theta.astype(complex)
        t[k] += 1j * h
        out[k] = covariance_matrix(structure, t, q).imag / h
    return out


def _objective(theta, structure, pats, q):
    sigma = covariance_matrix(structure, theta, q)
    try:
        ll, _, _, grad = _profile(pats, sigma, gradient=True)
    except np.linalg.LinAlgError:
        return np.inf, np.zeros_like(theta)
    return -ll, -np.einsum("kij,ij->k", _jacobian(structure, theta, q), grad)


def _hessian(theta, structure, pats, q) -> np.ndarray:
    """Hessian of -loglik in theta by central differences of the analytic gradient."""
    hess = np.empty((theta.size, theta.size))
    for k in range(theta.size):
        step = 1e-5 * max(1.0, abs(theta[k]))
        up, down = theta.copy(), theta.copy()
        up[k] += step
        down[k] -= step
        hess[k] = (_objective(up, structure, pats, q)[1] - _objective(down, structure, pats, q)[1]) / (
            2 * step
        )
    return 0.5 * (hess + hess.T)


def fit_reml(
    y: np.ndarray,
    x: np.ndarray,
    patient: np.ndarray,
    position: np.ndarray,
    n_visits: int,
    structure: str = "unstructured",
    *,
    gtol: float = 1e-8,
    max_iter: int = 2000,
) -> RemlFit:
    """Fit the model by REML with one covariance structure.

    Parameters
    ----------
    y, x
        The responses (n,) and the full-rank design matrix (n, p); rows with a missing response already
        removed.
    patient
        Integer patient codes (n,); a patient's rows may be in any order.
    position
        The visit of each row as 0..n_visits-1 (each at most once per patient).
    n_visits
        The number of visits q.
    structure
        One of :data:`STRUCTURES`.
    gtol
        Convergence: the largest absolute gradient of the log-likelihood in the parameters.
    max_iter
        Iterations of the quasi-Newton search.

    Returns
    -------
    RemlFit
        ``converged`` is False (with the reason in ``message``) when the search stopped with a gradient above
        ``gtol`` or at a covariance that is not positive definite.
    """
    pats = _patterns(np.asarray(y, float), np.asarray(x, float), np.asarray(patient), np.asarray(position))
    q = n_visits
    resid = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
    var = np.array([np.mean(resid[position == v] ** 2) for v in range(q)])
    theta0 = _start(structure, np.diag(np.maximum(var, 1e-8 * max(float(var.max()), 1e-300))))
    res = optimize.minimize(
        _objective,
        theta0,
        args=(structure, pats, q),
        jac=True,
        method="BFGS",
        options={"gtol": gtol * 1e-2, "maxiter": max_iter},
    )
    theta, message = res.x, str(res.message)
    for _ in range(20):  # Newton polish: BFGS often stops a little short of the tolerance
        f, g = _objective(theta, structure, pats, q)
        if not np.isfinite(f) or np.max(np.abs(g)) < gtol * 1e-2:
            break
        hess = _hessian(theta, structure, pats, q)
        try:
            step = np.linalg.solve(hess, g)
        except np.linalg.LinAlgError:
            break
        if not np.isfinite(_objective(theta - step, structure, pats, q)[0]):
            break
        theta = theta - step
    sigma = covariance_matrix(structure, theta, q)
    f, g = _objective(theta, structure, pats, q)
    hess = _hessian(theta, structure, pats, q) if np.isfinite(f) else np.full((theta.size,) * 2, np.nan)
    ok = bool(np.isfinite(f) and np.max(np.abs(g)) < gtol and np.all(np.linalg.eigvalsh(hess) > 0))
    if not ok:
        message = f"REML search did not converge ({message}; largest gradient {np.max(np.abs(g)):.3g})"
        return RemlFit(
            structure,
            np.full(x.shape[1], np.nan),
            np.full((x.shape[1],) * 2, np.nan),
            sigma,
            theta,
            float(-f),
            False,
            message,
            len(y),
            len(np.unique(patient)),
            theta.size,
            hess,
            pats,
        )
    loglik, beta, cov_beta, _ = _profile(pats, sigma, gradient=False)
    return RemlFit(
        structure,
        beta,
        cov_beta,
        sigma,
        theta,
        float(loglik),
        True,
        "converged",
        len(y),
        len(np.unique(patient)),
        theta.size,
        hess,
        pats,
    )


def satterthwaite_df(fit: RemlFit, contrasts: np.ndarray) -> np.ndarray:
    """Return the Satterthwaite degrees of freedom of each row ``l`` of ``contrasts``.

    ``2 (l'Cl)^2 / (g' H^-1 g)`` with ``C = cov(beta)``, ``g_k = l' (dC/dtheta_k) l`` and ``H`` the observed
    information of the covariance parameters (invariant to their parameterisation); Satterthwaite 1946,
    Biometrics Bull 2:110; Giesbrecht & Burns 1985, Biometrics 41:477.
    """
    q = fit.covariance.shape[0]
    jac = _jacobian(fit.structure, fit.theta, q)
    p = fit.beta.size
    dxvx = np.zeros((fit.theta.size, p, p))
    for pat in fit.patterns:
        sub = fit.covariance[np.ix_(pat.visits, pat.visits)]
        vinv = np.linalg.inv(sub)
        vx = np.einsum("ij,mjb->mib", vinv, pat.x)
        dsub = jac[:, pat.visits][:, :, pat.visits]
        dxvx -= np.einsum("mia,kij,mjb->kab", vx, dsub, vx)
    dcov = -np.einsum("ab,kbc,cd->kad", fit.cov_beta, dxvx, fit.cov_beta)
    contrasts = np.atleast_2d(contrasts)
    var = np.einsum("ra,ab,rb->r", contrasts, fit.cov_beta, contrasts)
    g = np.einsum("ra,kab,rb->rk", contrasts, dcov, contrasts)
    return 2.0 * var**2 / np.einsum("rk,kl,rl->r", g, np.linalg.inv(fit.information), g)
