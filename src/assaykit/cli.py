"""The ``assaykit`` command line: parse options, call the library, print.

Every heavy import happens inside the command that needs it, so ``assaykit --help`` starts fast. Any
user error (``AssayInputError`` or a usage error) is printed as one line, ``Error: ...``, with exit status
2 and no traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from assaykit import __version__
from assaykit.errors import AssayInputError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _one_line(text: str) -> str:
    return " ".join(text.split())


class AssayGroup(click.Group):
    """A click group whose user errors are one line on stderr with exit status 2."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:  # noqa: D102
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            click.echo(f"Error: {_one_line(exc.format_message())}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"Error: {_one_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except AssayInputError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=AssayGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="assaykit")
def main() -> None:
    r"""Turn raw anxiolytic-pharmacology data into the numbers that go into a paper.

    \b
    Examples:
      assaykit binding counts.csv --kd 1.5 --radioligand 1
      assaykit binding counts.csv --protocol bzd-flunitrazepam -o results.xlsx --plot plots/
      assaykit epm tracks.csv -o endpoints.csv --plot plots/
      assaykit ldb tracks.csv --protocol ldb-mouse
      assaykit protocols
    """


def _warn(messages: list[str]) -> None:
    for message in messages:
        click.echo(f"warning: {message}", err=True)


@main.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kd", type=float, help="Radioligand Kd, nM (for Ki by Cheng-Prusoff).")
@click.option("--radioligand", type=float, help="Radioligand concentration in the assay, nM.")
@click.option(
    "--model",
    type=click.Choice(["4pl", "one-site", "fit-ki"]),
    help="4pl: Hill slope free [default]; one-site: Hill slope -1; fit-ki: fit log Ki directly.",
)
@click.option(
    "--top", metavar="free|total|VALUE", help="Top plateau: free [default], the plate's TOTAL mean, or fixed."
)
@click.option(
    "--bottom",
    metavar="free|nsb|VALUE",
    help="Bottom plateau: free [default], the plate's NSB mean, or fixed.",
)
@click.option(
    "--ci", type=click.Choice(["asymptotic", "profile"]), help="Confidence intervals [default: asymptotic]."
)
@click.option("--protocol", metavar="NAME|FILE", help="Preset of defaults (see 'assaykit protocols').")
@click.option("--sheet", help="Sheet to read from .xlsx files [default: the first].")
@click.option("--compound", help="Compound name for a single-block wide file [default: the file name].")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write results (.csv .tsv .json .xlsx).",
)
@click.option(
    "--plot",
    "plot_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one PNG per curve here.",
)
@click.option(
    "--points",
    "points_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the per-tube table here.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors.")
def binding(
    files: tuple[Path, ...],
    kd: float | None,
    radioligand: float | None,
    model: str | None,
    top: str | None,
    bottom: str | None,
    ci: str | None,
    protocol: str | None,
    sheet: str | None,
    compound: str | None,
    output: Path | None,
    plot_dir: Path | None,
    points_path: Path | None,
    quiet: bool,
) -> None:
    r"""Fit competition binding curves: counts -> IC50 -> Ki.

    FILES are counter exports in the long layout (compound, conc_<unit>, cpm|dpm|counts, optional plate
    and replicate; TOTAL and NSB rows as controls) or Prism's wide layout; CSV, TSV or XLSX. Each
    compound on each plate is one curve, fitted with every replicate as a point.

    \b
    Examples:
      assaykit binding counts.csv --kd 1.5 --radioligand 1
      assaykit binding counts.csv --kd 1.5 --radioligand 1 --model fit-ki --ci profile
      assaykit binding counts.csv --bottom nsb -o results.csv --points points.csv --plot plots/
    """
    from assaykit.binding.report import format_competition
    from assaykit.binding.workflow import run_binding

    run = run_binding(
        files,
        protocol=protocol,
        sheet=sheet,
        compound=compound,
        output=output,
        plot_dir=plot_dir,
        points_path=points_path,
        kd_nM=kd,
        radioligand_nM=radioligand,
        model=model,
        top=top,
        bottom=bottom,
        ci=ci,
    )
    _warn(run.warnings)
    analysis = run.analysis
    flagged = analysis.results.loc[analysis.results["flags"] != "", "compound"]
    if not quiet:
        click.echo(format_competition(analysis.results, analysis.plates))
        for note in analysis.notes:
            click.echo(f"note: {note}", err=True)
        if len(flagged):
            click.echo(
                f"note: {len(flagged)} curve(s) flagged ({', '.join(map(str, flagged))}); "
                "flag codes are explained in the README",
                err=True,
            )
        for path in run.written:
            click.echo(f"wrote {path}", err=True)


