"""Elevated plus maze: tracking logs to the standard anxiolytic endpoints, one row per animal."""

from assaykit.epm.endpoints import EPM, EPM_COLUMNS, compute_epm_endpoints, epm_endpoints

__all__ = ["EPM", "EPM_COLUMNS", "compute_epm_endpoints", "epm_endpoints"]
