# Dunnett's T3 (many-to-one, unequal variances) and Welch's one-way ANOVA, computed here independently:
#   * Welch's ANOVA by oneway.test(y ~ g, var.equal = FALSE);
#   * Welch t of each group against the control by hand, its Welch-Satterthwaite df, and the studentized
#     maximum modulus tail P(max_j |T_j| >= |t|) of m = k - 1 independent t's sharing that df, as the single
#     integral E_S[1 - (1 - 2 pnorm(-|t| S))^m] over S = sqrt(chi2_df / df) by integrate() (rel.tol 1e-12);
#     for a check on the integral, pmvt(corr = diag(m), df = round(df), algorithm = TVPACK) at integer df
#     (sf_mvtnorm of one_factor.R with zero loadings);
#   * the T3 critical value by uniroot() and the intervals diff +/- c SE.
# The data are drawn once with set.seed and rounded to 2 decimals; they are stored with the results.
# Run from the repository root: Rscript tests/stats/reference/t3_welch.R
suppressPackageStartupMessages({library(mvtnorm); library(jsonlite)})
source("tests/stats/reference/one_factor.R")  # sf_mvtnorm: inclusion-exclusion over sign orthants

smm_sf <- function(c, m, df) {
  dens <- function(s) dchisq(df * s^2, df) * 2 * df * s
  f <- function(s) -expm1(m * log1p(-2 * pnorm(-c * s))) * dens(s)
  cuts <- c(0, sqrt(qchisq(c(1e-12, 1e-8, 1e-5, 1e-3, 0.05, 0.5, 0.95, 1 - 1e-6), df) / df), Inf)
  tol <- 1e-15 * min(1, 2 * m * pt(-c, df))
  sum(vapply(seq_len(length(cuts) - 1), function(j)
    integrate(f, cuts[j], cuts[j + 1], rel.tol = 1e-12, abs.tol = tol, subdivisions = 2000L)$value, 0.0))
}
draw <- function(n, mu, sd) lapply(seq_along(n), function(i) round(rnorm(n[i], mu[i], sd[i]), 2))
set.seed(1980)
sets <- list(
  spread_3 = draw(c(8, 8, 8, 8), c(10, 11, 13, 12), c(1, 3, 6, 2)),
  unequal_4 = draw(c(10, 6, 9, 5, 12), c(50, 55, 48, 62, 51), c(4, 12, 3, 9, 5)),
  two = draw(c(6, 7, 5), c(1, 2, 3.5), c(0.5, 1.5, 1)),
  large_effect = draw(c(9, 9, 9), c(0, 0.5, 9), c(1, 2, 1.5))
)
results <- list()
for (name in names(sets)) {
  groups <- sets[[name]]
  k <- length(groups); m <- k - 1
  n <- lengths(groups)
  g <- factor(rep(paste0("g", 0:(k - 1)), n), levels = paste0("g", 0:(k - 1)))
  y <- unlist(groups)
  welch <- oneway.test(y ~ g, var.equal = FALSE)
  x0 <- groups[[1]]
  t <- p <- df <- se <- diff <- p_adj <- crit <- p_tvpack <- numeric(m)
  for (i in seq_len(m)) {
    x <- groups[[i + 1]]
    v <- c(var(x) / length(x), var(x0) / length(x0))
    se[i] <- sqrt(sum(v)); diff[i] <- mean(x) - mean(x0); t[i] <- diff[i] / se[i]
    df[i] <- sum(v)^2 / (v[1]^2 / (length(x) - 1) + v[2]^2 / (length(x0) - 1))
    p[i] <- 2 * pt(-abs(t[i]), df[i])
    p_adj[i] <- smm_sf(abs(t[i]), m, df[i])
    crit[i] <- uniroot(function(c) smm_sf(c, m, df[i]) - 0.05, c(1, 30), tol = 1e-12)$root
    p_tvpack[i] <- if (m <= 3) sf_mvtnorm(abs(t[i]), rep(0, m), round(df[i])) else NA
  }
  # the integral at the rounded df, to compare with TVPACK
  p_int_rounded <- vapply(seq_len(m), function(i) smm_sf(abs(t[i]), m, round(df[i])), 0.0)
  results[[name]] <- list(
    groups = groups, welch_f = unname(welch$statistic), welch_df = unname(welch$parameter[1]),
    welch_df_error = unname(welch$parameter[2]), welch_p = welch$p.value,
    statistic = t, df = df, p_value = p, p_adjusted = p_adj, critical = crit,
    ci_low = diff - crit * se, ci_high = diff + crit * se,
    df_rounded = round(df), p_integrate_rounded_df = p_int_rounded, p_tvpack_rounded_df = p_tvpack
  )
}
writeLines(toJSON(list(made_by = "tests/stats/reference/t3_welch.R", r_version = R.version.string,
                       sets = results), digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           "tests/stats/reference/t3_welch.json")
