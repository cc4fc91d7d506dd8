"""Non-compartmental analysis of a study: every subject x analyte profile of a canonical PK frame.

One profile is analysed by :func:`nca_profile` (:mod:`assaykit.pk.profile`, where each parameter's
formula and source is given); :func:`nca_table` runs it on every profile of the frame that
:func:`assaykit.io.pk.read_pk` builds and returns two tidy tables: one row per profile with the units in
the column names (:func:`assaykit.pk.units.result_columns`), and one row per sample with the
concentration used after the BLQ rules and whether lambda_z used it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.pk.profile import IV_ROUTES, ROUTES, NCAOptions, NCAResult, nca_profile
from assaykit.pk.units import clearance_factor, conc_unit, dose_unit, partial_auc_column, result_columns

__all__ = ["ROUTES", "NCAOptions", "NCAResult", "NCATables", "nca_profile", "nca_table"]

_REQUIRED = ("subject", "time_h", "conc")


@dataclass(frozen=True)
class NCATables:
    """The analysis of a study.

    Attributes
    ----------
    results
        One row per subject x analyte: ``subject, analyte, group, dose_<unit>, route``, the parameters
        (column names from :attr:`columns`), ``flags``.
    points
        One row per sample: ``subject, analyte, group, time_h, conc_<unit>`` (as given),
        ``conc_used_<unit>`` (after the BLQ rules), ``blq``, ``lambda_z_used`` (and ``source_row`` when
        the frame has it).
    columns
        Parameter key (an :class:`NCAResult` field, or ``"auc_<start>_<end>"`` for partial AUCs) -> the
        results column that holds it.
    conc_unit, dose_unit
        Units of the input (``dose_unit`` None when the study has no doses).
    options
        The options used.
    """

    results: pd.DataFrame
    points: pd.DataFrame
    columns: dict[str, str]
    conc_unit: str
    dose_unit: str | None
    options: NCAOptions


def _lambda_z_marks(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(manual, exclude) masks from a ``lambda_z`` column of True/False/NA."""
    marks = values.astype("boolean")
    return marks.fillna(False).to_numpy(bool), (~marks).fillna(False).to_numpy(bool)


def _first(values: pd.Series, default: object) -> object:
    present = values.dropna()
    present = present[present.astype(str) != ""]
    return present.iloc[0] if len(present) else default


def _parameter_columns(conc: str, dose: str | None, routes: set[str], options: NCAOptions) -> dict[str, str]:
    """Return the results columns the study needs, in table order."""
    names = result_columns(conc, dose)
    keep = dict(names)
    if "iv-bolus" not in routes:
        keep.pop("c0")
    extravascular = not routes <= set(IV_ROUTES)
    intravenous = bool(routes & set(IV_ROUTES))
    for key in ("cl_f", "vz_f"):
        if key in keep and not extravascular:
            keep.pop(key)
    for key in ("cl", "vz"):
        if key in keep and not intravenous:
            keep.pop(key)
    ordered = {}
    for key, column in keep.items():
        ordered[key] = column
        if key == "auc_inf_pred":
            for start, end in options.partial_aucs:
                ordered[f"auc_{start:g}_{end:g}"] = partial_auc_column(start, end, conc)
    return ordered


def _row(result: NCAResult, columns: Mapping[str, str], options: NCAOptions) -> dict[str, object]:
    row: dict[str, object] = {}
    partial = dict(
        zip([f"auc_{a:g}_{b:g}" for a, b in options.partial_aucs], result.partial_aucs, strict=False)
    )
    for key, column in columns.items():
        if key in partial:
            row[column] = partial[key]
        elif key in ("cl_f", "vz_f"):
            row[column] = getattr(result, key[:-2]) if result.route not in IV_ROUTES else math.nan
        elif key in ("cl", "vz"):
            row[column] = getattr(result, key) if result.route in IV_ROUTES else math.nan
        elif key.startswith("auc_") and key not in NCAResult.__dataclass_fields__:
            row[column] = math.nan  # a partial AUC of a profile that could not be analysed
        else:
            row[column] = getattr(result, key)
    return row


