"""Fit the example competition data from Python and look at the results.

Run from the project root:  python examples/binding/fit_competition.py
"""

# %%
from pathlib import Path

from assaykit.binding import analyze_competition, read_counts

HERE = Path(__file__).parent

# %% Read the counter export: validated and converted to the canonical tidy frame (one row per tube).
counts = read_counts(HERE / "counts.csv")
print(counts.head())

# %% Fit every compound: four-parameter logistic, Ki by Cheng-Prusoff for 1 nM [3H]-flunitrazepam, Kd 1.5 nM.
analysis = analyze_competition(counts, kd_nM=1.5, radioligand_nM=1.0)
columns = ["compound", "ic50_nM", "ki_nM", "ki_ci_low_nM", "ki_ci_high_nM", "hill_slope", "flags"]
print(analysis.results[columns].round(3).to_string(index=False))

# %% The same data with log Ki fitted directly (Prism "One site - Fit Ki") and profile-likelihood limits.
fit_ki = analyze_competition(counts, kd_nM=1.5, radioligand_nM=1.0, model="fit-ki", ci="profile")
print(fit_ki.results[["compound", "log_ki", "log_ki_se", "ki_nM", "ki_ci_low_nM", "ki_ci_high_nM"]])

# %% Plate controls (mean TOTAL and NSB, specific window, Z') and specific binding per tube.
print(analysis.plates.to_string(index=False))
print(analysis.points[["compound", "conc_M", "cpm", "specific_pct", "residual_cpm"]].head())
