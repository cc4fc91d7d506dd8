"""Anxiety endpoints beside locomotor endpoints, per group: did open-arm time rise and locomotion hold.

A drug that sedates lowers exploration, and a drug that stimulates raises arm entries; neither is an
anxiety effect (File 1992, Neurotoxicol Teratol 14:263-268 for entries; Rodgers & Dalvi 1997, Neurosci
Biobehav Rev 21:801-810; Bourin & Hascoet 2003, Eur J Pharmacol 463:55-65). :func:`anxiety_locomotion_table`
puts, for each group, the difference from the control of each anxiety endpoint and each locomotor
endpoint side by side, and reads them by :data:`READING_RULE`.

"Locomotion unchanged" is a claim of equivalence, which a non-significant test does not make: it is read
from the confidence interval of the difference against a margin, a fraction of the control mean (20% by
default), as in the two one-sided tests procedure (Schuirmann 1987, J Pharmacokinet Biopharm 15:657-680;
Lakens 2017, Soc Psychol Personal Sci 8:355-362). With the simultaneous intervals of Dunnett's procedure,
that is the TOST at the level of those intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

__all__ = ["ANXIETY_ENDPOINTS", "LOCOMOTOR_ENDPOINTS", "READING_RULE", "anxiety_locomotion_table", "change"]

#: Anxiety endpoints looked for by default (EPM, then light-dark box).
ANXIETY_ENDPOINTS = (
    "open_time_pct",
    "open_entries_pct",
    "open_time_s",
    "light_time_pct",
    "light_time_s",
    "latency_open_s",
    "latency_light_s",
)
#: Locomotor endpoints looked for by default.
LOCOMOTOR_ENDPOINTS = ("distance_cm", "total_entries", "transitions", "closed_entries")

READING_RULE = """\
Each endpoint's change is read from the confidence interval (CI) of its difference from the control
(difference_ci_low/high of compare_groups: Dunnett's simultaneous interval, or Welch's for two groups), with a
margin m = margin x |control mean|:
  up          the CI lies above 0 (for a locomotor endpoint: and reaches beyond +m);
  down        the CI lies below 0 (for a locomotor endpoint: and reaches beyond -m);
  unchanged   the CI lies within (-m, +m) (equivalence, as two one-sided tests);
  unclear     otherwise: the CI holds 0 and reaches beyond the margin, too wide to tell;
  not tested  no interval (NaN).
Anxiety endpoints are read for a change first (a CI above 0 within the margin is still "up"); locomotor
endpoints for equivalence first (a CI below 0 within the margin is "unchanged": a change smaller than the
margin). Locomotion as a whole is "down" when any locomotor endpoint is down (and none up), "up" when any is
up (and none down), "mixed" when some are up and some down, "unchanged" when all are unchanged, else
"unclear". The reading of a group:
  anxiety endpoint(s) changed, locomotion unchanged  -> "<endpoint> up, locomotion unchanged (<locomotor>
                                                        CI within +/-20% of the control mean)"
  anxiety endpoint(s) changed, locomotion down       -> "... with locomotion down: possible sedation confound"
  anxiety endpoint(s) changed, locomotion up         -> "... with locomotion up: possible stimulant confound"
  anxiety endpoint(s) changed, locomotion unclear    -> "...; locomotion unclear (CI too wide to tell)"
  no anxiety change, locomotion down                 -> "locomotion down, no anxiety change: sedation"
  no anxiety change, locomotion up                   -> "locomotion up, no anxiety change: stimulation"
  all unchanged                                      -> "no change in anxiety or locomotion"
  otherwise                                          -> what is unclear, named.
"No anxiety change" means every anxiety endpoint unchanged; when some are unclear it says "no clear anxiety
change". Up and down are the endpoint's own direction (open-arm time up and latency down both suggest less
anxiety): the reading names the endpoints and does not call them anxiolytic."""


def change(low: float, high: float, margin: float, *, equivalence_first: bool) -> str:
    """Read one difference's confidence interval against the margin (see :data:`READING_RULE`).

    Parameters
    ----------
    low, high
        The confidence interval of the difference from the control.
    margin
        The equivalence margin, in the endpoint's units (> 0; NaN when the control mean is unknown).
    equivalence_first
        True for a locomotor endpoint: an interval inside the margin is "unchanged" even when it excludes 0.

    Returns
    -------
    str
        ``"up"``, ``"down"``, ``"unchanged"``, ``"unclear"`` or ``"not tested"``.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return "not tested"
    inside = math.isfinite(margin) and margin > 0 and -margin < low and high < margin
    if inside and (equivalence_first or low <= 0 <= high):
        return "unchanged"
    if low > 0:
        return "up"
    if high < 0:
        return "down"
    return "unclear"


