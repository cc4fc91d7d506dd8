"""The columns of the saturation results table, in order (each documented in docs/user-guide/saturation.md).

A results table has the columns of its model only (an analysis fits one model to every data set):
:func:`result_columns` gives them, in the documented order

1. identity: the data set and how it was fitted (``dataset``, ``model``, ``n_points``, ``ci_method``);
2. the estimates, each followed by its SE (and confidence limits for Kd and Bmax): Kd and Bmax (one site);
   the Hill slope (``hill``); each site's Kd and Bmax (two sites); NS and Background (the models fitted to
   total and NSB tubes together);
3. derived values: for two sites the total Bmax (BmaxHi + BmaxLo, with the SE of the sum and limits) and
   ``fraction_hi``; Bmax converted to fmol, fmol/mg and sites/cell; ``max_fraction_bound``;
4. fit statistics (``r_squared``, Sy.x, SS, ``df``);
5. ``flags``, last.

:data:`MODEL_COLUMNS` holds each model's list. Names carry their units: ``_nM`` for concentrations, the
signal unit of the tubes (``cpm``, ``dpm`` or ``counts``, written ``{u}`` in the templates) for Bmax,
Background and Sy.x, ``{u}_per_nM`` for the NS slope and the unit's square (``cpm2``) for SS.
"""

from __future__ import annotations

_IDENTITY = ("dataset", "model", "n_points", "ci_method")
_KD = ("kd_nM", "kd_se_nM", "kd_ci_low_nM", "kd_ci_high_nM")
_BMAX = ("bmax_{u}", "bmax_se_{u}", "bmax_ci_low_{u}", "bmax_ci_high_{u}")
_HILL = ("hill", "hill_se")
_SITES = (
    "kd_hi_nM", "kd_hi_se_nM", "kd_hi_ci_low_nM", "kd_hi_ci_high_nM",
    "kd_lo_nM", "kd_lo_se_nM", "kd_lo_ci_low_nM", "kd_lo_ci_high_nM",
    "bmax_hi_{u}", "bmax_hi_se_{u}", "bmax_lo_{u}", "bmax_lo_se_{u}",
)  # fmt: skip
_NONSPECIFIC = ("ns_slope_{u}_per_nM", "ns_slope_se_{u}_per_nM", "background_{u}", "background_se_{u}")
_FRACTION = ("fraction_hi", "fraction_hi_se")
_CONVERTED = (
    "bmax_fmol", "bmax_fmol_se", "bmax_fmol_per_mg", "bmax_fmol_per_mg_se", "sites_per_cell",
    "sites_per_cell_se", "max_fraction_bound",
)  # fmt: skip
_FIT = ("r_squared", "sy_x_{u}", "ss_{u}2", "df")

#: Each saturation model's result columns, in order (``{u}``: the signal unit, see the module docstring).
MODEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "one-site-total": (*_IDENTITY, *_KD, *_BMAX, *_NONSPECIFIC, *_CONVERTED, *_FIT, "flags"),
    "one-site": (*_IDENTITY, *_KD, *_BMAX, *_CONVERTED, *_FIT, "flags"),
    "hill": (*_IDENTITY, *_KD, *_BMAX, *_HILL, *_CONVERTED, *_FIT, "flags"),
    "two-site": (*_IDENTITY, *_SITES, *_BMAX, *_FRACTION, *_CONVERTED, *_FIT, "flags"),
    "two-site-total": (*_IDENTITY, *_SITES, *_NONSPECIFIC, *_BMAX, *_FRACTION, *_CONVERTED, *_FIT, "flags"),
}

#: The result column of each fitted parameter of :data:`assaykit.fitting.saturation_models.SATURATION_MODELS`
#: whose name differs from the parameter's (the others, ``kd_nM``, ``hill``, ..., are named as the parameter).
PARAMETER_COLUMNS = {
    "bmax": "bmax_{u}",
    "bmax_hi": "bmax_hi_{u}",
    "bmax_lo": "bmax_lo_{u}",
    "ns_slope": "ns_slope_{u}_per_nM",
    "background": "background_{u}",
}


def column_name(template: str, unit: str = "cpm") -> str:
    """Return the column name of a template of :data:`MODEL_COLUMNS` for a signal unit.

    Parameters
    ----------
    template
        A name, possibly with ``{u}`` for the signal unit.
    unit
        The tubes' signal unit (``cpm``, ``dpm``, ``counts``); an empty unit is written ``signal``.

    Examples
    --------
    >>> column_name("ns_slope_{u}_per_nM", "dpm"), column_name("ss_{u}2"), column_name("kd_nM")
    ('ns_slope_dpm_per_nM', 'ss_cpm2', 'kd_nM')
    """
    return template.replace("{u}", unit or "signal")


def result_columns(model: str, unit: str = "cpm") -> list[str]:
    """Return the result columns of a table fitted with ``model``, in the documented order.

    Parameters
    ----------
    model
        A key of :data:`MODEL_COLUMNS`.
    unit
        As for :func:`column_name`.

    Returns
    -------
    list of str
        The column names.

    Raises
    ------
    ValueError
        For an unknown model.

    Examples
    --------
    >>> result_columns("one-site", "dpm")[:9]  # doctest: +NORMALIZE_WHITESPACE
    ['dataset', 'model', 'n_points', 'ci_method', 'kd_nM', 'kd_se_nM', 'kd_ci_low_nM', 'kd_ci_high_nM',
     'bmax_dpm']
    """
    if model not in MODEL_COLUMNS:
        raise ValueError(f"unknown model {model}; expected one of {', '.join(MODEL_COLUMNS)}")
    return [column_name(t, unit) for t in MODEL_COLUMNS[model]]


def internal_name(template: str) -> str:
    """Return the unit-free name a template is computed under (``bmax_se_{u}``: ``bmax_se``)."""
    return template.replace("_{u}_per_nM", "").replace("_{u}2", "").replace("_{u}", "")
