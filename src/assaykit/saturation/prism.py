"""A saturation analysis as Prism data tables: each data set's tubes as an XY table, and the results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from assaykit.io.prism.model import XYTable, YDataset
from assaykit.saturation.analysis import SaturationAnalysis

#: The X column title of the tables written.
X_TITLE = "[radioligand], nM"
_TITLES = {"total": "Total", "nsb": "Nonspecific", "specific": "Specific"}


def dataset_table(points: pd.DataFrame, dataset: str, unit: str) -> XYTable:
    """One data set's tubes as a Prism XY table (see :func:`saturation_tables`)."""
    tubes = points[points["dataset"].astype(str) == dataset]
    kind = tubes["kind"].astype(str).to_numpy()
    conc = tubes["conc_nM"].to_numpy(float)
    signal = tubes[unit].to_numpy(float)
    x = np.unique(conc)
    kinds = [k for k in _TITLES if (kind == k).any()]
    replicates = max(int(np.unique(conc[kind == k], return_counts=True)[1].max()) for k in kinds)
    datasets = []
    for k in kinds:
        mask = kind == k
        values = np.full((x.size, replicates), np.nan)
        for i, value in zip(np.searchsorted(x, conc[mask]), signal[mask], strict=True):
            values[i, np.count_nonzero(np.isfinite(values[i]))] = value
        datasets.append(YDataset(_TITLES[k], values))
    return XYTable(dataset, X_TITLE, x, unit, tuple(datasets))


def saturation_tables(analysis: SaturationAnalysis) -> tuple[list[XYTable], dict[str, pd.DataFrame]]:
    """Return the data and results of a saturation analysis as Prism tables (for ``write_pzfx``).

    Parameters
    ----------
    analysis
        From :func:`~assaykit.saturation.analysis.analyze_saturation`.

    Returns
    -------
    xy_tables : list of XYTable
        One XY table per data set, titled by it: X the radioligand concentration in nM
        (``[radioligand], nM``), one row per distinct concentration; data sets Total and Nonspecific (or
        Specific for specific binding), replicates in subcolumns in the order of the input; Y the signal,
        its unit the table's Y title.
    tables : dict of str to DataFrame
        ``{"results": analysis.results}``.
    """
    points = analysis.points
    unit = str(analysis.results.attrs.get("signal_unit") or "")
    if unit not in points.columns:
        unit = next(c for c in points.columns if c in ("cpm", "dpm", "counts"))
    datasets = list(dict.fromkeys(points["dataset"].astype(str)))
    return [dataset_table(points, d, unit) for d in datasets], {"results": analysis.results}
