# The one-factor tail P(max_i |T_i| >= c), R_ij = l_i l_j: sf_integrate() by nested integrate() (rel.tol
# 1e-12) and sf_mvtnorm() by inclusion-exclusion with mvtnorm (k <= 3). Sourced by the reference scripts here.
# ---- the one-factor integral, by nested adaptive quadrature --------------------------------------------
tail_given <- function(w, cs, lam) {
  # P(max_i |Z_i| >= cs | W = w) with Z_i = lam_i w + sqrt(1 - lam_i^2) E_i, for a vector w
  r <- sqrt(1 - lam^2)
  login <- 0
  for (i in seq_along(lam)) {
    q <- pnorm((cs - lam[i] * w) / r[i], lower.tail = FALSE) + pnorm((-cs - lam[i] * w) / r[i])
    login <- login + log1p(-pmin(q, 1))
  }
  -expm1(login)
}
inner <- function(cs, lam, tol) {
  # E_W[tail]: integrate over w in pieces split at 0 and +/- cs max(lam), where the mass sits for large cs
  b <- cs * max(lam)
  cuts <- sort(unique(c(-Inf, -b - 1, -b, 0, b, b + 1, Inf)))
  f <- function(w) dnorm(w) * tail_given(w, cs, lam)
  total <- 0
  for (j in seq_len(length(cuts) - 1)) {
    total <- total + integrate(f, cuts[j], cuts[j + 1], rel.tol = 1e-12, abs.tol = tol,
                               subdivisions = 2000L)$value
  }
  total
}
sf_integrate <- function(c, lam, df) {
  # Absolute tolerances: 1e-14 of the Bonferroni bound k P(|T| >= c), which is at most k times the answer,
  # so every piece is good to about 1e-13 relative to p, even where p ~ 1e-9 (abs.tol = 0 stops on
  # roundoff in pieces that hold nothing).
  bound <- length(lam) * (if (is.infinite(df)) 2 * pnorm(-c) else 2 * pt(-c, df))
  tol <- 1e-14 * min(bound, 1) / 10
  if (is.infinite(df)) return(inner(c, lam, tol))
  # S = sqrt(chi2_df / df) has density dchisq(df s^2, df) * 2 df s
  dens <- function(s) dchisq(df * s^2, df) * 2 * df * s
  f <- function(s) vapply(s, function(x) inner(c * x, lam, tol), 0.0) * dens(s)
  cuts <- c(0, sqrt(qchisq(c(1e-12, 1e-8, 1e-5, 1e-3, 0.05, 0.5, 0.95, 1 - 1e-6), df) / df), Inf)
  total <- 0
  for (j in seq_len(length(cuts) - 1)) {
    total <- total + integrate(f, cuts[j], cuts[j + 1], rel.tol = 1e-12, abs.tol = tol,
                               subdivisions = 2000L)$value
  }
  total
}

# ---- inclusion-exclusion with mvtnorm (k = 2, 3) --------------------------------------------------------
sf_mvtnorm <- function(c, lam, df) {
  k <- length(lam)
  R <- outer(lam, lam); diag(R) <- 1
  total <- 0
  for (size in seq_len(k)) {
    for (S in combn(k, size, simplify = FALSE)) {
      if (size == 1) {
        term <- if (is.infinite(df)) 2 * pnorm(-c) else 2 * pt(-c, df)
      } else {
        term <- 0
        signs <- as.matrix(expand.grid(rep(list(c(-1, 1)), size)))
        for (row in seq_len(nrow(signs))) {
          D <- diag(signs[row, ], size)
          corr <- D %*% R[S, S] %*% D
          up <- rep(-c, size)
          p <- if (is.infinite(df)) {
            pmvnorm(lower = rep(-Inf, size), upper = up, corr = corr, algorithm = Miwa(steps = 4096))
          } else {
            pmvt(lower = rep(-Inf, size), upper = up, corr = corr, df = df,
                 algorithm = TVPACK(abseps = 1e-14))
          }
          term <- term + as.numeric(p)
        }
      }
      total <- total + (-1)^(size + 1) * term
    }
  }
  total
}

