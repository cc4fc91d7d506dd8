"""The tables of a GraphPad Prism ``.pzfx`` file, as Python values.

A Prism project holds data tables. An *XY table* has one X column (one number per row) and Y columns,
each a *data set* with a title and one subcolumn per replicate; a *column table* (Prism's "Column" and
"Grouped" tables) has row titles and Y columns but no X. Empty cells are NaN; a cell Prism marks
excluded (shown struck out in Prism, and left out of its analyses) is NaN too, and flagged in
:attr:`YDataset.excluded`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class YDataset:
    """One Y column (data set) of a Prism table.

    Attributes
    ----------
    title
        The column title: the compound, or TOTAL/NSB/Total/Nonspecific for controls.
    values
        float, shape (rows, subcolumns): one subcolumn per replicate; NaN for empty and excluded cells.
    excluded
        bool, same shape: the cells Prism marks excluded; None when none is.
    """

    title: str
    values: np.ndarray
    excluded: np.ndarray | None = None

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=float)
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            raise ValueError(f"data set '{self.title}': values must be 2-D (rows, replicates)")
        object.__setattr__(self, "values", values)
        if self.excluded is not None:
            excluded = np.asarray(self.excluded, dtype=bool)
            if excluded.shape != values.shape:
                raise ValueError(f"data set '{self.title}': excluded must have the shape of values")
            object.__setattr__(self, "excluded", excluded if excluded.any() else None)


@dataclass(frozen=True, eq=False)
class XYTable:
    """A Prism XY data table.

    Attributes
    ----------
    title
        The table title (assaykit: the plate, or the saturation data set).
    x_title
        The X column title, e.g. ``"log[competitor], M"`` or ``"[3H]flunitrazepam, nM"``.
    x
        float, one per row; NaN for empty cells (rows of control data sets have none).
    y_title
        What Y measures, e.g. ``"cpm"``. Prism keeps no Y title with a data table: assaykit writes it to the
        project info (a constant ``Y title: <table title>``) and reads it back from there; ``""`` when a
        file has none.
    datasets
        The Y columns, each with ``len(x)`` rows.
    row_titles
        One text per row, or None for a table without row titles.
    y_format
        Prism's ``YFormat``: ``"replicates"`` (one subcolumn per replicate) or a summary format such as
        ``"SDN"`` (mean, SD, N), whose subcolumns are not replicates.
    """

    title: str
    x_title: str
    x: np.ndarray
    y_title: str
    datasets: tuple[YDataset, ...]
    row_titles: tuple[str, ...] | None = None
    y_format: str = "replicates"

    def __post_init__(self) -> None:
        x = np.asarray(self.x, dtype=float).reshape(-1)
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "datasets", tuple(self.datasets))
        for dataset in self.datasets:
            if dataset.values.shape[0] != x.size:
                raise ValueError(
                    f"table '{self.title}', data set '{dataset.title}': {dataset.values.shape[0]} rows, "
                    f"but X has {x.size}"
                )
        if self.row_titles is not None:
            titles = tuple(str(t) for t in self.row_titles)
            if len(titles) != x.size:
                raise ValueError(f"table '{self.title}': {len(titles)} row titles for {x.size} rows")
            object.__setattr__(self, "row_titles", titles)


@dataclass(frozen=True, eq=False)
class ColumnTable:
    """A Prism data table without X (``TableType`` ``OneWay``, ``TwoWay``, ...).

    Attributes
    ----------
    title
        The table title.
    row_titles
        One text per row (``""`` where empty).
    datasets
        The Y columns; cells that are not numbers are NaN.
    table_type
        Prism's ``TableType`` (``"OneWay"`` for a column table, ``"TwoWay"`` for a grouped one, ...).
    """

    title: str
    row_titles: tuple[str, ...]
    datasets: tuple[YDataset, ...]
    table_type: str = "OneWay"
