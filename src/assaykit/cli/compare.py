"""``assaykit compare``: group statistics, every group against the control, per endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assaykit.cli import echo
from assaykit.cli.options import CONTEXT, FILE, PLOT_FORMAT, QUIET, output_option, plot_option, stacked
from assaykit.cli.options import REPORT as REPORT_OPTION

#: The families of tests (``assaykit.stats.plan.TESTS``; written out so that --help does not import scipy).
TEST_CHOICES = ("parametric", "welch", "nonparametric", "steel", "auto")

#: ``--test``, shared with ``epm``/``ldb --design``.
TEST_OPTION = click.option(
    "--test",
    type=click.Choice(TEST_CHOICES),
    help="Headline tests, pre-specified: parametric (ANOVA + Dunnett), welch (Welch ANOVA + Dunnett T3), "
    "nonparametric (Kruskal-Wallis + Dunn), steel (Steel's rank test); auto is exploratory "
    "[the protocol's, else parametric].",
)
#: ``--primary``, shared with ``epm``/``ldb --design``.
PRIMARY_OPTION = click.option(
    "--primary",
    metavar="ENDPOINT",
    help="The primary endpoint; the others are secondary and adjusted across endpoints [none].",
)

#: The analysis-plan options of ``compare`` (the fields of ``assaykit.stats.plan.StatisticsPlan``).
PLAN_OPTIONS = stacked(
    click.option(
        "--protocol",
        metavar="NAME|FILE",
        help="A preset or TOML file whose [statistics] table is the analysis plan (options override it).",
    ),
    TEST_OPTION,
    PRIMARY_OPTION,
    click.option(
        "--secondary-adjust",
        type=click.Choice(["holm", "bonferroni", "none"]),
        help="Multiplicity across the secondary endpoints [holm].",
    ),
    click.option(
        "--dunn-adjust",
        type=click.Choice(["holm", "bonferroni"]),
        help="Dunn's p-values: Holm, or Bonferroni as GraphPad Prism reports them [holm].",
    ),
    click.option(
        "--factor", metavar="COLUMN", help="A factor crossed with treatment, e.g. sex: two-way ANOVA."
    ),
    click.option(
        "--interaction-alpha",
        type=float,
        metavar="P",
        help="With --factor: below this interaction p, compare within each level [0.05].",
    ),
    click.option("--block", metavar="COLUMN", help="A blocking factor, e.g. cohort or test day."),
    click.option(
        "--block-model",
        type=click.Choice(["auto", "fixed", "random"]),
        help="The block as a fixed term or a random intercept (mixed model); auto: random from 5 "
        "levels [auto].",
    ),
    click.option(
        "--covariate",
        metavar="COLUMN",
        help="A locomotor covariate (distance_cm, total_entries): ANCOVA of the other endpoints.",
    ),
    click.option(
        "--counts",
        type=click.Choice(["none", "poisson", "negative_binomial", "auto"]),
        help="GLMs for count endpoints (entries, transitions) and a binomial GLM of open entries [none].",
    ),
    click.option(
        "--session-s",
        type=float,
        metavar="SECONDS",
        help="Session length, to censor latencies, when the table has no session_s column.",
    ),
    click.option("--spread", type=click.Choice(["sd", "sem"]), help="Spread shown with the means [sd]."),
    click.option(
        "--quartiles",
        type=click.Choice(["type7", "prism"]),
        help="Quartiles as R and numpy (type7) or as GraphPad Prism computes them [type7].",
    ),
)


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
@PLAN_OPTIONS
@click.option("--group-column", default="group", show_default=True, help="Name of the group column.")
@output_option("Write the comparisons (.csv .tsv .json; .xlsx gets every table).")
@click.option(
    "--summary",
    "summary_path",
    type=FILE,
    help="Write n, mean, SD, SEM, median and IQR per group here.",
)
@plot_option("Write the figures of each endpoint here (dots, estimation plot, latency curves).")
@PLOT_FORMAT
@REPORT_OPTION
@QUIET
def compare(
    endpoints_file: Path,
    design_path: Path | None,
    control: str,
    endpoint_names: tuple[str, ...],
    protocol: str | None,
    group_column: str,
    output: Path | None,
    summary_path: Path | None,
    plot_dir: Path | None,
    plot_format: str,
    report_path: Path | None,
    quiet: bool,
    **plan_options: Any,
) -> None:
    """Group statistics: every group against the control, per endpoint, with effect sizes and plots.

    ENDPOINTS has one row per animal: what 'assaykit epm' or 'ldb' writes, or any tidy CSV, TSV, XLSX or
    JSON table with an animal column. The design gives each animal its group (and dose, sex, cohort,
    exclusions with their reasons); without --design the groups come from ENDPOINTS.

    The tests are pre-specified (--test or the protocol's [statistics] table), parametric by default:
    Welch's t for two groups; for more, one-way ANOVA (shown) with Dunnett's test, which is not gated on
    the ANOVA. The rank family (Mann-Whitney U; Kruskal-Wallis with Dunn's test) is reported beside it.
    Hedges' g with its 95% CI for each group, a dose-response trend when the design has doses, and the
    analyses the plan asks for: --primary (Holm across the secondary endpoints), --factor sex (two-way
    ANOVA), --block cohort (fixed or mixed model), --covariate distance_cm (ANCOVA), --counts (GLMs).
    Latencies are censored at the session length: Kaplan-Meier medians and log-rank tests.

    \b
    Examples:
      assaykit compare endpoints.csv --design design.csv --control vehicle
      assaykit compare endpoints.csv --design design.csv --control vehicle --primary open_time_pct \\
          --factor sex --block cohort -o stats.xlsx --plot plots/
      assaykit compare scores.csv --control saline --endpoint immobility_s --test nonparametric
    """
    from assaykit.io.outputs import OutputSet
    from assaykit.progress import ProgressBar
    from assaykit.report.render import add_report
    from assaykit.stats.plan import PLAN_FIELDS, build_plan
    from assaykit.stats.workflow import run_compare

    names = [n.strip() for item in endpoint_names for n in item.split(",") if n.strip()]
    plan = build_plan(protocol, **{name: plan_options[name] for name in PLAN_FIELDS})
    with OutputSet() as outputs, ProgressBar("comparisons", enabled=not quiet) as bar:
        report_path = add_report(outputs, report_path)  # checked before any work, never over an input
        run = run_compare(
            endpoints_file,
            design=design_path,
            control=control,
            endpoints=names or None,
            group=group_column,
            output=output,
            summary_path=summary_path,
            plot_dir=plot_dir,
            plot_format=plot_format,
            progress=bar,
            outputs=outputs,
            plan=plan,
        )
        if report_path is not None:
            from assaykit.report.command import run_title, stage_run_report
            from assaykit.report.sections.compare import compare_section

            section = compare_section(run, progress=bar)
            stage_run_report(outputs, report_path, [section], title=run_title("compare", [endpoints_file]))
        written = outputs.commit()
    echo.echo_comparison(run, quiet, filed=output is not None)
    if not quiet:
        echo.wrote(written)
