# Reference values for tests/pk/test_compartmental.py: one-compartment first-order absorption fits of R's
# Theoph data set (base R datasets), one per subject, with stats::nls and the self-starting model SSfol:
#   conc = Dose * exp(lKe + lKa - lCl) * (exp(-exp(lKe) * Time) - exp(-exp(lKa) * Time)) / (exp(lKa) - exp(lKe))
# Unweighted least squares on every row (time-0 samples included, as nls fits them).
# Run: Rscript tests/pk/reference/compartmental_theoph.R  (writes theoph.csv and compartmental_theoph.csv beside it)
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
# the data set itself, for the Python side of the test
write.csv(Theoph, file.path(here, "theoph.csv"), row.names = FALSE)
rows <- list()
for (s in levels(Theoph$Subject)) {
  d <- subset(Theoph, Subject == s)
  fit <- nls(conc ~ SSfol(Dose, Time, lKe, lKa, lCl), data = d)
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
    subject = s, tol = fit$control$tol, dose = d$Dose[1], n = nrow(d),
    lKe = co["lKe", "Estimate"], lKe_se = co["lKe", "Std. Error"],
    lKa = co["lKa", "Estimate"], lKa_se = co["lKa", "Std. Error"],
    lCl = co["lCl", "Estimate"], lCl_se = co["lCl", "Std. Error"],
    sigma = summary(fit)$sigma, rss = deviance(fit), aic = AIC(fit), bic = BIC(fit)
  )
}
out <- do.call(rbind, rows)
write.csv(out, file.path(here, "compartmental_theoph.csv"), row.names = FALSE)
