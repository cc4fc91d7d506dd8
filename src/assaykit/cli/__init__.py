"""The ``assaykit`` command line: parse options, call the library, print.

Every heavy import happens inside the command that needs it, so ``assaykit --help`` starts fast. Any
user error (``AssayInputError``, a usage error, or a file-system error) is printed as one line,
``Error: ...``, with exit status 2 and no traceback. Anything else is a bug in assaykit: one line that says
so, exit status 1, and the traceback only with ``ASSAYKIT_TRACEBACK=1`` in the environment.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

import assaykit
from assaykit.errors import AssayInputError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


#: Options several commands share, written once.
OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write results (.csv .tsv .json .xlsx).",
)
POINTS = click.option(
    "--points",
    "points_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the per-tube table here.",
)
SHEET = click.option("--sheet", help="Sheet to read from .xlsx files [default: the first].")
QUIET = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Hide notes and progress (warnings, errors and results that go to no file still print).",
)

JOBS = click.option(
    "-j",
    "--jobs",
    default="1",
    metavar="N|auto",
    help="Files analysed at once, each in its own process; 0 or auto: one per core. The results are "
    "the same as with 1 [1].",
)


def plot_option(what: str) -> Any:
    """Return the ``--plot DIR`` option: one PNG per ``what``."""
    return click.option(
        "--plot",
        "plot_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help=f"Write one PNG per {what} here.",
    )


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
        except OSError as exc:  # a file-system problem no check foresaw: still one line naming the path
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"Error: {_one_line(where + (exc.strerror or str(exc)))}", err=True)
            sys.exit(2)
        except Exception as exc:  # a bug: one line that says so, the traceback only when asked for
            if os.environ.get("ASSAYKIT_TRACEBACK"):
                raise
            click.echo(
                f"Error: internal error ({type(exc).__name__}: {_one_line(str(exc))[:300]}); no file was "
                "written. This is a bug in assaykit: please report it with the command and the input "
                "(ASSAYKIT_TRACEBACK=1 shows the traceback)",
                err=True,
            )
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: print click's ``assaykit, version X`` line and stop."""
    if value and not ctx.resilient_parsing:
        click.echo(f"assaykit, version {assaykit.__version__}")  # looked up now, not at every start
        ctx.exit()


@click.group(cls=AssayGroup, context_settings=CONTEXT)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
def main() -> None:
    """Turn raw anxiolytic-pharmacology data into the numbers that go into a paper.

    \b
    Examples:
      assaykit binding counts.csv --kd 1.5 --radioligand 1
      assaykit binding counts.csv --protocol bzd-flunitrazepam -o results.xlsx --plot plots/
      assaykit saturation sat.csv --efficiency 0.45 --specific-activity 85 --protein-mg 0.1
      assaykit epm tracks.csv -o endpoints.csv --plot plots/
      assaykit ldb tracks.csv --protocol ldb-mouse
      assaykit epm tracks.csv --design design.csv --control vehicle --stats stats.xlsx
      assaykit compare endpoints.csv --design design.csv --control vehicle --plot plots/
      assaykit protocols
    """


#: With ``-o``, the terminal shows this many curves of a larger screen (the file has every row).
TERMINAL_ROWS = 30


def _listing(names: Any, limit: int = 10) -> str:
    """Join names with commas, at most ``limit`` of them, saying how many more there are."""
    names = [str(name) for name in names]
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit:,} more"


def _warn(messages: list[str]) -> None:
    for message in messages:
        click.echo(f"warning: {message}", err=True)