def nca_table(
    frame: pd.DataFrame,
    options: NCAOptions = NCAOptions(),  # noqa: B008 - frozen, so a shared default is safe
    *,
    lambda_z_times: Mapping[str, Sequence[float]] | None = None,
    mw_g_mol: float | None = None,
) -> NCATables:
    """Analyse every subject x analyte profile of a canonical PK frame.

    Parameters
    ----------
    frame
        The canonical PK frame (one row per sample: ``subject``, ``analyte``, ``group``, ``time_h``,
        ``conc``, ``blq``, ``dose``, ``route``, ``source_row``; ``attrs["conc_unit"]`` and
        ``attrs["dose_unit"]``). An optional boolean ``lambda_z`` column of True/False/NA picks the
        terminal points by hand: True marks exactly the points to fit, False a point never to use.
    options
        :class:`NCAOptions`; a subject's own ``route`` in the frame overrides ``options.route``.
    lambda_z_times
        Subject -> times (h) of the points to fit lambda_z on, for every analyte of that subject (wins
        over the ``lambda_z`` column).
    mw_g_mol
        Molecular weight, needed when the dose is a mass and the concentrations molar or the reverse.

    Returns
    -------
    NCATables
        Results and points; a profile with no measurable value gets a row flagged ``not_analysed`` with
        empty parameters, and the others finish.

    Raises
    ------
    AssayInputError
        Missing columns or units, an unknown route, an infusion without a duration, mass and molar units
        without a molecular weight, or a profile with bad times or concentrations (naming the subject and
        analyte).
    """
    source = frame.attrs.get("source")
    missing = [name for name in _REQUIRED if name not in frame.columns]
    if missing:
        raise AssayInputError(f"the PK table lacks the column(s) {', '.join(missing)}", path=source)
    conc_name = frame.attrs.get("conc_unit")
    if not conc_name:
        raise AssayInputError("the concentration unit is unknown (name the column conc_<unit>)", path=source)
    conc_tag = conc_unit(conc_name).tag
    dose_name = frame.attrs.get("dose_unit")
    data = frame.copy()
    for name, default in (
        ("analyte", "parent"),
        ("group", ""),
        ("route", ""),
        ("dose", math.nan),
        ("blq", False),
    ):
        if name not in data.columns:
            data[name] = default
    doses = pd.to_numeric(data["dose"], errors="coerce")
    if dose_name is None and doses.notna().any():
        raise AssayInputError("doses are given without a unit (name the column dose_<unit>)", path=source)
    factor = math.nan
    if dose_name is not None:
        dose_tag = dose_unit(dose_name).tag
        factor = clearance_factor(conc_name, dose_name, mw_g_mol) if doses.notna().any() else math.nan
    profiles = []
    for (subject, analyte), rows in data.groupby(["subject", "analyte"], sort=False):
        route = str(_first(rows["route"], options.route))
        if route not in ROUTES:
            raise AssayInputError(
                f"unknown route '{route}'; expected one of {', '.join(ROUTES)}",
                path=source,
                location=f"subject {subject}",
            )
        profiles.append((subject, analyte, rows, route))
    routes = {route for *_, route in profiles}
    columns = _parameter_columns(conc_name, dose_name, routes, options)
    dose_column = f"dose_{dose_tag}" if dose_name is not None else "dose"
    result_rows, point_frames = [], []
    manual_times = {str(k): v for k, v in (lambda_z_times or {}).items()}
    for subject, analyte, rows, route in profiles:
        where = f"subject {subject}, analyte {analyte}"
        try:
            profile_options = options if route == options.route else replace(options, route=route)
        except AssayInputError as error:
            raise AssayInputError(error.reason, path=source, location=where) from None
        manual = exclude = None
        if "lambda_z" in rows.columns:
            manual_mask, exclude = _lambda_z_marks(rows["lambda_z"])
            manual = rows["time_h"].to_numpy(float)[manual_mask] if manual_mask.any() else None
        if str(subject) in manual_times:
            manual = np.asarray(manual_times[str(subject)], dtype=float)
        dose = float(_first(pd.to_numeric(rows["dose"], errors="coerce"), math.nan))
        try:
            result = nca_profile(
                rows["time_h"].to_numpy(float),
                rows["conc"].to_numpy(float),
                blq=rows["blq"].fillna(False).to_numpy(bool),
                dose=dose,
                options=profile_options,
                lambda_z_times=manual,
                exclude=exclude,
                cl_factor=factor,
                location=where,
            )
        except AssayInputError as error:
            raise error.with_path(source) if source else error from None
        head = {
            "subject": subject,
            "analyte": analyte,
            "group": _first(rows["group"], ""),
            dose_column: dose,
            "route": route,
        }
        result_rows.append(head | _row(result, columns, options) | {"flags": result.flags_cell})
        points = {
            "subject": subject,
            "analyte": analyte,
            "group": rows["group"].to_numpy(),
            "time_h": rows["time_h"].to_numpy(float),
            f"conc_{conc_tag}": rows["conc"].to_numpy(float),
            f"conc_used_{conc_tag}": result.conc_used,
            "blq": rows["blq"].fillna(False).to_numpy(bool),
            "lambda_z_used": result.lambda_z_mask,
        }
        if "source_row" in rows.columns:
            points["source_row"] = rows["source_row"].to_numpy()
        point_frames.append(pd.DataFrame(points))
    results = pd.DataFrame(
        result_rows, columns=["subject", "analyte", "group", dose_column, "route", *columns.values(), "flags"]
    )
    points = pd.concat(point_frames, ignore_index=True) if point_frames else pd.DataFrame()
    for table in (results, points):
        table.attrs.update({"conc_unit": conc_name, "dose_unit": dose_name, "source": source})
    return NCATables(results, points, columns, conc_name, dose_name, options)
