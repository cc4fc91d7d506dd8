"""The report sections: one module per kind, each building a :class:`~assaykit.report.document.Section`.

:func:`binding_section`, :func:`saturation_section`, :func:`tracking_section` (EPM, LDB, with the group
comparison of ``--design``) and :func:`compare_section`.
"""

from __future__ import annotations

from assaykit.report.sections.binding import binding_section
from assaykit.report.sections.compare import compare_section
from assaykit.report.sections.saturation import saturation_section
from assaykit.report.sections.tracking import tracking_section

__all__ = ["binding_section", "compare_section", "saturation_section", "tracking_section"]
