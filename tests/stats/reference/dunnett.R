# Dunnett's many-to-one comparisons (two-sided, single-step) on several data sets, two ways:
#   * multcomp::glht(aov(y ~ g), linfct = mcp(g = "Dunnett")), p by summary(test = adjusted("single-step"))
#     (mvtnorm's GenzBretz(maxpts = 1e7, abseps = 1e-10)) and intervals by confint() (qmvt with
#     GenzBretz(maxpts = 1e5, abseps = 1e-5) and ptol = 1e-4: at abseps and ptol 1e-6 or 1e-8 its stochastic
#     root search ran for over 10 minutes on 3 groups, and on 2 groups it still missed the root by 3e-7 in
#     probability, 3e-6 in d), under set.seed;
#   * the one-factor integral by nested integrate() (one_factor.R), loadings sqrt(n_i / (n_i + n_0)), and
#     its critical value by uniroot().
# The data are drawn here once with set.seed and rounded to 2 decimals; they are stored with the results.
# Run from the repository root: Rscript tests/stats/reference/dunnett.R
suppressPackageStartupMessages({library(multcomp); library(jsonlite)})
source("tests/stats/reference/one_factor.R")

draw <- function(n, mu, sd) lapply(seq_along(n), function(i) round(rnorm(n[i], mu[i], sd[i]), 2))
set.seed(1701)
sets <- list(
  # Dunnett (1955), blood counts
  blood = list(c(7.40, 8.50, 7.20, 8.24, 9.84, 8.32), c(9.76, 8.80, 7.68, 9.36),
               c(12.80, 9.68, 12.16, 9.20, 10.55)),
  equal_3 = draw(rep(8, 4), c(10, 11, 12.5, 14), rep(2, 4)),
  unequal_5 = draw(c(10, 5, 7, 9, 6, 8), c(50, 52, 49, 57, 60, 51), rep(6, 6)),
  equal_6 = draw(rep(6, 7), c(0, 0.5, 1, 1.5, 2, 2.5, 3), rep(1, 7)),
  tiny_2 = draw(c(3, 3, 3), c(5, 6, 9), c(1, 1, 1)),
  large_effect = draw(c(8, 8, 8, 8), c(0, 0.3, 0.6, 4.4), rep(1, 4))
)
alg <- GenzBretz(maxpts = 1e7, abseps = 1e-10)
alg_q <- GenzBretz(maxpts = 1e5, abseps = 1e-5)
results <- list()
for (name in names(sets)) {
  groups <- sets[[name]]
  k <- length(groups)
  n <- lengths(groups)
  g <- factor(rep(paste0("g", 0:(k - 1)), n), levels = paste0("g", 0:(k - 1)))
  y <- unlist(groups)
  fit <- aov(y ~ g)
  gl <- glht(fit, linfct = mcp(g = "Dunnett"))
  set.seed(20240611)
  single <- summary(gl, test = adjusted("single-step", algorithm = alg))
  raw <- summary(gl, test = adjusted("none"))
  set.seed(20240611)
  ci <- confint(gl, level = 0.95, calpha = adjusted_calpha(algorithm = alg_q, ptol = 1e-4))
  df <- fit$df.residual
  lam <- sqrt(n[-1] / (n[-1] + n[1]))
  tstat <- as.numeric(single$test$tstat)
  p_int <- vapply(abs(tstat), function(x) sf_integrate(x, lam, df), 0.0)
  crit_int <- uniroot(function(x) sf_integrate(x, lam, df) - 0.05, c(1.5, 10), tol = 1e-12)$root
  message(name, ": d = ", format(attr(ci$confint, "calpha"), digits = 10), " (integrate: ",
          format(crit_int, digits = 10), ")")
  results[[name]] <- list(
    groups = groups, df = df,
    estimate = as.numeric(coef(gl)), se = as.numeric(single$test$sigma),
    statistic = tstat, p_value = as.numeric(raw$test$pvalues),
    p_multcomp = as.numeric(single$test$pvalues), p_multcomp_error = attr(single$test$pvalues, "error"),
    p_integrate = p_int,
    critical_multcomp = attr(ci$confint, "calpha"), critical_integrate = crit_int,
    ci_low_multcomp = as.numeric(ci$confint[, "lwr"]), ci_high_multcomp = as.numeric(ci$confint[, "upr"])
  )
}
writeLines(toJSON(list(made_by = "tests/stats/reference/dunnett.R", r_version = R.version.string,
                       multcomp = as.character(packageVersion("multcomp")),
                       mvtnorm = as.character(packageVersion("mvtnorm")), sets = results),
                  digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "tests/stats/reference/dunnett.json")
