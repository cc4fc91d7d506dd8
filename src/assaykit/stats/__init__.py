"""Group statistics for in-vivo studies: summaries, tests against the control, effect sizes, dose trends."""

from assaykit.stats.compare import GroupComparison, compare_groups, default_endpoints
from assaykit.stats.describe import describe_groups
from assaykit.stats.design import apply_design, design_from_table, read_design

__all__ = [
    "GroupComparison",
    "apply_design",
    "compare_groups",
    "default_endpoints",
    "describe_groups",
    "design_from_table",
    "read_design",
]
