"""Generate examples/design/epm_endpoints.csv and study_design.csv: a seeded, synthetic in-vivo EPM study.

46 mice randomised to five groups: vehicle (10), the test drug AK-101 at 1, 3 and 10 mg/kg (9, 10, 9) and
diazepam 1.5 mg/kg as the positive control (8), in two cohorts of both sexes. AK-101 raises open-arm time
with dose and, at 10 mg/kg, lowers activity (fewer arm entries, shorter distance): a sedative top dose.
Diazepam raises open-arm time. The endpoint table has the columns `assaykit epm` writes for these
endpoints; one vehicle mouse's track was unusable (its endpoints are blank, flag `unusable`), and the design
excludes one AK-101 10 mg/kg mouse that fell off an open arm.

Run: python examples/design/make_study.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
SESSION_S = 300.0

#: group: (dose mg/kg, compound, n, mean open-arm share of arm time, arm entries, latency s, distance cm)
GROUPS = {
    "vehicle": (0.0, "", 10, 0.14, 22.0, 60.0, 1500.0),
    "AK-101 1 mg/kg": (1.0, "AK-101", 9, 0.17, 22.0, 55.0, 1490.0),
    "AK-101 3 mg/kg": (3.0, "AK-101", 10, 0.26, 21.0, 35.0, 1460.0),
    "AK-101 10 mg/kg": (10.0, "AK-101", 9, 0.34, 15.0, 30.0, 1150.0),
    "diazepam 1.5 mg/kg": (1.5, "diazepam", 8, 0.42, 20.0, 20.0, 1380.0),
}

EXCLUDED = "fell off an open arm at 143 s; returned to the maze, session not scored"


def make_study(seed: int = 2026) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (endpoints, design): one row per mouse each, mice in id order."""
    rng = np.random.default_rng(seed)
    labels = np.concatenate([[name] * spec[2] for name, spec in GROUPS.items()])
    rng.shuffle(labels)  # randomised allocation: ids do not follow groups
    animals = [f"m{i + 1:02d}" for i in range(len(labels))]
    design_rows, rows = [], []
    for i, (animal, group) in enumerate(zip(animals, labels, strict=True)):
        dose, compound, _, share, entries, latency, distance = GROUPS[group]
        design_rows.append(
            {
                "animal": animal,
                "group": group,
                "dose_mg_kg": dose,
                "compound": compound,
                "sex": "F" if i % 2 else "M",
                "cohort": 1 if i < len(labels) // 2 else 2,
                "excluded": "",
                "reason": "",
            }
        )
        rows.append(_mouse(rng, animal, share, entries, latency, distance))
    # one AK-101 10 mg/kg mouse fell off the maze: scored by the tracker, excluded by the design
    fell = [i for i, g in enumerate(labels) if g == "AK-101 10 mg/kg"][3]
    design_rows[fell] |= {"excluded": "yes", "reason": EXCLUDED}
    # one vehicle mouse's track was mostly lost: assaykit blanks its endpoints and flags it
    lost = [i for i, g in enumerate(labels) if g == "vehicle"][6]
    kept = ("animal", "session_s")
    rows[lost] = {k: v if k in kept else None for k, v in rows[lost].items()}
    rows[lost] |= {"lost_time_s": 188.4, "flags": "unusable"}
    endpoints = pd.DataFrame(rows)
    for column in ("open_entries", "closed_entries", "total_entries"):
        endpoints[column] = endpoints[column].astype("Int64")  # counts stay whole numbers beside a blank row
    return endpoints, pd.DataFrame(design_rows)


def _mouse(
    rng: np.random.Generator, animal: str, share: float, entries: float, latency: float, distance: float
) -> dict[str, object]:
    center = float(np.clip(rng.normal(55.0, 12.0), 20.0, 100.0))
    lost = float(np.round(rng.uniform(0.0, 2.0), 2))
    arm = SESSION_S - center - lost
    open_share = float(rng.beta(share * 24.0, (1.0 - share) * 24.0))
    total = int(max(rng.poisson(entries), 2))
    open_entries = int(rng.binomial(total, min(0.95, open_share * 1.15)))
    first = float(min(rng.exponential(latency), SESSION_S)) if open_entries else SESSION_S
    path = float(max(rng.normal(distance, 0.14 * distance), 200.0))
    open_time = open_share * arm
    return {
        "animal": animal,
        "open_time_s": round(open_time, 2),
        "closed_time_s": round(arm - open_time, 2),
        "center_time_s": round(center, 2),
        "open_time_pct": round(100.0 * open_share, 2),
        "open_time_total_pct": round(100.0 * open_time / SESSION_S, 2),
        "open_entries": open_entries,
        "closed_entries": total - open_entries,
        "total_entries": total,
        "open_entries_pct": round(100.0 * open_entries / total, 2),
        "latency_open_s": round(first, 2),
        "open_entered": bool(open_entries),
        "distance_cm": round(path, 1),
        "mean_speed_cm_s": round(path / SESSION_S, 3),
        "lost_time_s": lost,
        "session_s": SESSION_S,
        "flags": "",
    }


if __name__ == "__main__":
    endpoints, design = make_study()
    endpoints.to_csv(HERE / "epm_endpoints.csv", index=False)
    design.to_csv(HERE / "study_design.csv", index=False)
    print(f"wrote {HERE / 'epm_endpoints.csv'} and {HERE / 'study_design.csv'} ({len(design)} mice)")
