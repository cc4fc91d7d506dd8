"""The columns of the competition-binding tables, in order (each documented in docs/user-guide/binding.md).

New columns are only ever added at the end of a table, so that code reading columns by position keeps
working. A column that does not apply to a row's model is NaN.
"""

from __future__ import annotations

from assaykit.fitting.compare import COMPARISON_FIELDS

#: The results table: one row per curve (compound x plate).
RESULT_COLUMNS = (
    "compound",
    "model",
    "n_points",
    "top",
    "bottom",
    "hill_slope",
    "hill_slope_se",
    "log_ic50",
    "log_ic50_se",
    "log_ic50_ci_low",
    "log_ic50_ci_high",
    "ic50_nM",
    "ic50_ci_low_nM",
    "ic50_ci_high_nM",
    "log_ki",
    "ki_nM",
    "ki_ci_low_nM",
    "ki_ci_high_nM",
    "r_squared",
    "sy_x",
    "df",
    "flags",
    "plate",
    "top_se",
    "bottom_se",
    "log_ki_se",
    "ss",
    "ci_method",
    # two sites ("two-site", "two-site-ki"): each site's IC50 and Ki, and the fraction of high-affinity sites
    "log_ic50_hi",
    "log_ic50_hi_se",
    "log_ic50_hi_ci_low",
    "log_ic50_hi_ci_high",
    "ic50_hi_nM",
    "ic50_hi_ci_low_nM",
    "ic50_hi_ci_high_nM",
    "log_ic50_lo",
    "log_ic50_lo_se",
    "log_ic50_lo_ci_low",
    "log_ic50_lo_ci_high",
    "ic50_lo_nM",
    "ic50_lo_ci_low_nM",
    "ic50_lo_ci_high_nM",
    "fraction_hi",
    "fraction_hi_se",
    "fraction_hi_ci_low",
    "fraction_hi_ci_high",
    "log_ki_hi",
    "log_ki_hi_se",
    "ki_hi_nM",
    "ki_hi_ci_low_nM",
    "ki_hi_ci_high_nM",
    "log_ki_lo",
    "log_ki_lo_se",
    "ki_lo_nM",
    "ki_lo_ci_low_nM",
    "ki_lo_ci_high_nM",
    # homologous competition: the ligand's own Kd and Bmax
    "log_kd",
    "log_kd_se",
    "kd_nM",
    "kd_se_nM",
    "kd_ci_low_nM",
    "kd_ci_high_nM",
    "bmax",
    "bmax_se",
    "bmax_ci_low",
    "bmax_ci_high",
    # how the curve was fitted
    "weights",
    "n_outliers",
    # Ki with the uncertainty of the radioligand's Kd carried in (delta method)
    "log_ki_se_total",
    "ki_ci_low_total_nM",
    "ki_ci_high_total_nM",
    # the screen: the displacement test, its q-value over the run, and the activity call
    "activity",
    "p_displacement",
    "q_displacement",
    "displacement_pct",
    "ic50_above_nM",
)

#: The model-comparison table (``--compare``): one row per curve and comparison.
COMPARISON_COLUMNS = ("compound", "plate", *COMPARISON_FIELDS)

#: The relative-potency table (``--potency-vs``): one row per compound and plate shared with the reference.
POTENCY_COLUMNS = (
    "compound",
    "reference",
    "plate",
    "ratio",
    "ratio_ci_low",
    "ratio_ci_high",
    "log_ratio",
    "log_ratio_se",
    "df",
)
