"""Model comparison for one competition curve: one site against two, a Hill slope of -1 against a free one.

Both comparisons are nested (one site is two sites with ``fraction_hi = 1``; the one-site model is the 4PL
with the Hill slope fixed at -1), so :func:`~assaykit.fitting.compare.compare_fits` applies its F test and
AICc to them.
"""

from __future__ import annotations

import numpy as np

from assaykit.fitting import COMPETITION_MODELS, CurveFit, CurveFitError, fit_curve
from assaykit.fitting.compare import compare_fits

#: The comparisons made for each curve: (simpler model, more complex model).
COMPARISONS = (("one-site", "two-site"), ("one-site", "4pl"))


def compare_curve(
    x: np.ndarray,
    y: np.ndarray,
    *,
    fixed: dict[str, float],
    main: CurveFit,
    level: float = 0.95,
) -> list[dict[str, object]]:
    """Fit the compared models to one curve's points and compare them.

    Parameters
    ----------
    x, y
        The points of the main fit (with ROUT, the points that are not outliers).
    fixed
        The plateaus held constant in the main fit (``top``/``bottom``); held the same in every model.
    main
        The curve's main fit. It is reused when its model is one of those compared, and its weights (none,
        or the final Poisson weights ``1/Y`` of its curve) are used for every model, so that all the sums of
        squares are on the same weights.
    level
        Confidence level (only for the fits' own intervals).

    Returns
    -------
    list of dict
        One row per comparison in :data:`COMPARISONS` (the columns of
        :class:`~assaykit.fitting.compare.ModelComparison`).
    """
    fits: dict[str, CurveFit | None] = {}
    reasons: dict[str, str] = {}
    for name in dict.fromkeys(name for pair in COMPARISONS for name in pair):
        if main.model.name == name:
            fits[name] = main
            continue
        try:
            model = COMPETITION_MODELS[name]
            fits[name] = fit_curve(model, x, y, fixed=fixed, weights=main.weights, level=level)
        except CurveFitError as exc:
            fits[name], reasons[name] = None, str(exc)
    rows = []
    for simple, complex_ in COMPARISONS:
        row = compare_fits(fits[simple], fits[complex_], names=(simple, complex_)).as_row()
        why = "; ".join(f"{name}: {reasons[name]}" for name in (simple, complex_) if name in reasons)
        if why:
            row["note"] = f"{row['note']} ({why})"
        rows.append(row)
    return rows
