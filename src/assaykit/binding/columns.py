"""The columns of the competition-binding tables, in order (each documented in docs/user-guide/binding.md).

A results table has the columns of the models its rows were fitted with, no others:
:func:`result_columns` gives them, in the documented order

1. identity: the curve and how it was fitted (``compound``, ``plate``, ``model``, ``n_points``,
   ``n_outliers``, ``weights``, ``ci_method``);
2. the estimates, each followed by its SE and confidence limits (Top, Bottom, Hill slope, IC50; each site's
   IC50 and the high-affinity fraction; Kd and Bmax of homologous competition);
3. Ki (the models that have a Cheng-Prusoff Ki: not homologous competition);
4. fit statistics (``r_squared``, Sy.x, SS, ``df``);
5. the screen's activity columns (not for homologous competition, whose curves are not tested);
6. ``flags``, last.

:data:`MODEL_COLUMNS` holds each model's list; a table of several models has the union, in the order of
:data:`ALL_RESULT_COLUMNS` (of which each model's list is a subsequence). Names carry their units: ``_nM``
for concentrations, the signal unit of the counts (``cpm``, ``dpm`` or ``counts``, written ``{u}`` in the
templates) for Top, Bottom, Bmax and Sy.x, and its square (``cpm2``) for SS. With ``--weights poisson``
Sy.x and SS are those of the weighted residuals (in sqrt(unit) and unit), named ``sy_x_weighted`` and
``ss_weighted``.
"""

from __future__ import annotations

from collections.abc import Iterable

from assaykit.fitting.compare import COMPARISON_FIELDS

_IDENTITY = ("compound", "plate", "model", "n_points", "n_outliers", "weights", "ci_method")
_TOP = ("top_{u}", "top_se_{u}")
_BOTTOM = ("bottom_{u}", "bottom_se_{u}")
_HILL = ("hill_slope", "hill_slope_se")


def _ic50(p: str) -> tuple[str, ...]:
    return (
        f"log_{p}", f"log_{p}_se", f"log_{p}_ci_low", f"log_{p}_ci_high",
        f"{p}_nM", f"{p}_ci_low_nM", f"{p}_ci_high_nM",
    )  # fmt: skip


def _ki(p: str) -> tuple[str, ...]:
    return (f"log_{p}", f"log_{p}_se", f"{p}_nM", f"{p}_ci_low_nM", f"{p}_ci_high_nM")


_FRACTION = ("fraction_hi", "fraction_hi_se", "fraction_hi_ci_low", "fraction_hi_ci_high")
_KD = ("log_kd", "log_kd_se", "kd_nM", "kd_se_nM", "kd_ci_low_nM", "kd_ci_high_nM")
_BMAX = ("bmax_{u}", "bmax_se_{u}", "bmax_ci_low_{u}", "bmax_ci_high_{u}")
#: Ki's SE and limits with the radioligand Kd's SE carried in (``--kd-se``; one-site models).
_KI_TOTAL = ("log_ki_se_total", "ki_ci_low_total_nM", "ki_ci_high_total_nM")
_FIT = ("r_squared", "sy_x_{u}", "ss_{u}2", "df")
_ACTIVITY = ("activity", "p_displacement", "q_displacement", "displacement_pct", "ic50_above_nM")

_ONE_SITE = (*_IDENTITY, *_TOP, *_BOTTOM, *_HILL, *_ic50("ic50"), *_ki("ki"), *_KI_TOTAL, *_FIT,
             *_ACTIVITY, "flags")  # fmt: skip
_TWO_SITES = (*_IDENTITY, *_TOP, *_BOTTOM, *_ic50("ic50_hi"), *_ic50("ic50_lo"), *_FRACTION,
              *_ki("ki_hi"), *_ki("ki_lo"), *_FIT, *_ACTIVITY, "flags")  # fmt: skip