def anxiety_locomotion_table(
    comparisons: pd.DataFrame,
    *,
    anxiety: Sequence[str] = ANXIETY_ENDPOINTS,
    locomotor: Sequence[str] = LOCOMOTOR_ENDPOINTS,
    margin: float = 0.2,
) -> pd.DataFrame:
    """Put each group's anxiety and locomotor differences from the control side by side, with a reading.

    Parameters
    ----------
    comparisons
        The comparisons table of :func:`~assaykit.stats.compare.compare_groups`
        (:data:`~assaykit.stats.columns.COMPARISON_COLUMNS`; the columns used are ``endpoint``, ``group``,
        ``control``, ``mean_control``, ``difference``, ``difference_ci_low``, ``difference_ci_high`` and
        ``p_adjusted``).
    anxiety, locomotor
        The anxiety and locomotor endpoints, in the order their columns should appear; those absent from
        ``comparisons`` are skipped.
    margin
        The equivalence margin as a fraction of the control mean (0.2: within +/-20%).

    Returns
    -------
    pandas.DataFrame
        One row per group, in the order of ``comparisons``: ``group``, ``control``, then for each endpoint
        E present (anxiety endpoints first): ``E_difference``, ``E_ci_low``, ``E_ci_high``,
        ``E_p_adjusted``, ``E_margin`` (the margin in E's units) and ``E_change`` (up, down, unchanged,
        unclear or not tested); then ``anxiety`` (the anxiety endpoints that changed, e.g. "open_time_pct
        up", else "unchanged", "unclear" or "not tested"), ``locomotion`` (down, up, mixed, unchanged,
        unclear or not tested) and ``reading`` (plain words, by :data:`READING_RULE`). ``attrs["rule"]``
        holds the rule.

    Raises
    ------
    ValueError
        When a needed column is missing or ``margin`` is not positive.
    """
    needed = ("endpoint", "group", "control", "mean_control", "difference", "difference_ci_low")
    missing = [c for c in (*needed, "difference_ci_high", "p_adjusted") if c not in comparisons.columns]
    if missing:
        raise ValueError(f"the comparisons table has no column {', '.join(missing)}")
    if not margin > 0:
        raise ValueError(f"margin must be a positive fraction of the control mean, got {margin}")
    present = set(comparisons["endpoint"].astype(str))
    anxious = [e for e in dict.fromkeys(anxiety) if e in present]
    moving = [e for e in dict.fromkeys(locomotor) if e in present and e not in anxious]
    rows = []
    for name, part in comparisons.groupby("group", sort=False):
        by_endpoint = {str(r["endpoint"]): r for _, r in part.iterrows()}
        row: dict[str, object] = {"group": str(name), "control": str(part["control"].iloc[0])}
        changes: dict[str, str] = {}
        for endpoint in anxious + moving:
            record = by_endpoint.get(endpoint)
            values = _values(record, margin)
            changes[endpoint] = change(
                values["ci_low"], values["ci_high"], values["margin"], equivalence_first=endpoint in moving
            )
            for key, value in values.items():
                row[f"{endpoint}_{key}"] = value
            row[f"{endpoint}_change"] = changes[endpoint]
        anxiety_word, locomotion_word = _anxiety(changes, anxious), _locomotion(changes, moving)
        row["anxiety"] = anxiety_word
        row["locomotion"] = locomotion_word
        row["reading"] = _reading(anxiety_word, locomotion_word, changes, moving, margin)
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["rule"] = READING_RULE
    return table


def _values(record: pd.Series | None, margin: float) -> dict[str, float]:
    if record is None:
        return dict.fromkeys(("difference", "ci_low", "ci_high", "p_adjusted", "margin"), math.nan)
    control_mean = float(record["mean_control"])
    return {
        "difference": float(record["difference"]),
        "ci_low": float(record["difference_ci_low"]),
        "ci_high": float(record["difference_ci_high"]),
        "p_adjusted": float(record["p_adjusted"]),
        "margin": margin * abs(control_mean) if math.isfinite(control_mean) else math.nan,
    }


def _anxiety(changes: dict[str, str], endpoints: list[str]) -> str:
    words = [changes[e] for e in endpoints]
    moved = [f"{e} {changes[e]}" for e in endpoints if changes[e] in ("up", "down")]
    if moved:
        return ", ".join(moved)
    if not words or all(w == "not tested" for w in words):
        return "not tested"
    return "unchanged" if all(w in ("unchanged", "not tested") for w in words) else "unclear"


def _locomotion(changes: dict[str, str], endpoints: list[str]) -> str:
    words = {changes[e] for e in endpoints} - {"not tested"}
    if not words:
        return "not tested"
    if {"up", "down"} <= words:
        return "mixed"
    for direction in ("down", "up"):
        if direction in words:
            return direction
    return "unchanged" if words == {"unchanged"} else "unclear"


def _reading(anxiety: str, locomotion: str, changes: dict[str, str], moving: list[str], margin: float) -> str:
    percent = f"+/-{100 * margin:g}% of the control mean"
    which = [e for e in moving if changes[e] == locomotion] or [
        e for e in moving if changes[e] != "not tested"
    ]
    named = f" ({', '.join(which)})" if which else ""
    changed = anxiety not in ("unchanged", "unclear", "not tested")
    if changed:
        return {
            "unchanged": f"{anxiety}, locomotion unchanged ({', '.join(which)} CI within {percent})",
            "down": f"{anxiety} with locomotion down{named}: possible sedation confound",
            "up": f"{anxiety} with locomotion up{named}: possible stimulant confound",
            "mixed": f"{anxiety} with locomotor endpoints moving in opposite directions{named}",
            "unclear": f"{anxiety}; locomotion unclear{named}: CI too wide to tell within {percent}",
            "not tested": f"{anxiety}; locomotion not measured",
        }[locomotion]
    no_change = {
        "unchanged": "no anxiety change",
        "unclear": "no clear anxiety change",
        "not tested": "anxiety not measured",
    }[anxiety]
    if locomotion == "down":
        return f"locomotion down{named}, {no_change}: sedation"
    if locomotion == "up":
        return f"locomotion up{named}, {no_change}: stimulation"
    if locomotion == "unchanged" and anxiety == "unchanged":
        return f"no change in anxiety or locomotion (CIs within {percent})"
    if locomotion == "unchanged":
        return f"{no_change} (anxiety CIs too wide to tell within {percent}); locomotion unchanged"
    if locomotion == "mixed":
        return f"{no_change}; locomotor endpoints moving in opposite directions{named}"
    if locomotion == "not tested":
        return f"{no_change}; locomotion not measured"
    return f"{no_change}; locomotion unclear{named}: CI too wide to tell within {percent}"
