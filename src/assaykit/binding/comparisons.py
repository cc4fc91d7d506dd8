"""Model comparison for one competition curve: one site against two, a Hill slope of -1 against a free one.

Both comparisons are nested (one site is two sites with ``fraction_hi = 1``; the one-site model is the 4PL
with the Hill slope fixed at -1), so :func:`~assaykit.fitting.compare.compare_fits` applies its F test and
AICc to them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from assaykit.binding.curves import Curves, report_progress
from assaykit.fitting import COMPETITION_MODELS, CurveFit, CurveFitError, fit_curve
from assaykit.fitting.batch import fit_curves
from assaykit.fitting.compare import compare_fits
from assaykit.fitting.fitset import FitSet
from assaykit.fitting.logistic import guess_competition_batch
from assaykit.fitting.two_site_batch import fit_two_site_curves
from assaykit.progress import start_stage

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


@dataclass(frozen=True)
class _Summary:
    """What :func:`~assaykit.fitting.compare.compare_fits` reads of a fit, for one row of a FitSet."""

    ss: float
    df: int
    n_points: int
    free: tuple[str, ...]
    converged: bool
    ambiguous: bool


def _summaries(fits: FitSet) -> list[_Summary]:
    """One summary per row; a fit that ran off where its parameters are not identifiable is ambiguous.

    The batch engine keeps iterating where a model has no finite best fit (two sites merging with fractions
    beyond 0 and 1 to mimic a steep curve, a site or the IC50 running beyond the tested range), and stops
    without converging; the one-curve optimiser stops there and reports an ambiguous fit. A row that did
    not converge but whose last iterate is finite and ambiguous (singular, or a dependency above 0.9999)
    is therefore reported as ambiguous, as Prism and the one-curve path report it.
    """
    ambiguous = fits.ambiguous
    finite = np.isfinite(fits.values).all(axis=1) & np.isfinite(fits.ss)
    stopped = fits.converged | (ambiguous & finite)
    return [
        _Summary(float(ss), int(df), int(n), fits.free, bool(ok), bool(amb))
        for ss, df, n, ok, amb in zip(fits.ss, fits.df, fits.n_points, stopped, ambiguous, strict=True)
    ]


def _why_unfittable(x: np.ndarray, mask: np.ndarray, n_free: int) -> list[str]:
    """Return why :func:`~assaykit.fitting.fit_curve` cannot fit each curve ('' where it can)."""
    xs = np.sort(np.where(mask, x, np.inf), axis=1)
    distinct = np.isfinite(xs[:, :1]).sum(axis=1) + ((xs[:, 1:] != xs[:, :-1]) & np.isfinite(xs[:, 1:])).sum(
        1
    )
    n = mask.sum(axis=1)
    return [
        f"{d} distinct concentration(s) cannot determine {n_free} free parameters"
        if d < n_free
        else (
            f"{m} points leave no degrees of freedom for {n_free} free parameters" if m - n_free < 1 else ""
        )
        for d, m in zip(distinct, n, strict=True)
    ]


def _shifted_guess(position: float):  # noqa: ANN202 - a batch guess
    """Return the competition batch guess with log IC50 at ``position`` of each curve's tested range.

    These are :func:`~assaykit.fitting.fit_curve`'s further starts (a quarter, half and three quarters of
    the range), tried there one curve at a time after the data-driven guess fails.
    """

    def guess(x: np.ndarray, y: np.ndarray, mask: np.ndarray, constants=None) -> dict:  # noqa: ANN001
        values = guess_competition_batch(x, y, mask, constants)
        lo = np.where(mask, x, np.inf).min(axis=1)
        hi = np.where(mask, x, -np.inf).max(axis=1)
        values["log_ic50"] = lo + position * (hi - lo)
        return values

    return guess


def _fit_sigmoid(name: str, x, y, mask, fixed, weights, level) -> FitSet:  # noqa: ANN001
    """Batch fit of ``one-site`` or ``4pl``; curves that do not converge get fit_curve's further starts."""
    model = COMPETITION_MODELS[name]
    options = {"fixed": fixed, "weights": weights, "level": level}
    fits = fit_curves(model, x, y, mask, **options)
    for position in (0.25, 0.5, 0.75):
        again = np.flatnonzero(
            ~fits.converged & (np.array(fits.message) != "not fittable by the batch engine")
        )
        if not again.size:
            break
        sub = {k: v[again] for k, v in fixed.items()}
        w = None if weights is None else weights[again]
        retry = fit_curves(
            replace(model, batch_guess=_shifted_guess(position)), x[again], y[again], mask[again],
            fixed=sub, weights=w, level=level,
        )  # fmt: skip
        took = again[retry.converged]
        if took.size:
            rows = np.arange(len(fits))
            rows[took] = len(fits) + np.flatnonzero(retry.converged)
            fits = FitSet.concat([fits, retry]).take(rows)
    return fits


