"""Saturation binding: bound radioligand versus its concentration -> Kd and Bmax (and receptor density).

The modules:

- :mod:`assaykit.saturation.analysis`: the analysis (:func:`analyze_saturation`, :func:`fit_saturation`,
  :class:`SaturationAnalysis`): input and option checks, every data set fitted, the results and points
  tables;
- :mod:`assaykit.saturation.checks`: the data sets that must not be fitted (nsb not below total,
  implausible concentrations);
- :mod:`assaykit.saturation.fit`: the points a model fits for one data set, and the fit;
- :mod:`assaykit.saturation.columns`: each model's result columns, in order
  (:data:`~assaykit.saturation.columns.MODEL_COLUMNS`, :func:`~assaykit.saturation.columns.result_columns`);
- :mod:`assaykit.saturation.rows`: one result row per data set;
- :mod:`assaykit.saturation.units`: Bmax in fmol, fmol/mg and sites/cell, and the depletion check;
- :mod:`assaykit.saturation.flags`: the quality flags;
- :mod:`assaykit.saturation.plots`, :mod:`assaykit.saturation.report`: the figure and the terminal table;
- :mod:`assaykit.saturation.workflow`: the ``assaykit saturation`` job, from files to written results.

The reader is :func:`assaykit.io.saturation.read_saturation`, exported here too. The same names are
available from :mod:`assaykit.binding`.

Examples
--------
>>> from assaykit.saturation import analyze_saturation, read_saturation
>>> data = read_saturation("examples/saturation/sat.csv")  # doctest: +SKIP
>>> analysis = analyze_saturation(data, efficiency=0.45, specific_activity_Ci_mmol=85)  # doctest: +SKIP
"""

from assaykit.io.saturation import read_saturation
from assaykit.saturation.analysis import SaturationAnalysis, analyze_saturation, fit_saturation
from assaykit.saturation.columns import MODEL_COLUMNS, result_columns

__all__ = [
    "MODEL_COLUMNS",
    "SaturationAnalysis",
    "analyze_saturation",
    "fit_saturation",
    "read_saturation",
    "result_columns",
]
