# Reference values for assaykit.stats.contrasts.many_to_one: single-step adjusted p-values and critical values
# of correlated t / z statistics, by mvtnorm. Run from the repository root:
#   Rscript tests/stats/reference/contrasts.R      (writes tests/stats/reference/contrasts.json)
suppressPackageStartupMessages({ library(mvtnorm); library(jsonlite) })
out_dir <- "tests/stats/reference"

one_case <- function(estimates, covariance, df, algorithm) {
  se <- sqrt(diag(covariance))
  t <- estimates / se
  corr <- cov2cor(covariance)
  k <- length(t)
  inside <- function(c) {
    if (is.finite(df)) pmvt(lower = rep(-c, k), upper = rep(c, k), df = df, corr = corr, algorithm = algorithm)
    else pmvnorm(lower = rep(-c, k), upper = rep(c, k), corr = corr, algorithm = algorithm)
  }
  set.seed(1)
  p_adjusted <- sapply(abs(t), function(x) 1 - inside(x))
  set.seed(1)
  crit <- uniroot(function(c) 1 - inside(c) - 0.05, c(1.5, 5), tol = 1e-7)$root
  raw <- if (is.finite(df)) 2 * pt(-abs(t), df) else 2 * pnorm(-abs(t))
  list(estimates = estimates, covariance = covariance, df = if (is.finite(df)) df else "inf",
       statistic = t, p_value = raw, p_adjusted = p_adjusted, critical_value = crit,
       ci_low = estimates - crit * se, ci_high = estimates + crit * se)
}

# Dunnett's one-way layout: one-factor correlations (control n = 10, groups 8, 6, 7; s^2 = 4.5; df = 27)
n0 <- 10; n <- c(8, 6, 7); s2 <- 4.5
dunnett_cov <- s2 * (diag(1 / n) + 1 / n0)
# A correlation matrix without the one-factor form (4 contrasts, e.g. a model with a covariate)
corr4 <- matrix(c(1, 0.5, 0.2, 0.4,
                  0.5, 1, 0.1, 0.6,
                  0.2, 0.1, 1, 0.3,
                  0.4, 0.6, 0.3, 1), 4, 4)
sd4 <- c(1.2, 0.8, 1.5, 1.1)
general_cov <- corr4 * outer(sd4, sd4)
tight <- GenzBretz(maxpts = 1e6, abseps = 1e-6, releps = 0)
results <- list(
  one_factor_t = one_case(c(2.1, -0.4, 3.3), dunnett_cov, 27, tight),
  one_factor_z = one_case(c(2.1, -0.4, 3.3), dunnett_cov, Inf, Miwa(steps = 4096)),
  general_t = one_case(c(2.9, -0.5, 1.4, 3.6), general_cov, 20, tight),
  general_z = one_case(c(2.9, -0.5, 1.4, 3.6), general_cov, Inf, Miwa(steps = 4096))
)
writeLines(toJSON(results, digits = NA, pretty = TRUE, auto_unbox = TRUE), file.path(out_dir, "contrasts.json"))
cat("wrote", file.path(out_dir, "contrasts.json"), "\n")
