"""Check every tube's numbers and assemble the canonical counts frame, for both layouts.

The long (:mod:`assaykit.io.counts.long`) and wide (:mod:`assaykit.io.counts.wide`) readers hand their
:class:`~assaykit.io.counts.tubes.Tubes` to :func:`build`, so both layouts give the same frame and the same
messages about numbers; the checks beyond single cells are in :mod:`assaykit.io.counts.checks`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.distinct import group_codes
from assaykit.errors import AssayInputError
from assaykit.io.counts.cells import EMPTY, NOT_A_NUMBER, NUMBER, canonical_text, cell_numbers, cell_text
from assaykit.io.counts.checks import check_range, check_thousands, hot_concentrations
from assaykit.io.counts.tubes import (
    CONTROLS_TEXT,
    COUNTS_COLUMNS,
    HOT_COLUMN,
    WELL_COLUMN,
    Original,
    Problems,
    Tubes,
)
from assaykit.io.number_cells import cell_hint, thousands_position
from assaykit.plausible import looks_like_log_molar

_EMPTY_CONC = "a competitor row has an empty concentration; label control tubes TOTAL or NSB"
_ZERO_CONC = "0 is not a valid competitor concentration; label radioligand-alone tubes TOTAL"


def _each_distinct(values: np.ndarray, func: Callable[[float], float]) -> np.ndarray:
    """Apply ``func`` to each value but NaN, once per distinct value, on Python floats (as scalar code)."""
    codes, uniques = group_codes(values)  # NaN gets code -1: the NaN appended last
    return np.array([*(func(float(u)) for u in uniques), math.nan], dtype=float)[codes]


def build(
    tubes: Tubes,
    path: str | Path,
    decimal_comma: bool,
    attrs: dict[str, str],
    original: Original | None = None,
    *,
    text: bool = False,
    stacklevel: int = 3,
) -> pd.DataFrame:
    """Check every tube's numbers and assemble the canonical frame.

    ``text``: the cells are a text file's; ``stacklevel``: a warning issued in the caller with it would point
    at the user's code (warnings from the checks are issued deeper, and add their depth).
    """
    signal, signal_kind = cell_numbers(tubes.signal, decimal_comma)
    conc, conc_kind = cell_numbers(tubes.conc, decimal_comma)
    competitor, log, molar = tubes.competitor, tubes.log, conc * tubes.factor
    in_range = (conc > -100) & (conc < 100)  # beyond this 10**value is no concentration (and may overflow)
    valid = np.isfinite(conc) & np.where(log, in_range, molar > 0)
    if not ((np.isfinite(signal) & (signal >= 0)).all() and (valid | ~competitor).all()):
        _raise_number_problems(tubes, path, (signal, signal_kind, conc, conc_kind, molar, in_range), original)
    if text and (suspect := thousands_position(signal)) is not None:
        check_thousands(tubes, signal, suspect, path, original)
    if not competitor.any():
        raise AssayInputError(
            f"no competitor rows; expected rows with a competitor compound besides {CONTROLS_TEXT}",
            path=path,
        )
    check_range(tubes, conc, path, stacklevel=stacklevel + 2)
    logged, linear = competitor & log, competitor & ~log
    conc_m = np.where(linear, molar, np.nan)
    log_conc = _each_distinct(conc_m, math.log10)
    if logged.any():
        conc_m = np.where(logged, _each_distinct(np.where(logged, conc, np.nan), lambda v: 10.0**v), conc_m)
        log_conc = np.where(logged, conc, log_conc)
    out = pd.DataFrame(
        {
            **{name: canonical_text(getattr(tubes, name)) for name in COUNTS_COLUMNS[:4]},
            "conc_M": conc_m,
            "log_conc_M": log_conc,
            "signal": signal,
            "source_row": np.asarray(tubes.line, dtype=np.int64),
        },
        copy=False,
    )
    if tubes.hot is not None:
        out[HOT_COLUMN] = hot_concentrations(tubes, path, decimal_comma, stacklevel=stacklevel + 2)
    if tubes.well is not None:
        out[WELL_COLUMN] = canonical_text(tubes.well)
    out.attrs.update(attrs)
    return out


def _raise_number_problems(
    tubes: Tubes, path: str | Path, parsed: tuple[np.ndarray, ...], original: Original | None
) -> None:
    """Raise the error about the first bad signal or competitor concentration, counting the others."""
    signal, signal_kind, conc, conc_kind, molar, in_range = parsed

    def describe(
        template: str, cells: np.ndarray, names: np.ndarray | str, concentration: bool | None = None
    ) -> Callable[[int], tuple[str, str]]:
        def message(i: int) -> tuple[str, str]:  # the cell quoted as written, even if pandas parsed it
            name = names if isinstance(names, str) else str(names[i])
            floats = original is not None and cells.dtype.kind == "f"
            text = original(int(tubes.line[i]), name) if floats else cell_text(cells[i])
            hint = "" if concentration is None else cell_hint(text, concentration=concentration)
            return template.format(text) + hint, name

        return message

    problems = Problems(path, tubes.line)
    finite, bad = np.isfinite(signal), signal_kind == NOT_A_NUMBER
    problems.add(
        bad, describe("'{}' is not a number; expected a count", tubes.signal, tubes.signal_column, False)
    )
    for where, template in (
        (~bad & ~finite, "'{}' is not a finite count"),
        (finite & (signal < 0), "negative signal {}; counts cannot be negative"),
    ):
        problems.add(where, describe(template, tubes.signal, tubes.signal_column))
    competitor, log = tubes.competitor, tubes.log
    negative = conc[competitor & ~log & (conc < 0)]
    hint = "; these look like log10 molar values: name the column log_conc_M" * looks_like_log_molar(negative)
    ok, infinite = competitor & np.isfinite(conc), competitor & (conc_kind == NUMBER) & ~np.isfinite(conc)
    not_number = "'{}' is not a number; expected a concentration"
    problems.add(
        competitor & (conc_kind == NOT_A_NUMBER),
        describe(not_number, tubes.conc, tubes.conc_column, True),
        1,
    )
    for where, template in (
        (competitor & (conc_kind == EMPTY), _EMPTY_CONC),
        (infinite & log, "'{}' is not a finite log concentration"),
        (infinite & ~log, "'{}' is not a finite concentration"),
        (ok & log & ~in_range, "log concentration {} is out of range; log_conc_M is log10(mol/L), e.g. -7"),
        (ok & ~log & (conc == 0), _ZERO_CONC),
        (ok & ~log & (conc < 0), "negative concentration {}; competitor concentrations must be > 0" + hint),
        (ok & ~log & (conc > 0) & ~(molar > 0), "concentration {} is too small to represent"),
    ):
        problems.add(where, describe(template, tubes.conc, tubes.conc_column), order=1)
    problems.raise_first()
