# Reference values for assaykit.trial.reml, .mmrm and .ancova (tests/trial/test_reml.py, test_mmrm.py,
# test_ancova.py). Run from the repository root:  Rscript tests/trial/reference/mmrm.R
# nlme 3.1.162, emmeans 1.8.4.1 (Debian r-cran-*). Writes, beside this script:
#   mmrm_data.csv      the simulated trial (drawn here once with set.seed): one row per patient and post-baseline
#                      visit, `change` empty where the visit was missed (dropout depends on the observed change:
#                      missing at random), plus one intermittent missed visit;
#   mmrm_coef.csv      fixed effects and their SEs (summary(fit)$tTable) per covariance structure;
#   mmrm_fit.csv       REML log-likelihood, N, p, the number of covariance parameters per structure;
#   mmrm_cov.csv       the estimated visit x visit covariance (getVarCov for a patient seen at every visit);
#   mmrm_emmeans.csv   LS means (emmeans; baseline at its mean over the analysed rows) per visit and arm;
#   mmrm_contrasts.csv LS-mean differences vs placebo per visit, emmeans mode "df.error";
#   ancova_coef.csv, ancova_contrasts.csv, ancova_emmeans.csv  lm(change ~ baseline + arm) at day 14.
suppressPackageStartupMessages({library(nlme); library(emmeans)})
out <- "tests/trial/reference"
set.seed(20210621)
arms <- c("placebo", "diazepam", "tofisopam")
visits <- c(4, 7, 10, 14)                      # days after randomisation; day 0 is baseline
n <- 66
patient <- sprintf("P%03d", 1:n)
arm <- rep(arms, each = 22)[sample(n)]
baseline <- round(rnorm(n, 25, 3.5))
# true mean change: placebo improves a little, both drugs more and alike
eff <- c(placebo = 0.0, diazepam = -1, tofisopam = -1)
sd_v <- c(2.5, 3.0, 3.6, 4.2)
rho <- matrix(c(1, .7, .55, .45, .7, 1, .72, .6, .55, .72, 1, .75, .45, .6, .75, 1), 4)
S <- diag(sd_v) %*% rho %*% diag(sd_v)
U <- chol(S)
rows <- list()
for (i in 1:n) {
  mu <- -(visits / 14) * (4 + 6 * (-eff[arm[i]])) - 0.2 * (baseline[i] - 25) * visits / 14
  y <- round(mu + drop(rnorm(4) %*% U))
  # dropout after a visit: more likely when the patient has not improved (missing at random)
  for (j in 2:4) if (!is.na(y[j - 1]) && runif(1) < plogis(-3.2 + 0.25 * y[j - 1])) y[j:4] <- NA
  rows[[i]] <- data.frame(patient = patient[i], arm = arm[i], visit = visits, baseline = baseline[i], change = y)
}
d <- do.call(rbind, rows)
d$change[d$patient == "P005" & d$visit == 7] <- NA  # one intermittent missed visit
write.csv(d, file.path(out, "mmrm_data.csv"), row.names = FALSE, na = "")

d$arm <- factor(d$arm, levels = arms)
d$visit <- factor(d$visit, levels = visits)
d$vi <- as.integer(d$visit)
d <- d[!is.na(d$change), ]  # the analysed rows (emmeans recovers the data from the call: no NA rows)
# optim's BFGS with a tiny reltol reaches the REML maximum to ~1e-11 in the log-likelihood; nlminb (the default)
# stops ~1e-8 short of it, which leaves the estimates ~1e-5 off.
ctl <- glsControl(maxIter = 5000, msMaxIter = 5000, tolerance = 1e-15, msTol = 1e-15, opt = "optim",
                  optimMethod = "BFGS")