def tracking_options(func: Any) -> Any:
    """Options shared by the tracking assays (``epm``, ``ldb``)."""
    options = [
        click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--protocol", metavar="NAME|FILE", help="Preset: geometry, session, entry criterion."),
        click.option(
            "--format",
            "track_format",
            type=click.Choice(["auto", "generic", "dlc", "ethovision", "anymaze"]),
            default="auto",
            show_default=True,
            help="Layout of the track files.",
        ),
        click.option(
            "--fps", type=float, help="Frame rate, for files that count frames (DeepLabCut, 'frame')."
        ),
        click.option(
            "--bodypart", help="DeepLabCut body part to follow, or several (a,b) for their centroid [all]."
        ),
        click.option("--likelihood", type=float, help="DeepLabCut: drop points below this [0.9]."),
        click.option("--max-gap", type=int, metavar="FRAMES", help="Interpolate gaps up to this long [10]."),
        click.option("--px-per-cm", type=float, help="Scale of pixel (or unit-less) coordinates."),
        click.option("--start", type=float, metavar="SECONDS", help="Session start [the first frame]."),
        click.option("--duration", type=float, metavar="SECONDS", help="Session length [300]."),
        click.option(
            "--hysteresis",
            type=float,
            metavar="CM",
            help="Distance beyond a zone before leaving it counts [1].",
        ),
        click.option("--min-time", type=float, metavar="SECONDS", help="Shorter visits are not entries [0]."),
        click.option(
            "--max-lost",
            type=float,
            metavar="FRACTION",
            help="Blank an animal losing more of the session [0.5].",
        ),
        click.option("--sheet", help="Sheet to read from .xlsx files [default: the first]."),
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write endpoints (.csv .tsv .json .xlsx).",
        ),
        click.option(
            "--episodes",
            "episodes_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write one row per zone visit here.",
        ),
        click.option(
            "--plot",
            "plot_dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Write one PNG per animal here (trajectory and heatmap).",
        ),
        click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run_tracking(assay: str, files: tuple[Path, ...], quiet: bool, **kwargs: Any) -> None:
    from assaykit.tracking.report import format_endpoints
    from assaykit.tracking.workflow import run_tracking

    if assay == "epm":
        from assaykit.epm import EPM as spec
    else:
        from assaykit.ldb import LDB as spec
    names = {"max_gap": "max_gap_frames", "start": "start_s", "duration": "duration_s"}
    names |= {"hysteresis": "hysteresis_cm", "min_time": "min_time_s"}
    options = {names.get(k, k): v for k, v in kwargs.items()}
    run = run_tracking(
        spec,
        files,
        protocol=options.pop("protocol"),
        format=options.pop("track_format"),
        sheet=options.pop("sheet"),
        output=options.pop("output"),
        episodes_path=options.pop("episodes_path"),
        plot_dir=options.pop("plot_dir"),
        **options,
    )
    _warn(run.warnings)
    if not quiet:
        click.echo(format_endpoints(run.endpoints, spec))
        click.echo(f"note: protocol {run.protocol.name}; column definitions are in the README", err=True)
        for path in run.written:
            click.echo(f"wrote {path}", err=True)


@main.command(context_settings=CONTEXT)
@tracking_options
def epm(files: tuple[Path, ...], quiet: bool, **options: Any) -> None:
    r"""Elevated plus maze: tracking logs -> open/closed/centre time, entries, latency, distance.

    FILES are tracking logs, one or several animals each: generic CSV/TSV/XLSX (time or frame, x, y,
    optional animal; or a zone column), DeepLabCut .csv/.h5, EthoVision XT raw-data exports or ANY-maze
    CSV. One row per animal. The default preset is the mouse maze (epm-mouse: centre 5 x 5 cm, arms
    30 x 5 cm, open arms along x, origin at the maze centre, 5 min).

    \b
    Examples:
      assaykit epm tracks.csv
      assaykit epm data/*.csv --protocol epm-rat -o endpoints.csv --plot plots/
      assaykit epm mouse1DLC.h5 --fps 30 --bodypart midback --px-per-cm 4.2 --protocol my-maze.toml
    """
    _run_tracking("epm", files, quiet, **options)


@main.command(context_settings=CONTEXT)
@tracking_options
def ldb(files: tuple[Path, ...], quiet: bool, **options: Any) -> None:
    r"""Light-dark box: tracking logs -> latency to the light, time in light, transitions, distance.

    FILES are tracking logs in the same layouts as for 'assaykit epm' (generic with x, y or light/dark
    zone labels, DeepLabCut, EthoVision XT, ANY-maze). One row per animal. The default preset is the mouse
    box (ldb-mouse: 45 x 27 cm, origin at its low-x low-y corner, dark compartment x < 15 cm, light x >= 15
    cm, the animal placed in the dark, 5 min).

    \b
    Examples:
      assaykit ldb tracks.csv
      assaykit ldb data/*.csv -o endpoints.xlsx --plot plots/
      assaykit ldb beams.csv --min-time 0.5        # per-frame light/dark labels from a beam-break box
    """
    _run_tracking("ldb", files, quiet, **options)


@main.command(context_settings=CONTEXT)
@click.argument("name", required=False)
def protocols(name: str | None) -> None:
    r"""List the protocol presets, or print one.

    \b
    Examples:
      assaykit protocols
      assaykit protocols bzd-flunitrazepam
    """
    from assaykit.io.presets import list_presets, load_preset

    if name is not None:
        preset = load_preset(name)
        click.echo(f"# {preset['preset']['path']}")
        click.echo(Path(preset["preset"]["path"]).read_text(encoding="utf-8").rstrip())
        return
    presets = list_presets()
    width = max((len(n) for n in presets), default=4)
    for preset_name in presets:
        meta = load_preset(preset_name)["preset"]
        click.echo(f"{preset_name:<{width}}  {meta.get('assay', ''):<8}  {meta.get('description', '')}")


@main.command(context_settings=CONTEXT)
def info() -> None:
    """Print versions of assaykit and its scientific dependencies, and where presets are read from."""
    from importlib.metadata import PackageNotFoundError, version

    from assaykit.io.presets import list_presets

    click.echo(f"assaykit {__version__} (Python {sys.version.split()[0]})")
    for package in ("numpy", "scipy", "pandas", "lmfit", "click", "matplotlib", "openpyxl", "tables"):
        try:
            click.echo(f"  {package} {version(package)}")
        except PackageNotFoundError:
            click.echo(f"  {package} not installed")
    folders = sorted({str(path.parent) for path in list_presets().values()})
    click.echo(f"presets: {', '.join(folders) or 'none found'}")
