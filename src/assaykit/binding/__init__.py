"""Radioligand binding: competition curves -> IC50 -> Ki.

Examples
--------
>>> from assaykit.binding import read_counts, fit_competition
>>> counts = read_counts("examples/binding/counts.csv")  # doctest: +SKIP
>>> results = fit_competition(counts, kd_nM=1.5, radioligand_nM=1.0)  # doctest: +SKIP
"""

from assaykit.binding.competition import (
    RESULT_COLUMNS,
    CompetitionAnalysis,
    analyze_competition,
    curve_parameters,
    fit_competition,
)
from assaykit.binding.controls import specific_binding_points, summarize_plates
from assaykit.binding.pharmacology import cheng_prusoff
from assaykit.io.counts import counts_from_frame, read_counts

__all__ = [
    "RESULT_COLUMNS",
    "CompetitionAnalysis",
    "analyze_competition",
    "cheng_prusoff",
    "counts_from_frame",
    "curve_parameters",
    "fit_competition",
    "read_counts",
    "specific_binding_points",
    "summarize_plates",
]
