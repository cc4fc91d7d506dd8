# Reference values for assaykit.stats.ancova (tests/stats/test_stats_ancova.py).
# Run from the repository root:  Rscript tests/stats/reference/ancova.R
# Writes tests/stats/reference/ancova.json. The data were drawn once in R (set.seed(17), set.seed(18); rnorm) and are
# written out literally below: open-arm time (%) and distance (cm), two treated groups moving less, one more.
# Four unbalanced groups with different mean distances: the contrasts' correlations are not one-factor.
suppressMessages({library(multcomp); library(jsonlite)})
set.seed(20240611)
tight <- GenzBretz(maxpts = 5e6, abseps = 1e-10, releps = 0)
lev <- c("Vehicle", "AK-101 3 mg/kg", "Diazepam 1.5 mg/kg (p.o.)", "caffeine 10")
x <- c(2301, 2255, 2255, 3114, 2791, 2257, 2688, 2462, 1887, 2009, 1597, 2222, 1635, 2575, 1615, 1761, 1857,
       2688, 1409, 1651, 1470, 1670, 1712, 1508, 1530, 1400, 2106, 3178, 3447, 2417, 2814, 2797, 3010, 2502, 3624)
y <- c(29.85, 26.91, 34.85, 33.26, 28.54, 35.64, 41.22, 27.34, 28.75, 32.39, 27.61, 30.41, 31.61, 41.14, 27.8,
       37.56, 32.44, 35.5, 36.61, 40.85, 41.42, 35.41, 39.27, 37.32, 44.35, 17.59, 37.56, 31.03, 39.52, 18.24,
       33.81, 22.66, 30.25, 24.08, 38.55)
g <- factor(rep(lev, times = c(9, 9, 9, 8)), levels = lev)

fit_one <- function(y, x, g) {
  d <- data.frame(y = y, x = x, g = g)
  m <- lm(y ~ g + x, data = d)
  h <- glht(m, linfct = mcp(g = "Dunnett"))
  s <- summary(h, test = adjusted("single-step", algorithm = tight))
  # qmvt finds the quantile to only ~1e-4 (uniroot's default tol): solve it tightly here.
  cr <- cov2cor(vcov(h))
  k <- nrow(cr)
  crit <- uniroot(function(c) pmvt(-rep(c, k), rep(c, k), corr = cr, df = m$df.residual, algorithm = tight) -
                    0.95, c(1.5, 4), tol = 1e-12)$root
  ci <- confint(h, level = 0.95, calpha = crit)
  full <- anova(lm(y ~ g * x, data = d))
  cf <- summary(m)$coefficients
  cov_anova <- anova(lm(x ~ g, data = d))
  list(data = list(group = as.character(g), y = y, x = x),
       estimate = unname(coef(h)), se = unname(s$test$sigma), statistic = unname(s$test$tstat),
       p_value = unname(cf[2:nlevels(g), 4]), p_adjusted = unname(as.numeric(s$test$pvalues)),
       ci_low = unname(ci$confint[, "lwr"]), ci_high = unname(ci$confint[, "upr"]),
       crit = crit, df = m$df.residual,
       slope = unname(cf["x", 1]), slope_se = unname(cf["x", 2]), slope_p = unname(cf["x", 4]),
       slope_ci = unname(confint(m)["x", ]),
       parallel_f = full["g:x", "F value"], parallel_df = full["g:x", "Df"],
       parallel_df_error = full["Residuals", "Df"], parallel_p = full["g:x", "Pr(>F)"],
       correlation = unname(cov2cor(vcov(h))),
       covariate_f = cov_anova["g", "F value"], covariate_p = cov_anova["g", "Pr(>F)"])
}

# Non-parallel slopes: the same distances, a steeper slope in the third group.
y2 <- y + c(rep(0, 18), 0.05 * (x[19:27] - 1600), rep(0, 8))
# The first three groups alone: two contrasts, whose correlation is always one-factor.
first3 <- 1:27
out <- list(parallel = fit_one(y, x, g), crossing = fit_one(y2, x, g),
            three = fit_one(y[first3], x[first3], droplevels(g[first3])), r_version = R.version.string,
            multcomp = as.character(packageVersion("multcomp")))
write_json(out, "tests/stats/reference/ancova.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
