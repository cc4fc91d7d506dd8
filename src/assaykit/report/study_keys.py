"""The keys of a study file (:mod:`assaykit.report.study`): each part's, their TOML types, their checks.

A part's keys are the long options of its command without the dashes; :data:`PART_KEYS` maps each to the
keyword of the workflow it sets (``kd`` -> ``kd_nM`` of :func:`assaykit.binding.workflow.run_binding`) and
the TOML value it takes. :func:`table_values` checks a table against them.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError

#: The kinds of part (the arrays of tables a study file may have).
KINDS = ("binding", "saturation", "epm", "ldb", "compare", "pk", "trial")
#: The formats of the tables the study writes.
TABLE_FORMATS = ("csv", "tsv", "json", "xlsx")


@dataclass(frozen=True)
class Key:
    """A key of a part: the workflow's keyword it sets, and the TOML value it takes.

    ``kind`` is one of ``number``, ``integer``, ``text``, ``flag``, ``path`` (a file relative to the study
    file), ``paths`` (one or more), ``texts`` (a string or a list of strings), ``names`` (a table of
    name = text), ``plateau`` (a number or a string), ``protocol`` (a preset name or a file) and
    ``folder`` (a folder relative to the study file, made when written to).
    """

    arg: str
    kind: str
    choices: tuple[str, ...] = ()


_COMMON = {"title": Key("title", "text"), "files": Key("files", "paths")}
_CI = Key("ci", "text", ("asymptotic", "profile"))
_BINDING = {
    "protocol": Key("protocol", "protocol"),
    "sheet": Key("sheet", "text"),
    "compound": Key("compound", "text"),
    "kd": Key("kd_nM", "number"),
    "radioligand": Key("radioligand_nM", "number"),
    "model": Key("model", "text", ("4pl", "one-site", "fit-ki", "two-site", "two-site-ki", "homologous")),
    "top": Key("top", "plateau"),
    "bottom": Key("bottom", "plateau"),
    "ci": _CI,
    "kd-lo": Key("kd_lo_nM", "number"),
    "kd-se": Key("kd_se_nM", "number"),
    "kd-from": Key("kd_from", "path"),
    "kd-dataset": Key("kd_dataset", "text"),
    "weights": Key("weights", "text", ("none", "poisson")),
    "outliers": Key("outliers", "text", ("none", "rout")),
    "rout-q": Key("rout_q", "number"),
    "compare": Key("compare", "flag"),
    "potency-vs": Key("potency_vs", "text"),
    "engine": Key("engine", "text", ("auto", "batch", "lmfit")),
    "fdr": Key("fdr", "number"),
    "min-displacement": Key("min_displacement_pct", "number"),
    "plot-y": Key("plot_y", "text", ("bound", "percent")),
    "layout": Key("layout", "path"),
    "exclude-wells": Key("exclude_wells", "texts"),
}
_SATURATION = {
    "model": Key("model", "text", ("one-site-total", "one-site", "hill", "two-site", "two-site-total")),
    "specific": Key("specific", "flag"),
    "ci": _CI,
    "efficiency": Key("efficiency", "number"),
    "specific-activity": Key("specific_activity_Ci_mmol", "number"),
    "protein-mg": Key("protein_mg", "number"),
    "cells": Key("cells", "number"),
    "volume-ml": Key("volume_ml", "number"),
    "sheet": Key("sheet", "text"),
    "layout": Key("layout", "path"),
    "exclude-wells": Key("exclude_wells", "texts"),
}
_TEST = Key("test", "text", ("parametric", "welch", "nonparametric", "steel", "auto"))
_TRACKING = {
    "protocol": Key("protocol", "protocol"),
    "format": Key(
        "format", "text", ("auto", "generic", "dlc", "sleap", "lightningpose", "ethovision", "anymaze")
    ),
    "fps": Key("fps", "number"),
    "keypoint": Key("bodypart", "texts"),
    "confidence": Key("likelihood", "number"),
    "max-gap": Key("max_gap_frames", "integer"),
    "median-window": Key("median_window", "integer"),
    "min-periods": Key("min_periods", "integer"),
    "savgol-window": Key("savgol_window", "integer"),
    "savgol-order": Key("savgol_order", "integer"),
    "smooth-first": Key("smooth_first", "flag"),
    "entry-rule": Key("entry_rule", "text"),
    "px-per-cm": Key("px_per_cm", "number"),
    "zones": Key("zones", "path"),
    "zone-kind": Key("zone_kinds", "names"),
    "start": Key("start_s", "number"),
    "duration": Key("duration_s", "number"),
    "end": Key("end_s", "number"),
    "hysteresis": Key("hysteresis_cm", "number"),
    "min-time": Key("min_time_s", "number"),
    "max-lost": Key("max_lost", "number"),
    "sheet": Key("sheet", "text"),
    "design": Key("design", "path"),
    "control": Key("control", "text"),
    "test": _TEST,
    "primary": Key("primary", "text"),
}
_POSTURES = {
    "head-keypoint": Key("head_keypoint", "text"),
    "tail-keypoint": Key("tail_keypoint", "text"),
    "head-dip-min-cm": Key("head_dip_min_cm", "number"),
    "head-dip-max-cm": Key("head_dip_max_cm", "number"),
    "head-dip-min-s": Key("head_dip_min_s", "number"),
    "sap-sd": Key("sap_sd", "number"),
    "sap-max-speed": Key("sap_max_speed_cm_s", "number"),
    "sap-min-s": Key("sap_min_s", "number"),
}
_COMPARE = {
    "design": Key("design", "path"),
    "control": Key("control", "text"),
    "endpoint": Key("endpoints", "texts"),
    "protocol": Key("protocol", "protocol"),
    "test": _TEST,
    "primary": Key("primary", "text"),
    "secondary-adjust": Key("secondary_adjust", "text", ("holm", "bonferroni", "none")),
    "dunn-adjust": Key("dunn_adjust", "text", ("holm", "bonferroni")),
    "factor": Key("factor", "text"),
    "interaction-alpha": Key("interaction_alpha", "number"),
    "block": Key("block", "text"),
    "block-model": Key("block_model", "text", ("auto", "fixed", "random")),
    "covariate": Key("covariate", "text"),
    "counts": Key("counts", "text", ("none", "poisson", "negative_binomial", "auto")),
    "session-s": Key("session_s", "number"),
    "spread": Key("spread", "text", ("sd", "sem")),
    "quartiles": Key("quartiles", "text", ("type7", "prism")),
    "group-column": Key("group", "text"),
}

_PK = {
    "protocol": Key("protocol", "protocol"),
    "sheet": Key("sheet", "text"),
    "route": Key("route", "text"),
    "infusion-h": Key("infusion_h", "number"),
    "dose": Key("dose", "number"),
    "dose-unit": Key("dose_unit", "text"),
    "mw": Key("mw_g_mol", "number"),
    "lloq": Key("lloq", "number"),
    "auc-method": Key("auc_method", "text", ("linear", "linear-up-log-down")),
    "blq-before": Key("blq_before", "text", ("zero", "missing")),
    "blq-after": Key("blq_after", "text", ("missing", "zero")),
    "lambda-z-points": Key("lambda_z_points", "texts"),
    "min-points": Key("min_points", "integer"),
    "min-r2adj": Key("min_r2adj", "number"),
    "max-extrap": Key("max_extrap_pct", "number"),
    "min-span-ratio": Key("min_span_ratio", "number"),
    "partial-auc": Key("partial_auc", "texts"),
    "compartmental": Key("compartmental", "text", ("none", "1", "2", "both")),
    "lag": Key("lag", "flag"),
    "cmt-weights": Key("cmt_weights", "text", ("none", "1/y", "1/y2")),
}

_TRIAL = {
    "patients": Key("patients", "path"),
    "sheet": Key("sheet", "text"),
    "patients-sheet": Key("patients_sheet", "text"),
    "control": Key("control", "text"),
    "primary-visit": Key("primary_visit", "text"),
    "covariance": Key(
        "covariance",
        "text",
        ("unstructured", "toeplitz_heterogeneous", "ar1_heterogeneous", "compound_symmetry"),
    ),
    "df-method": Key("df_method", "text", ("satterthwaite", "residual")),
    "margin": Key("margin", "number"),
    "equivalence": Key("equivalence", "flag"),
    "end-of-treatment": Key("end_of_treatment", "text"),
    "washout": Key("washout", "texts"),
    "withdrawal-threshold": Key("withdrawal_threshold", "number"),
    "checklist": Key("checklist", "path"),
    "max-missing": Key("max_missing", "integer"),
    "hierarchy": Key("hierarchy", "text", ("fixed-sequence", "holm")),
    "sequence": Key("sequence", "texts"),
}

#: The keys of each kind of part (the long options of its command, without the dashes).
PART_KEYS: dict[str, dict[str, Key]] = {
    "binding": _COMMON | _BINDING,
    "saturation": _COMMON | _SATURATION,
    "epm": _COMMON | _TRACKING | _POSTURES,
    "ldb": _COMMON | _TRACKING,
    "compare": _COMMON | _COMPARE,
    "pk": _COMMON | _PK,
    "trial": _COMMON | _TRIAL,
}
#: The keys of the ``[study]`` table.
STUDY_KEYS = {"title": Key("title", "text"), "tables": Key("tables", "folder")}
STUDY_KEYS["table-format"] = Key("table_format", "text", TABLE_FORMATS)


def table_values(table: Mapping[str, Any], keys: dict[str, Key], where: str, study: Path) -> dict[str, Any]:
    """Check a table's keys and values; return them by their :attr:`Key.arg`, paths resolved.

    Parameters
    ----------
    table
        The TOML table.
    keys
        Its keys (:data:`PART_KEYS` of the part's kind, or :data:`STUDY_KEYS`).
    where
        How messages name the table: ``[study]``, ``[[binding]] #2``.
    study
        The study file: relative paths are relative to its folder.

    Returns
    -------
    dict
        The values by :attr:`Key.arg`.

    Raises
    ------
    AssayInputError
        For an unknown key, a key given twice (``kd_lo`` and ``kd-lo``), a value of the wrong type or not
        among the choices, and a file that is not there; one line naming the study file, ``where`` and the
        key.
    """
    found: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for name, value in table.items():
        key_name = name.replace("_", "-")
        key = keys.get(key_name)
        if key is None:
            close = difflib.get_close_matches(key_name, list(keys), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise AssayInputError(
                f"{where}: unknown key '{name}'{hint}; expected {', '.join(keys)}", path=study
            )
        if key_name in spelled:
            raise AssayInputError(f"{where}: '{spelled[key_name]}' and '{name}' are the same key", path=study)
        spelled[key_name] = name
        try:
            found[key.arg] = _value(value, key, study)
        except _BadValue as exc:
            raise AssayInputError(f"{where}, {name}: {exc}", path=study) from None
    return found


class _BadValue(Exception):
    """A value of the wrong type (the caller adds where it is)."""


def _value(value: Any, key: Key, study: Path) -> Any:
    """Check and convert one value (see :class:`Key`)."""
    kind = key.kind
    if kind == "number" or kind == "integer":
        ok = isinstance(value, int) if kind == "integer" else isinstance(value, int | float)
        if isinstance(value, bool) or not ok:
            raise _BadValue(f"must be {'a whole number' if kind == 'integer' else 'a number'}, not {value!r}")
        return value if kind == "integer" else float(value)
    if kind == "flag":
        if not isinstance(value, bool):
            raise _BadValue(f"must be true or false, not {value!r}")
        return value
    if kind == "plateau":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _BadValue(f"must be a number or a word (free, total, nsb), not {value!r}")
        return float(value) if isinstance(value, int | float) else value
    if kind == "names":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise _BadValue(f'must be a table of name = kind, e.g. {{whole_maze = "ignore"}}, not {value!r}')
        return dict(value)
    if kind in ("paths", "texts"):
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(v, str) and v for v in items):
            raise _BadValue(f"must be a string or a list of strings, not {value!r}")
        if kind == "texts":
            return ",".join(items) if key.arg == "bodypart" else tuple(items)
        return tuple(_file(v, study) for v in items)
    if not isinstance(value, str) or not value.strip():
        raise _BadValue(f"must be a non-empty string, not {value!r}")
    if key.choices and value not in key.choices:
        raise _BadValue(f"must be one of {', '.join(key.choices)}, not {value!r}")
    if kind == "path":
        return _file(value, study)
    if kind == "folder":
        return _relative(value, study)
    if kind == "protocol" and (value.lower().endswith(".toml") or "/" in value or "\\" in value):
        return _file(value, study)
    return value


def _relative(value: str, study: Path) -> Path:
    """``value`` as a path relative to the study file's folder, shown relative to the current folder."""
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = study.parent / path
    full = path.resolve()
    try:
        return full.relative_to(Path.cwd().resolve())
    except ValueError:
        return full


def _file(value: str, study: Path) -> Path:
    path = _relative(value, study)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "not found"
        raise _BadValue(f"{value}: {what} (paths are relative to the study file's folder)")
    return path


def listing(names: list[str]) -> str:
    """Quote and join names for a message: ``'a', 'b'``."""
    return ", ".join(f"'{n}'" for n in names)
