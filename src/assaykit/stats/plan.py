"""The statistical analysis plan of a study: the choices made before the data are seen.

A reviewer asks whether the tests were chosen before the data were looked at. Everything that decides which
test is the headline is therefore a field of the study, not a property of the data: the family of tests,
the primary endpoint and the multiplicity rule across endpoints, the design factors (sex, cohort), a
locomotor covariate, the count models. :class:`StatisticsPlan` holds them; a protocol preset (or any TOML
file) gives them in its ``[statistics]`` table (:func:`plan_from_preset`), and command-line options override
single fields.

``test="auto"`` (choosing parametric or rank tests from Shapiro-Wilk and Brown-Forsythe on the same data)
is kept as an explicit opt-in for exploratory work only: choosing the test from the data it tests inflates
the error rate (Rochon, Gondan & Kieser 2012, BMC Med Res Methodol 12:81; Zimmerman 2004, Br J Math Stat
Psychol 57:173-181).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError

#: The families of tests against the control (``test``), see docs/user-guide/compare.md.
TESTS = ("parametric", "welch", "nonparametric", "steel", "auto")
#: Adjustments of Dunn's p-values: Holm (the default) or Bonferroni (as GraphPad Prism reports Dunn's test).
DUNN_ADJUSTMENTS = ("holm", "bonferroni")
#: Multiplicity rules across the secondary endpoints.
SECONDARY_ADJUSTMENTS = ("holm", "bonferroni", "none")
#: How a blocking factor enters the model.
BLOCK_MODELS = ("auto", "fixed", "random")
#: Count models for count endpoints (entries, transitions, head dips); ``none`` fits none.
COUNT_MODELS = ("none", "poisson", "negative_binomial", "auto")
#: Spread shown in descriptions and figures.
SPREADS = ("sd", "sem")
#: Quartile definitions: Hyndman & Fan type 7 (R, numpy, Excel) or type 6 (GraphPad Prism).
QUARTILES = ("type7", "prism")


@dataclass(frozen=True)
class StatisticsPlan:
    """What a study's statistics are, fixed before the data are seen.

    Attributes
    ----------
    test
        The headline family of tests against the control (:data:`TESTS`): ``parametric`` (Welch's t for
        two groups; one-way ANOVA with Dunnett's test for more), ``welch`` (Welch's t; Welch's ANOVA with
        Dunnett's T3 for unequal variances), ``nonparametric`` (Mann-Whitney U; Kruskal-Wallis with Dunn's
        test), ``steel`` (Mann-Whitney U; Kruskal-Wallis with Steel's many-to-one rank test) or ``auto``
        (exploratory: chosen per endpoint from the assumption checks).
    dunn_adjust
        Adjustment of Dunn's p-values over the comparisons with the control (:data:`DUNN_ADJUSTMENTS`).
    primary
        The primary endpoint; the others are secondary and adjusted across endpoints by
        ``secondary_adjust``. None: no endpoint is primary and no adjustment across endpoints is made.
    secondary_adjust
        Multiplicity rule across the secondary endpoints (:data:`SECONDARY_ADJUSTMENTS`).
    factor
        A second factor crossed with treatment (``sex``): a two-way ANOVA with the interaction.
    interaction_alpha
        The interaction p-value (type II) below which groups are compared with the control within each
        level of ``factor`` rather than pooled.
    block
        A blocking factor (``cohort``, test day).
    block_model
        ``fixed`` (a block term in the linear model), ``random`` (a random intercept, linear mixed model) or
        ``auto`` (random from ``min_random_levels`` levels on).
    covariate
        A locomotor covariate for an ANCOVA of the other endpoints (``distance_cm``, ``total_entries``).
    counts
        Count model for count endpoints (:data:`COUNT_MODELS`); with it, the proportion of open-arm entries
        gets a binomial model too.
    session_s
        Session length in seconds, for the censoring of latencies when the table has no ``session_s``
        column.
    spread
        ``sd`` or ``sem``: the spread shown on the terminal and the figures.
    quartiles
        ``type7`` or ``prism``: how the summary's quartiles are computed.
    endpoints
        The endpoints to analyse; empty for the assay's main ones.
    alpha
        Significance level of the assumption checks and of ``test="auto"``.
    min_random_levels
        Fewest levels of ``block`` for ``block_model="auto"`` to use a random effect.
    """

    test: str = "parametric"
    dunn_adjust: str = "holm"
    primary: str | None = None
    secondary_adjust: str = "holm"
    factor: str | None = None
    interaction_alpha: float = 0.05
    block: str | None = None
    block_model: str = "auto"
    covariate: str | None = None
    counts: str = "none"
    session_s: float | None = None
    spread: str = "sd"
    quartiles: str = "type7"
    endpoints: tuple[str, ...] = ()
    alpha: float = 0.05
    min_random_levels: int = 5

    def __post_init__(self) -> None:
        """Check every field: a bad value is an error naming the field and the values allowed."""
        for name, allowed in (
            ("test", TESTS),
            ("dunn_adjust", DUNN_ADJUSTMENTS),
            ("secondary_adjust", SECONDARY_ADJUSTMENTS),
            ("block_model", BLOCK_MODELS),
            ("counts", COUNT_MODELS),
            ("spread", SPREADS),
            ("quartiles", QUARTILES),
        ):
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
        for name in ("interaction_alpha", "alpha"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise ValueError(f"{name} must lie between 0 and 1, got {value!r}")
        if self.session_s is not None and not (math.isfinite(self.session_s) and self.session_s > 0):
            raise ValueError(f"session_s must be a positive number of seconds, got {self.session_s!r}")
        if self.min_random_levels < 2:
            raise ValueError(f"min_random_levels must be at least 2, got {self.min_random_levels!r}")

    def updated(self, **changes: Any) -> StatisticsPlan:
        """Return a copy with the fields given (None values are ignored: the option was not given)."""
        given = {k: v for k, v in changes.items() if v is not None}
        if "endpoints" in given:
            given["endpoints"] = tuple(given["endpoints"])
        return replace(self, **given)


_FIELD_TYPES = {f.name: f.type for f in fields(StatisticsPlan)}


def plan_from_section(section: dict[str, Any], *, path: str | Path | None = None) -> StatisticsPlan:
    """Build a plan from a ``[statistics]`` table of TOML.

    Parameters
    ----------
    section
        The table's keys: the fields of :class:`StatisticsPlan`.
    path
        The file, for messages.

    Returns
    -------
    StatisticsPlan

    Raises
    ------
    AssayInputError
        For an unknown key (with the known ones), a value of the wrong type, or a value not allowed.
    """
    known = list(_FIELD_TYPES)
    values: dict[str, Any] = {}
    for key, value in section.items():
        if key not in _FIELD_TYPES:
            raise AssayInputError(
                f"unknown key '{key}' in [statistics]; known keys: {', '.join(known)}", path=path
            )
        expected = str(_FIELD_TYPES[key])
        if key == "endpoints":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise AssayInputError("[statistics] endpoints must be a list of column names", path=path)
            value = tuple(value)
        elif "float" in expected and not isinstance(value, bool) and isinstance(value, int | float):
            value = float(value)
        elif not _of_type(value, expected):
            raise AssayInputError(
                f"[statistics] {key} = {value!r} is not a {expected.replace(' | None', '')}", path=path
            )
        values[key] = value
    try:
        return StatisticsPlan(**values)
    except ValueError as exc:
        raise AssayInputError(f"[statistics]: {exc}", path=path) from None


def _of_type(value: object, expected: str) -> bool:
    """Whether a TOML value is a ``str`` or an ``int`` (not a bool) as the field's type text says."""
    if isinstance(value, str):
        return "str" in expected
    return isinstance(value, int) and not isinstance(value, bool) and "int" in expected


def plan_from_preset(preset: dict[str, Any] | None) -> StatisticsPlan:
    """Return the plan of a loaded preset (its ``[statistics]`` table), or the defaults without one.

    Parameters
    ----------
    preset
        From :func:`assaykit.io.presets.load_preset`, or None.

    Returns
    -------
    StatisticsPlan
    """
    if not preset or "statistics" not in preset:
        return StatisticsPlan()
    section = preset["statistics"]
    path = preset.get("preset", {}).get("path")
    if not isinstance(section, dict):
        raise AssayInputError("[statistics] must be a table", path=path)
    return plan_from_section(section, path=path)


#: The plan fields a command-line option (or a study part's key) may set, in the order ``--help`` lists them.
PLAN_FIELDS = (
    "test",
    "primary",
    "secondary_adjust",
    "dunn_adjust",
    "factor",
    "interaction_alpha",
    "block",
    "block_model",
    "covariate",
    "counts",
    "session_s",
    "spread",
    "quartiles",
)


def build_plan(protocol: str | Path | None, assay: str | None = None, **given: Any) -> StatisticsPlan:
    """Return the analysis plan: the protocol's ``[statistics]`` table, with the fields given over it.

    Used by ``assaykit compare``, ``epm``/``ldb --design`` and the parts of ``assaykit report``.

    Parameters
    ----------
    protocol
        A preset name or TOML file, or None for the defaults.
    assay
        The assay the preset must be for (``epm``, ``ldb``), or None for any.
    given
        Fields of :data:`PLAN_FIELDS`; None means "not given".

    Returns
    -------
    StatisticsPlan

    Raises
    ------
    AssayInputError
        For an unknown preset, a preset for another assay, or a value the plan refuses.
    """
    from assaykit.io.presets import load_preset

    plan = plan_from_preset(load_preset(protocol, assay=assay)) if protocol else StatisticsPlan()
    try:
        return plan.updated(**given)
    except ValueError as exc:
        raise AssayInputError(str(exc)) from None
