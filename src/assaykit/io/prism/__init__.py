"""GraphPad Prism ``.pzfx`` files in and out: data tables as Python values, and binding data from them.

Prism's XML project format is read and written with the standard library (``xml.etree.ElementTree``):

- :func:`read_pzfx` and :func:`write_pzfx`: the data tables (:class:`XYTable`, :class:`ColumnTable`);
- :func:`read_pzfx_counts`: competition binding counts as the canonical counts frame;
- :func:`read_pzfx_saturation`: saturation binding as the canonical saturation frame.
"""

from __future__ import annotations

from assaykit.io.prism.counts import read_pzfx_counts
from assaykit.io.prism.model import ColumnTable, XYTable, YDataset
from assaykit.io.prism.read import read_pzfx
from assaykit.io.prism.saturation import read_pzfx_saturation
from assaykit.io.prism.write import write_pzfx

__all__ = [
    "ColumnTable",
    "XYTable",
    "YDataset",
    "read_pzfx",
    "read_pzfx_counts",
    "read_pzfx_saturation",
    "write_pzfx",
]
