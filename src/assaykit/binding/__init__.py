"""Competition binding: counts of a labelled ligand displaced by test compounds -> IC50 -> Ki.

Saturation binding (Kd and Bmax) is its own package, :mod:`assaykit.saturation`; its public names
(:func:`~assaykit.saturation.analyze_saturation`, :func:`~assaykit.saturation.fit_saturation`,
:class:`~assaykit.saturation.SaturationAnalysis`, :func:`~assaykit.io.saturation.read_saturation`) are
available here too.

The names below are loaded from their modules on first use (PEP 562), so that a command importing one
module (``assaykit binding`` needs the competition modules, ``assaykit saturation`` the saturation ones)
does not also import the others.

Examples
--------
>>> from assaykit.binding import read_counts, fit_competition
>>> counts = read_counts("examples/binding/counts.csv")  # doctest: +SKIP
>>> results = fit_competition(counts, kd_nM=1.5, radioligand_nM=1.0)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names for type checkers and editors; at run time __getattr__ loads them
    from assaykit.binding.columns import COMPARISON_COLUMNS, MODEL_COLUMNS, POTENCY_COLUMNS, result_columns
    from assaykit.binding.competition import (
        CompetitionAnalysis,
        analyze_competition,
        curve_parameters,
        fit_competition,
    )
    from assaykit.binding.controls import specific_binding_points, summarize_plates
    from assaykit.binding.pharmacology import cheng_prusoff, log_ki_se_with_kd, relative_potency
    from assaykit.io.counts import counts_from_frame, read_counts
    from assaykit.io.saturation import read_saturation as read_saturation
    from assaykit.saturation import SaturationAnalysis as SaturationAnalysis
    from assaykit.saturation import analyze_saturation as analyze_saturation
    from assaykit.saturation import fit_saturation as fit_saturation

#: Where each public name lives.
_HOMES = {
    "COMPARISON_COLUMNS": "assaykit.binding.columns",
    "POTENCY_COLUMNS": "assaykit.binding.columns",
    "MODEL_COLUMNS": "assaykit.binding.columns",
    "result_columns": "assaykit.binding.columns",
    "CompetitionAnalysis": "assaykit.binding.competition",
    "analyze_competition": "assaykit.binding.competition",
    "curve_parameters": "assaykit.binding.competition",
    "fit_competition": "assaykit.binding.competition",
    "specific_binding_points": "assaykit.binding.controls",
    "summarize_plates": "assaykit.binding.controls",
    "cheng_prusoff": "assaykit.binding.pharmacology",
    "log_ki_se_with_kd": "assaykit.binding.pharmacology",
    "relative_potency": "assaykit.binding.pharmacology",
    "counts_from_frame": "assaykit.io.counts",
    "read_counts": "assaykit.io.counts",
    "SaturationAnalysis": "assaykit.saturation",
    "analyze_saturation": "assaykit.saturation",
    "fit_saturation": "assaykit.saturation",
    "read_saturation": "assaykit.io.saturation",
}

#: The competition names. The saturation ones (the last four of ``_HOMES``) keep working here, but they are
#: documented, and star-imported, in their package :mod:`assaykit.saturation`.
__all__ = [  # spelled out (not sorted(_HOMES)) so that linters see the TYPE_CHECKING names exported
    "COMPARISON_COLUMNS",
    "MODEL_COLUMNS",
    "POTENCY_COLUMNS",
    "CompetitionAnalysis",
    "analyze_competition",
    "cheng_prusoff",
    "counts_from_frame",
    "curve_parameters",
    "fit_competition",
    "log_ki_se_with_kd",
    "read_counts",
    "relative_potency",
    "result_columns",
    "specific_binding_points",
    "summarize_plates",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and keep the name here (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'assaykit.binding' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
