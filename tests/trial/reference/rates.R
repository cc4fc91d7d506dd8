# Reference values for tests/trial/test_rates.py: exact binomial CIs, Fisher's exact test, the conditional
# MLE odds ratio with its exact CI, Wilson intervals and Newcombe's hybrid score interval (method 10).
# Run from the repository root:  Rscript tests/trial/reference/rates.R   (base R only; writes rates.csv)
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
# x1/n1 is the drug arm, x2/n2 the control; zero cells and small arms on purpose (66-patient trial sizes).
cases <- data.frame(
  x1 = c(12, 14, 0, 22, 9, 56, 5, 3, 7, 1),
  n1 = c(22, 22, 21, 22, 10, 70, 56, 20, 22, 21),
  x2 = c(5, 4, 6, 7, 3, 48, 0, 3, 7, 0),
  n2 = c(22, 21, 22, 22, 10, 80, 29, 23, 22, 22)
)
newcombe <- function(x1, n1, x2, n2, level) {
  w1 <- prop.test(x1, n1, conf.level = level, correct = FALSE)$conf.int
  w2 <- prop.test(x2, n2, conf.level = level, correct = FALSE)$conf.int
  p1 <- x1 / n1; p2 <- x2 / n2; d <- p1 - p2
  c(d - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2), d + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}
# fisher.test finds the conditional MLE and its bounds by uniroot at its default tolerance
# (.Machine$double.eps^0.25), about 4 significant digits; the same equations (the conditional likelihood
# of the noncentral hypergeometric distribution, as in fisher.test's source) solved to 1e-13 here.
cond_or <- function(x, m, n, k, level) {
  lo <- max(0, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dnhyper <- function(ncp) { d <- logdc + log(ncp) * support; d <- exp(d - max(d)); d / sum(d) }
  mnhyper <- function(ncp) if (ncp == 0) lo else if (ncp == Inf) hi else sum(support * dnhyper(ncp))
  pnhyper <- function(q, ncp, upper = FALSE) {
    if (ncp == 0) return(as.numeric(if (upper) q <= lo else q >= lo))
    if (ncp == Inf) return(as.numeric(if (upper) q <= hi else q >= hi))
    if (ncp == 1) return(if (upper) phyper(x - 1, m, n, k, lower.tail = FALSE) else phyper(x, m, n, k))
    if (upper) sum(dnhyper(ncp)[support >= q]) else sum(dnhyper(ncp)[support <= q])
  }
  tol <- 1e-13; eps <- .Machine$double.eps
  mle <- if (x == lo) 0 else if (x == hi) Inf else {
    mu <- mnhyper(1)
    if (mu > x) uniroot(function(t) mnhyper(t) - x, c(0, 1), tol = tol)$root
    else if (mu < x) 1 / uniroot(function(t) mnhyper(1 / t) - x, c(eps, 1), tol = tol)$root else 1
  }
  alpha <- (1 - level) / 2
  upper <- if (x == hi) Inf else {
    p <- pnhyper(x, 1)
    if (p < alpha) uniroot(function(t) pnhyper(x, t) - alpha, c(0, 1), tol = tol)$root
    else if (p > alpha) 1 / uniroot(function(t) pnhyper(x, 1 / t) - alpha, c(eps, 1), tol = tol)$root else 1
  }
  lower <- if (x == lo) 0 else {
    p <- pnhyper(x, 1, upper = TRUE)
    if (p > alpha) uniroot(function(t) pnhyper(x, t, upper = TRUE) - alpha, c(0, 1), tol = tol)$root
    else if (p < alpha) 1 / uniroot(function(t) pnhyper(x, 1 / t, upper = TRUE) - alpha, c(eps, 1), tol = tol)$root
    else 1
  }
  c(mle, lower, upper)
}
rows <- list()
for (level in c(0.95, 0.90)) {
  for (i in seq_len(nrow(cases))) {
    x1 <- cases$x1[i]; n1 <- cases$n1[i]; x2 <- cases$x2[i]; n2 <- cases$n2[i]
    b1 <- binom.test(x1, n1, conf.level = level)$conf.int
    b2 <- binom.test(x2, n2, conf.level = level)$conf.int
    w1 <- suppressWarnings(prop.test(x1, n1, conf.level = level, correct = FALSE)$conf.int)
    f <- fisher.test(matrix(c(x1, x2, n1 - x1, n2 - x2), 2), conf.level = level)
    tight <- cond_or(x1, x1 + x2, n1 + n2 - x1 - x2, n1, level)
    nc <- suppressWarnings(newcombe(x1, n1, x2, n2, level))
    rows[[length(rows) + 1]] <- data.frame(
      level = level, x1 = x1, n1 = n1, x2 = x2, n2 = n2,
      cp1_low = b1[1], cp1_high = b1[2], cp2_low = b2[1], cp2_high = b2[2],
      wilson1_low = w1[1], wilson1_high = w1[2],
      p_fisher = f$p.value, or_cmle = unname(f$estimate), or_low = f$conf.int[1], or_high = f$conf.int[2],
      or_cmle_tight = tight[1], or_low_tight = tight[2], or_high_tight = tight[3],
      rd = x1 / n1 - x2 / n2, rd_low = nc[1], rd_high = nc[2]
    )
  }
}
write.csv(do.call(rbind, rows), file.path(here, "rates.csv"), row.names = FALSE)
