# Quartiles and median by R's quantile(type = 6) (Hyndman & Fan 1996, the rule GraphPad Prism uses) and
# type = 7 (R's default), on a few small samples with and without ties.
# Run from the repository root: Rscript tests/stats/reference/quantile_type6.R
suppressPackageStartupMessages(library(jsonlite))
samples <- list(
  c(12.1, 3.4, 7.7, 9.0),
  c(5, 1, 4, 2, 3),
  c(31.5, 18.2, 44.0, 27.9, 35.1, 22.6, 40.3),
  c(2, 2, 3, 3, 3, 8, 9, 15, 15, 21),
  c(0.5, 300),
  c(300, 300, 300, 120.4, 300, 87.9)
)
out <- lapply(samples, function(x) list(
  values = x,
  type6 = unname(quantile(x, c(0.25, 0.5, 0.75), type = 6)),
  type7 = unname(quantile(x, c(0.25, 0.5, 0.75), type = 7))
))
writeLines(toJSON(list(made_by = "tests/stats/reference/quantile_type6.R", r_version = R.version.string,
                       samples = out), digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "tests/stats/reference/quantile_type6.json")
