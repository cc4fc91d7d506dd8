"""``assaykit saturation``: saturation binding, total and nonspecific counts -> Kd and Bmax."""

from __future__ import annotations

from pathlib import Path

import click

from assaykit.cli import echo
from assaykit.cli.options import (
    CI,
    CONTEXT,
    EXCLUDE_WELLS,
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
@click.option(
    "--model",
    type=click.Choice(["one-site-total", "one-site", "hill", "two-site", "two-site-total"]),
    help="one-site-total: total and NSB fitted together [default]; one-site, hill, two-site: specific "
    "binding (total minus NSB); two-site-total: two sites, global. [default with --specific: one-site]",
)
@click.option("--specific", is_flag=True, help="The files hold specific binding (a 'specific' column).")
@CI
@click.option("--efficiency", type=float, metavar="F", help="Counting efficiency, cpm/dpm (for cpm data).")
@click.option(
    "--specific-activity", type=float, metavar="CI_PER_MMOL", help="Radioligand specific activity, Ci/mmol."
)
@click.option("--protein-mg", type=float, metavar="MG", help="Protein per tube, mg: Bmax in fmol/mg.")
@click.option("--cells", type=float, metavar="N", help="Cells per tube: Bmax in sites/cell.")
@click.option(
    "--volume-ml", type=float, metavar="ML", help="Assay volume per tube, ml: checks ligand depletion."
)
@SHEET
@LAYOUT
@EXCLUDE_WELLS
@PRISM_OUTPUT
@POINTS
@plot_option("Write one figure per data set (curves and Scatchard plot) here.")
@PLOT_FORMAT
@REPORT_OPTION
@QUIET
def saturation(
    files: tuple[Path, ...],
    model: str | None,
    specific: bool,
    ci: str | None,
    efficiency: float | None,
    specific_activity: float | None,
    protein_mg: float | None,
    cells: float | None,
    volume_ml: float | None,
    sheet: str | None,
    layout: Path | None,
    exclude_wells: str | None,
    output: Path | None,
    points_path: Path | None,
    plot_dir: Path | None,
    plot_format: str,
    report_path: Path | None,
    quiet: bool,
) -> None:
    """Fit saturation binding: total and nonspecific counts -> Kd and Bmax.

    FILES have one row per tube: conc_<unit> (radioligand, e.g. conc_nM), kind (total or nsb), cpm|dpm|counts,
    optional dataset (one result row each) and replicate; CSV, TSV or XLSX; or Prism .pzfx XY tables (X the
    radioligand concentration, data sets Total and Nonspecific). With --layout, FILES are the counter's plate
    grids and the layout says each well's kind and concentration. With --specific, a specific column
    replaces kind and the counts. Every replicate is fitted as a point. --efficiency,
    --specific-activity and --protein-mg (or --cells) turn Bmax into fmol/mg (or sites/cell).

    \b
    Examples:
      assaykit saturation sat.csv
      assaykit saturation sat.csv --efficiency 0.45 --specific-activity 85 --protein-mg 0.1 --volume-ml 1
      assaykit saturation sat.csv --model hill --ci profile -o results.xlsx --plot plots/
      assaykit saturation specific.csv --specific --model two-site
      assaykit saturation grid.csv --layout plate_map.toml --exclude-wells 'A*,H*' -o results.pzfx
    """
    from assaykit.io.outputs import OutputSet
    from assaykit.progress import ProgressBar
    from assaykit.report.render import add_report
    from assaykit.saturation.report import format_saturation
    from assaykit.saturation.workflow import run_saturation

    if protein_mg is not None and cells is not None:
        raise click.UsageError("give --protein-mg or --cells, not both")
    with OutputSet() as outputs, ProgressBar("data sets", enabled=not quiet) as bar:
        report_path = add_report(outputs, report_path)  # checked before any work, never over an input
        run = run_saturation(
            files,
            model=model,
            ci=ci,
            specific=specific,
            sheet=sheet,
            layout=layout,
            exclude_wells=exclude_wells,
            output=output,
            plot_dir=plot_dir,
            plot_format=plot_format,
            points_path=points_path,
            efficiency=efficiency,
            specific_activity_Ci_mmol=specific_activity,
            protein_mg=protein_mg,
            cells=cells,
            volume_ml=volume_ml,
            progress=bar,
            outputs=outputs,
        )
        if report_path is not None:
            from assaykit.report.command import run_title, stage_run_report
            from assaykit.report.sections.saturation import saturation_section

            section = saturation_section(run, progress=bar)
            stage_run_report(outputs, report_path, [section], title=run_title("saturation", files))
        written = outputs.commit()
    echo.warn(run.warnings)
    analysis = run.analysis
    if not quiet or output is None:  # -q still prints the results that go to no file
        click.echo(format_saturation(analysis.results))
    if quiet:
        return
    echo.notes(analysis.notes)
    flagged = analysis.results.loc[analysis.results["flags"] != "", "dataset"]
    echo.flagged(len(flagged), "data set(s)", ", ".join(map(str, flagged)))
    echo.wrote(written)