@main.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
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
@click.option(
    "--ci", type=click.Choice(["asymptotic", "profile"]), help="Confidence intervals [default: asymptotic]."
)
@click.option("--kd-lo", type=float, help="Two-site models: radioligand Kd at the low-affinity site [--kd].")
@click.option("--kd-se", type=float, help="SE of --kd, nM: the *_total Ki limits then include it.")
@click.option(
    "--kd-from",
    type=click.Path(dir_okay=False, path_type=Path),
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
@OUTPUT
@plot_option("curve")
@POINTS
@QUIET
def binding(
    files: tuple[Path, ...],
    kd: float | None,
    radioligand: float | None,
    kd_lo: float | None,
    kd_se: float | None,
    compare_path: str | None,
    quiet: bool,
    **options: Any,
) -> None:
    """Fit competition binding curves: counts -> IC50 -> Ki.

    FILES are counter exports in the long layout (compound, conc_<unit>, cpm|dpm|counts, optional plate
    and replicate; TOTAL and NSB rows as controls) or Prism's wide layout; CSV, TSV or XLSX. Each
    compound on each plate is one curve, fitted with every replicate as a point.

    \b
    Examples:
      assaykit binding counts.csv --kd 1.5 --radioligand 1
      assaykit binding counts.csv --kd 1.5 --radioligand 1 --model fit-ki --ci profile
      assaykit binding counts.csv --bottom nsb -o results.csv --points points.csv --plot plots/
      assaykit binding counts.csv --kd 1.5 --radioligand 1 --compare comparison.csv --outliers rout
      assaykit binding counts.csv --model two-site-ki --kd 1.5 --radioligand 1 --weights poisson
      assaykit binding counts.csv --kd-from saturation.csv --radioligand 1 --potency-vs diazepam
      assaykit binding homologous.csv --model homologous          # hot_nM column per tube
      assaykit binding screen.csv --kd 1.5 --radioligand 1 --fdr 0.01 -o hits.csv   # a screen
    """
    from assaykit.binding.report import format_comparisons, format_competition, format_potency
    from assaykit.binding.workflow import run_binding
    from assaykit.io.outputs import OutputSet
    from assaykit.progress import ProgressBar

    with OutputSet() as outputs, ProgressBar("curves", enabled=not quiet) as bar:
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
            **options,
        )
        bar.stage("writing")
        written = outputs.commit()
    _warn(run.warnings)
    analysis = run.analysis
    filed = options.get("output") is not None  # -q still prints the results that go to no file
    if not quiet or not filed:
        # a screen written to a file: the terminal shows its first rows, the file has them all
        max_rows = TERMINAL_ROWS if filed else None
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
    for note in analysis.notes:
        click.echo(f"note: {note}", err=True)
    results = analysis.results
    flagged = results.loc[(results["flags"] != "") & (results["activity"] != "inactive"), "compound"]
    if len(flagged):
        click.echo(
            f"note: {len(flagged)} curve(s) flagged ({_listing(flagged)}); "
            "flag codes are explained in the README",
            err=True,
        )
    _wrote(written)


def _wrote(paths: list[Path]) -> None:
    """Say which files a run wrote."""
    for path in paths:
        click.echo(f"wrote {path}", err=True)


