"""``assaykit report``: a whole study declared in one TOML file -> one HTML report, a section per part."""

from __future__ import annotations

from pathlib import Path

import click

from assaykit.cli import echo
from assaykit.cli.options import CONTEXT, FILE, QUIET


@click.command(context_settings=CONTEXT)
@click.argument("study_file", metavar="STUDY", type=FILE)
@click.option(
    "-o",
    "--output",
    type=FILE,
    required=True,
    help="Write the report here (.html): one self-contained page.",
)
@click.option(
    "--tables",
    "tables_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each part's table into this folder (binding-1.csv, epm-1.csv, ...) [the study's tables].",
)
@click.option(
    "--table-format",
    type=click.Choice(["csv", "tsv", "json", "xlsx"]),
    help="Format of the tables (xlsx: every sheet of each part) [the study's table-format, else csv].",
)
@QUIET
def report(
    study_file: Path, output: Path, tables_dir: Path | None, table_format: str | None, quiet: bool
) -> None:
    """Run a whole study declared in one file and write one report with a section per part.

    STUDY is a TOML file: a [study] table (title, tables folder) and one [[binding]], [[saturation]],
    [[epm]], [[ldb]] or [[compare]] table per part, each with its files (relative to the study file)
    and the options of its command, spelled as on its command line (kd, radioligand, px-per-cm, design,
    control, protocol, ...). The whole file is checked before any part runs; a part that fails stops
    the study, and then no file is written.

    \b
    Examples:
      assaykit report examples/study/study.toml -o report.html
      assaykit report study.toml -o report.html --tables tables/ --table-format xlsx
    """
    from assaykit.io.outputs import OutputSet
    from assaykit.progress import ProgressBar
    from assaykit.report.study import read_study
    from assaykit.report.study_run import run_study

    study = read_study(study_file)
    with OutputSet() as outputs, ProgressBar("parts", enabled=not quiet) as bar:
        run = run_study(
            study, output, tables=tables_dir, table_format=table_format, outputs=outputs, progress=bar
        )
        bar.stage("writing")
        written = outputs.commit()
    echo.warn(run.warnings)
    if quiet:
        return
    for part in run.parts:
        click.echo(f"{part.part.label} {part.part.stem}: {part.section.title}")
    echo.wrote(written)
