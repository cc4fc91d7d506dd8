# Non-compartmental analysis written out in base R, as the independent reference for assaykit.pk.
# Sourced by nca_theoph.R and nca_indometh.R. Sources of the formulas: Gabrielsson & Weiner,
# "Pharmacokinetic and Pharmacodynamic Data Analysis" (5th ed. 2016) ch. 2.8; PKNCA's pk.calc.half.life
# (lambda_z: last n points after Tmax for n = 3..all, best adjusted R^2 within 1e-4 then most points;
# adjusted R^2 as lm()'s summary gives it); Phoenix WinNonlin "NCA computation rules" (C = 0 inserted at
# time 0 for extravascular doses and infusions, C0 back-extrapolated for an IV bolus).

seg_is_log <- function(c1, c2, method) method == "log" & c2 < c1 & c2 > 0

seg_auc <- function(t1, t2, c1, c2, method) {
  ifelse(seg_is_log(c1, c2, method), (c1 - c2) * (t2 - t1) / log(c1 / c2), (c1 + c2) / 2 * (t2 - t1))
}

seg_aumc <- function(t1, t2, c1, c2, method) {
  k <- log(c1 / c2)
  ifelse(seg_is_log(c1, c2, method),
         (t2 - t1) * (t1 * c1 - t2 * c2) / k + (t2 - t1)^2 * (c1 - c2) / k^2,
         (t1 * c1 + t2 * c2) / 2 * (t2 - t1))
}

area <- function(t, c, method, f = seg_auc) {
  total <- 0
  for (i in seq_len(length(t) - 1)) total <- total + f(t[i], t[i + 1], c[i], c[i + 1], method)
  total
}

conc_at <- function(t, c, x, method) {
  if (x %in% t) return(c[match(x, t)])
  i <- max(which(t < x))
  if (seg_is_log(c[i], c[i + 1], method)) {
    c[i] * exp(log(c[i + 1] / c[i]) * (x - t[i]) / (t[i + 1] - t[i]))
  } else {
    c[i] + (c[i + 1] - c[i]) * (x - t[i]) / (t[i + 1] - t[i])
  }
}

partial <- function(t, c, a, b, method, lz) {
  tlast <- t[length(t)]
  clast <- c[length(c)]
  total <- 0
  bb <- min(b, tlast)
  if (bb > a) {
    inner <- t > a & t < bb
    tt <- c(a, t[inner], bb)
    cc <- c(conc_at(t, c, a, method), c[inner], conc_at(t, c, bb, method))
    total <- total + area(tt, cc, method)
  }
  if (b > tlast) {
    # integral of clast * exp(-lz (s - tlast)) from max(a, tlast) to b
    total <- total + integrate(function(s) clast * exp(-lz * (s - tlast)), max(a, tlast), b,
                               rel.tol = 1e-13)$value
  }
  total
}

best_lambda_z <- function(t, c, tmax, min_points = 3, tol = 1e-4) {
  keep <- t > tmax & c > 0
  tt <- t[keep]
  cc <- c[keep]
  n <- length(tt)
  if (n < min_points) return(NULL)
  fits <- list()
  for (k in min_points:n) {
    idx <- (n - k + 1):n
    x <- tt[idx]
    y <- log(cc[idx])
    m <- lm(y ~ x)
    s <- summary(m)
    fits[[length(fits) + 1]] <- list(k = k, lz = -unname(coef(m)[2]), a = unname(coef(m)[1]),
                                     r2 = s$r.squared, r2adj = s$adj.r.squared,
                                     first = x[1], last = x[k])
  }
  best <- max(sapply(fits, function(f) f$r2adj))
  ok <- Filter(function(f) f$lz > 0 && f$r2adj > best - tol, fits)
  if (length(ok) == 0) return(NULL)
  ok[[which.max(sapply(ok, function(f) f$k))]]
}

nca_one <- function(t, c, dose, route, method, intervals, tinf = 0) {
  cmax <- max(c)
  tmax <- t[which(c == cmax)[1]]
  last <- max(which(c > 0))
  tlast <- t[last]
  clast <- c[last]
  ta <- t[1:last]
  ca <- c[1:last]
  c0 <- NA
  if (route == "iv-bolus") {
    if (ta[1] == 0 && ca[1] > 0) {
      c0 <- ca[1]
    } else {
      if (ca[1] > ca[2] && ca[2] > 0) {
        slope <- (log(ca[2]) - log(ca[1])) / (ta[2] - ta[1])
        c0 <- exp(log(ca[1]) - slope * ta[1])
      } else {
        c0 <- ca[1]
      }
      ta <- c(0, ta)
      ca <- c(c0, ca)
    }
  } else if (ta[1] > 0) {
    ta <- c(0, ta)
    ca <- c(0, ca)
  }
  auc_last <- area(ta, ca, method)
  aumc_last <- area(ta, ca, method, seg_aumc)
  fit <- best_lambda_z(t, c, tmax)
  lz <- fit$lz
  auc_inf <- auc_last + clast / lz
  clast_pred <- exp(fit$a - lz * tlast)
  aumc_inf <- aumc_last + clast * tlast / lz + clast / lz^2
  out <- list(cmax = cmax, tmax = tmax, clast = clast, tlast = tlast, c0 = c0,
              auc_last = auc_last, aumc_last = aumc_last,
              lambda_z = lz, lambda_z_intercept = fit$a, r2 = fit$r2, r2adj = fit$r2adj,
              n_lambda_z = fit$k, lambda_z_first_h = fit$first, lambda_z_last_h = fit$last,
              half_life = log(2) / lz, clast_pred = clast_pred,
              auc_inf_obs = auc_inf, auc_inf_pred = auc_last + clast_pred / lz,
              auc_extrap_pct = 100 * (auc_inf - auc_last) / auc_inf,
              aumc_inf_obs = aumc_inf, mrt = aumc_inf / auc_inf - tinf / 2,
              cl = dose / auc_inf, vz = dose / auc_inf / lz, cmax_dose = cmax / dose)
  for (iv in intervals) {
    out[[sprintf("auc_%g_%g", iv[1], iv[2])]] <- partial(ta, ca, iv[1], iv[2], method, lz)
  }
  out
}
