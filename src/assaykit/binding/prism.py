"""A competition analysis as Prism data tables: the counts of each plate as an XY table, and the results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from assaykit.binding.competition import CompetitionAnalysis
from assaykit.io.prism.model import XYTable, YDataset

#: The X column title of the tables written: Prism's usual title for log molar competitor concentration.
X_TITLE = "log[competitor], M"


def plate_table(points: pd.DataFrame, plate: str, unit: str) -> XYTable:
    """One plate's tubes as a Prism XY table (see :func:`competition_tables`)."""
    tubes = points[points["plate"].astype(str) == plate]
    role = tubes["role"].astype(str).to_numpy()
    compound = tubes["compound"].astype(str).to_numpy()
    log_conc = tubes["log_conc_M"].to_numpy(float)
    signal = tubes[unit].to_numpy(float)
    competitor = role == "competitor"
    x_values = np.unique(log_conc[competitor])  # sorted: one row per distinct concentration
    names = list(dict.fromkeys(compound[competitor]))
    groups = [(n, (competitor & (compound == n))) for n in names]
    replicates = max(
        [1, *(np.unique(log_conc[m], return_counts=True)[1].max() for _, m in groups if m.any())]
    )
    controls = []
    for kind in ("total", "nsb"):
        mask = role == kind
        if mask.any():  # titled as the file wrote it (TOTAL, NSB, NS, ...)
            controls.append((compound[mask][0], mask, -(-int(mask.sum()) // replicates)))
    rows = x_values.size + sum(n for _, _, n in controls)
    x = np.concatenate([x_values, np.full(rows - x_values.size, np.nan)])
    row_titles = [""] * x_values.size
    datasets = []
    for name, mask in groups:
        values = np.full((rows, replicates), np.nan)
        row = np.searchsorted(x_values, log_conc[mask])
        for i, value in zip(row, signal[mask], strict=True):  # replicates in the file's order
            values[i, np.count_nonzero(np.isfinite(values[i]))] = value
        datasets.append(YDataset(name, values))
    start = x_values.size
    for name, mask, n in controls:  # controls on rows of their own, without X
        values = np.full((rows, replicates), np.nan)
        block = np.full(n * replicates, np.nan)
        block[: int(mask.sum())] = signal[mask]
        values[start : start + n] = block.reshape(n, replicates)
        datasets.append(YDataset(name, values))
        row_titles[len(row_titles) :] = [name] * n
        start += n
    return XYTable(plate, X_TITLE, x, unit, tuple(datasets), tuple(row_titles) if controls else None)


def competition_tables(analysis: CompetitionAnalysis) -> tuple[list[XYTable], dict[str, pd.DataFrame]]:
    """Return the data and results of a competition analysis as Prism tables (for ``write_pzfx``).

    Parameters
    ----------
    analysis
        From :func:`~assaykit.binding.competition.analyze_competition`.

    Returns
    -------
    xy_tables : list of XYTable
        One XY table per plate, titled by the plate id, in the order of ``analysis.plates`` (else of the
        points): X is log10 of the molar competitor concentration (``log[competitor], M``), one row per
        distinct concentration; one data set per compound (its replicates in subcolumns, in the order of
        the input file); the TOTAL and NSB tubes as data sets of their own on rows without X (titled by
        the control's name as written, so reading the file back finds them). Y is the signal (cpm, dpm or
        counts: the table's Y title).
    tables : dict of str to DataFrame
        ``"results"``, ``"plates"``, and ``"comparisons"`` and ``"potency"`` when the analysis has them.

    Examples
    --------
    >>> xy, tables = competition_tables(analysis)  # doctest: +SKIP
    >>> write_pzfx("results.pzfx", xy, tables)  # doctest: +SKIP
    """
    points = analysis.points
    unit = next(c for c in ("cpm", "dpm", "counts") if c in points.columns)
    plates = list(dict.fromkeys(points["plate"].astype(str)))
    if "plate" in analysis.plates.columns:
        order = [p for p in analysis.plates["plate"].astype(str) if p in plates]
        plates = order + [p for p in plates if p not in order]
    tables = {"results": analysis.results, "plates": analysis.plates}
    for name in ("comparisons", "potency"):
        if len(getattr(analysis, name)):
            tables[name] = getattr(analysis, name)
    return [plate_table(points, plate, unit) for plate in plates], tables
