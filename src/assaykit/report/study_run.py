"""Run a whole study (:mod:`assaykit.report.study`): every part through its command's workflow, one report.

Each part runs through the workflow of its command (:func:`~assaykit.binding.workflow.run_binding`,
:func:`~assaykit.saturation.workflow.run_saturation`, :func:`~assaykit.tracking.workflow.run_tracking` and,
with a design, :func:`~assaykit.stats.workflow.compare_endpoint_table`,
:func:`~assaykit.stats.workflow.run_compare`), with the same checks, and all of them stage their outputs in
one :class:`~assaykit.io.outputs.OutputSet`: the study writes its tables and its report together, or
nothing. A part that fails stops the study: its error is one line naming the study file and the part
(``study.toml: [[epm]] #1: tracks.csv, row 12: ...``), and no file is written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError
from assaykit.io.outputs import OutputSet, run_outputs
from assaykit.progress import start_stage
from assaykit.report.document import Report, Section
from assaykit.report.provenance import provenance
from assaykit.report.render import add_report, stage_report
from assaykit.report.study import Study, StudyPart, analysis_plan
from assaykit.stats.plan import PLAN_FIELDS

Progress = Callable[[int, int], None]


@dataclass
class PartRun:
    """What one part of a study produced: its command's run, the group comparison, the report section."""

    part: StudyPart
    run: Any
    section: Section
    stats: Any = None  # the CompareRun of a tracking part with a design
    warnings: list[str] = field(default_factory=list)


@dataclass
class StudyRun:
    """What a study produced: each part's run, the report, and the files written (or staged)."""

    study: Study
    parts: list[PartRun]
    report: Report
    written: list[Path] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """Every part's warnings, each naming its part (``[[epm]] #1: ...``)."""
        return [f"{p.part.label}: {message}" for p in self.parts for message in p.warnings]


def run_study(
    study: Study,
    report_path: str | Path,
    *,
    tables: str | Path | None = None,
    table_format: str | None = None,
    outputs: OutputSet | None = None,
    progress: Progress | None = None,
    command: str | None = None,
) -> StudyRun:
    """Run every part of a study and write its tables and one report with a section per part.

    Parameters
    ----------
    study
        From :func:`assaykit.report.study.read_study`.
    report_path
        The report's file (``.html``).
    tables
        A folder for each part's table (``binding-1.csv``, ...); None for the study's ``tables`` (or no
        tables). It is made when missing, and removed again when the study fails.
    table_format
        ``csv``, ``tsv``, ``json`` or ``xlsx`` (every sheet of each part's ``-o`` table); None for the
        study's ``table-format``.
    outputs
        The run's outputs, when the caller commits them; None to write them at the end of the study.
    progress
        A ``progress(done, total)`` callback (a :class:`~assaykit.progress.ProgressBar`): each part's
        stages are announced as ``binding-1: curves``.
    command
        The command line for the provenance block; None for this process's.

    Returns
    -------
    StudyRun

    Raises
    ------
    AssayInputError
        For a report or table path that cannot be written or would replace an input, and for the first part
        that fails (named: ``[[binding]] #2: ...``). Nothing is written then.
    """
    folder = Path(tables) if tables is not None else study.tables
    fmt = table_format or study.table_format
    with run_outputs(outputs, study.inputs) as out, _folder_for_the_run(folder, out):
        report_path = add_report(out, report_path, "-o")
        if folder is not None:
            out.add_folder(folder, "tables")
        parts = []
        for part in study.parts:
            try:
                parts.append(_run_part(part, out, folder, fmt, _PartProgress(progress, part)))
            except AssayInputError as exc:
                raise AssayInputError(f"{part.label}: {exc}", path=study.path) from exc
        record = provenance(study.inputs[1:], command=command, study=study.path)
        report = Report(study.title, [p.section for p in parts], record)
        start_stage(progress, "report")
        stage_report(report, report_path, out)
        run = StudyRun(study, parts, report, written=out.staged)
    return run


@contextlib.contextmanager
def _folder_for_the_run(folder: Path | None, out: OutputSet) -> Iterator[None]:
    """Make the tables folder (and its missing parents) for the run; remove them if the run fails.

    The workflows check that an output's folder exists before any work, so the folder must be there
    before the first part runs. A study that fails drops what it staged (``out`` is not committed then)
    and leaves no trace of the folders it made (unless something else was put in them meanwhile).
    """
    made: list[Path] = []
    if folder is not None and not folder.exists():
        missing = [folder, *(p for p in folder.parents if not p.exists())]
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise AssayInputError(
                f"cannot make the tables folder ({exc.strerror or exc})", path=folder
            ) from exc
        made = missing
    try:
        yield
    except BaseException:
        out.discard()
        for path in made:  # deepest first
            with contextlib.suppress(OSError):
                path.rmdir()
        raise


