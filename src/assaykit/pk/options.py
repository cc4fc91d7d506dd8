"""The options of a PK run: their defaults, a preset's ``[pk]`` table, and the parsing of the command line's.

Every key of :data:`PK_DEFAULTS` is a keyword of :func:`assaykit.pk.workflow.run_pk`, a key of a preset's
``[pk]`` table and (with dashes) a command-line option; the command line wins over the preset, the preset
over the defaults.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError
from assaykit.io.presets import load_preset
from assaykit.pk.nca import NCAOptions

__all__ = ["PK_DEFAULTS", "lambda_z_times", "nca_options", "partial_intervals", "resolve_options"]

#: Options a PK preset may set, with their defaults when neither preset nor command line gives them.
PK_DEFAULTS: dict[str, Any] = {
    "route": "extravascular",
    "infusion_h": None,
    "dose": None,
    "dose_unit": None,
    "mw_g_mol": None,
    "lloq": None,
    "auc_method": "linear",
    "blq_before": "zero",
    "blq_after": "missing",
    "min_points": 3,
    "r2adj_tolerance": 1e-4,
    "min_r2adj": 0.9,
    "max_extrap_pct": 20.0,
    "min_span_ratio": 2.0,
    "partial_auc": (),
    "lambda_z_points": (),
    "compartmental": "none",
    "lag": False,
    "cmt_weights": "none",
    "level": 0.95,
}
_DESCRIPTIVE_KEYS = {"species", "matrix", "notes", "analyte"}
#: Route names a user may give, and the route each means (as the reader maps a ``route`` column).
ROUTE_NAMES = {
    "extravascular": "extravascular", "oral": "extravascular", "po": "extravascular", "ip": "extravascular",
    "sc": "extravascular", "im": "extravascular", "iv": "iv-bolus", "iv-bolus": "iv-bolus",
    "iv-infusion": "iv-infusion", "infusion": "iv-infusion",
}  # fmt: skip
COMPARTMENTAL = ("none", "1", "2", "both")


def resolve_options(protocol: str | Path | None, **given: Any) -> tuple[dict[str, Any], str | None]:
    """Merge the command line's options over a preset's ``[pk]`` table over :data:`PK_DEFAULTS`.

    Parameters
    ----------
    protocol
        A preset name or TOML path, or None.
    **given
        Options from the caller; None (or an empty tuple) means "not given".

    Returns
    -------
    tuple
        The merged options (route names mapped, partial AUC intervals parsed) and the preset's name.

    Raises
    ------
    AssayInputError
        For an unknown preset key, route or choice, named by its key.
    """
    options = dict(PK_DEFAULTS)
    name = None
    if protocol is not None:
        preset = load_preset(protocol, assay="pk")
        name, source = preset["preset"]["name"], preset["preset"]["path"]
        table = preset.get("pk", {})
        if not isinstance(table, dict):
            raise AssayInputError("'pk' must be a table: a [pk] section", path=source)
        unknown = sorted(set(table) - set(PK_DEFAULTS) - _DESCRIPTIVE_KEYS)
        if unknown:
            raise AssayInputError(
                f"unknown key(s) {', '.join(unknown)} in [pk]; expected {', '.join(PK_DEFAULTS)}", path=source
            )
        options.update({k: v for k, v in table.items() if k in PK_DEFAULTS})
    options.update({k: v for k, v in given.items() if v is not None and v != ()})
    route = str(options["route"]).strip().lower()
    if route not in ROUTE_NAMES:
        raise AssayInputError(f"unknown route '{options['route']}'; expected one of {', '.join(ROUTE_NAMES)}")
    options["route"] = ROUTE_NAMES[route]
    if str(options["compartmental"]) not in COMPARTMENTAL:
        raise AssayInputError(
            f"compartmental must be one of {', '.join(COMPARTMENTAL)}, not '{options['compartmental']}'"
        )
    options["compartmental"] = str(options["compartmental"])
    options["partial_auc"] = partial_intervals(options["partial_auc"])
    for key in ("lloq", "infusion_h", "dose", "mw_g_mol"):
        value = options[key]
        if value is not None and not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise AssayInputError(f"{key} must be a positive number, not {value!r}")
    return options, name


def nca_options(options: Mapping[str, Any]) -> NCAOptions:
    """Return the :class:`~assaykit.pk.nca.NCAOptions` of merged run options (``NCAOptions`` checks them)."""
    return NCAOptions(
        auc_method=options["auc_method"],
        blq_before=options["blq_before"],
        blq_after=options["blq_after"],
        route=options["route"],
        infusion_h=options["infusion_h"],
        min_points=int(options["min_points"]),
        r2adj_tolerance=float(options["r2adj_tolerance"]),
        min_r2adj=float(options["min_r2adj"]),
        max_extrap_pct=float(options["max_extrap_pct"]),
        min_span_ratio=float(options["min_span_ratio"]),
        partial_aucs=tuple(options["partial_auc"]),
    )


_NUMBER = r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*"


def partial_intervals(values: Sequence[Any] | str) -> tuple[tuple[float, float], ...]:
    """Parse partial-AUC intervals in hours: ``"0-4"`` strings (``--partial-auc``) or ``[start, end]`` pairs.

    Raises
    ------
    AssayInputError
        For an interval that is not two numbers with start < end.
    """
    items = [values] if isinstance(values, str) else list(values)
    out = []
    for item in items:
        if isinstance(item, str):
            match = re.fullmatch(_NUMBER + r"(?:-|to|:)" + _NUMBER, item)
            pair = (float(match.group(1)), float(match.group(2))) if match else None
        elif isinstance(item, Sequence) and len(item) == 2 and all(isinstance(v, int | float) for v in item):
            pair = (float(item[0]), float(item[1]))
        else:
            pair = None
        if pair is None or not pair[0] < pair[1]:
            raise AssayInputError(
                f"partial AUC interval {item!r} is not start-end in hours with start < end (e.g. 0-4)"
            )
        out.append(pair)
    return tuple(out)


def lambda_z_times(values: Sequence[str] | None) -> dict[str, list[float]] | None:
    """Parse ``--lambda-z-points SUBJECT=T1,T2,T3`` (the sampling times, h, of the points to fit).

    Raises
    ------
    AssayInputError
        For an entry without ``=``, or times that are not numbers (at least 2 are needed for a line).
    """
    if not values:
        return None
    out: dict[str, list[float]] = {}
    for value in [values] if isinstance(values, str) else values:
        subject, sep, times = str(value).partition("=")
        try:
            parsed = [float(t) for t in times.split(",") if t.strip()]
        except ValueError:
            parsed = []
        if not sep or not subject.strip() or len(parsed) < 2:
            raise AssayInputError(
                f"--lambda-z-points '{value}': expected SUBJECT=T1,T2,T3 (the sampling times in h of at "
                "least two points after Cmax)"
            )
        out[subject.strip()] = parsed
    return out
