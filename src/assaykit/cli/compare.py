"""``assaykit compare``: group statistics, every group against the control, per endpoint."""

from __future__ import annotations

from pathlib import Path

import click

from assaykit.cli import echo
from assaykit.cli.options import CONTEXT, FILE, QUIET, output_option, plot_option


@click.command(context_settings=CONTEXT)
@click.argument("endpoints_file", metavar="ENDPOINTS", type=FILE)
@click.option(
    "--design",
    "design_path",
    type=FILE,
    help="Design: animal, group [, dose_<unit>, compound, sex, cohort, excluded, reason] [the groups in "
    "ENDPOINTS].",
)
@click.option("--control", required=True, help="The control group, e.g. vehicle.")
@click.option(
    "--endpoint",
    "endpoint_names",
    multiple=True,
    metavar="NAME",
    help="An endpoint column; repeat, or separate with commas [the assay's main ones, else all numeric].",
)
@click.option(
    "--test",
    type=click.Choice(["auto", "parametric", "nonparametric"]),
    default="auto",
    show_default=True,
    help="Headline tests; auto picks per endpoint from Shapiro-Wilk and Brown-Forsythe.",
)
@click.option("--group-column", default="group", show_default=True, help="Name of the group column.")
@output_option("Write the comparisons (.csv .tsv .json; .xlsx gets every table).")
@click.option(
    "--summary",
    "summary_path",
    type=FILE,
    help="Write n, mean, SD, SEM, median and IQR per group here.",
)
@plot_option("Write one dot plot per endpoint here.")
@QUIET
def compare(
    endpoints_file: Path,
    design_path: Path | None,
    control: str,
    endpoint_names: tuple[str, ...],
    test: str,
    group_column: str,
    output: Path | None,
    summary_path: Path | None,
    plot_dir: Path | None,
    quiet: bool,
) -> None:
    """Group statistics: every group against the control, per endpoint, with effect sizes and plots.

    ENDPOINTS has one row per animal: what 'assaykit epm' or 'ldb' writes, or any tidy CSV, TSV, XLSX or
    JSON table with an animal column. The design gives each animal its group (and dose, exclusions with
    their reasons); without --design the groups come from ENDPOINTS. Two groups: Welch's t and
    Mann-Whitney U; three or more: ANOVA with Dunnett's test and Kruskal-Wallis with Dunn's test (Holm).
    Both families are reported; --test chooses the headline. Hedges' g with its 95% CI for each group,
    and a dose-response trend when the design has doses.

    \b
    Examples:
      assaykit compare endpoints.csv --design design.csv --control vehicle
      assaykit compare endpoints.csv --design design.csv --control vehicle -o stats.xlsx --plot plots/
      assaykit compare scores.csv --control saline --endpoint immobility_s --test nonparametric
    """
    from assaykit.io.outputs import OutputSet
    from assaykit.stats.workflow import run_compare

    names = [n.strip() for item in endpoint_names for n in item.split(",") if n.strip()]
    with OutputSet() as outputs:
        run = run_compare(
            endpoints_file,
            design=design_path,
            control=control,
            endpoints=names or None,
            test=test,
            group=group_column,
            output=output,
            summary_path=summary_path,
            plot_dir=plot_dir,
            outputs=outputs,
        )
        written = outputs.commit()
    echo.echo_comparison(run, quiet, filed=output is not None)
    if not quiet:
        echo.wrote(written)
