"""Fitting every curve of a competition analysis: in one batch where the options allow, else one at a time.

:func:`fit_all` fits the curves :func:`~assaykit.binding.prepare.prepare_competition` built, but those
that must not be fitted or were called inactive. The batch engine (:func:`assaykit.fitting.batch.fit_curves`)
fits every curve its options allow at once, within limits on each curve's potency, Hill slope and plateaus
(:data:`POTENCY_BEYOND_RANGE`, :data:`HILL_LIMITS`, :data:`PLATEAU_BEYOND_SPAN`); the curves it could not
fit, and every curve when its options do not allow it (two sites, homologous, profile intervals, ROUT), are
fitted one at a time by :func:`assaykit.fitting.fit_curve` (with ROUT, :func:`assaykit.fitting.fit_rout`),
over both cores when there are enough of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from assaykit.binding.curves import CurveFits, Curves, report_progress
from assaykit.binding.engine_choice import well_posed
from assaykit.binding.options import CompetitionOptions
from assaykit.errors import AssayInputError
from assaykit.fitting import COMPETITION_MODELS, CurveFit, CurveFitError, fit_curve
from assaykit.fitting.batch import fit_curves
from assaykit.fitting.fitset import FitSet
from assaykit.fitting.outliers import fit_rout
from assaykit.fitting.two_site import order_sites
from assaykit.parallel import map_ordered

__all__ = ["BATCH_MIN_CURVES", "HILL_LIMITS", "PLATEAU_BEYOND_SPAN", "POTENCY_BEYOND_RANGE", "fit_all"]

#: With ``engine="auto"``, the batch engine fits every job its options allow; in a job of fewer curves than
#: this, only its well-posed fits are kept and the others refitted by the lmfit path (engine_choice.py).
BATCH_MIN_CURVES = 20
#: What the one-curve fits import, imported once before a pool of workers is forked.
_PRELOAD = ("lmfit", "scipy.optimize", "scipy.special")


def _fit_one(
    opts: CompetitionOptions,
    x: np.ndarray,
    y: np.ndarray,
    fixed: dict[str, float],
    data: dict[str, np.ndarray] | None,
) -> tuple[CurveFit, np.ndarray, bool]:
    """Fit one curve as the options say.

    Returns the fit, the outlier mask (all False without ROUT) and whether ROUT's robust fit settled.

    Raises
    ------
    CurveFitError
        When the curve cannot be fitted.
    """
    model = COMPETITION_MODELS[opts.model]
    weights = "poisson" if opts.weights == "poisson" else None
    common = {
        "fixed": fixed,
        "constants": opts.constants,
        "data": data,
        "weights": weights,
        "level": opts.level,
    }
    if opts.outliers == "rout":
        rout = fit_rout(model, x, y, q_percent=opts.rout_q, ci=opts.ci, **common)
        fit, outlier, settled = rout.fit, rout.outlier, rout.robust.converged
    else:
        fit, outlier, settled = fit_curve(model, x, y, ci=opts.ci, **common), np.zeros(x.size, bool), True
    if opts.model in ("two-site", "two-site-ki"):
        fit = order_sites(fit, x[~outlier], y[~outlier])
    return fit, outlier, settled


def _fit_task(
    task: tuple[CompetitionOptions, np.ndarray, np.ndarray, dict | None, dict[str, float]],
) -> tuple[CurveFit, np.ndarray, bool] | str:
    """:func:`_fit_one` for a worker process: ``(opts, x, y, data, fixed)`` in, the fit or why not out."""
    opts, x, y, data, fixed = task
    try:
        return _fit_one(opts, x, y, fixed, data)
    except CurveFitError as exc:
        return str(exc)


def _use_batch(opts: CompetitionOptions, engine: str) -> bool:
    """Whether the batch engine fits the curves (``engine`` of :func:`assaykit.binding.analyze_competition`).

    Raises
    ------
    AssayInputError
        For an unknown ``engine``, and for ``"batch"`` with options the batch engine does not fit.
    """
    if engine not in ("auto", "batch", "lmfit"):
        raise AssayInputError(f"--engine must be auto, batch or lmfit, not '{engine}'")
    supported = (
        COMPETITION_MODELS[opts.model].batch_guess is not None
        and opts.ci == "asymptotic"
        and opts.outliers == "none"
    )
    if engine == "batch" and not supported:
        raise AssayInputError(
            "--engine batch fits 4pl, one-site and fit-ki with asymptotic intervals and no outlier removal; "
            "use --engine auto or lmfit for these options"
        )
    return engine == "batch" or (engine == "auto" and supported)


#: Log units beyond the tested concentrations where the batch engine stops a curve's log IC50 (or log Ki),
#: and the Hill slopes it stops at: such a curve has no minimum there (Top - Bottom and log IC50 trade off
#: without end), and an IC50 that far out is not an estimate anyone can use.
POTENCY_BEYOND_RANGE = 3.0
HILL_LIMITS = (-10.0, 10.0)


#: Plateaus stop this many times the curve's own span (highest minus lowest tube) beyond its tubes.
PLATEAU_BEYOND_SPAN = 4.0


def _limits(
    opts: CompetitionOptions, table: pd.DataFrame, y: np.ndarray, mask: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Return the batch engine's limits of each curve's potency, Hill slope and plateaus.

    See :data:`POTENCY_BEYOND_RANGE`, :data:`HILL_LIMITS` and :data:`PLATEAU_BEYOND_SPAN`: beyond them a fit
    is trading a plateau far outside the data against an IC50 far outside the tested range.
    """
    low = table["x_lo"].to_numpy(float) - POTENCY_BEYOND_RANGE
    high = table["x_hi"].to_numpy(float) + POTENCY_BEYOND_RANGE
    y_lo = np.where(mask, y, np.inf).min(axis=1)
    y_hi = np.where(mask, y, -np.inf).max(axis=1)
    span = PLATEAU_BEYOND_SPAN * np.maximum(y_hi - y_lo, 1e-9 * np.maximum(np.abs(y_hi), 1.0))
    plateau = (y_lo - span, y_hi + span)
    potency = COMPETITION_MODELS[opts.model].potency
    if potency == "log_ki":  # log Ki = log IC50 - log10(1 + L/Kd)
        shift = opts.ki.shift()
        if np.isfinite(shift):
            low, high = low - shift, high - shift
    return {potency: (low, high), "hill_slope": HILL_LIMITS, "top": plateau, "bottom": plateau}