def compare_screen(
    x: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray,
    *,
    fixed: Mapping[str, np.ndarray],
    main: FitSet,
    level: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
) -> list[list[dict[str, object]]]:
    """:func:`compare_curve` for many curves at once, with the batch engine.

    Parameters
    ----------
    x, y, mask
        ``(C, N)`` points of the main fits, each curve's points first in its row in the order of its fit
        (with ROUT, only the points that are not outliers), as the main fits' weights are stored.
    fixed
        The plateaus held constant in the main fits, one value per curve.
    main
        The curves' main fits (row ``i`` is curve ``i``): reused when their model is one of those compared,
        and their weights (none, or the final Poisson weights) are used for every model.
    level
        Confidence level (only for the fits' own intervals).
    progress
        Called as ``progress(done, total)`` as the batches finish (``total`` is the number of curves).

    Returns
    -------
    list of list of dict
        For each curve, its rows of :func:`compare_curve`.

    Notes
    -----
    ``one-site`` and ``4pl`` are fitted by :func:`~assaykit.fitting.batch.fit_curves`, curves that do not
    converge from the data-driven guess again from :func:`~assaykit.fitting.fit_curve`'s further starts;
    ``two-site`` by :func:`~assaykit.fitting.two_site_batch.fit_two_site_curves` (every grid start of every
    curve). On well-posed curves the table is the one-curve path's (F and P within 1e-6 relative, the same
    preferred model). A model with no finite best fit on a curve is reported as ambiguous, as the one-curve
    path reports it (see :func:`_summaries`); its SS may be lower than the one-curve path's, which can stop
    earlier on the way, and either way the other model is chosen without a test.
    """
    c = x.shape[0]
    weights = None
    if main.weights is not None:
        weights = np.ones(x.shape)
        width = min(x.shape[1], main.weights.shape[1])
        weights[:, :width] = main.weights[:, :width]
        weights = np.where(mask, weights, 1.0)
    names = list(dict.fromkeys(name for pair in COMPARISONS for name in pair))
    cost = {"one-site": 1.0, "4pl": 1.0, "two-site": 8.0}  # relative work of each model's batch
    done = np.cumsum([cost[name] for name in names]) / sum(cost[name] for name in names)
    summaries: dict[str, list[_Summary | None]] = {}
    reasons: dict[str, list[str]] = {}
    for step, name in enumerate(names):
        if main.model.name == name:
            fits = main
            reasons[name] = [""] * c
        elif name == "two-site":
            fits = fit_two_site_curves(x, y, mask, fixed=fixed, weights=weights, level=level)
        else:
            fits = _fit_sigmoid(name, x, y, mask, fixed, weights, level)
        if name not in reasons:
            n_free = len(fits.free)
            reasons[name] = _why_unfittable(x, mask, n_free)
        summaries[name] = [None if why else s for s, why in zip(_summaries(fits), reasons[name], strict=True)]
        report_progress(progress, round(done[step] * c), c)
    out = []
    for i in range(c):
        rows = []
        for simple, complex_ in COMPARISONS:
            row = compare_fits(
                summaries[simple][i], summaries[complex_][i], names=(simple, complex_)
            ).as_row()
            why = "; ".join(f"{n}: {reasons[n][i]}" for n in (simple, complex_) if reasons[n][i])
            if why:
                row["note"] = f"{row['note']} ({why})"
            rows.append(row)
        out.append(rows)
    return out


def compare_fitted(
    curves: Curves,
    fitted: np.ndarray,
    fits: FitSet,
    outliers: Mapping[int, np.ndarray],
    fixed: Mapping[str, np.ndarray],
    *,
    level: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, object]]:
    """Return the comparison table's rows for the fitted curves of an analysis (the ``compare`` stage).

    Parameters
    ----------
    curves
        The analysis's curves.
    fitted
        Positions of the fitted curves; fit ``i`` of ``fits`` is curve ``fitted[i]``.
    fits
        The main fits.
    outliers
        ROUT's outlier mask of each curve it ran on (its points in table order); those points are left out.
    fixed
        The plateaus held constant, one value per curve of ``curves``.
    level
        Confidence level.
    progress
        The analysis's progress callback; the stage is labelled ``comparisons``
        (:func:`assaykit.progress.start_stage`).

    Returns
    -------
    list of dict
        Two rows per fitted curve (``compound``, ``plate`` and :func:`compare_curve`'s columns), in the
        order of ``fitted``.
    """
    fitted = np.asarray(fitted, dtype=int)
    if not fitted.size:
        return []
    start_stage(progress, "comparisons")
    keep = curves.padded.mask[fitted].copy()
    for row, i in enumerate(fitted):
        if i in outliers:
            keep[row, : outliers[i].size] &= ~outliers[i]
    order = np.argsort(~keep, axis=1, kind="stable")  # each curve's kept points first, in table order
    x, y = (np.take_along_axis(column[fitted], order, axis=1) for column in curves.padded.columns[:2])
    mask = np.take_along_axis(keep, order, axis=1)
    x = np.where(mask, x, x[:, :1])  # padding: a finite concentration of the curve
    table = curves.table
    per_curve = compare_screen(
        x, y, mask, fixed={k: v[fitted] for k, v in fixed.items()}, main=fits, level=level, progress=progress
    )
    out = []
    for i, rows in zip(fitted, per_curve, strict=True):
        keys = {"compound": table["compound"].iat[i], "plate": table["plate"].iat[i]}
        out.extend({**keys, **row} for row in rows)
    return out