class _PartProgress:
    """A study's progress callback as one part sees it: each stage's label names the part."""

    def __init__(self, progress: Progress | None, part: StudyPart) -> None:
        self.progress, self.prefix = progress, part.stem
        start_stage(progress, part.stem)

    def __call__(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def stage(self, label: str) -> None:
        start_stage(self.progress, f"{self.prefix}: {label}")


def _table(folder: Path | None, part: StudyPart, suffix: str, fmt: str) -> Path | None:
    return None if folder is None else folder / f"{part.stem}{suffix}.{fmt}"


def _run_part(
    part: StudyPart, out: OutputSet, folder: Path | None, fmt: str, progress: _PartProgress
) -> PartRun:
    """Run one part through its workflow into ``out``, and build its section of the report."""
    options = dict(part.options)
    files, title = list(options.pop("files")), options.pop("title", None)
    output = _table(folder, part, "", fmt)
    stats = None
    if part.kind == "binding":
        from assaykit.binding.workflow import run_binding
        from assaykit.report.sections import binding_section

        compare_path = _table(folder, part, "_comparison", fmt) if options.get("compare") else None
        y_axis = options.pop("plot_y", "bound")
        run = run_binding(
            files,
            output=output,
            compare_path=compare_path,
            progress=progress,
            outputs=out,
            keep_points=True,  # the section draws each curve's tubes
            **options,
        )
        section = binding_section(run, progress=progress, y_axis=y_axis)
    elif part.kind == "saturation":
        from assaykit.report.sections import saturation_section
        from assaykit.saturation.workflow import run_saturation

        run = run_saturation(files, output=output, progress=progress, outputs=out, **options)
        section = saturation_section(run, progress=progress)
    elif part.kind == "pk":
        from assaykit.pk.workflow import run_pk
        from assaykit.report.sections import pk_section

        run = run_pk(files, output=output, progress=progress, outputs=out, **options)
        section = pk_section(run, progress=progress)
    elif part.kind == "trial":
        from assaykit.report.sections import trial_section
        from assaykit.trial.workflow import run_trial  # written on the trial-cli branch

        if "patients" not in options or len(files) != 1:
            raise AssayInputError(
                "a trial part needs one visits file in files and patients = the patients table"
            )
        patients = options.pop("patients")
        run = run_trial(files[0], patients=patients, output=output, progress=progress, outputs=out, **options)
        section = trial_section(run, progress=progress)
    elif part.kind in ("epm", "ldb"):
        from assaykit.report.sections import tracking_section

        run, stats = _run_tracking(
            part, files, options, out, output, _table(folder, part, "_stats", fmt), progress
        )
        section = tracking_section(run, part.kind, compare=stats, progress=progress)
    else:
        from assaykit.report.sections import compare_section
        from assaykit.stats.workflow import run_compare

        names = [n.strip() for item in options.get("endpoints", ()) for n in item.split(",") if n.strip()]
        run = run_compare(
            files[0],
            design=options.get("design"),
            control=options["control"],
            endpoints=names or None,
            group=options.get("group", "group"),
            output=output,
            outputs=out,
            plan=analysis_plan(part),
        )
        section = compare_section(run, progress=progress)
    _name_section(section, part, title)
    warnings = [*run.warnings, *(stats.warnings if stats is not None else [])]
    return PartRun(part, run, section, stats=stats, warnings=warnings)


def _run_tracking(
    part: StudyPart,
    files: list[Path],
    options: dict[str, Any],
    out: OutputSet,
    output: Path | None,
    stats_path: Path | None,
    progress: Progress,
) -> tuple[Any, Any]:
    """Run a tracking part as ``assaykit epm``/``ldb`` does: the design read first, the groups compared."""
    from assaykit.tracking.workflow import run_tracking

    if part.kind == "epm":
        from assaykit.epm import EPM as spec
    else:
        from assaykit.ldb import LDB as spec
    design_path, control = options.pop("design", None), options.pop("control", None)
    for name in PLAN_FIELDS:
        options.pop(name, None)
    design = plan = None
    if design_path is not None:  # the design and the plan are read before the tracks, as the command does
        from assaykit.stats.workflow import check_outputs, load_design

        check_outputs(out, stats_path, None, None, output_option="tables")
        plan = analysis_plan(part)
        design = load_design(design_path, control)
    run = run_tracking(
        spec,
        files,
        protocol=options.pop("protocol", None),
        format=options.pop("format", "auto"),
        sheet=options.pop("sheet", None),
        output=output,
        progress=progress,
        outputs=out,
        **options,
    )
    if design is None:
        return run, None
    from assaykit.stats.workflow import compare_endpoint_table

    stats = compare_endpoint_table(
        run.endpoints, design, control=control, plan=plan, output=stats_path, outputs=out
    )
    return run, stats


def _name_section(section: Section, part: StudyPart, title: str | None) -> None:
    """Give a part's section its title from the study file, and table keys that no other part has.

    A table keeps its command's key after the part's stem: ``binding-1.binding-results`` is the results
    table of ``[[binding]] #1`` (``data-table`` in the page), the same table as ``binding-1.csv``.
    """
    if title is not None:
        section.title = title
    for table in section.tables:
        table.key = f"{part.stem}.{table.key}"
