"""The ``assaykit trial`` job: read a trial's visits and patients, run the analyses of issue 21, write.

This module does file I/O; the analyses it calls (:func:`assaykit.trial.mmrm.fit_mmrm`,
:func:`assaykit.trial.ancova.fit_ancova`, :func:`assaykit.trial.rates.rate_table`,
:func:`assaykit.trial.withdrawal.withdrawal_analysis`, :func:`assaykit.trial.multiplicity.hierarchical_tests`,
:func:`assaykit.trial.consort.consort_table`) do none.

The visits: the baseline is the reader's (``attrs["baseline_visit"]``); the treatment visits are the visits
after it with a HAM-A score, up to the end of treatment; the primary visit is the last treatment visit unless
given; the end of treatment is the primary visit unless given; the washout is the visits after the end of
treatment unless given. HAM-A scores rated in the washout are not part of the efficacy models.

The drug-versus-drug contrast compares each active arm with each earlier active arm (in the order the arms
first appear in the visits file): the estimate is the later arm minus the earlier, from the same MMRM refitted
with the earlier arm as the reference (the same model, reparametrised: its LS means and their covariance do
not change).
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.figure_jobs import write_figures
from assaykit.io.outputs import OutputSet, run_outputs
from assaykit.io.trial import read_trial
from assaykit.trial.ancova import AncovaResult, fit_ancova
from assaykit.trial.checklist import PWC20, ChecklistSpec, load_checklist, score_checklist
from assaykit.trial.consort import consort_table
from assaykit.trial.mmrm import MMRMResult, fit_mmrm
from assaykit.trial.multiplicity import hierarchical_tests
from assaykit.trial.noninferiority import MarginTest, noninferiority
from assaykit.trial.rates import efficacy_outcomes, rate_table
from assaykit.trial.scales import score_hama
from assaykit.trial.withdrawal import WithdrawalResult, withdrawal_analysis

__all__ = ["SHEETS", "TRIAL_DEFAULTS", "TrialRun", "run_trial", "trial_plot_jobs"]

TRIAL_DEFAULTS: dict[str, Any] = {
    "control": "placebo",
    "primary_visit": None,
    "covariance": "unstructured",
    "df_method": "satterthwaite",
    "margin": None,
    "equivalence": False,
    "end_of_treatment": None,
    "washout": (),
    "withdrawal_threshold": 3.0,
    "checklist": None,
    "max_missing": 2,
    "level": 0.95,
    "hierarchy": "fixed-sequence",
    "sequence": None,
}

#: The tables of ``-o``: sheets of an .xlsx file; the first is FILE itself for a text format, the others
#: its siblings ``<stem>_<sheet>.<ext>``.
SHEETS = (
    "mmrm",
    "lsmeans",
    "ancova",
    "responders",
    "remission",
    "withdrawal",
    "counts",
    "hierarchy",
    "consort",
    "scores",
)

#: The family-wise error rate of the testing hierarchy.
ALPHA = 0.05
#: The key secondary families that can follow the primary MMRM comparison in the testing hierarchy, and
#: their default order (``noninferiority`` only when a margin is given).
SEQUENCE_KEYS = ("noninferiority", "responders", "remission", "withdrawal", "withdrawal-control")
DEFAULT_SEQUENCE = ("noninferiority", "responders", "remission", "withdrawal")


@dataclass
class TrialRun:
    """What one trial job produced (see the contract of issue 21 for every table's columns)."""

    scores: pd.DataFrame
    mmrm: MMRMResult
    ancova: AncovaResult
    active: MarginTest | None
    active_contrast: pd.DataFrame
    responders: pd.DataFrame
    remission: pd.DataFrame
    withdrawal: WithdrawalResult | None
    hierarchy: pd.DataFrame
    consort: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    source: str = ""
    checklist: ChecklistSpec = PWC20


def _options(options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(TRIAL_DEFAULTS))
    if unknown:
        raise TypeError(f"run_trial() got unknown options: {', '.join(unknown)}")
    opts = dict(TRIAL_DEFAULTS)
    opts.update({k: v for k, v in options.items() if v is not None})
    opts["washout"] = tuple(opts["washout"] or ())
    if opts["hierarchy"] not in ("fixed-sequence", "holm"):
        raise AssayInputError(f"unknown hierarchy {opts['hierarchy']!r}; expected 'fixed-sequence' or 'holm'")
    opts["sequence_given"] = opts["sequence"] is not None
    opts["sequence"] = _sequence(opts["sequence"], opts["margin"] is not None)
    return opts


def _sequence(given: object, margin: bool) -> tuple[str, ...]:
    """Return the key secondary families in testing order, checked (texts are split at commas)."""
    if given is None:
        return tuple(k for k in DEFAULT_SEQUENCE if margin or k != "noninferiority")
    parts = [given] if isinstance(given, str) else list(given)  # type: ignore[call-overload]
    keys = [k.strip() for part in parts for k in str(part).split(",") if k.strip()]
    if not keys:
        raise AssayInputError("--sequence: no comparison family given (none: the primary comparisons only)")
    if keys == ["none"]:
        return ()
    for key in keys:
        if key not in SEQUENCE_KEYS:
            hint = difflib.get_close_matches(key, SEQUENCE_KEYS, n=1)
            raise AssayInputError(
                f"--sequence: unknown comparison family {key!r}"
                + (f" (did you mean {hint[0]!r}?)" if hint else "")
                + f"; expected some of {', '.join(SEQUENCE_KEYS)}"
            )
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise AssayInputError(f"--sequence: {', '.join(repeated)} given twice")
    if "noninferiority" in keys and not margin:
        raise AssayInputError("--sequence: noninferiority needs --margin")
    return tuple(keys)


def _visit(given: object, visits: Sequence[object], what: str, path: object) -> object:
    """Return the visit of the file a command-line visit names (visits may be numbers: compared as text)."""
    for visit in visits:
        if str(visit) == str(given).strip():
            return visit
    raise AssayInputError(f"{what}: no visit {given!r} in the file; its visits: "
                          f"{', '.join(map(str, visits))}", path=path)  # fmt: skip


def _scores(visits: pd.DataFrame, spec: ChecklistSpec, max_missing: int, baseline: object) -> pd.DataFrame:
    """HAM-A totals and subscales, checklist totals, baseline and change, one row per patient and visit."""
    ids = visits[["patient", "arm", "visit"]].reset_index(drop=True)
    if visits.attrs.get("hama") == "total":
        hama = pd.DataFrame({"hama_total": visits["hama_total"].to_numpy(float)})
    else:
        hama = score_hama(visits, max_missing=max_missing).reset_index(drop=True)
        hama = hama[[c for c in hama.columns if c not in ids.columns]]
    out = pd.concat([ids, hama], axis=1)
    base = out[out["visit"] == baseline].set_index("patient")["hama_total"]
    out["baseline"] = out["patient"].map(base)
    out["change"] = (out["hama_total"] - out["baseline"]).where(out["visit"] != baseline)
    if visits.attrs.get("checklist_items"):
        total = f"{spec.key}_total"
        out[total] = score_checklist(visits, spec)[total].to_numpy(float)
    return out


def _drug_contrasts(change: pd.DataFrame, drugs: list[str], mmrm_args: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for i, reference in enumerate(drugs[:-1]):
        refit = fit_mmrm(change, control=reference, **mmrm_args).primary
        for later in drugs[i + 1 :]:
            rows.append(refit[refit["arm"] == later])
    if not rows:
        return pd.DataFrame(columns=["visit", "arm", "vs", "estimate", "se", "df", "t", "p_value"])
    return pd.concat(rows, ignore_index=True)


def _hierarchy(
    run_parts: dict[str, Any],
    drugs: list[str],
    control: str,
    holm: bool,
    sequence: Sequence[str],
    explicit: bool,
) -> pd.DataFrame:
    """Test the primary MMRM comparisons vs control, then the key secondary families in ``sequence``.

    A family of an ``explicit`` (user-given) sequence that has no comparison in this trial is warned about.
    """

    def step(pairs: list[tuple[str, float]]) -> list:
        return [pairs] if holm and len(pairs) > 1 else list(pairs)

    mmrm = run_parts["mmrm"].primary.set_index("arm")
    visit = run_parts["mmrm"].primary["visit"].iloc[0]
    steps: list = step([(f"MMRM {visit}: {d} vs {control}", float(mmrm.loc[d, "p_value"])) for d in drugs])
    withdrawal = run_parts["withdrawal"]
    incidence = [] if withdrawal is None else list(withdrawal.incidence_comparisons.itertuples())
    for key in sequence:
        pairs: list[tuple[str, float]] = []
        if key in ("responders", "remission"):
            table = run_parts[key].set_index("arm")
            pairs = [(f"{key}: {d} vs {control}", float(table.loc[d, "p_fisher"])) for d in drugs]
        elif key == "noninferiority" and run_parts["active"] is not None:
            test, row = run_parts["active"], run_parts["active_contrast"].iloc[0]
            steps.append((f"{test.kind}: {row['arm']} vs {row['vs']}", float(test.p_value)))
            continue
        elif key == "withdrawal":  # drug vs drug
            chosen = [r for r in incidence if r.arm in drugs and r.reference in drugs]
            pairs = [(f"withdrawal syndrome: {r.comparison}", float(r.p_fisher)) for r in chosen]
        elif key == "withdrawal-control":  # each drug vs the control, in the drugs' order
            chosen = [r for d in drugs for r in incidence if r.arm == d and r.reference == control]
            pairs = [(f"withdrawal syndrome: {r.comparison}", float(r.p_fisher)) for r in chosen]
        if pairs:
            steps += step(pairs)
        elif explicit:
            why = "no washout checklist scores" if withdrawal is None else "fewer than two drugs"
            warnings.warn(
                f"--sequence: {key} has no comparison in this trial ({why}); left out", stacklevel=2
            )
    return hierarchical_tests(steps, alpha=ALPHA)


def _analyse(visits: pd.DataFrame, patients: pd.DataFrame, opts: dict[str, Any], spec: ChecklistSpec) -> dict:
    source = visits.attrs.get("source")
    order = list(visits.attrs["visits"])
    baseline = visits.attrs["baseline_visit"]
    control = str(opts["control"])
    arms = list(dict.fromkeys(visits["arm"].astype(str)))
    if control not in arms:
        same = [a for a in arms if a.casefold() == control.casefold()]
        hint = f" (did you mean --control {same[0]!r}?)" if same else ""
        raise AssayInputError(f"--control: no arm {control!r} in the file{hint}; its arms: {', '.join(arms)}",
                              path=source)  # fmt: skip
    drugs = [a for a in arms if a != control]
    if opts["margin"] is not None and len(drugs) != 2:
        raise AssayInputError(f"--margin compares two active arms; this trial has {len(drugs)}", path=source)
    try:
        scores = _scores(visits, spec, int(opts["max_missing"]), baseline)
    except AssayInputError as exc:
        raise exc.with_path(source) from None
    after = order[order.index(baseline) + 1 :]
    rated = [v for v in after if scores.loc[scores["visit"] == v, "hama_total"].notna().any()]
    if not rated:
        raise AssayInputError("no HAM-A score after the baseline visit", path=source)
    given = opts["primary_visit"]
    primary = rated[-1] if given is None else _visit(given, after, "--primary-visit", source)
    eot = primary if opts["end_of_treatment"] is None else _visit(opts["end_of_treatment"], after,
                                                                  "--end-of-treatment", source)  # fmt: skip
    if order.index(eot) < order.index(primary):
        raise AssayInputError(
            f"the primary visit {primary} comes after the end of treatment {eot}", path=source
        )
    treatment = [v for v in rated if order.index(v) <= order.index(eot)]
    if primary not in treatment:
        raise AssayInputError(f"--primary-visit: visit {primary} has no HAM-A score", path=source)
    washout = [_visit(v, order, "--washout", source) for v in opts["washout"]] or order[
        order.index(eot) + 1 :
    ]
    for v in washout:
        if order.index(v) <= order.index(eot):
            raise AssayInputError(
                f"--washout: visit {v} is not after the end of treatment {eot}", path=source
            )
    opts.update(primary_visit=primary, end_of_treatment=eot, washout=tuple(washout), baseline_visit=baseline,
                treatment_visits=tuple(treatment), arms=tuple(arms))  # fmt: skip
    change = scores[scores["visit"].isin(treatment) & scores["baseline"].notna()]
    level = float(opts["level"])
    mmrm_args = {"covariance": opts["covariance"], "visits": treatment, "primary_visit": primary,
                 "df_method": opts["df_method"], "level": level}  # fmt: skip
    parts: dict[str, Any] = {"scores": scores}
    parts["mmrm"] = fit_mmrm(change, control=control, **mmrm_args)
    parts["active_contrast"] = _drug_contrasts(change, drugs, mmrm_args)
    parts["ancova"] = fit_ancova(change, control=control, endpoint=primary, level=level)
    parts["active"] = None
    if opts["margin"] is not None:
        row = parts["active_contrast"].iloc[0]
        kind = "equivalence" if opts["equivalence"] else "noninferiority"
        parts["active"] = noninferiority(row["estimate"], row["se"], row["df"], float(opts["margin"]),
                                         kind=kind, level=level)  # fmt: skip
    outcomes = efficacy_outcomes(scores, endpoint_visit=primary, baseline_visit=baseline)
    for name in ("responders", "remission"):
        outcome = "responder" if name == "responders" else "remission"
        parts[name] = rate_table(outcomes, outcome=outcome, control=control, level=level)
    parts["withdrawal"] = None
    if visits.attrs.get("checklist_items") and washout:
        try:
            parts["withdrawal"] = withdrawal_analysis(
                visits, end_of_treatment_visit=eot, washout_visits=washout, threshold=float(
                    opts["withdrawal_threshold"]), control=control, checklist=spec, level=level)  # fmt: skip
        except AssayInputError as exc:
            raise exc.with_path(source) from None
    holm = opts["hierarchy"] == "holm"
    parts["hierarchy"] = _hierarchy(parts, drugs, control, holm, opts["sequence"], opts["sequence_given"])
    flow = scores[["patient", "arm", "visit", "hama_total"]]
    parts["consort"] = consort_table(patients, flow, baseline_visit=baseline)
    return parts


def _tables(run: TrialRun) -> dict[str, pd.DataFrame]:
    """Return the written tables by sheet name (those of the withdrawal only when it was analysed)."""
    primary = run.options["primary_visit"]
    contrasts = run.mmrm.contrasts.copy()
    contrasts.insert(3, "primary", contrasts["visit"] == primary)
    active = run.active_contrast.assign(primary=True)
    ancova = run.ancova.contrasts.assign(visit=run.ancova.visit)
    tables = {
        "mmrm": pd.concat(
            [contrasts, active[[c for c in contrasts.columns if c in active]]], ignore_index=True
        ),
        "lsmeans": run.mmrm.lsmeans,
        "ancova": ancova,
        "responders": run.responders,
        "remission": run.remission,
    }
    if run.withdrawal is not None:
        w = run.withdrawal
        tables["withdrawal"] = pd.concat(
            [w.incidence.assign(table="incidence"), w.incidence_comparisons.assign(table="comparison")],
            ignore_index=True,
        )
        tables["counts"] = w.counts
    tables |= {"hierarchy": run.hierarchy, "consort": run.consort, "scores": run.scores}
    return tables


def trial_plot_jobs(run: TrialRun) -> list[tuple[str, Any]]:
    """Return the run's figures, ``(file stem, FigureJob)``: change_from_baseline, responders, withdrawal."""
    from assaykit.trial.plots import trial_figure_jobs

    total = f"{run.checklist.key}_total"
    withdrawal = run.withdrawal is not None and total in run.scores
    return trial_figure_jobs(
        lsmeans=run.mmrm.lsmeans,
        responders=run.responders,
        remission=run.remission,
        withdrawal_scores=run.scores[["patient", "arm", "visit", total]] if withdrawal else None,
        withdrawal_visits=[run.options["end_of_treatment"], *run.options["washout"]] if withdrawal else None,
        threshold=float(run.options["withdrawal_threshold"]),
        control=str(run.options["control"]),
        total=total,
        checklist=run.checklist.title,
    )


def run_trial(
    visits_path: str | Path,
    *,
    patients: str | Path,
    sheet: str | None = None,
    patients_sheet: str | None = None,
    output: str | Path | None = None,
    plot_dir: str | Path | None = None,
    plot_format: str = "png",
    progress: Callable[[int, int], None] | None = None,
    outputs: OutputSet | None = None,
    **options: Any,
) -> TrialRun:
    """Run a trial job from the visits and patients files to written results.

    Parameters
    ----------
    visits_path, patients
        The visits table and the patients table (:func:`assaykit.io.trial.read_trial`).
    sheet, patients_sheet
        The sheet of an .xlsx visits or patients file; by default the sheet called ``visits`` (``patients``)
        when the workbook has one, else the first (so both tables may be sheets of one workbook).
    output
        The MMRM contrasts (.csv, .tsv, .json) with the other tables beside it as ``<stem>_<sheet>.<ext>``,
        or an .xlsx file with every table as a sheet (:data:`SHEETS`).
    plot_dir, plot_format
        Folder and format of the figures (:func:`trial_plot_jobs`).
    progress
        Called as ``progress(done, total)`` as figures are finished.
    outputs
        The run's outputs when the caller commits them; None to write them at the end of this job.
    **options
        The keys of :data:`TRIAL_DEFAULTS`; None = not given. ``checklist`` is a TOML file's path.

    Returns
    -------
    TrialRun

    Raises
    ------
    AssayInputError
        For any input problem (naming the file, row, patient, visit and item where it can) or an output
        that clashes with an input or another output (nothing is written then).
    """
    opts = _options(options)
    checklist_path = opts["checklist"]
    with run_outputs(outputs, [visits_path, patients, checklist_path]) as out:
        output = out.add_file(output, "-o")
        siblings: dict[str, Path | None] = {}
        if output is not None and output.suffix.lower() != ".xlsx":
            for name in SHEETS[1:]:
                sibling = output.with_name(f"{output.stem}_{name}{output.suffix}")
                siblings[name] = out.add_file(sibling, f"-o ({name})")
        plot_dir = out.add_folder(plot_dir, "--plot")
        spec = PWC20 if checklist_path is None else load_checklist(checklist_path)
        items = None if checklist_path is None else {i.name: (i.low, i.high) for i in spec.items}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            visits, patient_table = read_trial(
                visits_path, patients, sheet=sheet, patients_sheet=patients_sheet, checklist=items
            )
            parts = _analyse(visits, patient_table, opts, spec)
        run = TrialRun(**parts, options=opts, checklist=spec, source=str(visits.attrs.get("source", "")))
        if run.withdrawal is not None and options.get("withdrawal_threshold") is None:
            run.withdrawal.notes.append(
                f"the withdrawal syndrome is a rise of {opts['withdrawal_threshold']:g} points, assaykit's "
                "default, not a published criterion: give your protocol's with --withdrawal-threshold"
            )
        run.warnings = [
            " ".join(str(w.message).split()) for w in caught if issubclass(w.category, UserWarning)
        ]
        if output is not None:
            tables = _tables(run)
            if output.suffix.lower() == ".xlsx":
                out.table(tables, output)
            else:
                out.table(tables["mmrm"], output)
                for name, path in siblings.items():
                    if name in tables and path is not None:
                        out.table(tables[name], path)
        if plot_dir is not None:
            write_figures(trial_plot_jobs(run), plot_dir, out, plot_format=plot_format, progress=progress)
        run.written = out.staged
    return run
