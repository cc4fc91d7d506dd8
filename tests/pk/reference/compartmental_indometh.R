# Reference values for tests/pk/test_compartmental.py: biexponential (two-compartment IV bolus) fits of R's
# Indometh data set (base R datasets), one per subject, with stats::nls and the self-starting model SSbiexp:
#   conc = A1 * exp(-exp(lrc1) * time) + A2 * exp(-exp(lrc2) * time)
# Unweighted least squares on every row.
# Run: Rscript tests/pk/reference/compartmental_indometh.R  (writes indometh.csv and compartmental_indometh.csv beside it)
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
# the data set itself, for the Python side of the test
write.csv(Indometh, file.path(here, "indometh.csv"), row.names = FALSE)
rows <- list()
for (s in levels(Indometh$Subject)) {
  d <- subset(Indometh, Subject == s)
  fit <- nls(conc ~ SSbiexp(time, A1, lrc1, A2, lrc2), data = d)
  # refine the self-started fit at the tightest convergence tolerance nls reaches (the relative offset
  # criterion with scaleOffset = 1, R >= 4.1, so that a small residual SS does not stall it)
  for (tol in c(1e-10, 1e-9, 1e-8, 1e-7, 1e-6)) {
    refined <- tryCatch(
      nls(formula(fit), data = d, start = coef(fit),
          control = nls.control(tol = tol, maxiter = 500, minFactor = 1e-10, scaleOffset = 1)),
      error = function(e) NULL)
    if (!is.null(refined)) { fit <- refined; break }
  }
  co <- summary(fit)$coefficients
  rows[[s]] <- data.frame(
    subject = s, tol = fit$control$tol, n = nrow(d),
    A1 = co["A1", "Estimate"], A1_se = co["A1", "Std. Error"],
    lrc1 = co["lrc1", "Estimate"], lrc1_se = co["lrc1", "Std. Error"],
    A2 = co["A2", "Estimate"], A2_se = co["A2", "Std. Error"],
    lrc2 = co["lrc2", "Estimate"], lrc2_se = co["lrc2", "Std. Error"],
    sigma = summary(fit)$sigma, rss = deviance(fit), aic = AIC(fit), bic = BIC(fit)
  )
}
out <- do.call(rbind, rows)
write.csv(out, file.path(here, "compartmental_indometh.csv"), row.names = FALSE)
