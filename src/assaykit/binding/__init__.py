"""Radioligand binding: competition curves -> IC50 -> Ki; saturation -> Kd and Bmax.

Examples
--------
>>> from assaykit.binding import read_counts, fit_competition
>>> counts = read_counts("examples/binding/counts.csv")  # doctest: +SKIP
>>> results = fit_competition(counts, kd_nM=1.5, radioligand_nM=1.0)  # doctest: +SKIP
"""

from assaykit.binding.columns import COMPARISON_COLUMNS, POTENCY_COLUMNS
from assaykit.binding.competition import (
    RESULT_COLUMNS,
    CompetitionAnalysis,
    analyze_competition,
    curve_parameters,
    fit_competition,
)
from assaykit.binding.controls import specific_binding_points, summarize_plates
from assaykit.binding.pharmacology import cheng_prusoff, log_ki_se_with_kd, relative_potency
from assaykit.binding.saturation import SaturationAnalysis, analyze_saturation, fit_saturation
from assaykit.io.counts import counts_from_frame, read_counts
from assaykit.io.saturation import read_saturation

__all__ = [
    "COMPARISON_COLUMNS",
    "POTENCY_COLUMNS",
    "RESULT_COLUMNS",
    "CompetitionAnalysis",
    "SaturationAnalysis",
    "analyze_competition",
    "analyze_saturation",
    "cheng_prusoff",
    "counts_from_frame",
    "curve_parameters",
    "fit_competition",
    "fit_saturation",
    "log_ki_se_with_kd",
    "read_counts",
    "read_saturation",
    "relative_potency",
    "specific_binding_points",
    "summarize_plates",
]
