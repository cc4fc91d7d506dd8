"""The methods paragraph of a trial run, written from the options it ran with and what it computed.

Every sentence comes from :attr:`TrialRun.options <assaykit.trial.workflow.TrialRun>` (the defaults merged
with what was given, the primary visit, end of treatment and washout resolved) and from the result objects
(the MMRM's covariance structure used, the ANCOVA, the margin test, the rate tables, the withdrawal analysis,
the testing hierarchy, the CONSORT table), so that a changed setting changes the paragraph and nothing is
said of a step that did not run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from assaykit.methods import MethodsText, Sentence, assaykit_version, compose, count, join_words, number
from assaykit.trial.mmrm import LABELS

if TYPE_CHECKING:
    from assaykit.trial.workflow import TrialRun

__all__ = ["trial_methods"]


def _quoted(values: Any) -> list[str]:
    return [str(v) for v in values]


def _consort_n(consort: pd.DataFrame, stage: str) -> int | None:
    rows = consort[(consort["stage"] == stage) & (consort["arm"] == "total")]
    return int(rows["n"].iloc[0]) if len(rows) else None


def _data_sentence(run: TrialRun, version: str) -> Sentence:
    scores = run.scores
    arms = list(dict.fromkeys(run.mmrm.lsmeans["arm"].astype(str)))
    randomised = _consort_n(run.consort, "randomised")
    who = count(randomised, "randomised patient") if randomised is not None else "the patients"
    rated = scores[scores["hama_total"].notna()] if "hama_total" in scores else scores
    visits = _quoted(dict.fromkeys(rated["visit"]))
    text = (
        "Anxiety was rated on the Hamilton Anxiety Rating Scale (HAM-A: 14 items scored 0-4, total 0-56; "
        "psychic subscale items 1-6 and 14, somatic items 7-13) {cite} at "
        f"{join_words(visits)} in {who} of {count(len(arms), 'arm')} ({join_words(arms)}), analysed with "
        f"assaykit {version}"
    )
    return Sentence(text, ("hamilton1959",))


def _proration_sentence(run: TrialRun) -> Sentence:
    most = int(run.options["max_missing"])
    if most == 0:
        return Sentence("Only visits with all 14 HAM-A items rated were scored (no item was imputed)")
    prorated = int(run.scores["prorated"].sum()) if "prorated" in run.scores else 0
    return Sentence(
        f"A visit with at most {count(most, 'item')} of 14 missing had its total prorated (the mean of the "
        f"rated items times the number of items, each subscale from its own items; "
        f"{count(prorated, 'visit')} prorated), and one with more items missing had a missing total, a "
        "rule fixed before the analysis {cite}",
        ("ich2019",),
    )


def _mmrm_sentences(run: TrialRun) -> list[Sentence]:
    opts, fit = run.options, run.mmrm
    used, asked = LABELS.get(fit.structure_used, fit.structure_used), opts["covariance"]
    visits = _quoted(dict.fromkeys(fit.lsmeans["visit"]))
    model = (
        "The primary analysis was a mixed model for repeated measures (MMRM) of the change from baseline in "
        f"the HAM-A total at {join_words(visits)}, with visit, arm, arm x visit, baseline and baseline x "
        f"visit as fixed effects and {'an' if used[0] in 'aeiou' else 'a'} {used} covariance of each "
        "patient's visits, fitted by restricted maximum likelihood {cite}"
    )
    if fit.structure_used != asked:
        model += (
            f"; the {LABELS.get(asked, asked)} covariance asked for could not be estimated or did not "
            f"converge (see the notes), so the {used} one was used"
        )
    if fit.df_method == "satterthwaite":
        df, cites = "Satterthwaite's approximate degrees of freedom {cite}", ("satterthwaite1946",)
    else:
        df, cites = (
            "residual degrees of freedom (observations minus fixed effects minus covariance parameters)",
            (),
        )
    contrasts = Sentence(
        "Least-squares means of each arm at each visit were taken at the mean baseline, and each arm was "
        f"compared with {opts['control']} at each visit by the difference of least-squares means with its "
        f"{number(100 * fit.level)}% confidence interval and {df}; the primary comparison is at "
        f"{opts['primary_visit']}",
        cites,
    )
    missing = Sentence(
        f"{count(fit.n_patients, 'patient')} ({count(fit.n_obs, 'post-baseline visit')}) were analysed; "
        "missed visits were not imputed and no last observation was carried forward: the MMRM uses every "
        "observed visit and is valid when visits are missing at random, and for patients who stopped it "
        "estimates the effect had they stayed on their assigned treatment (a hypothetical strategy for "
        "discontinuation) {cite}",
        ("ich2019",),
    )
    return [Sentence(model, ("mallinckrodt2008",)), contrasts, missing]


def _ancova_sentence(run: TrialRun) -> Sentence | None:
    fit = run.ancova
    if fit is None:
        return None
    return Sentence(
        f"As a sensitivity analysis, the change at {fit.visit} was analysed by an ANCOVA on baseline and arm "
        f"(least squares) in the {count(fit.n_patients, 'patient')} observed there (observed cases, nothing "
        "imputed), each arm compared with the control at the mean baseline {cite}",
        ("ich1998",),
    )


def _active_sentence(run: TrialRun) -> Sentence | None:
    table, test = run.active_contrast, run.active
    if table is None or not len(table):
        return None
    pairs = [f"{r['arm']} vs {r['vs']}" for _, r in table.iterrows()]
    text = (
        f"The active arms were compared with each other by the MMRM contrast at "
        f"{run.options['primary_visit']} ({join_words(pairs)})"
    )
    cites: tuple[str, ...] = ()
    if test is not None:
        margin = number(test.margin)
        if test.kind == "equivalence":
            text += (
                f"; equivalence within +/-{margin} points was tested by two one-sided tests, each at alpha "
                f"{number((1 - test.ci_level) / 2)}, and concluded when the {number(100 * test.ci_level)}% "
                f"confidence interval of the difference lies within -{margin} to {margin} {{cite}}"
            )
            cites = ("schuirmann1987", "ich1998")
        else:
            text += (
                f"; non-inferiority was tested against a margin of {margin} points (one-sided alpha "
                f"{number((1 - test.ci_level) / 2)}), concluded when the {number(100 * test.ci_level)}% "
                "confidence interval of the difference excludes the margin {cite}"
            )
            cites = ("ich1998",)
    return Sentence(text, cites)


def _rates_sentences(run: TrialRun) -> list[Sentence]:
    parts = []
    if run.responders is not None and len(run.responders):
        parts.append("responders (a fall of the HAM-A total of at least 50% from baseline)")
    if run.remission is not None and len(run.remission):
        parts.append("remission (a HAM-A total of 7 or less)")
    if not parts:
        return []
    table = run.responders if run.responders is not None and len(run.responders) else run.remission
    missing = table.attrs.get("missing", "exclude")
    left = "left out" if missing == "exclude" else "counted as without the outcome (non-responder imputation)"
    return [
        Sentence(
            f"The rates of {join_words(parts)} at {run.options['primary_visit']} are given per arm with "
            "exact Clopper-Pearson confidence intervals {cite}; patients without a score at that visit were "
            f"{left}",
            ("clopper1934",),
        ),
        Sentence(
            f"Each arm is compared with {run.options['control']} by the risk difference with "
            "Newcombe's hybrid score interval {cite}, the conditional maximum-likelihood odds ratio with its "
            "exact interval, and Fisher's exact test",
            ("newcombe1998",),
        ),
    ]


def _withdrawal_sentences(run: TrialRun) -> list[Sentence]:
    result, opts = run.withdrawal, run.options
    if result is None:
        return []
    checklist = opts.get("checklist")
    if checklist:
        name, cites = f"the checklist {Path(str(checklist)).name}", ()
    else:
        name, cites = (
            "the Physician Withdrawal Checklist (PWC-20: 20 items scored 0-3) {cite}",
            ("rickels2008",),
        )
    incidence = result.incidence
    events, n = int(incidence["events"].sum()), int(incidence["n"].sum())
    washout = join_words(_quoted(opts.get("washout") or ()))
    sentences = [
        Sentence(
            f"Withdrawal was rated on {name} at the end of treatment ({opts['end_of_treatment']}) and in the "
            f"washout ({washout}); a withdrawal syndrome was a rise of the total by at least "
            f"{number(result.threshold)} points over the end of treatment at any washout visit ({events} of "
            f"{n} patients), its incidence compared between each drug and {opts['control']} and between the "
            "drugs by Fisher's exact test",
            cites,
        )
    ]
    if result.counts is not None and len(result.counts):
        disp = result.dispersion
        model = "negative binomial" if disp.get("preferred") == "negative_binomial" else "Poisson"
        sentences.append(
            Sentence(
                "The symptom count (items rated higher at a washout visit than at the end of treatment) was "
                "compared between arms as rate ratios with Wald intervals from log-linear Poisson and "
                "negative binomial (NB2, dispersion by maximum likelihood) models; the "
                f"{model} model is the preferred one (Pearson chi2/df {number(disp['pearson_chi2_df'], 3)}, "
                f"likelihood-ratio test of no overdispersion p = {number(disp['lr_p'], 3)}) {{cite}}",
                ("cameron2013",),
            )
        )
    return sentences


def _hierarchy_sentences(run: TrialRun) -> list[Sentence]:
    table = run.hierarchy
    if table is None or not len(table):
        return []
    alpha = table.attrs.get("alpha", 0.05)
    steps = [
        f"({step}) {join_words(group['comparison'].astype(str))}"
        for step, group in table.groupby("step", sort=True)
    ]
    text = (
        f"Multiplicity was controlled at a family-wise alpha of {number(alpha)} by testing the "
        f"comparisons in a pre-specified sequence, {'; '.join(steps)}, each step tested only when every "
        "comparison before it was rejected {cite}; comparisons outside this sequence are reported with "
        "unadjusted p-values"
    )
    if (table["method"] == "Holm").any():
        return [
            Sentence(text, ("ich1998",)),
            Sentence("The comparisons of one step were tested together by Holm's procedure", ("holm1979",)),
        ]
    return [Sentence(text, ("ich1998",))]


def _consort_sentence(run: TrialRun) -> Sentence | None:
    table = run.consort
    if table is None or not len(table):
        return None
    n = {
        stage: _consort_n(table, stage) for stage in ("randomised", "treated", "completed", "analysed (mITT)")
    }
    return Sentence(
        f"The flow of patients is reported as CONSORT 2010 asks {{cite}}: of {n['randomised']} randomised, "
        f"{n['treated']} were treated, {n['completed']} completed treatment and {n['analysed (mITT)']} were "
        "analysed (modified intention to treat: treated patients with a baseline and at least one "
        "post-baseline HAM-A total, in the arm they were randomised to)",
        ("schulz2010",),
    )


def trial_methods(run: TrialRun) -> MethodsText:
    """Write the methods paragraph of a trial run.

    Parameters
    ----------
    run
        A finished run (:func:`assaykit.trial.workflow.run_trial`), or any object with its fields.

    Returns
    -------
    MethodsText
        The paragraph (the data and the HAM-A with its proration rule; the MMRM with the covariance used,
        the degrees of freedom and the handling of missing visits; the ANCOVA; the active-arm comparison
        and its margin; responders and remission; the withdrawal definition and symptom-count models; the
        testing hierarchy; the flow of patients) and the full citations it names.
    """
    sentences: list[Sentence | None] = [
        _data_sentence(run, assaykit_version()),
        _proration_sentence(run),
        *_mmrm_sentences(run),
        _ancova_sentence(run),
        _active_sentence(run),
        *_rates_sentences(run),
        *_withdrawal_sentences(run),
        *_hierarchy_sentences(run),
        _consort_sentence(run),
    ]
    return compose(sentences)
