# Steel's many-to-one rank test (Steel 1959, Biometrics 15:560-572), computed here independently:
#   * each group ranked jointly with the control only (rank(), mid-ranks for ties); W_i = the group's rank
#     sum, E = n_i (n_i + n_0 + 1) / 2, Var = n_i n_0 / 12 [(N_i + 1) - sum(t^3 - t) / (N_i (N_i - 1))]
#     with N_i = n_i + n_0 and t the sizes of the tied runs of that joint sample; z_i = (W_i - E) / sqrt(Var);
#     U_i = W_i - n_i (n_i + 1) / 2 is checked against wilcox.test()'s W statistic;
#   * the adjusted p P(max_j |Z_j| >= |z_i|) under the multivariate normal with correlations l_i l_j,
#     l_i = sqrt(n_i / (n_i + n_0 + 1)): pmvnorm(algorithm = Miwa(steps = 4096)) as 1 - P(inside the box),
#     and the one-factor integral by integrate() (one_factor.R).
# The data are drawn once with set.seed (some rounded coarsely to make ties); they are stored with results.
# Run from the repository root: Rscript tests/stats/reference/steel.R
suppressPackageStartupMessages({library(mvtnorm); library(jsonlite)})
source("tests/stats/reference/one_factor.R")
set.seed(1959)
draw <- function(n, mu, sd, digits) lapply(seq_along(n), function(i) round(rnorm(n[i], mu[i], sd[i]), digits))
sets <- list(
  untied_3 = draw(c(8, 8, 8, 8), c(0, 0.4, 1.2, 2), rep(1, 4), 3),
  unequal_4 = draw(c(10, 6, 9, 7, 12), c(20, 21, 24, 19, 26), rep(3, 5), 2),
  ties_2 = draw(c(7, 6, 8), c(5, 6, 8), c(2, 2, 2), 0),
  ties_5 = draw(c(6, 6, 6, 6, 6, 6), c(3, 3, 4, 5, 6, 8), rep(1.5, 6), 0),
  large_effect = draw(c(15, 15, 15), c(0, 0.2, 5), c(1, 1, 1), 3)
)
results <- list()
for (name in names(sets)) {
  groups <- sets[[name]]
  x0 <- groups[[1]]; n0 <- length(x0); m <- length(groups) - 1
  z <- w <- u <- u_r <- numeric(m); ni <- lengths(groups)[-1]
  for (i in seq_len(m)) {
    x <- groups[[i + 1]]; joint <- c(x, x0); nn <- length(joint)
    r <- rank(joint)
    w[i] <- sum(r[seq_along(x)])
    tt <- table(joint)
    v <- length(x) * n0 / 12 * ((nn + 1) - sum(tt^3 - tt) / (nn * (nn - 1)))
    z[i] <- (w[i] - length(x) * (nn + 1) / 2) / sqrt(v)
    u[i] <- w[i] - length(x) * (length(x) + 1) / 2
    u_r[i] <- suppressWarnings(wilcox.test(x, x0, exact = FALSE)$statistic)
  }
  lam <- sqrt(ni / (ni + n0 + 1))
  R <- outer(lam, lam); diag(R) <- 1
  p_miwa <- vapply(abs(z), function(c) 1 - pmvnorm(lower = rep(-c, m), upper = rep(c, m), corr = R,
                                                   algorithm = Miwa(steps = 4096))[1], 0.0)
  p_int <- vapply(abs(z), function(c) sf_integrate(c, lam, Inf), 0.0)
  results[[name]] <- list(groups = groups, rank_sum = w, u = u, u_wilcox_test = u_r, statistic = z,
                          p_value = 2 * pnorm(-abs(z)), p_miwa = p_miwa, p_integrate = p_int,
                          loadings = lam)
}
writeLines(toJSON(list(made_by = "tests/stats/reference/steel.R", r_version = R.version.string,
                       mvtnorm = as.character(packageVersion("mvtnorm")), sets = results),
                  digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "tests/stats/reference/steel.json")
