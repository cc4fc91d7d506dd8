"""Terminal tables of a PK run (full precision stays in the written files)."""

from __future__ import annotations

import pandas as pd

from assaykit.formatting import sig

__all__ = ["format_compartmental", "format_groups", "format_nca"]

#: The NCA results shown on the terminal, by parameter key (the file columns carry the units).
_SHOWN = ("cmax", "tmax", "auc_last", "auc_inf_obs", "auc_extrap_pct", "half_life", "r2adj", "cl_f", "cl")


def _text(frame: pd.DataFrame) -> str:
    return frame.to_string(index=False) if len(frame) else "(none)"


def format_nca(results: pd.DataFrame, columns: dict[str, str]) -> str:
    """Render the per-profile NCA results for the terminal.

    Subject, analyte, group, the main parameters (3 significant figures, headed by their file column names,
    units included) and the flags.
    """
    shown: dict[str, object] = {
        name: results[name] for name in ("subject", "analyte", "group") if name in results
    }
    if "group" in shown and not results["group"].astype(str).ne("").any():
        shown.pop("group")
    for key in _SHOWN:
        column = columns.get(key)
        if column in results and results[column].notna().any():
            shown[column] = results[column].map(sig)
    shown["flags"] = results["flags"]
    return _text(pd.DataFrame(shown))


def format_groups(groups: pd.DataFrame, columns: dict[str, str]) -> str:
    """Render the group summaries as PK reports give them.

    Geometric mean (geometric CV%) of the exposure (Cmax, AUC), median (range) of Tmax, arithmetic
    mean ± SD of the half-life, and n.
    """
    if not len(groups):
        return "(none)"
    by = [c for c in ("group", "analyte") if c in groups.columns]
    rows = []
    keyed = groups.set_index([*by, "parameter"])
    for key, _ in groups.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, object] = dict(zip(by, key, strict=True))

        def stat(param: str, key: tuple = key) -> pd.Series | None:
            name = columns.get(param)
            index = (*key, name)
            return keyed.loc[index] if name is not None and index in keyed.index else None

        if (cmax := stat("cmax")) is not None:
            row["n"] = int(cmax["n"])
        for param in ("cmax", "auc_last", "auc_inf_obs"):
            if (s := stat(param)) is not None:
                row[f"{columns[param]} gmean (gCV%)"] = f"{sig(s['geo_mean'])} ({sig(s['geo_cv_pct'], 2)})"
        if (s := stat("tmax")) is not None:
            row["tmax_h median (range)"] = f"{sig(s['median'])} ({sig(s['min'])}-{sig(s['max'])})"
        if (s := stat("half_life")) is not None:
            row["half_life_h mean ± SD"] = f"{sig(s['mean'])} ± {sig(s['sd'], 2)}"
        rows.append(row)
    return _text(pd.DataFrame(rows))


def flag_codes(text: str) -> str:
    """Return the codes of a ``"; "``-joined flags cell, without their explanations (``not_fitted`` whole)."""
    parts = [part.strip() for part in text.split(";") if part.strip()]
    return "; ".join(p if p.startswith("not_fitted") else p.split(":")[0] for p in parts)


def format_compartmental(table: pd.DataFrame) -> str:
    """Render the compartment fits for the terminal.

    Each model's half-lives (absorption, distribution, elimination), AICc, the preferred model and the flags.
    """
    if not len(table):
        return "(none)"
    shown: dict[str, object] = {
        name: table[name] for name in ("subject", "analyte", "model") if name in table
    }
    for column in ("half_life_abs_h", "half_life_alpha_h", "half_life_beta_h", "aicc"):
        if column in table and table[column].notna().any():
            shown[column] = table[column].map(sig)
    if "preferred" in table:
        shown["preferred"] = table["preferred"].fillna("")
    codes = table["flags"].fillna("").astype(str).map(lambda text: flag_codes(text))
    shown["flags"] = codes
    return _text(pd.DataFrame(shown))
