"""The first half of a competition analysis: the options checked and the counts grouped into curves.

:func:`prepare_competition` checks the options, groups the competitor tubes into curves (one compound on one
plate), fixes the plateaus the options fix and marks the curves that must not be fitted
(:mod:`assaykit.binding.checks`); :func:`assaykit.binding.competition.fit_prepared` does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from assaykit.binding.activity import ACTIVITY_DEFAULTS
from assaykit.binding.checks import missing_controls, outside_controls, unfittable_curves
from assaykit.binding.controls import control_means, summarize_plates
from assaykit.binding.curves import Curves, build_curves, fixed_plateaus
from assaykit.binding.options import (
    CompetitionOptions,
    check_options,
    hot_concentrations,
    plateau_constraints,
)
from assaykit.distinct import column_isin
from assaykit.errors import AssayInputError
from assaykit.fitting import COMPETITION_MODELS

__all__ = ["EngineName", "ModelName", "PreparedCompetition", "prepare_competition"]

ModelName = Literal["4pl", "one-site", "fit-ki", "two-site", "two-site-ki", "homologous"]
EngineName = Literal["auto", "batch", "lmfit"]
_REQUIRED = ("compound", "role", "plate", "log_conc_M", "signal")


@dataclass(frozen=True)
class PreparedCompetition:
    """The curves of a counts table, ready to be fitted (:func:`prepare_competition`)."""

    opts: CompetitionOptions
    curves: Curves
    fixed: dict[str, np.ndarray]
    skip: dict[int, str]
    n_free: int
    notes: list[str]
    plates: pd.DataFrame
    is_competitor: np.ndarray
    counts: pd.DataFrame | None  # None: the points table is not kept
    source: object
    unit: str
    engine: EngineName
    potency_vs: str | None
    fdr: float
    min_displacement_pct: float


def prepare_competition(
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
    points: bool = True,
) -> PreparedCompetition:
    """Check the options and group the counts into curves: the first half of an analysis.

    Takes the arguments of :func:`~assaykit.binding.competition.analyze_competition` but ``progress``. With
    ``points=False`` the result holds nothing of ``counts``: a caller that passes a counts frame it does not
    keep (``prepare_competition( read_counts(path), points=False)``) lets a screen's tubes leave memory before
    the curves are fitted (:func:`~assaykit.binding.competition.fit_prepared`), a third of a million-curve
    run's peak.

    Returns
    -------
    PreparedCompetition
        The checked options, the curves, their fixed plateaus and which curves must not be fitted, the
        plates' summary, the notes so far and (with ``points``) what the points table is built from.

    Raises
    ------
    AssayInputError
        As :func:`~assaykit.binding.competition.analyze_competition`.
    """
    missing = [c for c in _REQUIRED if c not in counts.columns]
    if missing:
        raise AssayInputError(
            f"counts table lacks column(s) {', '.join(missing)}; build it with "
            "assaykit.io.counts.read_counts or counts_from_frame",
            path=counts.attrs.get("source"),
        )
    opts, notes = check_options(
        model=model, kd_nM=kd_nM, radioligand_nM=radioligand_nM, kd_lo_nM=kd_lo_nM, kd_se_nM=kd_se_nM,
        ci=ci, level=level, weights=weights, outliers=outliers, rout_q=rout_q, compare=compare, fdr=fdr,
        min_displacement_pct=min_displacement_pct,
    )  # fmt: skip
    notes = [*counts.attrs.get("notes", ()), *notes]  # what the reader did (wells left out of plate grids)
    homologous = opts.model == "homologous"
    top_c, bottom_c = plateau_constraints(top, bottom, homologous=homologous)
    means = control_means(counts)
    is_competitor = column_isin(counts["role"], ["competitor"])
    hot = None
    if homologous:  # the columns hot_concentrations reads of the competitor tubes
        competitors = counts.loc[is_competitor, ["compound", "plate"]]
        hot = hot_concentrations(counts, competitors, radioligand_nM)
        del competitors

    unit = counts.attrs.get("signal_unit", "cpm")
    model_ = COMPETITION_MODELS[opts.model]
    curves = build_curves(counts, is_competitor, means, hot)
    del hot  # the curves hold what is needed of it
    source = counts.attrs.get("source")
    fixed = fixed_plateaus(curves, {"top": top_c, "bottom": bottom_c}, source)
    skip = unfittable_curves(curves, means, fixed, unit)
    notes.extend(missing_controls(means, curves.table["plate"]))
    curves.table["outside_controls"] = outside_controls(curves, unit, skip)
    n_free = sum(name not in model_.fixed and name not in fixed for name in model_.param_names)
    return PreparedCompetition(
        opts=opts, curves=curves, fixed=fixed, skip=skip, n_free=n_free, notes=notes,
        plates=summarize_plates(counts), is_competitor=is_competitor, counts=counts if points else None,
        source=source, unit=unit, engine=engine, potency_vs=potency_vs, fdr=fdr,
        min_displacement_pct=min_displacement_pct,
    )  # fmt: skip
