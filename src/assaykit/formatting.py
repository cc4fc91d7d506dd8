"""Number formatting for terminal tables (files keep full precision)."""

from __future__ import annotations

import math


def sig(value: object, digits: int = 3) -> str:
    """Format a number to ``digits`` significant figures; blanks for NaN, and inf as is."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return ""
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    rounded = float(f"{number:.{digits}g}")
    if rounded == 0 or not 1e-3 <= abs(rounded) < 1e7:
        return f"{rounded:.{digits}g}"
    decimals = max(digits - 1 - math.floor(math.log10(abs(rounded))), 0)
    return f"{rounded:.{decimals}f}"
