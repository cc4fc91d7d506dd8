# Reference Satterthwaite degrees of freedom of the MMRM's LS-mean contrasts (tests/trial/test_satterthwaite_r.py).
# Run from the repository root:  Rscript tests/trial/reference/satterthwaite.R
# nlme 3.1.162 (Debian r-cran-nlme). Reads mmrm_data.csv (written by mmrm.R) and writes satterthwaite.csv.
#
# emmeans' mode = "satterthwaite" for gls crashes R here (segfault, emmeans 1.8.4.1), so the degrees of freedom
# are computed by hand, by the delta method on nlme's own parameterisation of the covariance:
#
#   df = 2 (l'C l)^2 / (g' A g),   C(theta) = (X' V(theta)^-1 X)^-1,   g_k = d (l'C(theta) l) / d theta_k,
#
# theta = the parameters nlme's approximate covariance fit$apVar refers to (attr(fit$apVar, "Pars")), A = fit$apVar
# (the inverse of the negative numerical Hessian of the REML log-likelihood in theta, nlme's fdHess), and g by
# central differences of l'C(theta)l. V(theta) is built here by hand from theta (below), checked against getVarCov
# at the estimate, and C(theta_hat) against vcov(fit).
#
# What theta is (nlme's glsApVar, control natural = TRUE, the default):
#   corSymm: the "natural" parameters p_jk = log((1 + r_jk) / (1 - r_jk)) of the correlations r_jk, in the order
#            r12, r13, r14, r23, r24, r34 (nlme's coef.corNatural), so r_jk = (exp(p_jk) - 1) / (exp(p_jk) + 1);
#   corCompSymm: the unconstrained p with rho = (exp(p) + inf) / (exp(p) + 1), inf = -1 / (q - 1)
#            (coef.corCompSymm);
#   varIdent: log(sd_j / sd_1) for the visits after the first (coef.varIdent, reference = first group name);
#   lSigma:  log(sigma), the residual SD of the first visit.
suppressPackageStartupMessages(library(nlme))
out <- "tests/trial/reference"
arms <- c("placebo", "diazepam", "tofisopam")
visits <- c(4, 7, 10, 14)
q <- length(visits)
d <- read.csv(file.path(out, "mmrm_data.csv"))
d$arm <- factor(d$arm, levels = arms)
d$visit <- factor(d$visit, levels = visits)
d$vi <- as.integer(d$visit)
d <- d[!is.na(d$change), ]  # the analysed rows
# the same fits as mmrm.R (optim's BFGS, tight tolerances: the REML maximum to ~1e-11 in the log-likelihood)
ctl <- glsControl(maxIter = 5000, msMaxIter = 5000, tolerance = 1e-15, msTol = 1e-15, opt = "optim",
                  optimMethod = "BFGS")
form <- change ~ visit * arm + baseline * visit
fits <- list(
  unstructured = gls(form, d, correlation = corSymm(form = ~ vi | patient),
                     weights = varIdent(form = ~ 1 | visit), method = "REML", control = ctl),
  compound_symmetry = gls(form, d, correlation = corCompSymm(form = ~ 1 | patient), method = "REML",
                          control = ctl)
)

# The visit x visit covariance Sigma(theta), by hand from the parameters described above.
sigma_of <- function(structure, theta) {
  lsigma <- theta[["lSigma"]]
  if (structure == "unstructured") {
    p <- theta[grep("^corStruct", names(theta))]
    r <- (exp(p) - 1) / (exp(p) + 1)
    R <- diag(q)
    R[lower.tri(R)] <- r  # column-major lower triangle: r21, r31, r41, r32, r42, r43
    R[upper.tri(R)] <- t(R)[upper.tri(R)]
    sd <- exp(lsigma) * c(1, exp(theta[grep("^varStruct", names(theta))]))
  } else {  # compound symmetry: one correlation, one variance
    e <- exp(theta[["corStruct"]])
    rho <- (e - 1 / (q - 1)) / (e + 1)
    R <- matrix(rho, q, q) + diag(1 - rho, q)
    sd <- rep(exp(lsigma), q)
  }
  diag(sd) %*% R %*% diag(sd)
}

# cov(beta) = (sum_i X_i' V_i^-1 X_i)^-1, V_i = Sigma restricted to the visits patient i attended
X <- model.matrix(form, d)
rows_of <- split(seq_len(nrow(d)), d$patient)
cov_beta <- function(Sigma) {
  xvx <- matrix(0, ncol(X), ncol(X))
  for (r in rows_of) {
    Xi <- X[r, , drop = FALSE]
    xvx <- xvx + t(Xi) %*% solve(Sigma[d$vi[r], d$vi[r], drop = FALSE], Xi)
  }
  solve(xvx)
}

# The REML log-likelihood at Sigma, by hand (Harville 1977):
#   -1/2 [(N - p) log(2 pi) + sum_i log|V_i| + log|X' V^-1 X| + r' V^-1 r],  r = y - X beta_GLS(Sigma).
# Used only for the second, cross-check Hessian below (apVar stays the reference's information).
y <- d$change
reml_loglik <- function(Sigma) {
  xvx <- matrix(0, ncol(X), ncol(X)); xvy <- numeric(ncol(X)); logdet <- 0
  for (r in rows_of) {
    Vi <- Sigma[d$vi[r], d$vi[r], drop = FALSE]
    Xi <- X[r, , drop = FALSE]
    xvx <- xvx + t(Xi) %*% solve(Vi, Xi)
    xvy <- xvy + t(Xi) %*% solve(Vi, y[r])
    logdet <- logdet + as.numeric(determinant(Vi)$modulus)
  }
  beta <- solve(xvx, xvy)
  quad <- 0
  for (r in rows_of) {
    e <- y[r] - X[r, , drop = FALSE] %*% beta
    quad <- quad + drop(t(e) %*% solve(Sigma[d$vi[r], d$vi[r], drop = FALSE], e))
  }
  -0.5 * ((nrow(X) - ncol(X)) * log(2 * pi) + logdet + as.numeric(determinant(xvx)$modulus) + quad)
}

