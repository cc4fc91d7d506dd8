# Reference values for assaykit.stats.survival, computed with R's survival package.
#
# Run from the repository root:  Rscript tests/stats/reference/survival_latency.R
# It writes tests/stats/reference/survival_latency.json: the input data of each set (so the test reads the
# same numbers) and, per set, what R gives:
#   km:     survfit(Surv(time, status) ~ group)   (conf.type = "log", the default), summary(fit, rmean = tau)$table:
#           n, events, median with its 0.95 LCL/UCL, rmean and se(rmean) up to tau
#   logrank: survdiff(Surv(time, status) ~ group) on the control and each group alone (chisq, df 1, p)
#   cox:    coxph(Surv(time, status) ~ group, ties = "efron") on all groups, control as reference level:
#           coef, se(coef), exp(coef), Wald 95% CI, Wald p
# The censoring rule is applied here by hand, independently of assaykit: an animal is censored when its latency
# is at least its session length (1e-6 relative), or when its entered column says FALSE; a censored animal's time
# is its session length (or its latency, when entered says FALSE before the end of the session).
library(survival)
library(jsonlite)

sets <- list(
  # EPM-like: an open_entered column, equal sessions, ties within and across groups, and a vehicle curve that
  # sits exactly at 0.5 between 156.7 s and 210.5 s (R's median is then the midpoint, 183.6 s).
  moderate = list(
    endpoint = "latency_open_s", control = "vehicle",
    group = c(rep("vehicle", 10), rep("diazepam_1", 10), rep("diazepam_2", 16)),
    latency = c(45.2, 300, 112.0, 300, 78.4, 300, 210.5, 33.1, 300, 156.7,
                12.3, 45.2, 8.9, 300, 67.0, 23.4, 15.6, 45.2, 102.8, 31.0,
                5.1, 9.8, 3.2, 12.0, 7.7, 12.0, 2.5, 20.4, 6.6, 14.3, 18.9, 25.0, 31.7, 40.2, 11.1, 55.0),
    entered = c(TRUE, FALSE, TRUE, FALSE, TRUE, FALSE, TRUE, TRUE, FALSE, TRUE,
                TRUE, TRUE, TRUE, FALSE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE,
                rep(TRUE, 16)),
    session = rep(300, 36)
  ),
  # Light-dark-box-like: heavy censoring (vehicle 6 of 8 censored: median not reached), no entered column,
  # one latency a hair above the session length (within the 1e-6 tolerance), tied event times.
  heavy = list(
    endpoint = "latency_light_s", control = "vehicle",
    group = c(rep("vehicle", 8), rep("drug_low", 8), rep("drug_high", 8)),
    latency = c(300, 300, 300, 250.3, 300.0000001, 300, 120.5, 300,
                300, 88.2, 300, 150.0, 300, 45.0, 300, 150.0,
                20.1, 300, 35.5, 60.0, 20.1, 300, 95.3, 150.0),
    entered = NULL,
    session = rep(300, 24)
  ),
  # Degenerate groups: 'none' never enters (all censored: no hazard ratio), 'single' has one animal; one
  # vehicle animal had a shorter session (290 s) and is censored at 290 s, so the common horizon is 290 s.
  degenerate = list(
    endpoint = "latency_open_s", control = "vehicle",
    group = c(rep("vehicle", 6), rep("none", 5), "single", rep("mid", 6)),
    latency = c(140.0, 300, 61.5, 290, 210.0, 95.0,
                300, 300, 300, 300, 300,
                40.0,
                30.0, 300, 75.5, 61.5, 18.0, 120.0),
    entered = NULL,
    session = c(300, 300, 300, 290, 300, 300, rep(300, 5), 300, rep(300, 6))
  )
)

status_of <- function(s) {
  status <- as.integer(s$latency < s$session * (1 - 1e-6))
  if (!is.null(s$entered)) status[!s$entered] <- 0L
  status
}
time_of <- function(s, status) ifelse(status == 0 & s$latency >= s$session * (1 - 1e-6), s$session, s$latency)

num <- function(x) ifelse(is.na(x), NA, unname(x))

out <- list()
for (name in names(sets)) {
  s <- sets[[name]]
  status <- status_of(s)
  time <- time_of(s, status)
  levels <- c(s$control, setdiff(unique(s$group), s$control))
  group <- factor(s$group, levels = levels)
  tau <- min(s$session)

  fit <- survfit(Surv(time, status) ~ group)  # conf.type = "log", conf.int = 0.95
  tab <- summary(fit, rmean = tau)$table
  km <- lapply(seq_along(levels), function(i) list(
    group = levels[i], n = num(tab[i, "n.start"]), events = num(tab[i, "events"]),
    median = num(tab[i, "median"]), lcl = num(tab[i, "0.95LCL"]), ucl = num(tab[i, "0.95UCL"]),
    rmean = num(tab[i, "rmean"]), se_rmean = num(tab[i, "se(rmean)"])
  ))

  logrank <- lapply(levels[-1], function(g) {
    keep <- group %in% c(s$control, g)
    d <- survdiff(Surv(time[keep], status[keep]) ~ droplevels(group[keep]))
    list(group = g, chisq = d$chisq, p = pchisq(d$chisq, df = 1, lower.tail = FALSE))
  })

  # A group without any event has a hazard ratio of 0 (coefficient -> -Inf): coxph does not converge for it,
  # and in the limit its animals carry no weight in any risk set, so the other groups' estimates are those of
  # the model without it. The reference is therefore fitted without such groups (as assaykit does).
  events_per_group <- tapply(status, group, sum)
  fitted <- names(events_per_group)[events_per_group > 0]
  keep <- group %in% fitted
  cfit <- coxph(Surv(time[keep], status[keep]) ~ droplevels(group[keep]), ties = "efron")
  cs <- summary(cfit)
  cox <- lapply(seq_len(nrow(cs$coefficients)), function(i) list(
    group = sub("^droplevels\\(group\\[keep\\]\\)", "", rownames(cs$coefficients)[i]),
    coef = cs$coefficients[i, "coef"], se = cs$coefficients[i, "se(coef)"],
    hr = cs$coefficients[i, "exp(coef)"], lower = cs$conf.int[i, "lower .95"],
    upper = cs$conf.int[i, "upper .95"], z = cs$coefficients[i, "z"], p = cs$coefficients[i, "Pr(>|z|)"]
  ))

  out[[name]] <- list(
    data = list(endpoint = s$endpoint, control = s$control, group = s$group, latency = s$latency,
                entered = if (is.null(s$entered)) NULL else s$entered, session = s$session),
    tau = tau, status = status, km = km, logrank = logrank, cox = cox,
    cox_fitted_groups = fitted
  )
}
out$r_version <- R.version.string
out$survival_version <- as.character(packageVersion("survival"))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", null = "null", pretty = TRUE),
           "tests/stats/reference/survival_latency.json")
