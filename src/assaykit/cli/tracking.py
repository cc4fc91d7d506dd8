"""``assaykit epm`` and ``assaykit ldb``: tracking logs -> one row of endpoints per animal.

The two commands share their options (:data:`tracking_options`) and their run (:func:`_run_tracking`);
the plus maze adds the posture measures of pose files (:data:`posture_options`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assaykit.cli import echo
from assaykit.cli.compare import PRIMARY_OPTION, TEST_OPTION
from assaykit.cli.options import (
    CONTEXT,
    FILE,
    FILES,
    JOBS,
    PLOT_FORMAT,
    QUIET,
    SHEET,
    output_option,
    plot_option,
    stacked,
)
from assaykit.cli.options import REPORT as REPORT_OPTION

#: Options shared by the tracking assays (``epm``, ``ldb``).
tracking_options = stacked(
    FILES,
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
    click.option("--savgol-order", type=int, metavar="N", help="Pose: Savitzky-Golay polynomial order [2]."),
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
        type=FILE,
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
    output_option("Write endpoints (.csv .tsv .json .xlsx)."),
    click.option(
        "--episodes",
        "episodes_path",
        type=FILE,
        help="Write one row per zone visit here.",
    ),
    plot_option(
        "Write one figure per animal here (trajectory and heatmap; with --design, the group figures)."
    ),
    PLOT_FORMAT,
    click.option(
        "--design",
        "design_path",
        type=FILE,
        help="Design (animal, group, ...): compare the groups after the endpoints (see 'compare').",
    ),
    click.option("--control", help="With --design: the control group, e.g. vehicle."),
    TEST_OPTION,
    PRIMARY_OPTION,
    click.option(
        "--stats",
        "stats_path",
        type=FILE,
        help="With --design: write the comparisons (.csv .tsv .json; .xlsx gets every table).",
    ),
    JOBS,
    REPORT_OPTION,
    QUIET,
)


def _run_tracking(assay: str, files: tuple[Path, ...], quiet: bool, **kwargs: Any) -> None:
    """Run ``assaykit epm`` or ``ldb`` (``assay``) with the command's options, and print what it found."""
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
    primary = options.pop("primary")
    design = None
    if design_path is None:
        given = [
            name
            for name, value in (
                ("--control", control),
                ("--test", test),
                ("--primary", primary),
                ("--stats", stats_path),
            )
            if value
        ]
        if given:
            raise click.UsageError(f"{', '.join(given)} need(s) --design")
    elif control is None:
        raise click.UsageError("--design needs --control (the control group)")
    from assaykit.io.outputs import OutputSet
    from assaykit.progress import ProgressBar

    output, plot_dir = options.pop("output"), options.pop("plot_dir")
    plot_format = options.pop("plot_format")
    report_path = options.pop("report_path")
    with OutputSet([design_path]) as outputs:
        from assaykit.report.render import add_report

        report_path = add_report(outputs, report_path)  # checked before any work, never over an input
        if design_path is not None:  # scipy.stats is imported only when the groups are compared
            from assaykit.stats.plan import build_plan
            from assaykit.stats.workflow import check_outputs, compare_endpoint_table, load_design

            check_outputs(outputs, stats_path, None, plot_dir, output_option="--stats")
            # The protocol's [statistics] table is the analysis plan; read before the tracks, as the design.
            plan = build_plan(
                options["protocol"] or spec.default_preset, spec.assay, test=test, primary=primary
            )
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
                plot_format=plot_format,
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
                    plan=plan,
                    output=stats_path,
                    plot_dir=plot_dir,
                    plot_format=plot_format,
                    progress=bar,
                    outputs=outputs,
                )
            if report_path is not None:
                from assaykit.report.command import run_title, stage_run_report
                from assaykit.report.sections.tracking import tracking_section

                section = tracking_section(run, assay, compare=stats_run, progress=bar)
                stage_run_report(outputs, report_path, [section], title=run_title(assay, files))
        written = outputs.commit()
    echo.warn(run.warnings)
    if not quiet or output is None:  # -q still prints the results that go to no file
        click.echo(format_endpoints(run.endpoints, spec))
    if not quiet:
        echo.notes(run.notes)
        click.echo(
            f"note: protocol {run.protocol.name}; "
            "column definitions are in the user guide (docs/user-guide/)",
            err=True,
        )
    if stats_run is not None:
        echo.echo_comparison(stats_run, quiet, filed=stats_path is not None)
    if not quiet:
        echo.wrote(written)


#: Options of the plus maze's posture measures (head dips, stretched-attend postures).
posture_options = stacked(
    click.option(
        "--postures",
        "postures_path",
        type=FILE,
        help="Pose: write one row per head dip and stretched-attend posture here.",
    ),
    click.option("--head-keypoint", metavar="NAME", help="Pose: the head point [nose, snout or head]."),
    click.option("--tail-keypoint", metavar="NAME", help="Pose: the tail base [tail_base, tailbase, ...]."),
    click.option(
        "--head-dip-min-cm",
        type=float,
        metavar="CM",
        help="Head beyond an open arm's edge by more [0.5].",
    ),
    click.option("--head-dip-max-cm", type=float, metavar="CM", help="...and by at most this [5]."),
    click.option("--head-dip-min-s", type=float, metavar="SECONDS", help="Shortest head dip [0.1]."),
    click.option("--sap-sd", type=float, metavar="SD", help="Stretched: body length > mean + SD x this [1]."),
    click.option(
        "--sap-max-speed", type=float, metavar="CM/S", help="Stretched: tail base slower than this [2]."
    ),
    click.option("--sap-min-s", type=float, metavar="SECONDS", help="Shortest stretched-attend [0.2]."),
)


@click.command(context_settings=CONTEXT)
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


@click.command(context_settings=CONTEXT)
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
