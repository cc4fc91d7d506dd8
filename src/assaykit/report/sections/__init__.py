"""The report sections: one module per kind, each building a :class:`~assaykit.report.document.Section`.

:func:`binding_section`, :func:`saturation_section`, :func:`tracking_section` (EPM, LDB, with the group
comparison of ``--design``), :func:`compare_section`, :func:`pk_section` and :func:`trial_section`. Each is
imported when first used, so that a binding report does not import the statistics (scipy, statsmodels).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "binding_section",
    "compare_section",
    "pk_section",
    "saturation_section",
    "tracking_section",
    "trial_section",
]

_MODULES = {
    "binding_section": "binding",
    "compare_section": "compare",
    "pk_section": "pk",
    "saturation_section": "saturation",
    "tracking_section": "tracking",
    "trial_section": "trial",
}


def __getattr__(name: str) -> Any:
    """Import a section builder on first use (PEP 562)."""
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
    globals()[name] = value
    return value
