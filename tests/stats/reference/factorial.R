# Reference values for assaykit.stats.factorial (two-way ANOVA, simple effects, pooled Dunnett contrasts).
# Run from the repository root:  Rscript tests/stats/reference/factorial.R
# Writes tests/stats/reference/factorial.csv (the data, generated here once) and factorial.json (the values).
suppressPackageStartupMessages({
  library(car); library(emmeans); library(multcomp); library(mvtnorm); library(jsonlite)
})
out_dir <- "tests/stats/reference"
groups <- c("vehicle", "AK-101 1 mg/kg", "AK-101 10 mg/kg", "diazepam 1.5 mg/kg + vehicle")
sexes <- c("F", "M")

simulate <- function(name, sizes, interaction, cohorts = 0, seed) {
  set.seed(seed)
  rows <- list()
  for (i in seq_along(groups)) for (j in seq_along(sexes)) {
    n <- sizes[j, i]
    if (n == 0) next
    effect <- c(0, 4, 9, 12)[i]
    if (interaction) effect <- if (j == 1) c(0, 6, 14, 18)[i] else c(0, -1, 1, 0)[i]
    mu <- 40 + effect + if (j == 2) -5 else 0
    cohort <- if (cohorts > 0) rep(seq_len(cohorts), length.out = n) else rep(NA, n)
    y <- mu + 7 * rnorm(n) + if (cohorts > 0) c(0, 6, -4, 3)[cohort] else 0
    rows[[length(rows) + 1]] <- data.frame(dataset = name, "treatment group" = groups[i], sex = sexes[j],
      cohort = if (cohorts > 0) paste("day", cohort) else "", "open time (%)" = round(y, 3),
      check.names = FALSE)
  }
  do.call(rbind, rows)
}

balanced <- matrix(6, 2, 4)
unbalanced <- rbind(c(6, 4, 7, 5), c(5, 8, 3, 6))
empty <- rbind(c(6, 4, 7, 5), c(5, 8, 3, 0))
data <- rbind(
  simulate("balanced_additive", balanced, FALSE, seed = 101),
  simulate("balanced_interaction", balanced, TRUE, seed = 102),
  simulate("unbalanced_additive", unbalanced, FALSE, seed = 103),
  simulate("unbalanced_interaction", unbalanced, TRUE, seed = 104),
  simulate("empty_cell", empty, FALSE, seed = 105),
  simulate("blocked_additive", balanced, FALSE, cohorts = 3, seed = 106)
)
write.csv(data, file.path(out_dir, "factorial.csv"), row.names = FALSE)

tidy_anova <- function(a) {
  a <- as.data.frame(a)
  data.frame(term = rownames(a), sum_sq = a[["Sum Sq"]], df = a[["Df"]], F = a[["F value"]],
             p_value = a[["Pr(>F)"]])
}

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
  data.frame(contrast = names(s$test$coefficients), estimate = est, se = se, statistic = tstat, df = g$df,
             p_value = 2 * pt(-abs(tstat), g$df), p_adjusted = p_adjusted, critical_value = crit,
             ci_low = est - crit * se, ci_high = est + crit * se)
}

results <- list()
for (name in unique(data$dataset)) {
  d <- data[data$dataset == name, ]
  d$g <- factor(d[["treatment group"]], levels = groups)
  d$s <- factor(d$sex, levels = sexes)
  d$y <- d[["open time (%)"]]
  blocked <- any(d$cohort != "")
  d$b <- factor(d$cohort)
  full <- if (blocked) y ~ g * s + b else y ~ g * s
  additive <- if (blocked) y ~ g + s + b else y ~ g + s
  fit2 <- lm(full, data = d)
  fit3 <- lm(full, data = d, contrasts = if (blocked) list(g = contr.sum, s = contr.sum, b = contr.sum)
             else list(g = contr.sum, s = contr.sum))
  res <- list()
  empty_cell <- any(table(d$g, d$s) == 0)
  res$anova2 <- tidy_anova(Anova(fit2, type = 2, singular.ok = TRUE))
  if (!empty_cell) res$anova3 <- tidy_anova(Anova(fit3, type = 3))
  # simple effects: each group against vehicle within each sex, from the full model
  if (!empty_cell) {
    emm <- emmeans(fit2, ~ g | s)
    ctr <- contrast(emm, "trt.vs.ctrl", ref = 1)
    glhts <- as.glht(ctr)
    res$simple <- do.call(rbind, lapply(names(glhts), function(level) {
      t <- tidy_glht(glhts[[level]])
      t$stratum <- sub("^s = ", "", level)
      t
    }))
  }
  add <- lm(additive, data = d)
  res$pooled <- tidy_glht(glht(add, linfct = mcp(g = "Dunnett")))
  results[[name]] <- res
}
writeLines(toJSON(results, digits = NA, pretty = TRUE, na = "null"), file.path(out_dir, "factorial.json"))
cat("wrote", file.path(out_dir, "factorial.json"), "\n")