def _monotone(progress: Callable[[int, int], None] | None) -> Callable[[int, int], None] | None:
    """Wrap a progress callback so that ``done`` never goes back (a stage's bar stays put instead)."""
    if progress is None:
        return None
    last = [-1]

    def report(done: int, total: int) -> None:
        if done >= last[0]:
            last[0] = done
            progress(done, total)

    return report


def fit_all(
    curves: Curves,
    fixed: dict[str, np.ndarray],
    opts: CompetitionOptions,
    engine: str,
    progress: Callable[[int, int], None] | None,
    skip: Mapping[int, str],
    inactive: Mapping[int, str],
) -> tuple[FitSet, np.ndarray, dict[int, str], CurveFits, dict[int, np.ndarray]]:
    """Fit every curve but those in ``skip`` and ``inactive``: in one batch where possible, else one by one.

    Returns the fits (row ``i`` is curve ``fitted[i]``), ``fitted``, the reasons curves could not be
    fitted (``skip``'s among them), the fits as a mapping by ``(compound, plate)``, and ROUT's outlier mask
    of each curve it ran on. ROUT's counts go into the curve table's ``n_outliers`` and ``rout_converged``
    columns.
    """
    table = curves.table
    total = len(table)
    model = COMPETITION_MODELS[opts.model]
    batch: FitSet | None = None
    batch_row = np.full(total, -1)
    todo = np.flatnonzero(~np.isin(np.arange(total), [*skip, *inactive]))
    single = todo
    progress = _monotone(progress)  # the batch's chunks count curves its failures are refitted after
    passed = total - todo.size  # curves not to fit count as done for the progress bar
    if passed:
        report_progress(progress, passed, total)
    if todo.size and _use_batch(opts, engine):
        rows = todo if todo.size < total else slice(None)  # a slice takes no copy of the padded arrays
        x, y = (column[rows] for column in curves.padded.columns[:2])
        weights = "poisson" if opts.weights == "poisson" else None
        batch = fit_curves(
            model, x, y, curves.padded.mask[rows], fixed={k: v[rows] for k, v in fixed.items()},
            constants=opts.constants, weights=weights, level=opts.level,
            limits=_limits(opts, table.iloc[todo], y, curves.padded.mask[todo]),
            progress=lambda done: report_progress(progress, passed + done, total),
        )  # fmt: skip
        # a curve stopped at its limits has no minimum where its IC50 means anything: refitting it one at a
        # time from other starts would take seconds and end the same way, so it keeps its batch row
        stopped = np.array([m.startswith("stopped") for m in batch.message], dtype=bool)
        keep = batch.converged | stopped
        if engine == "auto" and total < BATCH_MIN_CURVES:  # a small job: the lmfit path's results, fast;
            # its stopped and ill-posed curves are refitted one at a time (engine_choice.py)
            keep = well_posed(batch, *(table[c].to_numpy(float)[todo] for c in ("x_lo", "x_hi")))
        good = todo[keep]
        batch_row[good] = np.arange(good.size)
        batch = batch.take(np.flatnonzero(keep))
        single = todo[batch_row[todo] < 0]
        report_progress(progress, good.size + passed, total)
    singles: dict[int, CurveFit | None] = dict.fromkeys([*skip, *inactive])
    errors: dict[int, str] = dict(skip)
    outliers: dict[int, np.ndarray] = {}
    n_outliers = table["n_outliers"].to_numpy(float).copy()
    settled_all = table["rout_converged"].to_numpy(bool).copy()
    tasks = [(opts, *curves.points(i), {k: float(v[i]) for k, v in fixed.items()}) for i in single]
    before = total - single.size
    outcomes = map_ordered(
        _fit_task, tasks, progress=lambda n: report_progress(progress, before + n, total), preload=_PRELOAD
    )
    for i, outcome in zip(single, outcomes, strict=True):  # over both cores when there are enough curves
        if isinstance(outcome, str):
            singles[i], errors[i] = None, outcome
        else:
            singles[i], outlier, settled = outcome
            if opts.outliers == "rout":
                outliers[i], n_outliers[i], settled_all[i] = outlier, int(outlier.sum()), settled
    table["n_outliers"], table["rout_converged"] = n_outliers, settled_all
    fitted_single = [i for i in single if singles[i] is not None]
    parts = [batch] if batch is not None else []
    parts.append(FitSet.from_fits([singles[i] for i in fitted_single], model=model))
    fits = FitSet.concat(parts)
    fitted = np.concatenate([np.flatnonzero(batch_row >= 0), np.asarray(fitted_single, dtype=int)])
    keys = list(zip(table["compound"], table["plate"], strict=True))
    return fits, fitted, errors, CurveFits(keys, batch, batch_row, singles), outliers
