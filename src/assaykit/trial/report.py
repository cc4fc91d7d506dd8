"""Terminal tables of a trial run (full precision stays in the written files)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from assaykit.formatting import sig

__all__ = [
    "format_ancova",
    "format_consort",
    "format_hierarchy",
    "format_mmrm",
    "format_rates",
    "format_trial",
    "format_withdrawal",
]


def _text(frame: pd.DataFrame) -> str:
    return frame.to_string(index=False) if len(frame) else "(none)"


def _p(value: float) -> str:
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _ci(low: pd.Series, high: pd.Series) -> pd.Series:
    return pd.Series([f"{sig(a)} to {sig(b)}" for a, b in zip(low, high, strict=True)], index=low.index)


def _contrasts(table: pd.DataFrame, level: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "comparison": table["arm"].astype(str) + " vs " + table["vs"].astype(str),
            "difference": table["estimate"].map(sig),
            "se": table["se"].map(sig),
            "df": table["df"].map(lambda d: f"{d:.1f}"),
            f"{100 * level:g}% CI": _ci(table["ci_low"], table["ci_high"]),
            "p": table["p_value"].map(_p),
        }
    )


def format_mmrm(contrasts: pd.DataFrame, active: pd.DataFrame, *, primary: object, level: float) -> str:
    """Render the MMRM LS-mean differences at each visit, the primary visit's rows marked with ``*``.

    ``contrasts`` are ``MMRMResult.contrasts`` (each arm vs the control); ``active`` the drug-vs-drug
    contrasts at the primary visit (shown after them).
    """
    both = pd.concat([contrasts, active], ignore_index=True)
    shown = _contrasts(both, level)
    shown.insert(0, "visit", [f"{v}{' *' if v == primary else ''}" for v in both["visit"]])
    return _text(shown)


def format_ancova(contrasts: pd.DataFrame, *, visit: object, level: float) -> str:
    """Render the endpoint ANCOVA's differences from the control."""
    shown = _contrasts(contrasts, level)
    shown.insert(0, "visit", str(visit))
    return _text(shown)


def format_rates(table: pd.DataFrame) -> str:
    """Render a rate table: events/n, rate with its exact CI, and against the control RD, OR, Fisher p."""
    level = float(table.attrs.get("level", 0.95))
    against = table["comparison"].notna()
    shown = pd.DataFrame(
        {
            "arm": table["arm"],
            "events/n": [f"{int(e)}/{int(n)}" for e, n in zip(table["events"], table["n"], strict=True)],
            "rate": table["rate"].map(lambda r: f"{100 * r:.1f}%"),
            f"{100 * level:g}% CI": [
                f"{100 * a:.1f}% to {100 * b:.1f}%"
                for a, b in zip(table["rate_low"], table["rate_high"], strict=True)
            ],
        }
    )
    if "risk_difference" in table:
        shown["risk diff"] = table["risk_difference"].map(lambda d: f"{100 * d:+.1f}%").where(against, "")
        shown["odds ratio"] = table["odds_ratio"].map(sig).where(against, "")
        shown["p (Fisher)"] = table["p_fisher"].map(_p).where(against, "")
    return _text(shown)


def format_withdrawal(withdrawal: Any) -> str:
    """Render the withdrawal syndrome's incidence per arm and the comparisons of every pair of arms."""
    lines = [format_rates(withdrawal.incidence.drop(columns=["risk_difference"], errors="ignore")), ""]
    comp = withdrawal.incidence_comparisons
    shown = pd.DataFrame(
        {
            "comparison": comp["comparison"],
            "events/n": [
                f"{a}/{b} vs {c}/{d}"
                for a, b, c, d in zip(
                    comp["events"], comp["n"], comp["reference_events"], comp["reference_n"], strict=True
                )
            ],
            "risk diff": comp["risk_difference"].map(lambda d: f"{100 * d:+.1f}%"),
            "odds ratio": comp["odds_ratio"].map(sig),
            "p (Fisher)": comp["p_fisher"].map(_p),
        }
    )
    lines.append(_text(shown))
    counts = withdrawal.counts
    if len(counts) and "preferred" in counts:
        pref = counts[counts["preferred"].astype(bool)]
        if len(pref):
            lines += ["", f"Symptom counts per patient ({pref['model'].iloc[0]} model):"]
            shown = pd.DataFrame(
                {
                    "comparison": pref["comparison"],
                    "rate ratio": pref["rate_ratio"].map(sig),
                    "CI": _ci(pref["rr_low"], pref["rr_high"]),
                    "p": pref["p_value"].map(_p),
                }
            )
            lines.append(_text(shown))
    return "\n".join(lines)


def format_hierarchy(hierarchy: pd.DataFrame) -> str:
    """Render the testing hierarchy: step, comparison, raw and adjusted p, and the decision."""
    shown = pd.DataFrame(
        {
            "step": hierarchy["step"],
            "comparison": hierarchy["comparison"],
            "method": hierarchy["method"],
            "p": hierarchy["p_value"].map(_p),
            "p adjusted": hierarchy["p_adjusted"].map(_p),
            "rejected": hierarchy["rejected"].map({True: "yes", False: "no"}),
        }
    )
    return _text(shown)


def format_consort(consort: pd.DataFrame) -> str:
    """Render the CONSORT flow as stages (rows) by arms (columns), ``n (percent of randomised)``."""
    cells = consort.assign(cell=[f"{int(n)} ({p:.0f}%)" for n, p in zip(consort["n"], consort["percent"],
                                                                        strict=True)])  # fmt: skip
    stages = list(dict.fromkeys(consort["stage"]))
    arms = list(dict.fromkeys(consort["arm"]))
    wide = cells.pivot(index="stage", columns="arm", values="cell").reindex(index=stages, columns=arms)
    return wide.rename_axis(index=None, columns=None).reset_index(names="stage").to_string(index=False)


def format_trial(run: Any) -> str:
    """Render every terminal table of a :class:`~assaykit.trial.workflow.TrialRun`, with headings."""
    opts = run.options
    level = float(opts["level"])
    mmrm = run.mmrm
    parts = [
        f"MMRM of the HAM-A change from baseline ({mmrm.structure_used} covariance, {mmrm.df_method} df; "
        f"* = primary visit):",
        format_mmrm(mmrm.contrasts, run.active_contrast, primary=opts["primary_visit"], level=level),
    ]
    if run.active is not None:
        parts.append(f"{run.active.kind} of the active arms: {run.active.statement}")
    parts += [
        "\nANCOVA at the primary visit (sensitivity analysis):",
        format_ancova(run.ancova.contrasts, visit=run.ancova.visit, level=level),
        "\nResponders (>= 50% reduction of HAM-A):",
        format_rates(run.responders),
        "\nRemission (HAM-A <= 7):",
        format_rates(run.remission),
    ]
    if run.withdrawal is not None:
        parts += [
            f"\nWithdrawal syndrome over the washout (rise >= {run.withdrawal.threshold:g}):",
            format_withdrawal(run.withdrawal),
        ]
    parts += [
        f"\nTesting hierarchy (alpha {run.hierarchy.attrs.get('alpha', 0.05):g}):",
        format_hierarchy(run.hierarchy),
        "\nPatient flow (CONSORT):",
        format_consort(run.consort),
    ]
    return "\n".join(parts)
