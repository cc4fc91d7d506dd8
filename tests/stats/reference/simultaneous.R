# P(max_i |T_i| >= c) of one-factor correlated t / normal statistics (R_ij = l_i l_j), three ways:
#   * k = 2, 3 statistics, integer df: mvtnorm::pmvt(algorithm = TVPACK(abseps = 1e-14));
#   * k = 2, 3 statistics, normal:     mvtnorm::pmvnorm(algorithm = Miwa(steps = 4096));
#   * k = 2..9 statistics, any df:     the one-factor double integral by nested integrate() (rel.tol 1e-12).
# The tail is computed directly (not as 1 - P(inside)) so that p ~ 1e-9 keeps its relative precision:
# inclusion-exclusion over the events |T_i| >= c, each joint event split into sign orthants, each orthant
# flipped to a lower orthant (upper = -c) by changing the signs of the correlations (TVPACK needs
# lower = -Inf). Also the two-sided 5% and 1% critical values of Dunnett (1964) for equal n (l = sqrt(1/2))
# by uniroot() on the integrate() tail, so that the table test can show how far the printed values are.
# Run from the repository root: Rscript tests/stats/reference/simultaneous.R
suppressPackageStartupMessages({library(mvtnorm); library(jsonlite)})

# ---- the one-factor integral, by nested adaptive quadrature --------------------------------------------
source("tests/stats/reference/one_factor.R")  # sf_integrate(), sf_mvtnorm()

# ---- the grid ----------------------------------------------------------------------------------------------
loading_sets <- list(
  equal_half = function(k) rep(sqrt(0.5), k),          # equal n: rho = 1/2
  dunnett_unequal = function(k) sqrt(seq(4, by = 1, length.out = k) / (seq(4, by = 1, length.out = k) + 6)),
  weak = function(k) seq(0.1, 0.3, length.out = k),
  strong = function(k) seq(0.9, 0.95, length.out = k),
  independent = function(k) rep(0, k)
)
dfs <- c(2, 5, 12, 40, Inf)
c_grid <- function(k, df) {
  q <- function(p) if (is.infinite(df)) qnorm(p / (2 * k), lower.tail = FALSE) else qt(p / (2 * k), df, lower.tail = FALSE)
  c(0.3, 1.2, 2.2, q(1e-3), q(1e-6), q(1e-9))
}
cases <- list()
for (k in 2:9) {
  # every loading set for 2 and 3 statistics; three of them, in turn, for 4 to 9
  sets <- if (k <= 3) names(loading_sets) else names(loading_sets)[(k + 0:2) %% 5 + 1]
  for (name in sets) {
    lam <- loading_sets[[name]](k)
    for (df in dfs) {
      for (c in c_grid(k, df)) {
        p_int <- sf_integrate(c, lam, df)
        p_mvt <- if (k <= 3) sf_mvtnorm(c, lam, df) else NA
        cases[[length(cases) + 1]] <- list(
          k = k, set = name, loadings = lam, df = if (is.infinite(df)) "inf" else df, c = c,
          p_integrate = p_int, p_mvtnorm = p_mvt,
          mvtnorm = if (k > 3) "" else if (is.infinite(df)) "pmvnorm Miwa(steps = 4096)" else "pmvt TVPACK(abseps = 1e-14)"
        )
      }
    }
  }
}

# ---- Dunnett (1964) critical values, equal n: computed here with uniroot on the integrate() tail ---------
crit <- list()
for (alpha in c(0.05, 0.01)) for (df in c(5, 10, 20, 60, Inf)) for (p in 1:9) {
  lam <- rep(sqrt(0.5), p)
  f <- function(x) sf_integrate(x, lam, df) - alpha
  root <- uniroot(f, c(1.5, 8), tol = 1e-10)$root
  crit[[length(crit) + 1]] <- list(alpha = alpha, df = if (is.infinite(df)) "inf" else df, p = p, c = root)
}

out <- list(
  made_by = "tests/stats/reference/simultaneous.R",
  r_version = R.version.string, mvtnorm = as.character(packageVersion("mvtnorm")),
  cases = cases, dunnett_equal_n_critical = crit
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           "tests/stats/reference/simultaneous.json")
