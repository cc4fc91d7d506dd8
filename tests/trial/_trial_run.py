"""A TrialRun-like object built with the library's own functions on ``examples/trial/``.

The methods paragraph and the report section read only the fields of a
:class:`~assaykit.trial.workflow.TrialRun`, so their tests build those fields here from the example's files
(with options a test varies one at a time, from the workflow's own defaults) and put them in a
:class:`types.SimpleNamespace`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from assaykit.io.trial import read_trial
from assaykit.trial.ancova import fit_ancova
from assaykit.trial.checklist import score_checklist
from assaykit.trial.consort import consort_table
from assaykit.trial.mmrm import fit_mmrm
from assaykit.trial.multiplicity import hierarchical_tests
from assaykit.trial.noninferiority import noninferiority
from assaykit.trial.rates import efficacy_outcomes, rate_table
from assaykit.trial.scales import score_hama
from assaykit.trial.withdrawal import withdrawal_analysis
from assaykit.trial.workflow import TRIAL_DEFAULTS

FOLDER = Path(__file__).resolve().parents[2] / "examples" / "trial"
TREATMENT = ["baseline", "week 1", "week 2"]
POST = ["week 1", "week 2"]
WASHOUT = ("washout day 3", "washout day 7")

DEFAULTS: dict[str, Any] = dict(TRIAL_DEFAULTS)  # the workflow's defaults, as a run starts from them


@cache
def _files() -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_trial(FOLDER / "visits.csv", FOLDER / "patients.csv")


def _scores(visits: pd.DataFrame, max_missing: int) -> pd.DataFrame:
    hama = visits[visits["visit"].isin(TREATMENT)].reset_index(drop=True)
    scored = score_hama(hama, max_missing=max_missing)
    base = scored[scored["visit"] == "baseline"].set_index("patient")["hama_total"]
    scored["baseline"] = scored["patient"].map(base)
    scored["change"] = (scored["hama_total"] - scored["baseline"]).where(scored["visit"] != "baseline")
    rated = visits[visits["pwc_01"].notna()].reset_index(drop=True)
    pwc = score_checklist(rated)[["patient", "arm", "visit", "pwc_total"]]
    return scored.merge(pwc, on=["patient", "arm", "visit"], how="outer", sort=False)


def build_run(with_withdrawal: bool = True, **given: Any) -> SimpleNamespace:
    """Return a run with the contract's fields, for the options ``given`` (TRIAL_DEFAULTS for the rest)."""
    visits, patients = _files()
    options = DEFAULTS | given
    options["primary_visit"] = options["primary_visit"] or "week 2"
    options["end_of_treatment"] = options["end_of_treatment"] or options["primary_visit"]
    options["washout"] = tuple(options["washout"]) or WASHOUT
    control, level, primary = options["control"], options["level"], options["primary_visit"]
    scores = _scores(visits, options["max_missing"])
    post = scores[scores["visit"].isin(POST)]
    kwargs = {"visits": POST, "df_method": options["df_method"], "level": level}
    mmrm = fit_mmrm(post, control=control, covariance=options["covariance"], primary_visit=primary, **kwargs)
    ancova = fit_ancova(post, control=control, endpoint=primary, level=level)
    between = fit_mmrm(post, control="tofisopam", primary_visit=primary, **kwargs).primary
    active_contrast = between[between["arm"] == "diazepam"].reset_index(drop=True)
    active = None
    if options["margin"] is not None:
        row = active_contrast.iloc[0]
        kind = "equivalence" if options["equivalence"] else "noninferiority"
        active = noninferiority(
            -row["estimate"], row["se"], row["df"], options["margin"], kind=kind, level=level
        )
    outcomes = efficacy_outcomes(scores, endpoint_visit=primary)
    responders = rate_table(outcomes, outcome="responder", control=control, level=level)
    remission = rate_table(outcomes, outcome="remission", control=control, level=level)
    withdrawal = None
    if with_withdrawal:
        withdrawal = withdrawal_analysis(
            visits,
            end_of_treatment_visit=options["end_of_treatment"],
            washout_visits=list(options["washout"]),
            threshold=options["withdrawal_threshold"],
            control=control,
            level=level,
        )
    drugs = [(f"{r.arm} vs {control}", r.p_value) for r in mmrm.primary.itertuples()]
    first = [drugs] if options["hierarchy"] == "holm" else drugs
    steps: list[Any] = [*first]
    for name, table in (("responders", responders), ("remission", remission)):
        steps.append(
            [
                (f"{name}: {r.comparison}", r.p_fisher)
                for r in table.dropna(subset=["comparison"]).itertuples()
            ]
        )
    if withdrawal is not None:
        pair = withdrawal.incidence_comparisons
        steps.append(
            [
                (f"withdrawal: {r.comparison}", r.p_fisher)
                for r in pair.itertuples()
                if control not in r.comparison
            ]
        )
    hierarchy = hierarchical_tests(steps)
    consort = consort_table(patients, scores[["patient", "arm", "visit", "hama_total"]])
    return SimpleNamespace(
        scores=scores,
        mmrm=mmrm,
        ancova=ancova,
        active=active,
        active_contrast=active_contrast,
        responders=responders,
        remission=remission,
        withdrawal=withdrawal,
        hierarchy=hierarchy,
        consort=consort,
        options=options,
        warnings=[],
        written=[],
        source=str(FOLDER / "visits.csv"),
    )
