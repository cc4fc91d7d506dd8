"""``assaykit binding``: competition binding curves, counts -> IC50 -> Ki."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assaykit.cli import echo
from assaykit.cli.options import (
    CI,
    CONTEXT,
    EXCLUDE_WELLS,
    FILE,
    FILES,
    LAYOUT,
    PLOT_FORMAT,
    POINTS,
    PRISM_OUTPUT,
    QUIET,
    SHEET,
    plot_option,
)
from assaykit.cli.options import REPORT as REPORT_OPTION


@click.command(context_settings=CONTEXT)
@FILES
@click.option("--kd", type=float, help="Radioligand Kd, nM (for Ki by Cheng-Prusoff).")
@click.option("--radioligand", type=float, help="Radioligand concentration in the assay, nM.")
@click.option(
    "--model",
    type=click.Choice(["4pl", "one-site", "fit-ki", "two-site", "two-site-ki", "homologous"]),
    help="4pl: Hill slope free [default]; one-site: Hill slope -1; fit-ki: fit log Ki directly; "
    "two-site, two-site-ki: two binding sites (IC50s or Kis); homologous: the radioligand displaced by "
    "itself unlabelled (fits Kd and Bmax; hot nM from a hot_nM column or --radioligand).",
)
@click.option(
    "--top", metavar="free|total|VALUE", help="Top plateau: free [default], the plate's TOTAL mean, or fixed."
)
@click.option(
    "--bottom",
    metavar="free|nsb|VALUE",
    help="Bottom plateau: free [default], the plate's NSB mean, or fixed.",
)
@CI
@click.option("--kd-lo", type=float, help="Two-site models: radioligand Kd at the low-affinity site [--kd].")
@click.option("--kd-se", type=float, help="SE of --kd, nM: the *_total Ki limits then include it.")
@click.option(
    "--kd-from",
    type=FILE,
    help="Take Kd and its SE from a table with kd_nM and kd_se_nM (e.g. 'assaykit saturation' results).",
)
@click.option("--kd-dataset", metavar="NAME", help="The row of the --kd-from table (dataset or compound).")
@click.option(
    "--weights", type=click.Choice(["none", "poisson"]), help="none [default] or poisson (1/Y of the curve)."
)
@click.option(
    "--outliers",
    type=click.Choice(["none", "rout"]),
    help="none [default] or rout: remove outliers by ROUT before the final fit.",
)
@click.option("--rout-q", type=float, metavar="PERCENT", help="ROUT's Q, the false discovery rate in % [1].")
@click.option(
    "--compare",
    "compare_path",
    is_flag=False,
    flag_value="-",
    metavar="[FILE]",
    help="Compare one vs two sites and Hill -1 vs free on each curve (F test, AICc); print, and write FILE.",
)
@click.option("--potency-vs", metavar="COMPOUND", help="IC50 ratio of each compound to this one, per plate.")
@click.option(
    "--engine",
    type=click.Choice(["auto", "batch", "lmfit"]),
    help="auto [default]: fit all curves at once (batch) when the options allow; with fewer than 20 curves, "
    "refit one at a time those it leaves ill posed (ambiguous, IC50 outside the range or SE over 0.5 log). "
    "lmfit: one curve at a time. They agree to 1e-6 in log IC50 on well-posed curves.",
)
@click.option(
    "--fdr",
    type=float,
    metavar="Q",
    help="False-discovery rate of the activity calls [0.05]: curves not called active are not fitted.",
)
@click.option(
    "--min-displacement",
    "min_displacement_pct",
    type=float,
    metavar="PERCENT",
    help="Smallest fall over the tested range, % of the plate's window, called active [20]. "
    "--fdr 1 --min-displacement 0 fits every curve.",
)
@click.option("--protocol", metavar="NAME|FILE", help="Preset of defaults (see 'assaykit protocols').")
@SHEET
@click.option("--compound", help="Compound name for a single-block wide file [default: the file name].")
@LAYOUT
@EXCLUDE_WELLS
@PRISM_OUTPUT
@plot_option("Write the figures here: one per curve and an overlay of each plate's compounds.")
@PLOT_FORMAT
@click.option(
    "--plot-y",
    type=click.Choice(["bound", "percent"]),
    default="bound",
    show_default=True,
    help="y axis of the figures: bound (the counts as measured) or percent (% specific binding: 0% = the "
    "plate's NSB mean, 100% = its TOTAL mean, as the --points column specific_pct).",
)
@POINTS
@REPORT_OPTION
@QUIET
def binding(
    files: tuple[Path, ...],
    kd: float | None,
    radioligand: float | None,
    kd_lo: float | None,
    kd_se: float | None,
    compare_path: str | None,
    report_path: Path | None,
    quiet: bool,
    **options: Any,
) -> None:
    """Fit competition binding curves: counts -> IC50 -> Ki.

    FILES are counter exports in the long layout (compound, conc_<unit>, cpm|dpm|counts, optional plate
    and replicate; TOTAL and NSB rows as controls) or Prism's wide layout; CSV, TSV or XLSX; or Prism
    .pzfx files (XY tables, one data set per compound). With --layout, FILES are the counter's plate grids
    and the layout (a wellmap TOML or a table) says what is in each well. Each compound on each plate is
    one curve, fitted with every replicate as a point.

    \b
    Examples:
      assaykit binding counts.csv --kd 1.5 --radioligand 1
      assaykit binding counts.csv --kd 1.5 --radioligand 1 --model fit-ki --ci profile
      assaykit binding counts.csv --bottom nsb -o results.csv --points points.csv --plot plots/
      assaykit binding counts.csv --kd 1.5 --radioligand 1 --plot figs/ --plot-y percent --plot-format svg
      assaykit binding counts.csv --kd 1.5 --radioligand 1 --compare comparison.csv --outliers rout
      assaykit binding plates.csv --layout plate_map.toml --kd 1.5 --radioligand 1 --points points.csv
      assaykit binding plates.xlsx --layout map.csv --exclude-wells 'A*,H*,*01,*12' -o results.pzfx
      assaykit binding counts.csv --model two-site-ki --kd 1.5 --radioligand 1 --weights poisson
      assaykit binding counts.csv --kd-from saturation.csv --radioligand 1 --potency-vs diazepam
      assaykit binding homologous.csv --model homologous          # hot_nM column per tube
      assaykit binding screen.csv --kd 1.5 --radioligand 1 --fdr 0.01 -o hits.csv   # a screen
    """
    from assaykit.binding.report import format_comparisons, format_competition, format_potency
    from assaykit.binding.workflow import run_binding
    from assaykit.io.outputs import OutputSet
    from assaykit.progress import ProgressBar
    from assaykit.report.render import add_report

    with OutputSet() as outputs, ProgressBar("curves", enabled=not quiet) as bar:
        report_path = add_report(outputs, report_path)  # checked before any work, never over an input
        run = run_binding(
            files,
            kd_nM=kd,
            radioligand_nM=radioligand,
            kd_lo_nM=kd_lo,
            kd_se_nM=kd_se,
            compare=compare_path is not None or None,
            compare_path=None if compare_path in (None, "-") else compare_path,
            progress=bar,
            outputs=outputs,
            keep_points=report_path is not None,
            **options,
        )
        if report_path is not None:
            from assaykit.report.command import run_title, stage_run_report
            from assaykit.report.sections.binding import binding_section

            section = binding_section(run, progress=bar, y_axis=options.get("plot_y") or "bound")
            stage_run_report(outputs, report_path, [section], title=run_title("binding", files))
        bar.stage("writing")
        written = outputs.commit()
    echo.warn(run.warnings)
    analysis = run.analysis
    filed = options.get("output") is not None  # -q still prints the results that go to no file
    if not quiet or not filed:
        # a screen written to a file: the terminal shows its first rows, the file has them all
        max_rows = echo.TERMINAL_ROWS if filed else None
        click.echo(format_competition(analysis.results, analysis.plates, max_rows=max_rows))
    if run.options.get("compare") and (not quiet or not (filed or compare_path not in (None, "-"))):
        click.echo("\nModel comparison (F test at P < 0.05 decides; dAICc = complex - simpler):")
        click.echo(format_comparisons(analysis.comparisons))
    if run.options.get("potency_vs") is not None and (not quiet or not filed):
        reference = run.options["potency_vs"]
        click.echo(f"\nPotency relative to {reference} (IC50 ratio, compound / reference):")
        click.echo(format_potency(analysis.potency))
    if quiet:
        return
    echo.notes(analysis.notes)
    results = analysis.results
    flagged = results.loc[(results["flags"] != "") & (results.get("activity", "") != "inactive"), "compound"]
    echo.flagged(len(flagged), "curve(s)", echo.listing(flagged))
    echo.wrote(written)
