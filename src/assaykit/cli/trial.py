"""``assaykit trial``: a randomised trial's HAM-A and withdrawal data -> efficacy and safety tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assaykit.cli import echo
from assaykit.cli.options import CONTEXT, FILE, PLOT_FORMAT, QUIET, output_option, plot_option
from assaykit.cli.options import REPORT as REPORT_OPTION

_COVARIANCE = ["unstructured", "toeplitz_heterogeneous", "ar1_heterogeneous", "compound_symmetry"]


@click.command(context_settings=CONTEXT)
@click.argument("visits", type=FILE)
@click.option("--patients", required=True, type=FILE, help="The patients table (randomised, treated, "
              "completed, discontinued_reason per patient).")  # fmt: skip
@click.option("--sheet", metavar="NAME", help="Sheet of an .xlsx VISITS file [the sheet 'visits', else "
              "the first].")  # fmt: skip
@click.option("--patients-sheet", metavar="NAME", help="Sheet of an .xlsx patients file [the sheet "
              "'patients', else the first].")  # fmt: skip
@click.option("--control", metavar="ARM", help="The control arm [placebo].")
@click.option(
    "--primary-visit", metavar="VISIT", help="Visit of the primary comparison [the last treatment visit]."
)
@click.option("--covariance", type=click.Choice(_COVARIANCE), help="MMRM covariance of the visits, the first "
              "tried; the later ones are the fallbacks [unstructured].")  # fmt: skip
@click.option("--df-method", type=click.Choice(["satterthwaite", "residual"]), help="Degrees of freedom of "
              "the MMRM's tests [satterthwaite].")  # fmt: skip
@click.option("--margin", type=click.FloatRange(min=0, min_open=True), metavar="X",
              help="Non-inferiority margin of the two active arms, HAM-A points.")  # fmt: skip
@click.option("--equivalence", is_flag=True, default=None, help="Test equivalence within +/- the margin "
              "(two one-sided tests) instead of non-inferiority.")  # fmt: skip
@click.option("--end-of-treatment", metavar="VISIT", help="Last visit on treatment [the primary visit].")
@click.option("--washout", multiple=True, metavar="VISIT", help="A washout visit; repeat for several "
              "[the visits after the end of treatment].")  # fmt: skip
@click.option("--withdrawal-threshold", type=click.FloatRange(min=0, min_open=True), metavar="X",
              help="Checklist rise from the end of treatment making a withdrawal syndrome [3: a "
              "convention, not a published criterion; give your protocol's].")  # fmt: skip
@click.option("--checklist", type=click.Path(dir_okay=False, exists=True, path_type=Path), metavar="TOML",
              help="A withdrawal checklist other than the PWC-20 (items, ranges, subscales).")  # fmt: skip
@click.option("--max-missing", type=click.IntRange(min=0, max=13), metavar="N",
              help="HAM-A items that may be missing for a visit's total to be prorated [2].")  # fmt: skip
@click.option("--hierarchy", type=click.Choice(["fixed-sequence", "holm"]), help="The drugs vs placebo at "
              "each step in the file's order, or together by Holm [fixed-sequence].")  # fmt: skip
@click.option("--sequence", metavar="KEYS", help="The key secondary comparisons tested after the primary, in "
              "order, comma-separated: noninferiority, responders, remission, withdrawal (drug vs drug), "
              "withdrawal-control (each drug vs the control), or none [noninferiority (with --margin), "
              "responders,remission,withdrawal].")  # fmt: skip
@output_option("Write the MMRM contrasts (.csv .tsv .json) with the other tables beside it "
               "(<name>_lsmeans, _ancova, ...), or every table as a sheet of an .xlsx file.")  # fmt: skip
@plot_option("Write the change from baseline by visit, the responder bars and the washout here.")
@PLOT_FORMAT
@REPORT_OPTION
@QUIET
def trial(visits: Path, report_path: Path | None, quiet: bool, **options: Any) -> None:
    """Randomised controlled trial: HAM-A efficacy (MMRM, ANCOVA), responders, withdrawal, CONSORT.

    VISITS has one row per patient and visit: patient, arm, visit and the HAM-A items hama_01 .. hama_14
    (or hama_total), with the PWC-20 items pwc_01 .. pwc_20 at the end of treatment and in the washout;
    CSV, TSV or XLSX. The primary analysis is a mixed model for repeated measures of the change from
    baseline (missing at random, no LOCF), each drug against the control at every visit; the drugs are
    tested in a fixed sequence (alpha 0.05) with the key secondary comparisons of --sequence.

    \b
    Examples:
      assaykit trial visits.csv --patients patients.csv
      assaykit trial visits.csv --patients patients.csv -o trial.xlsx --plot figs/
      assaykit trial visits.csv --patients patients.csv --margin 3 --primary-visit "week 2"
      assaykit trial trial.xlsx --patients trial.xlsx --covariance compound_symmetry --hierarchy holm
      assaykit trial visits.csv --patients patients.csv --washout "washout day 3" --withdrawal-threshold 4
      assaykit trial visits.csv --patients patients.csv --sequence withdrawal,responders
    """
    from assaykit.io.outputs import OutputSet
    from assaykit.progress import ProgressBar
    from assaykit.report.render import add_report
    from assaykit.trial.report import format_trial
    from assaykit.trial.workflow import run_trial

    with OutputSet() as outputs, ProgressBar("figures", enabled=not quiet) as bar:
        report_path = add_report(outputs, report_path)  # checked before any work, never over an input
        run = run_trial(visits, progress=bar, outputs=outputs, **options)
        if report_path is not None:
            from assaykit.report.command import run_title, stage_run_report
            from assaykit.report.sections.trial import trial_section

            section = trial_section(run, progress=bar)
            stage_run_report(outputs, report_path, [section], title=run_title("trial", [visits]))
        written = outputs.commit()
    echo.warn(run.warnings)
    filed = options.get("output") is not None
    if not quiet or not filed:
        click.echo(format_trial(run))
    if quiet:
        return
    echo.notes([*run.mmrm.notes, *(run.withdrawal.notes if run.withdrawal is not None else [])])
    echo.wrote(written)