def tracking_options(func: Any) -> Any:
    """Options shared by the tracking assays (``epm``, ``ldb``)."""
    options = [
        click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--protocol", metavar="NAME|FILE", help="Preset: geometry, session, entry criterion."),
        click.option(
            "--format",
            "track_format",
            type=click.Choice(["auto", "generic", "dlc", "sleap", "lightningpose", "ethovision", "anymaze"]),
            default="auto",
            show_default=True,
            help="Layout of the track files.",
        ),
        click.option(
            "--fps",
            type=float,
            help="Frame rate, for files that count frames (DeepLabCut, SLEAP, LightningPose, 'frame').",
        ),
        click.option(
            "--keypoint",
            "--bodypart",
            "bodypart",
            metavar="NAME[,NAME...]",
            help="Pose: the keypoint that is the animal's position, or several for their centroid [all].",
        ),
        click.option(
            "--confidence",
            "--likelihood",
            "likelihood",
            type=float,
            help="Pose: drop points scored below this (DeepLabCut likelihood, SLEAP score) [0.9].",
        ),
        click.option(
            "--max-gap",
            type=int,
            metavar="FRAMES",
            help="Fill runs of up to this many missing frames; a time step skipping more is lost time [10].",
        ),
        click.option(
            "--median-window", type=int, metavar="FRAMES", help="Pose: rolling median over this many frames."
        ),
        click.option(
            "--min-periods",
            type=int,
            metavar="N",
            help="Pose, with --median-window: points a window needs for a value [the window].",
        ),
        click.option(
            "--savgol-window", type=int, metavar="FRAMES", help="Pose: Savitzky-Golay smoothing window."
        ),
        click.option(
            "--savgol-order", type=int, metavar="N", help="Pose: Savitzky-Golay polynomial order [2]."
        ),
        click.option(
            "--smooth-first/--interpolate-first",
            default=None,
            help="Pose: smooth before interpolating gaps [interpolate first].",
        ),
        click.option(
            "--entry-rule",
            metavar="RULE",
            help="point, all-points or fraction:F: which keypoints must be in a zone [point].",
        ),
        click.option(
            "--px-per-cm",
            type=float,
            help="Scale of pixel (or unit-less) coordinates: for distances, and an arena given in cm.",
        ),
        click.option(
            "--zones",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Zone polygons in track units: .geojson (movement's save_rois), .toml, or .yaml/.yml.",
        ),
        click.option(
            "--zone-kind",
            "zone_kind",
            multiple=True,
            metavar="NAME=KIND",
            help="Kind of a zone of --zones whose name does not tell it (repeatable).",
        ),
        click.option("--start", type=float, metavar="SECONDS", help="Session start [the first frame]."),
        click.option("--duration", type=float, metavar="SECONDS", help="Session length [300]."),
        click.option(
            "--end",
            type=float,
            metavar="SECONDS",
            help="Session end, inclusive: the frame stamped at it counts (instead of --duration).",
        ),
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
        SHEET,
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
        click.option(
            "--design",
            "design_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Design (animal, group, ...): compare the groups after the endpoints (see 'compare').",
        ),
        click.option("--control", help="With --design: the control group, e.g. vehicle."),
        click.option(
            "--test",
            type=click.Choice(["auto", "parametric", "nonparametric"]),
            help="With --design: the headline tests [auto].",
        ),
        click.option(
            "--stats",
            "stats_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="With --design: write the comparisons (.csv .tsv .json; .xlsx gets every table).",
        ),
        JOBS,
        QUIET,
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
    names = {"max_gap": "max_gap_frames", "start": "start_s", "duration": "duration_s", "end": "end_s"}
    names |= {"hysteresis": "hysteresis_cm", "min_time": "min_time_s", "sap_max_speed": "sap_max_speed_cm_s"}
    options = {names.get(k, k): v for k, v in kwargs.items()}
    from assaykit.io.zones import parse_zone_kinds

    options["zone_kinds"] = parse_zone_kinds(options.pop("zone_kind")) or None
    design_path, control = options.pop("design_path"), options.pop("control")
    test, stats_path = options.pop("test"), options.pop("stats_path")
    design = None
    if design_path is None:
        given = [
            name
            for name, value in (("--control", control), ("--test", test), ("--stats", stats_path))
            if value
        ]
        if given:
            raise click.UsageError(f"{', '.join(given)} need(s) --design")
    elif control is None:
        raise click.UsageError("--design needs --control (the control group)")
    from assaykit.io.outputs import OutputSet
    from assaykit.progress import ProgressBar

    output, plot_dir = options.pop("output"), options.pop("plot_dir")
    with OutputSet([design_path]) as outputs:
        if design_path is not None:  # scipy.stats is imported only when the groups are compared
            from assaykit.stats.workflow import check_outputs, compare_endpoint_table, load_design

            check_outputs(outputs, stats_path, None, plot_dir, output_option="--stats")
            design = load_design(design_path, control)  # before the tracks, so that a bad design fails fast
        with ProgressBar("animals" if len(files) == 1 else "files", enabled=not quiet) as bar:
            run = run_tracking(
                spec,
                files,
                jobs=options.pop("jobs"),
                protocol=options.pop("protocol"),
                format=options.pop("track_format"),
                sheet=options.pop("sheet"),
                output=output,
                episodes_path=options.pop("episodes_path"),
                postures_path=options.pop("postures_path", None),
                plot_dir=plot_dir,
                progress=bar,
                outputs=outputs,
                **options,
            )
        stats_run = None
        if design is not None:
            assert control is not None
            stats_run = compare_endpoint_table(
                run.endpoints,
                design,
                control=control,
                test=test or "auto",
                output=stats_path,
                plot_dir=plot_dir,
                outputs=outputs,
            )
        written = outputs.commit()
    _warn(run.warnings)
    if not quiet or output is None:  # -q still prints the results that go to no file
        click.echo(format_endpoints(run.endpoints, spec))
    if not quiet:
        for note in run.notes:
            click.echo(f"note: {note}", err=True)
        click.echo(f"note: protocol {run.protocol.name}; column definitions are in the README", err=True)
    if stats_run is not None:
        _echo_comparison(stats_run, quiet, filed=stats_path is not None)
    if not quiet:
        _wrote(written)


def posture_options(func: Any) -> Any:
    """Options of the plus maze's posture measures (head dips, stretched-attend postures)."""
    options = [
        click.option(
            "--postures",
            "postures_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Pose: write one row per head dip and stretched-attend posture here.",
        ),
        click.option("--head-keypoint", metavar="NAME", help="Pose: the head point [nose, snout or head]."),
        click.option(
            "--tail-keypoint", metavar="NAME", help="Pose: the tail base [tail_base, tailbase, ...]."
        ),
        click.option(
            "--head-dip-min-cm",
            type=float,
            metavar="CM",
            help="Head beyond an open arm's edge by more [0.5].",
        ),
        click.option("--head-dip-max-cm", type=float, metavar="CM", help="...and by at most this [5]."),
        click.option("--head-dip-min-s", type=float, metavar="SECONDS", help="Shortest head dip [0.1]."),
        click.option(
            "--sap-sd", type=float, metavar="SD", help="Stretched: body length > mean + SD x this [1]."
        ),
        click.option(
            "--sap-max-speed", type=float, metavar="CM/S", help="Stretched: tail base slower than this [2]."
        ),
        click.option("--sap-min-s", type=float, metavar="SECONDS", help="Shortest stretched-attend [0.2]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@main.command(context_settings=CONTEXT)
@tracking_options
@posture_options
def epm(files: tuple[Path, ...], quiet: bool, **options: Any) -> None:
    """Elevated plus maze: tracking logs -> open/closed/centre time, entries, latency, distance.

    FILES are tracking logs, one or several animals each: generic CSV/TSV/XLSX (time or frame, x, y,
    optional animal; or a zone column), ANY-maze CSV, EthoVision XT raw-data exports, DeepLabCut
    .csv/.h5, SLEAP analysis .h5 or LightningPose .csv. One row per animal. The default preset is the mouse
    maze (epm-mouse: centre 5 x 5 cm, arms 30 x 5 cm, open arms along x, origin at the maze centre, 5 min).
    Pose files are cleaned per keypoint (confidence cut, gaps, optional smoothing) and also give head dips
    and stretched-attend postures.

    \b
    Examples:
      assaykit epm tracks.csv
      assaykit epm data/*.csv --protocol epm-rat -o endpoints.csv --plot plots/
      assaykit epm mouse1DLC.h5 --fps 30 --keypoint midback --px-per-cm 4.2 --protocol my-maze.toml
      assaykit epm s1.analysis.h5 --fps 30 --px-per-cm 4.2 --zones rois.geojson --median-window 5
      assaykit epm s1.analysis.h5 --fps 30 --px-per-cm 4.2 --keypoint fl,fr,bl,br --entry-rule all-points
      assaykit epm tracks.csv --design design.csv --control vehicle --stats stats.xlsx --plot plots/
    """
    _run_tracking("epm", files, quiet, **options)


@main.command(context_settings=CONTEXT)
@tracking_options
def ldb(files: tuple[Path, ...], quiet: bool, **options: Any) -> None:
    """Light-dark box: tracking logs -> latency to the light, time in light, transitions, distance.

    FILES are tracking logs in the same layouts as for 'assaykit epm' (generic with x, y or light/dark
    zone labels, DeepLabCut, SLEAP, LightningPose, EthoVision XT, ANY-maze). One row per animal. The
    default preset is the mouse box (ldb-mouse: 45 x 27 cm, origin at its low-x low-y corner, dark
    compartment x < 15 cm, light x >= 15 cm, the animal placed in the dark, 5 min).

    \b
    Examples:
      assaykit ldb tracks.csv
      assaykit ldb data/*.csv -o endpoints.xlsx --plot plots/
      assaykit ldb beams.csv --min-time 0.5        # per-frame light/dark labels from a beam-break box
      assaykit ldb tracks.csv --design design.csv --control vehicle --stats stats.csv
    """
    _run_tracking("ldb", files, quiet, **options)


@main.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--model",
    type=click.Choice(["one-site-total", "one-site", "hill", "two-site", "two-site-total"]),
    help="one-site-total: total and NSB fitted together [default]; one-site, hill, two-site: specific "
    "binding (total minus NSB); two-site-total: two sites, global. [default with --specific: one-site]",
)
@click.option("--specific", is_flag=True, help="The files hold specific binding (a 'specific' column).")
@click.option(
    "--ci", type=click.Choice(["asymptotic", "profile"]), help="Confidence intervals [default: asymptotic]."
)
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
@OUTPUT
@POINTS
@plot_option("data set (curves and Scatchard plot)")
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
    output: Path | None,
    points_path: Path | None,
    plot_dir: Path | None,
    quiet: bool,
) -> None:
    """Fit saturation binding: total and nonspecific counts -> Kd and Bmax.

    FILES have one row per tube: conc_<unit> (radioligand, e.g. conc_nM), kind (total or nsb), cpm|dpm|counts,
    optional dataset (one result row each) and replicate; CSV, TSV or XLSX. With --specific, a specific
    column replaces kind and the counts. Every replicate is fitted as a point. --efficiency,
    --specific-activity and --protein-mg (or --cells) turn Bmax into fmol/mg (or sites/cell).

    \b
    Examples:
      assaykit saturation sat.csv
      assaykit saturation sat.csv --efficiency 0.45 --specific-activity 85 --protein-mg 0.1 --volume-ml 1
      assaykit saturation sat.csv --model hill --ci profile -o results.xlsx --plot plots/
      assaykit saturation specific.csv --specific --model two-site
    """
    from assaykit.binding.saturation_report import format_saturation
    from assaykit.binding.saturation_workflow import run_saturation
    from assaykit.io.outputs import OutputSet
    from assaykit.progress import ProgressBar

    if protein_mg is not None and cells is not None:
        raise click.UsageError("give --protein-mg or --cells, not both")
    with OutputSet() as outputs, ProgressBar("data sets", enabled=not quiet) as bar:
        run = run_saturation(
            files,
            model=model,
            ci=ci,
            specific=specific,
            sheet=sheet,
            output=output,
            plot_dir=plot_dir,
            points_path=points_path,
            efficiency=efficiency,
            specific_activity_Ci_mmol=specific_activity,
            protein_mg=protein_mg,
            cells=cells,
            volume_ml=volume_ml,
            progress=bar,
            outputs=outputs,
        )
        written = outputs.commit()
    _warn(run.warnings)
    analysis = run.analysis
    if not quiet or output is None:  # -q still prints the results that go to no file
        click.echo(format_saturation(analysis.results))
    if quiet:
        return
    for note in analysis.notes:
        click.echo(f"note: {note}", err=True)
    flagged = analysis.results.loc[analysis.results["flags"] != "", "dataset"]
    if len(flagged):
        click.echo(
            f"note: {len(flagged)} data set(s) flagged ({', '.join(map(str, flagged))}); "
            "flag codes are explained in the README",
            err=True,
        )
    _wrote(written)


def _echo_comparison(run: Any, quiet: bool, *, filed: bool) -> None:
    """Print a group comparison (``assaykit compare``, ``epm``/``ldb --design``).

    With ``quiet``, only the warnings, and the comparisons table when it goes to no file (``filed``).
    """
    from assaykit.stats.report import format_comparisons, format_trend

    _warn(run.warnings)
    if quiet and filed:
        return
    click.echo(format_comparisons(run.comparison))
    trend = format_trend(run.comparison)
    if trend:
        click.echo("")
        click.echo(trend)
    if quiet:
        return
    for row in run.exclusions.itertuples(index=False):
        if row.excluded_by == "design":
            click.echo(
                f"note: {row.animal} ({row.group}) excluded by the design: {row.reason or 'no reason given'}",
                err=True,
            )
        else:
            which = "any endpoint" if row.endpoints == "all" else row.endpoints
            click.echo(f"note: {row.animal} ({row.group}) has no value for {which}: {row.reason}", err=True)
    for note in run.comparison.notes:
        click.echo(f"note: {note}", err=True)
    click.echo("note: the headline rule, the tests and every column are explained in the README", err=True)


@main.command(context_settings=CONTEXT)
@click.argument("endpoints_file", metavar="ENDPOINTS", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--design",
    "design_path",
    type=click.Path(dir_okay=False, path_type=Path),
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
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the comparisons (.csv .tsv .json; .xlsx gets every table).",
)
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write n, mean, SD, SEM, median and IQR per group here.",
)
@click.option(
    "--plot",
    "plot_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one dot plot per endpoint here.",
)
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
    _echo_comparison(run, quiet, filed=output is not None)
    if not quiet:
        _wrote(written)


@main.command(context_settings=CONTEXT)
@click.argument("name", required=False)
def protocols(name: str | None) -> None:
    """List the protocol presets, or print one.

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

    click.echo(f"assaykit {assaykit.__version__} (Python {sys.version.split()[0]})")
    packages = ("numpy", "scipy", "pandas", "lmfit", "click", "matplotlib", "python-calamine", "xlsxwriter")
    for package in (*packages, "orjson", "openpyxl", "tables"):
        try:
            click.echo(f"  {package} {version(package)}")
        except PackageNotFoundError:
            click.echo(f"  {package} not installed")
    folders = sorted({str(path.parent) for path in list_presets().values()})
    click.echo(f"presets: {', '.join(folders) or 'none found'}")
