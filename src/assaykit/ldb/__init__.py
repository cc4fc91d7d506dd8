"""Light-dark box: tracking logs to latency, time in the light, transitions, one row per animal."""

from assaykit.ldb.endpoints import LDB, LDB_COLUMNS, compute_ldb_endpoints, ldb_endpoints

__all__ = ["LDB", "LDB_COLUMNS", "compute_ldb_endpoints", "ldb_endpoints"]
