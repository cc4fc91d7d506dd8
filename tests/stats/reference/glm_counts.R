# Reference values for assaykit.stats.glm (tests/stats/test_stats_glm.py).
# Run from the repository root:  Rscript tests/stats/reference/glm_counts.R
# Writes tests/stats/reference/glm_counts.json. The data were drawn once in R (set.seed(17); rnbinom, rpois,
# rbinom) and are written out literally below; the group labels are the kind users type.
suppressMessages({library(MASS); library(multcomp); library(jsonlite)})
set.seed(20240611)
tight <- GenzBretz(maxpts = 5e6, abseps = 1e-10, releps = 0)
exact <- glm.control(epsilon = 1e-14, maxit = 100)  # the default 1e-8 leaves vcov one IRLS step behind
levels4 <- c("Vehicle", "AK-101 1 mg/kg", "AK-101 10 mg/kg (i.p.)", "Diazepam 2 mg/kg")

dunnett <- function(model, df = NULL) {
  h <- if (is.null(df)) glht(model, linfct = mcp(g = "Dunnett")) else
    glht(model, linfct = mcp(g = "Dunnett"), df = df)
  s <- summary(h, test = adjusted("single-step", algorithm = tight))
  # qmvnorm/qmvt find the quantile to only ~1e-4 (uniroot's default tol): solve it tightly here.
  cr <- cov2cor(vcov(h))
  dfc <- if (is.null(df)) 0 else df
  inside <- function(c) if (dfc == 0) pmvnorm(-rep(c, nrow(cr)), rep(c, nrow(cr)), corr = cr, algorithm = tight)
                        else pmvt(-rep(c, nrow(cr)), rep(c, nrow(cr)), corr = cr, df = dfc, algorithm = tight)
  crit <- uniroot(function(c) inside(c) - 0.95, c(1.5, 4), tol = 1e-12)$root
  ci <- confint(h, level = 0.95, calpha = crit)
  list(estimate = unname(coef(h)), se = unname(s$test$sigma), statistic = unname(s$test$tstat),
       p_adjusted = unname(as.numeric(s$test$pvalues)), ci_low = unname(ci$confint[, "lwr"]),
       ci_high = unname(ci$confint[, "upr"]), crit = crit,
       p_value = unname(summary(model)$coefficients[-1, 4]))
}

# 1. Overdispersed counts, four unbalanced groups.
counts <- c(3, 2, 7, 23, 11, 4, 4, 5, 12, 8, 5, 13, 3, 7, 4, 3, 29, 12, 10, 10, 11, 20, 7, 5, 1, 2, 12, 0, 3,
            2, 3)
g <- factor(rep(levels4, times = c(8, 8, 7, 8)), levels = levels4)
d1 <- data.frame(y = counts, g = g)
pois <- glm(y ~ g, family = poisson, data = d1, control = exact)
nb <- glm.nb(y ~ g, data = d1, control = glm.control(epsilon = 1e-14, maxit = 100))
lr <- as.numeric(2 * (logLik(nb) - logLik(pois)))
over <- list(
  data = list(group = as.character(g), count = counts),
  poisson = c(dunnett(pois), list(pearson_ratio = sum(residuals(pois, "pearson")^2) / pois$df.residual)),
  negative_binomial = c(dunnett(nb), list(theta = nb$theta, alpha = 1 / nb$theta, lr = lr,
                                          lr_p = 0.5 * pchisq(lr, 1, lower.tail = FALSE)))
)

# 2. Poisson-like counts, three groups: "auto" keeps the Poisson model.
levels3 <- c("veh", "low dose", "high dose")
counts2 <- c(4, 12, 8, 11, 17, 11, 11, 18, 9, 18, 5, 17, 12, 20, 16, 12, 17, 15, 17, 19)
g2 <- factor(rep(levels3, times = c(7, 6, 7)), levels = levels3)
pois2 <- glm(y ~ g, family = poisson, data = data.frame(y = counts2, g = g2),
             control = exact)
equi <- list(data = list(group = as.character(g2), count = counts2),
             poisson = c(dunnett(pois2), list(pearson_ratio = sum(residuals(pois2, "pearson")^2) /
                                                pois2$df.residual)))

# 3. Open-arm entries out of total entries, three groups of 10 (an extra animal with 0 entries is given to
#    assaykit, which must leave it out; it is not in R's data).
total <- c(7, 14, 15, 17, 14, 11, 15, 12, 14, 11, 12, 14, 16, 8, 12, 21, 13, 9, 22, 9, 15, 15, 12, 12, 19, 13,
           19, 15, 13, 14)
open <- c(1, 3, 2, 0, 6, 1, 0, 3, 4, 6, 6, 4, 2, 0, 10, 2, 7, 3, 11, 1, 1, 6, 0, 1, 2, 4, 2, 9, 13, 8)
g3 <- factor(rep(levels3, each = 10), levels = levels3)
d3 <- data.frame(s = open, t = total, g = g3)
bin <- glm(cbind(s, t - s) ~ g, family = binomial, data = d3, control = exact)
qb <- glm(cbind(s, t - s) ~ g, family = quasibinomial, data = d3, control = exact)
prop <- list(data = list(group = as.character(g3), open_entries = open, total_entries = total),
             binomial = c(dunnett(bin), list(pearson_ratio = sum(residuals(bin, "pearson")^2) /
                                               bin$df.residual)),
             quasibinomial = c(dunnett(qb, df = qb$df.residual),
                               list(dispersion = summary(qb)$dispersion, df = qb$df.residual)))

# 4. Binomial data without overdispersion, four groups of 6.
total4 <- c(20, 5, 13, 11, 18, 8, 7, 14, 15, 11, 10, 13, 15, 9, 12, 10, 14, 11, 16, 13, 13, 16, 10, 14)
open4 <- c(7, 1, 3, 4, 2, 4, 3, 4, 4, 4, 2, 2, 8, 4, 7, 5, 6, 6, 6, 7, 4, 3, 6, 2)
g4 <- factor(rep(levels4, each = 6), levels = levels4)
bin4 <- glm(cbind(s, t - s) ~ g, family = binomial, data = data.frame(s = open4, t = total4, g = g4),
            control = exact)
prop4 <- list(data = list(group = as.character(g4), open_entries = open4, total_entries = total4),
              binomial = c(dunnett(bin4), list(pearson_ratio = sum(residuals(bin4, "pearson")^2) /
                                                 bin4$df.residual)))

out <- list(overdispersed = over, equidispersed = equi, proportions = prop, proportions_binomial = prop4,
            r_version = R.version.string, multcomp = as.character(packageVersion("multcomp")),
            mass = as.character(packageVersion("MASS")))
write_json(out, "tests/stats/reference/glm_counts.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
