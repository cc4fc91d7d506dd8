# Reference NCA of R's Indometh data set (intravenous indometacin; conc mcg/mL = mg/L, time h), base R only.
# The dose, 25 mg, is the one NonCompart's tblNCA example gives (Kwan et al. 1976). Analysed twice: as an
# IV bolus (C0 back-extrapolated) and as a 0.5 h infusion (MRT minus Tinf/2), each with both AUC methods.
# Run from the repository root:  Rscript tests/pk/reference/nca_indometh.R
# Writes indometh_data.csv (the data as R has them) and tests/pk/reference/nca_indometh.csv; CL in L/h, Vz in L.
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "nca_functions.R"))
d <- as.data.frame(datasets::Indometh)
write.csv(d, file.path(here, "indometh_data.csv"), row.names = FALSE)  # the input, for the Python test
intervals <- list(c(0, 1), c(0.5, 4), c(0, 10))
rows <- list()
for (route in c("iv-bolus", "iv-infusion")) {
  for (method in c("linear", "log")) {
    for (s in unique(as.character(d$Subject))) {
      x <- d[as.character(d$Subject) == s, ]
      x <- x[order(x$time), ]
      tinf <- if (route == "iv-infusion") 0.5 else 0
      r <- nca_one(x$time, x$conc, 25, route, method, intervals, tinf)
      rows[[length(rows) + 1]] <- data.frame(subject = s, route = route, method = method, dose = 25, r)
    }
  }
}
out <- do.call(rbind, rows)
write.csv(out, file.path(here, "nca_indometh.csv"), row.names = FALSE)