#: Each competition model's result columns, in order (``{u}``: the signal unit, see the module docstring).
MODEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "4pl": _ONE_SITE,
    "one-site": _ONE_SITE,
    "fit-ki": _ONE_SITE,
    "two-site": _TWO_SITES,
    "two-site-ki": _TWO_SITES,
    "homologous": (*_IDENTITY, *_BOTTOM, *_KD, *_BMAX, *_FIT, "flags"),
}

#: Every result column of any model, in the documented order: the order of a table of several models.
ALL_RESULT_COLUMNS: tuple[str, ...] = (
    *_IDENTITY, *_TOP, *_BOTTOM, *_HILL, *_ic50("ic50"), *_ic50("ic50_hi"), *_ic50("ic50_lo"), *_FRACTION,
    *_KD, *_BMAX, *_ki("ki"), *_KI_TOTAL, *_ki("ki_hi"), *_ki("ki_lo"), *_FIT, *_ACTIVITY, "flags",
)  # fmt: skip


def column_name(template: str, unit: str = "cpm", *, weighted: bool = False) -> str:
    """Return the column name of a template of :data:`MODEL_COLUMNS` for a signal unit.

    Parameters
    ----------
    template
        A name, possibly with ``{u}`` for the signal unit.
    unit
        The counts' signal unit (``cpm``, ``dpm``, ``counts``); an empty unit is written ``signal``.
    weighted
        Whether the fit was weighted (``--weights poisson``): Sy.x and SS are then ``sy_x_weighted`` and
        ``ss_weighted``, since they are not in the signal's unit.

    Examples
    --------
    >>> column_name("top_se_{u}", "dpm"), column_name("ss_{u}2"), column_name("ss_{u}2", weighted=True)
    ('top_se_dpm', 'ss_cpm2', 'ss_weighted')
    """
    if weighted and template in ("sy_x_{u}", "ss_{u}2"):
        return template.split("_{u}")[0] + "_weighted"
    return template.replace("{u}", unit or "signal")


def result_columns(models: str | Iterable[str], unit: str = "cpm", *, weighted: bool = False) -> list[str]:
    """Return the result columns of a table whose rows were fitted with ``models``, in the documented order.

    Parameters
    ----------
    models
        A model name or several (keys of :data:`MODEL_COLUMNS`); several give the union of their columns,
        in the order of :data:`ALL_RESULT_COLUMNS`.
    unit, weighted
        As for :func:`column_name`.

    Returns
    -------
    list of str
        The column names.

    Examples
    --------
    >>> result_columns("homologous")[:12]  # doctest: +NORMALIZE_WHITESPACE
    ['compound', 'plate', 'model', 'n_points', 'n_outliers', 'weights', 'ci_method', 'bottom_cpm',
     'bottom_se_cpm', 'log_kd', 'log_kd_se', 'kd_nM']
    """
    names = {models} if isinstance(models, str) else set(models)
    unknown = sorted(names - set(MODEL_COLUMNS))
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)}; expected one of {', '.join(MODEL_COLUMNS)}")
    wanted = {template for name in names for template in MODEL_COLUMNS[name]}
    return [column_name(t, unit, weighted=weighted) for t in ALL_RESULT_COLUMNS if t in wanted]


def internal_name(template: str) -> str:
    """Return the unit-free name a template is computed under (``top_se_{u}`` -> ``top_se``)."""
    return template.replace("_{u}2", "").replace("_{u}", "")


#: The model-comparison table (``--compare``): one row per curve and comparison.
COMPARISON_COLUMNS = ("compound", "plate", *COMPARISON_FIELDS)

#: The relative-potency table (``--potency-vs``): one row per compound and plate shared with the reference.
POTENCY_COLUMNS = (
    "compound",
    "reference",
    "plate",
    "ratio",
    "ratio_ci_low",
    "ratio_ci_high",
    "log_ratio",
    "log_ratio_se",
    "df",
)