# emmeans' reference grid: each arm at each visit with baseline at its mean over the analysed rows
grid <- expand.grid(visit = factor(visits, levels = visits), arm = factor(arms, levels = arms),
                    baseline = mean(d$baseline), change = 0)
L0 <- model.matrix(form, grid)
row_of <- function(v, a) L0[grid$visit == v & grid$arm == a, ]
contrasts <- list()
for (v in visits) for (a in arms[-1]) {
  contrasts[[length(contrasts) + 1]] <- list(visit = v, contrast = paste(a, "- placebo"),
                                             l = row_of(v, a) - row_of(v, "placebo"))
}
last <- visits[q]
contrasts[[length(contrasts) + 1]] <- list(visit = last, contrast = "tofisopam - diazepam",
                                           l = row_of(last, "tofisopam") - row_of(last, "diazepam"))

h <- 1e-4  # central-difference step in theta (truncation ~h^2 ~ 1e-8 relative, rounding ~1e-12)
res <- list()
for (s in names(fits)) {
  f <- fits[[s]]
  stopifnot(identical(colnames(X), names(coef(f))), identical(colnames(L0), names(coef(f))))
  # the varIdent reference (sd ratio 1) is the first visit, the parameters follow the visits' order
  if (s == "unstructured") stopifnot(identical(attr(f$modelStruct$varStruct, "groupNames"), as.character(visits)))
  if (s == "compound_symmetry") stopifnot(all.equal(attr(f$modelStruct$corStruct, "inf"), -1 / (q - 1)))
  A <- f$apVar
  stopifnot(is.matrix(A), isTRUE(attr(A, "natural")))
  theta <- attr(A, "Pars")
  # the hand-built covariance reproduces nlme's at the estimate, and so does cov(beta)
  full <- names(which(table(d$patient) == q))[1]
  S_hat <- sigma_of(s, theta)
  chk_cov <- max(abs(S_hat - as.matrix(getVarCov(f, individual = full))))
  C_hat <- cov_beta(S_hat)
  chk_vcov <- max(abs(C_hat - vcov(f))) / max(abs(vcov(f)))
  stopifnot(chk_cov < 1e-10, chk_vcov < 1e-8)
  cat(sprintf("%s: max |Sigma - getVarCov| = %.2g, max |C - vcov| / max |vcov| = %.2g\n", s, chk_cov, chk_vcov))
  # Cross-check of apVar: the Hessian of reml_loglik in theta by central differences with an absolute step of
  # 5e-4 (truncation ~h^2; rounding ~1e-13 / h^2 ~ 1e-7), far more accurate than nlme's fdHess (relative step
  # 6e-6, so rounding ~1e-16 |loglik| / h^2 ~ 1e-3 in the Hessian: its apVar is off by ~1e-3 relative, and the
  # df with it by up to ~6e-4). Its df (df_own_hessian) at visit 4, which every patient attended, is within 1e-6
  # of the exact 66 - 4 = 62 of the unstructured model (the visit-4 contrasts are then OLS on visit 4 alone).
  hh <- 5e-4
  ll <- function(t) reml_loglik(sigma_of(s, t))
  H <- matrix(0, length(theta), length(theta))
  for (j in seq_along(theta)) for (k in seq_len(j)) {
    e_j <- replace(numeric(length(theta)), j, hh)
    e_k <- replace(numeric(length(theta)), k, hh)
    H[j, k] <- H[k, j] <- -(ll(theta + e_j + e_k) - ll(theta + e_j - e_k) - ll(theta - e_j + e_k) +
                              ll(theta - e_j - e_k)) / (4 * hh^2)
  }
  A_own <- solve(H)
  cat(sprintf("%s: REML loglik by hand - logLik(fit) = %.6g; max |A_own - apVar| / max |apVar| = %.2g\n", s,
              ll(theta) - as.numeric(logLik(f)), max(abs(A_own - A)) / max(abs(A))))
  # dC/dtheta_k by central differences (one C per perturbed theta, shared by every contrast)
  dC <- lapply(seq_along(theta), function(k) {
    up <- theta; up[k] <- up[k] + h
    down <- theta; down[k] <- down[k] - h
    (cov_beta(sigma_of(s, up)) - cov_beta(sigma_of(s, down))) / (2 * h)
  })
  for (cn in contrasts) {
    l <- cn$l
    v <- drop(t(l) %*% C_hat %*% l)
    g <- sapply(dC, function(D) drop(t(l) %*% D %*% l))
    var_var <- drop(t(g) %*% A %*% g)  # the delta-method variance of l'C l
    res[[length(res) + 1]] <- data.frame(structure = s, visit = cn$visit, contrast = cn$contrast,
                                         estimate = sum(l * coef(f)), se = sqrt(v), var = v,
                                         var_of_var = var_var, df = 2 * v^2 / var_var,
                                         df_own_hessian = 2 * v^2 / drop(t(g) %*% A_own %*% g))
  }
}
res <- do.call(rbind, res)
print(res, digits = 10)
write.csv(res, file.path(out, "satterthwaite.csv"), row.names = FALSE)