form <- change ~ visit * arm + baseline * visit
fits <- list(
  unstructured = gls(form, d, correlation = corSymm(form = ~ vi | patient),
                     weights = varIdent(form = ~ 1 | visit), method = "REML", na.action = na.omit,
                     control = ctl),
  toeplitz_heterogeneous = gls(form, d, correlation = corARMA(form = ~ vi | patient, p = 3),
                               weights = varIdent(form = ~ 1 | visit), method = "REML", na.action = na.omit,
                               control = glsControl(maxIter = 1000, msMaxIter = 1000, tolerance = 1e-12,
                                                 msTol = 1e-12)),
  ar1_heterogeneous = gls(form, d, correlation = corAR1(form = ~ vi | patient),
                          weights = varIdent(form = ~ 1 | visit), method = "REML", na.action = na.omit,
                          control = glsControl(maxIter = 1000, msMaxIter = 1000, tolerance = 1e-12,
                                                 msTol = 1e-12)),
  compound_symmetry = gls(form, d, correlation = corCompSymm(form = ~ 1 | patient), method = "REML",
                          na.action = na.omit, control = ctl)
)
full <- names(which(table(d$patient[!is.na(d$change)]) == 4))[1]
coef_rows <- fit_rows <- cov_rows <- emm_rows <- con_rows <- list()
for (s in names(fits)) {
  f <- fits[[s]]
  tt <- summary(f)$tTable
  coef_rows[[s]] <- data.frame(structure = s, term = rownames(tt), estimate = tt[, 1], se = tt[, 2],
                               t = tt[, 3], p_value = tt[, 4])
  fit_rows[[s]] <- data.frame(structure = s, loglik = as.numeric(logLik(f)), n_obs = f$dims$N, p = f$dims$p,
                              n_theta = length(unlist(f$modelStruct)) + 1, sigma = f$sigma,
                              optimizer = ifelse(s %in% c("unstructured", "compound_symmetry"), "optim BFGS",
                                                 "nlminb"))
  V <- as.matrix(getVarCov(f, individual = full))
  cov_rows[[s]] <- data.frame(structure = s, row = rep(visits, 4), col = rep(visits, each = 4),
                              value = as.vector(V))
  # emmeans' "satterthwaite" mode for gls crashes R here (segfault in gls_grad, emmeans 1.8.4.1 with corSymm):
  # only "df.error" (N - p - number of covariance parameters) is checked against emmeans.
  for (mode in c("df.error")) {
    emm <- emmeans(f, ~ arm | visit, mode = mode, data = d)
    e <- as.data.frame(summary(emm, infer = TRUE))
    emm_rows[[paste(s, mode)]] <- data.frame(structure = s, mode = mode, visit = e$visit, arm = e$arm,
                                             estimate = e$emmean, se = e$SE, df = e$df)
    cc <- as.data.frame(summary(contrast(emm, "trt.vs.ctrl", ref = 1, adjust = "none"), infer = TRUE))
    con_rows[[paste(s, mode)]] <- data.frame(structure = s, mode = mode, visit = cc$visit, contrast = cc$contrast,
                                             estimate = cc$estimate, se = cc$SE, df = cc$df, t = cc$t.ratio,
                                             p_value = cc$p.value, ci_low = cc$lower.CL, ci_high = cc$upper.CL)
  }
}
w <- function(x, f) write.csv(do.call(rbind, x), file.path(out, f), row.names = FALSE)
w(coef_rows, "mmrm_coef.csv"); w(fit_rows, "mmrm_fit.csv"); w(cov_rows, "mmrm_cov.csv")
w(emm_rows, "mmrm_emmeans.csv"); w(con_rows, "mmrm_contrasts.csv")

# ANCOVA at the primary visit (day 14), observed cases
e14 <- droplevels(subset(d, visit == "14" & !is.na(change)))
m <- lm(change ~ baseline + arm, data = e14)
cf <- summary(m)$coefficients
write.csv(data.frame(term = rownames(cf), estimate = cf[, 1], se = cf[, 2], t = cf[, 3], p_value = cf[, 4]),
          file.path(out, "ancova_coef.csv"), row.names = FALSE)
emm <- emmeans(m, ~ arm)
e <- as.data.frame(summary(emm, infer = TRUE))
write.csv(data.frame(arm = e$arm, estimate = e$emmean, se = e$SE, df = e$df, ci_low = e$lower.CL,
                     ci_high = e$upper.CL), file.path(out, "ancova_emmeans.csv"), row.names = FALSE)
cc <- as.data.frame(summary(contrast(emm, "trt.vs.ctrl", ref = 1, adjust = "none"), infer = TRUE))
write.csv(data.frame(contrast = cc$contrast, estimate = cc$estimate, se = cc$SE, df = cc$df, t = cc$t.ratio,
                     p_value = cc$p.value, ci_low = cc$lower.CL, ci_high = cc$upper.CL),
          file.path(out, "ancova_contrasts.csv"), row.names = FALSE)
