# Reference NCA of R's Theoph data set (oral theophylline; Dose mg/kg, conc mg/L, Time h), base R only.
# Run from the repository root:  Rscript tests/pk/reference/nca_theoph.R
# Writes theoph_data.csv (the data as R has them) and tests/pk/reference/nca_theoph.csv: one row per subject and AUC method ("linear", "log" =
# linear-up/log-down); CL/F in L/h/kg and Vz/F in L/kg (Dose mg/kg over AUC h*mg/L).
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "nca_functions.R"))
d <- as.data.frame(datasets::Theoph)
write.csv(d, file.path(here, "theoph_data.csv"), row.names = FALSE)  # the input, for the Python test
intervals <- list(c(0, 2), c(1.5, 12), c(0, 30))
rows <- list()
for (method in c("linear", "log")) {
  for (s in unique(as.character(d$Subject))) {
    x <- d[as.character(d$Subject) == s, ]
    x <- x[order(x$Time), ]
    r <- nca_one(x$Time, x$conc, x$Dose[1], "extravascular", method, intervals)
    rows[[length(rows) + 1]] <- data.frame(subject = s, method = method, dose = x$Dose[1], r)
  }
}
out <- do.call(rbind, rows)
write.csv(out, file.path(here, "nca_theoph.csv"), row.names = FALSE)
