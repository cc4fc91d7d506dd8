# Reference values for tests/trial/test_withdrawal.py: symptom counts per patient over a washout,
# compared between arms by glm(poisson) and MASS::glm.nb (log link, placebo the reference level).
# Run from the repository root:  Rscript tests/trial/reference/withdrawal_counts.R
# Writes withdrawal_counts_data.csv (the simulated data: two data sets, 22 patients per arm) and
# withdrawal_counts.csv (both fits converged to epsilon 1e-12, not glm's default 1e-8; one row per data set, model and comparison: log rate ratio, its SE from vcov(),
# Wald z and p; the Poisson Pearson chi2/df and glm.nb's theta).
library(MASS)
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
set.seed(20240521)
arms <- rep(c("placebo", "tofisopam", "diazepam"), each = 22)
mu <- c(placebo = 1.2, tofisopam = 1.5, diazepam = 4.0)[arms]
data <- rbind(
  data.frame(dataset = "overdispersed", patient = sprintf("P%02d", 1:66), arm = arms,
             symptom_count = rnbinom(66, size = 1.5, mu = mu)),
  data.frame(dataset = "poisson", patient = sprintf("P%02d", 1:66), arm = arms,
             symptom_count = rpois(66, mu))
)
write.csv(data, file.path(here, "withdrawal_counts_data.csv"), row.names = FALSE)
pairs <- list(c("tofisopam", "placebo"), c("diazepam", "placebo"), c("tofisopam", "diazepam"))
rows <- list()
for (ds in unique(data$dataset)) {
  d <- data[data$dataset == ds, ]
  d$arm <- relevel(factor(d$arm), ref = "placebo")
  pois <- glm(symptom_count ~ arm, family = poisson, data = d, control = glm.control(epsilon = 1e-12, maxit = 100))
  nb <- glm.nb(symptom_count ~ arm, data = d, control = glm.control(epsilon = 1e-12, maxit = 100))
  pearson <- sum(residuals(pois, type = "pearson")^2) / df.residual(pois)
  for (model in c("poisson", "negative_binomial")) {
    fit <- if (model == "poisson") pois else nb
    b <- coef(fit); v <- vcov(fit)
    for (p in pairs) {
      cvec <- setNames(rep(0, length(b)), names(b))
      for (k in 1:2) {
        name <- paste0("arm", p[k])
        if (name %in% names(b)) cvec[name] <- if (k == 1) 1 else -1
      }
      est <- sum(cvec * b); se <- sqrt(drop(t(cvec) %*% v %*% cvec))
      rows[[length(rows) + 1]] <- data.frame(
        dataset = ds, model = model, arm = p[1], reference = p[2], log_rate_ratio = est, se = se,
        z = est / se, p_value = 2 * pnorm(-abs(est / se)), pearson_chi2_df = pearson, theta = nb$theta
      )
    }
  }
}
write.csv(do.call(rbind, rows), file.path(here, "withdrawal_counts.csv"), row.names = FALSE)
