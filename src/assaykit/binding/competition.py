"""Competition binding: counts of a labelled ligand displaced by a test compound -> IC50 -> Ki.

A *curve* is one compound on one plate: its tubes are fitted together, every replicate as its own point,
and the plate's TOTAL and NSB tubes supply its controls. The same compound on two plates gives two rows
(independent experiments); give them one plate id to pool them.

This module holds the analysis (:func:`analyze_competition`, :func:`fit_competition`,
:class:`CompetitionAnalysis`) and its second half, :func:`fit_prepared`: the activity calls, the fits and
the tables. The parts live in

- :mod:`assaykit.binding.prepare`: the first half, :func:`~assaykit.binding.prepare.prepare_competition`
  (options checked, counts grouped into curves, the curves that must not be fitted);
- :mod:`assaykit.binding.activity`: the displacement test and the activity calls;
- :mod:`assaykit.binding.fit_loop`: the fitting of every curve, in one batch or one at a time;
- :mod:`assaykit.binding.rows`: the results table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Literal

import numpy as np
import pandas as pd

from assaykit.binding.activity import ACTIVITY_DEFAULTS, activity_calls, add_activity_columns, inactive_note
from assaykit.binding.columns import COMPARISON_COLUMNS, POTENCY_COLUMNS, column_name
from assaykit.binding.comparisons import compare_fitted
from assaykit.binding.controls import points_table
from assaykit.binding.fit_loop import fit_all
from assaykit.binding.pharmacology import relative_potency
from assaykit.binding.prepare import EngineName, ModelName, PreparedCompetition, prepare_competition
from assaykit.binding.rows import result_table
from assaykit.errors import AssayInputError
from assaykit.fitting import CurveFit
from assaykit.fitting.fitset import FitSet
from assaykit.progress import start_stage

__all__ = [
    "CompetitionAnalysis",
    "analyze_competition",
    "curve_parameters",
    "fit_competition",
    "fit_prepared",
    "prepare_competition",
]


@dataclass(frozen=True)
class CompetitionAnalysis:
    """Everything a competition analysis produces.

    Attributes
    ----------
    results
        One row per curve (compound x plate), the columns of its model in the documented order
        (:func:`~assaykit.binding.columns.result_columns`; Top, Bottom, Bmax, Sy.x and SS named with the
        signal unit, e.g. ``top_cpm``).
    plates
        One row per plate: control means, SDs, specific window and Z'
        (:func:`~assaykit.binding.controls.summarize_plates`).
    points
        Every tube with specific binding, percent specific binding, and for competitor tubes the fitted
        value and residual (``fitted_<u>``, ``residual_<u>``) and whether ROUT called it an ``outlier``.
        Built when first read (by ``make_points``), so that a run that writes only the results table does
        not hold a second copy of every tube: a third of the memory of a million-curve run.
    make_points
        Builds ``points`` (:func:`~assaykit.binding.controls.points_table` of the analysis' curves and fits).
    fits
        The :class:`~assaykit.fitting.CurveFit` of each curve, keyed by ``(compound, plate)``; None for a
        curve that could not be fitted. With ROUT, the fit of the points that are not outliers. (A read-only
        mapping that builds each batch-engine fit when it is first looked up.)
    notes
        Sentences the user should read (e.g. why Ki is empty).
    comparisons
        With ``compare=True``: one row per curve and model comparison, columns
        :data:`~assaykit.binding.columns.COMPARISON_COLUMNS`; otherwise empty.
    potency
        With ``potency_vs``: one row per compound and plate shared with the reference, columns
        :data:`~assaykit.binding.columns.POTENCY_COLUMNS`; otherwise empty.
    """

    results: pd.DataFrame
    plates: pd.DataFrame
    make_points: Callable[[], pd.DataFrame] = field(repr=False, compare=False)
    fits: Mapping[tuple[str, str], CurveFit | None] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    comparisons: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(COMPARISON_COLUMNS)))
    potency: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(POTENCY_COLUMNS)))

    @cached_property
    def points(self) -> pd.DataFrame:
        """The per-tube table (see the class docstring), built on first use and kept."""
        return self.make_points()


def analyze_competition(
    counts: pd.DataFrame,
    *,
    kd_nM: float | None = None,  # noqa: N803 - the unit is part of the name
    radioligand_nM: float | None = None,  # noqa: N803
    model: ModelName = "4pl",
    top: str | float = "free",
    bottom: str | float = "free",
    ci: Literal["asymptotic", "profile"] = "asymptotic",
    level: float = 0.95,
    kd_lo_nM: float | None = None,  # noqa: N803
    kd_se_nM: float | None = None,  # noqa: N803
    weights: Literal["none", "poisson"] = "none",
    outliers: Literal["none", "rout"] = "none",
    rout_q: float = 1.0,
    compare: bool = False,
    potency_vs: str | None = None,
    engine: EngineName = "auto",
    fdr: float = ACTIVITY_DEFAULTS["fdr"],
    min_displacement_pct: float = ACTIVITY_DEFAULTS["min_displacement_pct"],
    progress: Callable[[int, int], None] | None = None,
    points: bool = True,
) -> CompetitionAnalysis:
    """Fit every competition curve in a counts table and derive IC50 and Ki (or Kd).

    Parameters
    ----------
    counts
        The canonical counts frame from :func:`assaykit.io.counts.read_counts` (or
        :func:`assaykit.io.counts.counts_from_frame` for a DataFrame built in Python).
    kd_nM, radioligand_nM
        The radioligand's Kd and its concentration in the assay, nM. With both, Ki is computed by
        Cheng-Prusoff; without them the Ki columns are NaN and ``notes`` says why. For ``homologous``,
        ``radioligand_nM`` is the hot concentration of tubes without a ``hot_nM`` value, and Kd is fitted.
    model
        ``"4pl"`` (four-parameter logistic, Hill slope free; the default), ``"one-site"`` (Hill slope fixed
        at -1, Prism "One site - Fit logIC50"), ``"fit-ki"`` (Prism "One site - Fit Ki"), ``"two-site"``
        (Prism "Two sites - Fit logIC50"), ``"two-site-ki"`` (Prism "Two sites - Fit Ki") or
        ``"homologous"`` (Prism "One site - Homologous": each compound is the unlabelled radioligand).
    top
        ``"free"``, ``"total"`` (fixed at the plate's mean TOTAL signal) or a number (fixed there); must
        be ``"free"`` for ``homologous``, which has no Top.
    bottom
        ``"free"``, ``"nsb"`` (fixed at the plate's mean NSB signal) or a number.
    ci
        ``"asymptotic"`` (Prism's default: estimate +/- t x SE) or ``"profile"`` (profile likelihood for
        the model's potency: log IC50, log Ki, the high-affinity site, or log Kd).
    level
        Confidence level of the intervals.
    kd_lo_nM
        Two-site models: the radioligand's Kd at the competitor's low-affinity site, nM (Prism's
        HotKdNMLo); the default is ``kd_nM`` (the radioligand does not tell the sites apart).
    kd_se_nM
        Standard error of ``kd_nM``: the ``*_total`` columns then carry it into Ki (delta method).
    weights
        ``"none"`` (unweighted least squares) or ``"poisson"`` (weights 1/Y of the curve, iterated).
    outliers
        ``"none"`` or ``"rout"``: remove outliers by ROUT before the final fit.
    rout_q
        ROUT's Q in percent (default 1).
    compare
        Also compare one site with two sites, and a Hill slope of -1 with a free one, on every curve
        (``comparisons``).
    potency_vs
        A reference compound: ``potency`` holds each other compound's IC50 relative to it, plate by plate.
    engine
        ``"batch"``: fit all curves at once with the vectorised engine
        (:func:`~assaykit.fitting.batch.fit_curves`), refitting one at a time only the curves it could not
        fit; ``"lmfit"``: fit every curve one at a time (:func:`~assaykit.fitting.fit_curve`); ``"auto"``
        (default): batch whenever the options allow it, and with fewer than
        :data:`~assaykit.binding.fit_loop.BATCH_MIN_CURVES` curves only for the well-posed ones (the rest are
        refitted by the lmfit path, so a small job has its results: see
        :mod:`assaykit.binding.engine_choice`). The batch engine covers ``4pl``, ``one-site`` and ``fit-ki``
        with asymptotic intervals, unweighted or Poisson-weighted, without ROUT; other options always use the
        lmfit path. Both give the same numbers (log IC50 within 1e-6, SEs within 1e-4 relative on well-posed
        curves).
    fdr
        False-discovery rate of the activity calls (default 0.05): every curve (all models but
        ``homologous``) is first tested for displacement against a horizontal line, and only the curves
        called active are fitted (:mod:`assaykit.binding.activity`). ``fdr=1`` with
        ``min_displacement_pct=0`` fits every curve.
    min_displacement_pct
        Smallest fall over the tested range, % of the plate's specific window, called active (default 20).
    progress
        Called as ``progress(done, total)`` as curves are finished (for a progress bar).
    points
        Keep what the per-tube ``points`` table is built from (the counts). False: ``points`` is not
        available, and :func:`~assaykit.binding.prepare.prepare_competition` keeps nothing of the counts once
        the curves are built.

    Returns
    -------
    CompetitionAnalysis
        ``results`` (one row per curve), ``plates``, ``points``, ``fits``, ``notes``, ``comparisons`` and
        ``potency``.

    Raises
    ------
    AssayInputError
        For invalid or conflicting options (a fixed ``top`` not above a fixed ``bottom`` among them), and
        for concentration options outside the plausible window (:func:`assaykit.plausible.check_nM_value`).
        A curve that cannot be fitted does not raise: its row says why in ``flags``; nor does one that must
        not be fitted (its plate's TOTAL mean not above its NSB mean, ``top="total"``/``bottom="nsb"`` on a
        plate without that control, implausible concentrations; :mod:`assaykit.binding.checks`), whose row
        says ``not_fitted: <why>`` while a warning names the plate.

    Warns
    -----
    UserWarning
        For swapped or missing controls (as above), for curves flagged ``signal_outside_controls``, for
        ``kd_nM``/``radioligand_nM`` outside their usual range, and for a radioligand concentration more
        than 100 times from its Kd (:data:`assaykit.binding.options.RATIO_RANGE`).

    Notes
    -----
    IC50 and its limits are ``10**log_ic50`` converted to nM (asymmetric limits, as Prism reports them);
    ``ki_nM = ic50_nM / (1 + radioligand_nM / kd_nM)`` (Cheng & Prusoff 1973) and its limits are the IC50
    limits divided by the same factor (Kd taken as exact); with ``kd_se_nM`` the ``ki_ci_*_total_nM``
    limits also include the Kd's uncertainty. For the two-site models ``log_ic50``, ``ic50_nM`` and the
    one-site Ki columns are NaN: each site has its own columns (``*_hi``, ``*_lo``).
    """
    prepared = prepare_competition(
        counts, kd_nM=kd_nM, radioligand_nM=radioligand_nM, model=model, top=top, bottom=bottom, ci=ci,
        level=level, kd_lo_nM=kd_lo_nM, kd_se_nM=kd_se_nM, weights=weights, outliers=outliers,
        rout_q=rout_q, compare=compare, potency_vs=potency_vs, engine=engine, fdr=fdr,
        min_displacement_pct=min_displacement_pct, points=points,
    )  # fmt: skip
    return fit_prepared(prepared, progress=progress)


def fit_prepared(
    prepared: PreparedCompetition, *, progress: Callable[[int, int], None] | None = None
) -> CompetitionAnalysis:
    """Test, fit and tabulate prepared curves: the second half of :func:`analyze_competition`.

    The curves come from :func:`~assaykit.binding.prepare.prepare_competition`.

    Parameters
    ----------
    prepared
        The curves and options.
    progress
        As for :func:`analyze_competition`.

    Returns
    -------
    CompetitionAnalysis
        As :func:`analyze_competition`; without ``points`` when ``prepared`` was made with ``points=False``.
    """
    opts, curves, fixed, skip, n_free = (
        prepared.opts,
        prepared.curves,
        prepared.fixed,
        prepared.skip,
        prepared.n_free,
    )
    notes, engine, unit, potency_vs = (
        list(prepared.notes),
        prepared.engine,
        prepared.unit,
        prepared.potency_vs,
    )
    homologous = opts.model == "homologous"
    fdr, min_displacement_pct = prepared.fdr, prepared.min_displacement_pct

    start_stage(progress, "testing")
    untested = range(len(curves)) if homologous else skip  # homologous curves are not tested
    activity = activity_calls(
        curves, untested, n_free=n_free, fdr=fdr, min_displacement_pct=min_displacement_pct
    )
    inactive = {int(i): str(activity.why[i]) for i in activity.inactive}
    notes.extend(inactive_note(activity, fdr, min_displacement_pct))
    start_stage(progress, "curves")
    fits, fitted, errors, curve_fits, outliers = fit_all(
        curves, fixed, opts, engine, progress, skip, inactive
    )
    table = curves.table
    comparisons: list[dict] = []
    if opts.compare:
        comparisons = compare_fitted(
            curves, fitted, fits, outliers, fixed, level=opts.level, progress=progress
        )
    results = result_table(
        table, fits, fitted, errors, model=opts.model, ci=opts.ci, weights=opts.weights, ki=opts.ki,
        inactive=inactive, unit=unit,
    )  # fmt: skip
    if not homologous:  # homologous curves are not tested: their table has no activity columns
        add_activity_columns(results, activity, table["x_hi"].to_numpy(float))
    if not prepared.is_competitor.any():
        notes.append("no competitor tubes: nothing to fit")
    potency = pd.DataFrame(columns=list(POTENCY_COLUMNS))
    if potency_vs is not None:
        potency, note = _potency(results, potency_vs, opts.level)
        notes.extend(note)

    results.attrs = {"source": prepared.source, "signal_unit": unit, "notes": notes}
    return CompetitionAnalysis(
        results=results,
        plates=prepared.plates,
        make_points=_points_maker(prepared, fits, fitted, outliers),
        fits=curve_fits,
        notes=tuple(notes),
        comparisons=pd.DataFrame(comparisons, columns=list(COMPARISON_COLUMNS)),
        potency=potency,
    )


def _points_maker(
    prepared: PreparedCompetition, fits: FitSet, fitted: np.ndarray, outliers: Mapping[int, np.ndarray]
) -> Callable[[], pd.DataFrame]:
    """Return what builds the points table, or (without the counts) what says it was not kept."""
    if prepared.counts is None:

        def not_kept() -> pd.DataFrame:
            raise ValueError("the points table was not kept: analyze with points=True")

        return not_kept
    return partial(
        points_table, prepared.counts, prepared.is_competitor, prepared.curves, fits, fitted, outliers
    )


def _potency(results: pd.DataFrame, reference: str, level: float) -> tuple[pd.DataFrame, list[str]]:
    """Return the relative-potency table, and a note naming compounds never on a plate with the reference."""
    if "log_ic50" not in results:  # two sites: no one IC50 to compare, every ratio is empty
        results = results.assign(log_ic50=np.nan, log_ic50_se=np.nan)
    try:
        potency = relative_potency(results, reference, level=level)
    except ValueError as exc:
        raise AssayInputError(f"--potency-vs: {exc}") from None
    others = set(results.loc[results["compound"] != reference, "compound"])
    alone = sorted(others - set(potency["compound"]), key=str)
    notes = []
    if alone:
        notes.append(
            f"relative potency: {', '.join(map(str, alone))} never shared a plate with '{reference}', so "
            "no ratio is given for them (give the tubes one plate id to compare across plates)"
        )
    return potency, notes


def fit_competition(counts: pd.DataFrame, **options: object) -> pd.DataFrame:
    """Fit every competition curve and return the tidy results table (one row per curve).

    A shortcut for ``analyze_competition(counts, **options).results``; see :func:`analyze_competition`
    for the options and the columns.

    Parameters
    ----------
    counts
        The canonical counts frame.
    **options
        Passed to :func:`analyze_competition` (``kd_nM``, ``radioligand_nM``, ``model``, ``top``,
        ``bottom``, ``ci``, ``level``, ``weights``, ``outliers``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per curve, the columns of :attr:`CompetitionAnalysis.results`.
    """
    return analyze_competition(counts, **options).results  # type: ignore[arg-type]


def curve_parameters(row: Mapping[str, object], unit: str = "cpm") -> dict[str, float]:
    """Return the four logistic parameters of a result row, for plotting or prediction.

    Parameters
    ----------
    row
        A row of a one-site results table (4PL, one-site, fit-ki).
    unit
        The signal unit of its Top and Bottom columns (``top_<unit>``; the table's
        ``attrs["signal_unit"]``).

    Returns
    -------
    dict
        ``top``, ``bottom``, ``log_ic50`` and ``hill_slope``.
    """
    names = {"top": column_name("top_{u}", unit), "bottom": column_name("bottom_{u}", unit)}
    return {name: float(row[names.get(name, name)]) for name in ("top", "bottom", "log_ic50", "hill_slope")}
