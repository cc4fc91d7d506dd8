"""A whole study declared in one TOML file: its parts, their files and options, checked before any work.

``assaykit report STUDY.toml -o report.html`` runs every part of the study and writes one report with a
section per part (:mod:`assaykit.report.study_run`). This module reads the file; it runs nothing.

**The file.** Every path is relative to the folder of the study file. The keys of a part are the long
options of the matching command without the dashes (``kd``, ``radioligand``, ``px-per-cm``,
``potency-vs``; ``_`` may stand for ``-``), with TOML values: numbers, strings, ``true``/``false``,
lists::

    [study]
    title = "AK-101: binding and anxiolytic-like behaviour"  # the report's title [Study report]
    tables = "tables"             # optional: write each part's table here (binding-1.csv, epm-1.csv, ...)
    table-format = "csv"          # csv [default], tsv, json or xlsx

    [[binding]]                   # as `assaykit binding`; one table per part, as many parts as needed
    files = ["../binding/counts.csv"]
    kd = 1.5
    radioligand = 1

    [[saturation]]                # as `assaykit saturation`
    files = "../saturation/sat.csv"
    efficiency = 0.45

    [[epm]]                       # as `assaykit epm`; with a design, the groups are compared too
    files = "../epm/tracks.csv"
    design = "../design/design.csv"
    control = "vehicle"

    [[ldb]]                       # as `assaykit ldb`

    [[compare]]                   # as `assaykit compare`: `files` is the one endpoint table
    files = "../design/epm_endpoints.csv"
    design = "../design/study_design.csv"
    control = "vehicle"
    protocol = "../design/study_plan.toml"

Each part may also have a ``title`` (its section's title). ``protocol`` is a preset name or, when it ends
in ``.toml`` or holds a ``/``, a file relative to the study file. ``zone-kind`` is a table
(``zone-kind = {whole_maze = "ignore"}``), and ``keypoint`` and ``endpoint`` may be lists. The options that
name outputs (``-o``, ``--plot``, ``--points``, ``--episodes``, ``--stats``, ...) are not keys: the report
holds the figures, and ``tables`` the tables: part ``[[binding]] #2`` writes ``binding-2.csv`` (and
``binding-2_comparison.csv``, ``binding-2_potency.csv`` when asked for), a tracking part with a design
also ``epm-1_stats.csv``.

Every problem (TOML syntax, an unknown table or key, a value of the wrong type, a file that is not there,
an option a command would refuse) is one :class:`~assaykit.errors.AssayInputError` that names the study
file, the part (``[[binding]] #2``) and the key, raised before any part runs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError
from assaykit.report.study_keys import KINDS, PART_KEYS, STUDY_KEYS, listing, table_values


@dataclass(frozen=True)
class StudyPart:
    """One part of a study: a run of one command on its files.

    Attributes
    ----------
    kind
        ``binding``, ``saturation``, ``epm``, ``ldb`` or ``compare``.
    number
        Its place among the parts of its kind, from 1 (``[[binding]] #2`` is the second binding part).
    options
        The workflow's keyword arguments (:attr:`Key.arg`), paths resolved against the study's folder;
        ``files`` is a tuple of paths, ``title`` the section title when the file gives one.
    """

    kind: str
    number: int
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How messages name the part: ``[[binding]] #2``."""
        return f"[[{self.kind}]] #{self.number}"

    @property
    def stem(self) -> str:
        """The file stem of the part's tables: ``binding-2``."""
        return f"{self.kind}-{self.number}"

    @property
    def inputs(self) -> list[Path]:
        """Every file the part reads (its files, the design, a zone file, a Kd table, a preset file)."""
        found = list(self.options["files"])
        for name in ("design", "zones", "kd_from", "protocol", "layout", "patients", "checklist"):
            value = self.options.get(name)
            if isinstance(value, Path):
                found.append(value)
        return found


@dataclass(frozen=True)
class Study:
    """A study file, read and checked: its title, where its tables go, and its parts in the file's order."""

    path: Path
    text: str
    title: str
    tables: Path | None
    table_format: str
    parts: tuple[StudyPart, ...]

    @property
    def inputs(self) -> list[Path]:
        """Every input file of the study, each once, the study file first."""
        seen: dict[str, Path] = {}
        for path in (self.path, *(p for part in self.parts for p in part.inputs)):
            seen.setdefault(str(path.resolve()), path)
        return list(seen.values())


def read_study(path: str | Path) -> Study:
    """Read a study file and check every part, before any part runs.

    Parameters
    ----------
    path
        The study's TOML file (see the module's documentation for its tables and keys).

    Returns
    -------
    Study

    Raises
    ------
    AssayInputError
        One line naming the study file, the part (``[[binding]] #2``) and the key: for a file that is not
        TOML, an unknown table or key, a value of the wrong type or not among the choices, a file that is
        not there, a missing ``files`` or ``control``, or an option the command would refuse (checked by
        the commands' own checks: binding presets and options, tracking presets and options, the analysis
        plan of the group comparisons).
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise AssayInputError("study file not found", path=path) from None
    except UnicodeDecodeError:
        raise AssayInputError("the study file is not UTF-8 text", path=path) from None
    except OSError as exc:
        raise AssayInputError(f"cannot read the study file ({exc.strerror or exc})", path=path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AssayInputError(f"not valid TOML: {exc}", path=path) from None
    unknown = [name for name in data if name not in ("study", *KINDS)]
    if unknown:
        raise AssayInputError(
            f"unknown table {listing(unknown)}; a study has [study] and parts "
            + ", ".join(f"[[{kind}]]" for kind in KINDS),
            path=path,
        )
    head = data.get("study", {})
    if not isinstance(head, dict):
        raise AssayInputError("'study' must be a table: a [study] section", path=path)
    values = table_values(head, STUDY_KEYS, "[study]", path)
    parts = []
    for kind in (k for k in data if k != "study"):
        tables = data[kind]
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise AssayInputError(
                f"'{kind}' must be an array of tables: write [[{kind}]] (two brackets) above each part",
                path=path,
            )
        for number, table in enumerate(tables, start=1):
            parts.append(_part(kind, number, table, path))
    if not parts:
        raise AssayInputError(
            "the study has no parts: add " + ", ".join(f"[[{kind}]]" for kind in KINDS) + " tables",
            path=path,
        )
    return Study(
        path=path,
        text=text,
        title=values.get("title") or "Study report",
        tables=values.get("tables"),
        table_format=values.get("table_format", "csv"),
        parts=tuple(parts),
    )


def _part(kind: str, number: int, table: Mapping[str, Any], study: Path) -> StudyPart:
    """Read one ``[[kind]]`` table into a :class:`StudyPart`, checked (see :func:`read_study`)."""
    where = f"[[{kind}]] #{number}"
    options = table_values(table, PART_KEYS[kind], where, study)
    if "files" not in options:
        raise AssayInputError(f'{where}: no files; give files = ["data.csv", ...]', path=study)
    if kind == "compare":
        if len(options["files"]) != 1:
            raise AssayInputError(f"{where}, files: give the one endpoint table", path=study)
        if "control" not in options:
            raise AssayInputError(f'{where}: no control; give control = "vehicle" (the group)', path=study)
    if kind in ("epm", "ldb"):
        _check_design_keys(options, where, study)
    if kind == "saturation" and "protein_mg" in options and "cells" in options:
        raise AssayInputError(f"{where}: give protein-mg or cells, not both", path=study)
    part = StudyPart(kind, number, options)
    try:
        check_part(part)
    except AssayInputError as exc:
        raise AssayInputError(f"{where}: {exc}", path=study) from None
    return part


def _check_design_keys(options: dict[str, Any], where: str, study: Path) -> None:
    """Refuse ``control``, ``test`` or ``primary`` without a ``design``, and a design without a control."""
    if "design" in options:
        if "control" not in options:
            raise AssayInputError(f"{where}: design needs control (the control group)", path=study)
        return
    given = [key for key in ("control", "test", "primary") if key in options]
    if given:
        raise AssayInputError(f"{where}: {listing(given)} need(s) design", path=study)


def check_part(part: StudyPart) -> None:
    """Check a part's options with its command's own checks, reading its preset but no data.

    Raises
    ------
    AssayInputError
        As :func:`assaykit.binding.workflow.resolve_options` (binding),
        :func:`assaykit.tracking.protocol.load_tracking_protocol` (epm, ldb) and
        :func:`analysis_plan` (compare, and tracking parts with a design) raise it.
    """
    options = part.options
    if part.kind == "binding":
        from assaykit.binding.workflow import BINDING_DEFAULTS, resolve_options

        resolve_options(
            options.get("protocol"), **{k: v for k, v in options.items() if k in BINDING_DEFAULTS}
        )
    elif part.kind in ("epm", "ldb"):
        from assaykit.tracking.protocol import TRACKING_DEFAULTS, load_tracking_protocol

        given = {k: v for k, v in options.items() if k in TRACKING_DEFAULTS or k == "zone_kinds"}
        load_tracking_protocol(options.get("protocol") or default_preset(part.kind), part.kind, **given)
        if "design" in options:
            analysis_plan(part)
    elif part.kind == "compare":
        analysis_plan(part)


def default_preset(kind: str) -> str:
    """Return the preset a tracking part runs with when it names none (its assay's, as the command's)."""
    from assaykit.epm import EPM
    from assaykit.ldb import LDB

    return {"epm": EPM, "ldb": LDB}[kind].default_preset


def analysis_plan(part: StudyPart) -> Any:
    """Return the part's analysis plan: its protocol's ``[statistics]`` table with the part's keys over it.

    The same plan ``assaykit compare`` (and ``epm``/``ldb --design``) builds from ``--protocol`` and the
    options (:func:`assaykit.stats.plan.build_plan`); a tracking part without a protocol reads its assay's
    default preset, as the command does.

    Returns
    -------
    assaykit.stats.plan.StatisticsPlan

    Raises
    ------
    AssayInputError
        For an unknown preset, a preset for another assay, or a value the plan refuses.
    """
    from assaykit.stats.plan import PLAN_FIELDS, build_plan

    tracking = part.kind in ("epm", "ldb")
    protocol = part.options.get("protocol") or (default_preset(part.kind) if tracking else None)
    assay = part.kind if tracking else None
    return build_plan(protocol, assay, **{name: part.options.get(name) for name in PLAN_FIELDS})
