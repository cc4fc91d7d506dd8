"""Which latencies are censored: the rule that tells an animal that never entered from a slow one.

A latency equal to the session length means the animal never entered the zone within the session: the
latency is only known to exceed the session (right-censored). :func:`latency_events` applies the rule to
a table of endpoints (one row per animal) and returns each animal's time and whether it entered;
:mod:`assaykit.stats.survival` analyses them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.stats.inputs import numeric_endpoint

__all__ = ["RELATIVE_TOLERANCE", "entered_column", "is_latency", "latency_events", "session_lengths"]

#: A latency within this fraction of the session length counts as the session length (about one frame of
#: a 5-minute session at 25 fps is 1.3e-4; this is far below any frame and absorbs rounding only).
RELATIVE_TOLERANCE = 1e-6
_UNITS = {"_ms": 1000.0, "_min": 1.0 / 60.0, "_s": 1.0}
_TRUE = {"true", "1", "1.0", "yes", "y", "t"}
_FALSE = {"false", "0", "0.0", "no", "n", "f"}


def is_latency(endpoint: str) -> bool:
    """Tell whether an endpoint is a latency (a time to a first entry): its name starts ``latency_``.

    Examples
    --------
    >>> is_latency("latency_open_s"), is_latency("open_time_s")
    (True, False)
    """
    return str(endpoint).startswith("latency_")


def entered_column(endpoint: str) -> str:
    """Name the column that says whether the animal entered the zone of a latency endpoint.

    ``latency_<zone>[_unit]`` -> ``<zone>_entered`` (``latency_open_s`` -> ``open_entered``, as written by
    ``assaykit epm``; ``latency_light_s`` -> ``light_entered``, as written by ``assaykit ldb``).
    """
    zone = str(endpoint).removeprefix("latency_")
    for suffix in _UNITS:
        if zone.endswith(suffix) and len(zone) > len(suffix):
            zone = zone[: -len(suffix)]
            break
    return f"{zone}_entered"


def latency_events(
    data: pd.DataFrame, endpoint: str, *, session: float | None = None
) -> tuple[pd.Series, pd.Series]:
    """Turn a latency column into censored times: the time of each animal and whether it entered.

    The censoring rule: an animal is censored (``event`` False) when its latency is at least its session
    length (to within :data:`RELATIVE_TOLERANCE`, relative), or when the ``<zone>_entered`` column beside the
    latency (:func:`entered_column`) says False. A censored animal's time is the session length when its
    latency reaches it, else its latency (an animal known not to have entered by then, e.g. whose tracking
    ended early). An animal with a latency and no entered column entered at its latency when that is before
    the end of the session.

    Parameters
    ----------
    data
        One row per animal: the ``endpoint`` column (seconds for ``_s`` names; ``_ms`` and ``_min`` are
        converted to compare with the session) and, when present, ``<zone>_entered`` (True/False, blank for
        unknown), ``session_s`` (the session length of each animal, s) and ``animal`` (named in errors).
    endpoint
        The latency column.
    session
        The session length in seconds, for every animal. When None, the ``session_s`` column.

    Returns
    -------
    time, event : pandas.Series
        Indexed like ``data`` without the animals that have no latency (they are left out; their number is
        ``len(data) - len(time)``): the time (float, in the endpoint's unit) and whether the animal entered
        (bool).

    Raises
    ------
    AssayInputError
        When the column is missing or not numeric, a latency is negative or above the session length, the
        session length is unknown (no ``session`` and no ``session_s`` value) or not a positive number, or an
        entered value is not true/false.
    """
    latency = numeric_endpoint(data, endpoint, None)
    known = latency.notna()
    length = session_lengths(data, endpoint, session)
    animals = data["animal"].astype(str) if "animal" in data.columns else pd.Series(data.index.astype(str))
    animals.index = data.index
    for i in np.flatnonzero(known.to_numpy()):
        value, limit = float(latency.iloc[i]), float(length.iloc[i])
        where = f"animal '{animals.iloc[i]}'"
        if not (math.isfinite(limit) and limit > 0):
            raise AssayInputError(f"{where} has no positive session length", column="session_s")
        if value < 0:
            raise AssayInputError(f"{where} has a negative latency {value:g}", column=endpoint)
        if value > limit * (1 + RELATIVE_TOLERANCE):
            raise AssayInputError(
                f"{where} has a latency of {value:g}, longer than its session ({limit:g})", column=endpoint
            )
    at_end = latency >= length * (1 - RELATIVE_TOLERANCE)
    event = ~at_end
    entered = entered_column(endpoint)
    if entered in data.columns:
        flags = _true_false(data[entered], animals, entered)
        event &= flags.ne(False)  # NaN (unknown): the latency decides
    time = latency.where(~at_end, length)
    return time[known].astype(float), event[known].astype(bool)


def session_lengths(data: pd.DataFrame, endpoint: str, session: float | None) -> pd.Series:
    """Return each animal's session length in the endpoint's unit: ``session`` for all, else ``session_s``."""
    scale = _unit_scale(endpoint)
    if session is not None:
        if not (isinstance(session, int | float) and math.isfinite(session) and session > 0):
            raise AssayInputError(f"the session length must be a positive number of seconds, got {session!r}")
        return pd.Series(float(session) * scale, index=data.index)
    if "session_s" in data.columns:
        return numeric_endpoint(data, "session_s", None) * scale
    raise AssayInputError(
        f"latency endpoint '{endpoint}' needs the session length to tell who never entered: "
        "a 'session_s' column or a session length",
        column=endpoint,
    )


def _unit_scale(endpoint: str) -> float:
    """Factor from seconds to the unit of a latency column (read from its name; seconds when none)."""
    for suffix, factor in _UNITS.items():
        if str(endpoint).endswith(suffix):
            return factor
    return 1.0


def _true_false(column: pd.Series, animals: pd.Series, name: str) -> pd.Series:
    """Read a True/False column (blank = unknown, NaN); other values raise an AssayInputError."""
    if column.dtype.kind == "b":
        return column.astype(object)
    out = pd.Series(np.nan, index=column.index, dtype=object)
    for i, value in enumerate(column):
        if value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == "":
            continue
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            out.iloc[i] = text in _TRUE
        else:
            raise AssayInputError(
                f"'{value}' for animal '{animals.iloc[i]}' is not True or False", column=name
            )
    return out
