"""``assaykit pk``: plasma concentration-time data -> Cmax, Tmax, AUC, half-life, per subject and group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assaykit.cli import echo
from assaykit.cli.options import CONTEXT, FILES, PLOT_FORMAT, QUIET, SHEET, output_option, plot_option
from assaykit.cli.options import REPORT as REPORT_OPTION

_NUMBER = click.FloatRange(min=0.0, min_open=True)


@click.command(context_settings=CONTEXT)
@FILES
@click.option("--protocol", metavar="NAME|FILE", help="Preset of defaults (see 'assaykit protocols').")
@SHEET
@click.option(
    "--route",
    metavar="ROUTE",
    help="Route for subjects the file gives none: oral (po, ip, sc, im: extravascular), iv (bolus) or "
    "iv-infusion [extravascular].",
)
@click.option(
    "--infusion-h", "infusion_h", type=_NUMBER, metavar="H", help="Infusion duration, h (iv-infusion)."
)
@click.option("--dose", type=_NUMBER, help="Dose of subjects the file gives none (with --dose-unit).")
@click.option(
    "--dose-unit", metavar="UNIT", help="Unit of --dose: mg/kg, ug/kg, nmol/kg, mg, ug, nmol, umol."
)
@click.option(
    "--mw",
    "mw_g_mol",
    type=_NUMBER,
    metavar="G_PER_MOL",
    help="Molecular weight, g/mol: for a mass dose with molar concentrations (or the reverse).",
)
@click.option(
    "--lloq",
    type=_NUMBER,
    help="Lower limit of quantification, in the concentration column's unit: values below it count as BLQ.",
)
@click.option(
    "--auc-method",
    type=click.Choice(["linear", "linear-up-log-down"]),
    help="Trapezoids: linear throughout, or linear up / log down [linear].",
)
@click.option("--blq-before", type=click.Choice(["zero", "missing"]), help="BLQ before the first measurable "
              "value [zero].")  # fmt: skip
@click.option("--blq-after", type=click.Choice(["missing", "zero"]), help="BLQ after the first measurable "
              "value [missing].")  # fmt: skip
@click.option(
    "--lambda-z-points",
    multiple=True,
    metavar="SUBJECT=T1,T2,...",
    help="Fit lambda_z of SUBJECT on the samples at these times (h), instead of the best adjusted R^2; "
    "repeat for several subjects.",
)
@click.option(
    "--min-points", type=click.IntRange(min=3), help="Fewest points of a lambda_z fit, Tmax excluded [3]."
)
@click.option("--min-r2adj", type=click.FloatRange(0, 1), help="Flag lambda_z below this adjusted R^2 [0.9].")
@click.option("--max-extrap", "max_extrap_pct", type=click.FloatRange(0, 100), metavar="PERCENT",
              help="Flag AUC0-inf with more than this % extrapolated [20].")  # fmt: skip
@click.option("--min-span-ratio", type=_NUMBER, help="Flag a terminal phase spanning fewer half-lives [2].")
@click.option(
    "--partial-auc",
    multiple=True,
    metavar="START-END",
    help="Partial AUC over this interval, h (e.g. 0-4); repeat for several.",
)
@click.option(
    "--compartmental",
    type=click.Choice(["none", "1", "2", "both"]),
    help="Fit one- and/or two-compartment models per subject; both: compared by F test and AICc [none].",
)
@click.option(
    "--lag", is_flag=True, default=None, help="Compartment models of oral data with an absorption lag."
)
@click.option("--cmt-weights", type=click.Choice(["none", "1/y", "1/y2"]), help="Weights of the compartment "
              "fits [none].")  # fmt: skip
@output_option(
    "Write the per-subject results (.csv .tsv .json .xlsx); the group summary goes beside it "
    "(<name>_groups), or into the .xlsx file with the points and compartment fits."
)
@click.option("--points", "points_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the per-sample table here (concentrations used, lambda_z points).")  # fmt: skip
@plot_option("Write a profile per subject (linear and semi-log) and the group means here.")
@PLOT_FORMAT
@REPORT_OPTION
@QUIET
def pk(files: tuple[Path, ...], report_path: Path | None, quiet: bool, **options: Any) -> None:
    """Non-compartmental pharmacokinetics: concentration-time data -> Cmax, Tmax, AUC, half-life.

    FILES have one row per sample: a subject (or animal) column, time_<unit> (time_h, time_min),
    conc_<unit> (conc_ng_mL, conc_nM, ...; BLQ cells marked BLQ or <LLOQ), and optional group, analyte,
    dose_<unit> (dose_mg_kg, ...) and route columns; CSV, TSV or XLSX. Each subject x analyte is one
    profile; lambda_z is chosen by the best adjusted R^2 (Phoenix WinNonlin, PKNCA).

    \b
    Examples:
      assaykit pk pk.csv
      assaykit pk pk.csv --protocol pk-rodent-oral -o results.xlsx --plot figs/
      assaykit pk pk.csv --auc-method linear-up-log-down --lloq 1 --partial-auc 0-4
      assaykit pk iv.csv --route iv --dose 2 --dose-unit mg/kg --compartmental both
      assaykit pk pk.csv --lambda-z-points r03=8,12,24 -o results.csv
    """
    from assaykit.io.outputs import OutputSet
    from assaykit.pk.report import format_compartmental, format_groups, format_nca
    from assaykit.pk.workflow import run_pk
    from assaykit.progress import ProgressBar
    from assaykit.report.render import add_report

    with OutputSet() as outputs, ProgressBar("figures", enabled=not quiet) as bar:
        report_path = add_report(outputs, report_path)  # checked before any work, never over an input
        run = run_pk(files, progress=bar, outputs=outputs, **options)
        if report_path is not None:
            from assaykit.report.command import run_title, stage_run_report
            from assaykit.report.sections.pk import pk_section

            section = pk_section(run, progress=bar)
            stage_run_report(outputs, report_path, [section], title=run_title("pk", files))
        written = outputs.commit()
    echo.warn(run.warnings)
    nca = run.nca
    filed = options.get("output") is not None
    if not quiet or not filed:
        click.echo(format_nca(nca.results, nca.columns))
        click.echo("\nGroups:")
        click.echo(format_groups(run.groups, nca.columns))
        if len(run.compartmental):
            click.echo("\nCompartment fits:")
            click.echo(format_compartmental(run.compartmental))
    if quiet:
        return
    flagged = nca.results.loc[nca.results["flags"].astype(str) != "", "subject"]
    echo.flagged(len(flagged), "profile(s)", echo.listing(flagged.astype(str)))
    echo.wrote(written)
