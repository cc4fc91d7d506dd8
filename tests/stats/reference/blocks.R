# Reference values for assaykit.stats.blocks (cohort as a fixed block, or as a random intercept).
# Run from the repository root:  Rscript tests/stats/reference/blocks.R
# Writes tests/stats/reference/blocks.csv (the data, generated here once) and blocks.json (the values).
suppressPackageStartupMessages({
  library(nlme); library(multcomp); library(mvtnorm); library(jsonlite)
})
out_dir <- "tests/stats/reference"
groups <- c("vehicle", "AK-101 3 mg/kg", "AK-101 10 mg/kg", "diazepam 1.5 mg/kg")

simulate <- function(name, cohorts, per_cell, seed, cohort_sd = 5, drop = 0, zero_block = FALSE) {
  set.seed(seed)
  d <- expand.grid(rep = seq_len(per_cell), g = seq_along(groups), cohort = seq_len(cohorts))
  effect <- c(0, 3, 8, 11)[d$g]
  e <- 6 * rnorm(nrow(d))
  if (zero_block) e <- e - ave(e, d$cohort)  # every cohort's mean residual is 0: no block variance
  u <- cohort_sd * rnorm(cohorts)
  y <- 50 + effect + e + if (zero_block) 0 else u[d$cohort]
  out <- data.frame(dataset = name, "dose group" = groups[d$g], "test day" = paste0("day ", d$cohort, "/A"),
                    "light time (s)" = round(y, 3), check.names = FALSE)
  if (drop > 0) out <- out[-sample(nrow(out), drop), ]
  out
}
data <- rbind(
  simulate("three_cohorts", 3, 3, seed = 201, cohort_sd = 8, drop = 3),
  simulate("six_cohorts", 6, 2, seed = 202, drop = 5),
  simulate("zero_block", 6, 2, seed = 203, zero_block = TRUE)
)
write.csv(data, file.path(out_dir, "blocks.csv"), row.names = FALSE)

# P(max |T_i| < c) for trivariate t by TVPACK (Genz 2004, Stat Comput 14:251-260; abseps 1e-12), the box
# [-c, c]^3 by inclusion-exclusion over its corners (TVPACK integrates lower orthants only); integer df.
box <- function(c, corr, df) {
  k <- ncol(corr)
  stopifnot(k == 3)
  total <- 0
  corners <- as.matrix(expand.grid(rep(list(c(-1, 1)), k)))
  for (i in seq_len(nrow(corners))) {
    sign <- prod(corners[i, ])
    total <- total + sign * pmvt(lower = rep(-Inf, k), upper = corners[i, ] * c, df = df, corr = corr,
                                 algorithm = TVPACK(abseps = 1e-12))
  }
  total
}

tidy_glht <- function(g) {
  s <- summary(g, test = univariate())
  est <- unname(s$test$coefficients)
  se <- unname(s$test$sigma)
  tstat <- unname(s$test$tstat)
  corr <- cov2cor(vcov(g))
  p_adjusted <- sapply(tstat, function(t) 1 - box(abs(t), corr, g$df))
  crit <- uniroot(function(c) 1 - box(c, corr, g$df) - 0.05, c(1.5, 5), tol = 1e-12)$root
  data.frame(group = sub(" - vehicle$", "", names(s$test$coefficients)), estimate = est, se = se, statistic = tstat, df = g$df,
             p_value = 2 * pt(-abs(tstat), g$df), p_adjusted = p_adjusted, critical_value = crit,
             ci_low = est - crit * se, ci_high = est + crit * se)
}

results <- list()
for (name in unique(data$dataset)) {
  d <- data[data$dataset == name, ]
  d$g <- factor(d[["dose group"]], levels = groups)
  d$block <- factor(d[["test day"]])
  d$y <- d[["light time (s)"]]
  res <- list()
  fixed <- lm(y ~ g + block, data = d)
  res$fixed <- tidy_glht(glht(fixed, linfct = mcp(g = "Dunnett")))
  res$fixed_residual_variance <- summary(fixed)$sigma^2
  mixed <- lme(y ~ g, random = ~ 1 | block, data = d, method = "REML")
  tt <- summary(mixed)$tTable
  vc <- as.numeric(VarCorr(mixed)[, "Variance"])
  df <- unname(tt[2, "DF"])
  m <- tidy_glht(glht(mixed, linfct = mcp(g = "Dunnett"), df = df))
  m$lme_se <- unname(tt[-1, "Std.Error"])
  m$lme_p <- unname(tt[-1, "p-value"])
  m$lme_df <- unname(tt[-1, "DF"])
  res$random <- m
  res$block_variance <- vc[1]
  res$residual_variance <- vc[2]
  res$n <- nrow(d)
  res$n_blocks <- nlevels(d$block)
  results[[name]] <- res
}
writeLines(toJSON(results, digits = NA, pretty = TRUE, na = "null", auto_unbox = TRUE),
           file.path(out_dir, "blocks.json"))
cat("wrote", file.path(out_dir, "blocks.json"), "\n")
