"""Simulate a randomised, double-blind, placebo-controlled trial in generalised anxiety disorder.

Write visits.csv (HAM-A and PWC-20 item scores, one row per patient and visit) and patients.csv
(randomisation, treatment, completion and the reasons for discontinuing).

The design: 66 outpatients with generalised anxiety disorder randomised 1:1:1 in permuted blocks of 6 to
tofisopam 50 mg three times a day, diazepam 5 mg three times a day or placebo (22 per arm) for two weeks, then
a one-week single-blind placebo washout. HAM-A (14 items, 0-4) is rated at baseline, week 1 and week 2; the
PWC-20 (20 items, 0-3) at week 2 (the end of treatment) and on days 3 and 7 of the washout.

The model (all true values are the constants below; README.md restates them):

* Baseline HAM-A severity ``S0 ~ N(26, 4)``, truncated to 20-40; a patient (severity and item profile) is
  drawn again until the rated baseline total is at least 20 (the entry criterion, :data:`ENTRY_MIN`).
* Severity at week ``k``: ``S_k = S0 + delta[arm][k] + u + e_k``, with the arm's true mean change
  ``delta`` (:data:`MEAN_CHANGE`), a patient effect ``u ~ N(0, 3.5)`` shared by both weeks and a visit error
  ``e_k ~ N(0, 3)``: the changes at weeks 1 and 2 have SD 4.6 and correlation 0.58.
* Items: patient ``i`` has an item profile ``w`` (14 weights, Gamma(8, 1/8), mean 1, fixed across visits);
  item ``j`` at a visit is ``round(S w_j / sum(w) + N(0, 0.5))`` clipped to 0-4, so that the total is ``S``
  up to rounding and the clipping of items at 0 and 4 (which pulls totals towards the middle of the range
  a little: the realised effects are slightly smaller than ``delta``).
* PWC-20 at the end of treatment and in the washout: each patient has background item scores (1 with
  probability 0.08, 2 with probability 0.02, else 0; symptoms of the illness, whatever the drug), and at each
  visit each item is 1 higher with probability 0.04 and 1 lower (not below 0) with probability 0.04
  (symptoms that come and go). A patient in
  arm ``a`` has a withdrawal syndrome with probability :data:`WITHDRAWAL_RISK` ``[a]``: then 4 to 7 items
  (chosen at random) are raised by 1 on washout day 3 and by 1-2 on day 7 (their peak; diazepam's long
  half-life delays the syndrome). Without one, the washout differs from the end of treatment by chance only.
* Dropouts (:data:`DROPOUTS`): chosen by rules on what was observed before (missing at random): the placebo
  patient with the least improvement at week 1 stops for lack of efficacy after week 1; in each drug arm the
  patient with the highest week-1 severity on the item of sedation-like complaints stops for an adverse event
  after week 1; one patient in each of placebo and diazepam is lost to follow-up after baseline; one
  tofisopam patient withdraws consent after week 1. Dropouts have no week-2 or washout visit.
* One HAM-A item at one visit is not rated (``hama_09`` of the first tofisopam patient at week 1): the scale's
  proration rule scores that visit.

Run from anywhere: ``python examples/trial/make_trial.py``. The output is the same on every run (seed
:data:`SEED`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 2107
ARMS = ("tofisopam", "diazepam", "placebo")
N_PER_ARM = 22
VISITS = ("baseline", "week 1", "week 2", "washout day 3", "washout day 7")
TREATMENT_VISITS = VISITS[:3]
END_OF_TREATMENT = "week 2"
WASHOUT = VISITS[3:]
HAMA_ITEMS = tuple(f"hama_{i:02d}" for i in range(1, 15))
PWC_ITEMS = tuple(f"pwc_{i:02d}" for i in range(1, 21))

#: Baseline HAM-A: mean, SD and the truncation (entry criterion, and a ceiling).
BASELINE_MEAN, BASELINE_SD, BASELINE_RANGE = 26.0, 4.0, (20.0, 40.0)
#: Entry criterion: a rated baseline HAM-A total of at least 20.
ENTRY_MIN = 20
#: True mean change of the HAM-A total from baseline, per arm, at week 1 and week 2.
MEAN_CHANGE = {
    "tofisopam": {"week 1": -6.0, "week 2": -11.0},
    "diazepam": {"week 1": -7.0, "week 2": -12.0},
    "placebo": {"week 1": -3.0, "week 2": -5.5},
}
#: SD of the patient effect (shared by a patient's post-baseline visits) and of the visit error.
PATIENT_SD, VISIT_SD = 3.5, 3.0
#: Item profile: Gamma shape (scale 1/shape, mean 1) and the SD of the item-level noise.
PROFILE_SHAPE, ITEM_SD = 8.0, 0.5
#: PWC-20 background: probabilities of a patient's item scoring 1 and 2, and of it moving up (or down) by 1
#: at a visit.
PWC_P1, PWC_P2, PWC_FLICKER = 0.08, 0.02, 0.04
#: Probability of a withdrawal syndrome in the washout, per arm.
WITHDRAWAL_RISK = {"tofisopam": 0.05, "diazepam": 0.55, "placebo": 0.05}
#: Items raised in a syndrome (inclusive range) and the rise on day 3 and (1 or 2) on day 7.
SYNDROME_ITEMS = (4, 7)
#: Discontinuations: (arm, reason, last visit attended, rule that picks the patient).
DROPOUTS = (
    ("placebo", "lack of efficacy", "week 1", "least improvement at week 1"),
    ("placebo", "lost to follow-up", "baseline", "first of the arm not yet chosen"),
    ("diazepam", "adverse event", "week 1", "highest hama_07 at week 1"),
    ("diazepam", "lost to follow-up", "baseline", "first of the arm not yet chosen"),
    ("tofisopam", "adverse event", "week 1", "highest hama_07 at week 1"),
    ("tofisopam", "withdrew consent", "week 1", "last of the arm not yet chosen"),
)
UNRATED = ("tofisopam", "week 1", "hama_09")


def randomise(rng: np.random.Generator) -> list[str]:
    """Return the arm of each patient in order of inclusion: permuted blocks of 6 (2 per arm)."""
    arms: list[str] = []
    for _ in range(N_PER_ARM * len(ARMS) // 6):
        arms.extend(rng.permutation(np.repeat(ARMS, 2)).tolist())
    return arms


def hama_items(rng: np.random.Generator, severity: float, profile: np.ndarray) -> np.ndarray:
    """Return the 14 integer item scores (0-4) of a visit with total severity ``severity``."""
    mean = severity * profile / profile.sum()
    return np.clip(np.round(mean + rng.normal(0.0, ITEM_SD, mean.size)), 0, 4).astype(int)


def pwc_background(rng: np.random.Generator) -> np.ndarray:
    """Return a patient's 20 background PWC-20 item scores (symptoms of the illness)."""
    u = rng.random(len(PWC_ITEMS))
    return np.where(u < PWC_P2, 2, np.where(u < PWC_P2 + PWC_P1, 1, 0))


def pwc_visit(rng: np.random.Generator, background: np.ndarray) -> np.ndarray:
    """Return the PWC-20 item scores of a visit without withdrawal: the background, an item 1 up or down."""
    u = rng.random(background.size)
    return np.clip(background + (u < PWC_FLICKER) - (u > 1 - PWC_FLICKER), 0, 3)


def simulate(seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate the trial; return the visits and patients tables as written to the CSV files."""
    rng = np.random.default_rng(seed)
    arms = randomise(rng)
    patients = [f"P{k:02d}" for k in range(1, len(arms) + 1)]
    hama: dict[tuple[str, str], np.ndarray] = {}
    for patient, arm in zip(patients, arms, strict=True):
        rated = np.zeros(len(HAMA_ITEMS), dtype=int)
        while rated.sum() < ENTRY_MIN:  # screened until the rated baseline total meets the entry criterion
            base = BASELINE_MEAN + BASELINE_SD * rng.standard_normal()
            while not BASELINE_RANGE[0] <= base <= BASELINE_RANGE[1]:
                base = BASELINE_MEAN + BASELINE_SD * rng.standard_normal()
            profile = rng.gamma(PROFILE_SHAPE, 1 / PROFILE_SHAPE, len(HAMA_ITEMS))
            rated = hama_items(rng, base, profile)
        u = rng.normal(0.0, PATIENT_SD)
        hama[patient, "baseline"] = rated
        for week in ("week 1", "week 2"):
            severity = base + MEAN_CHANGE[arm][week] + u + rng.normal(0.0, VISIT_SD)
            hama[patient, week] = hama_items(rng, max(severity, 0.0), profile)
    pwc: dict[tuple[str, str], np.ndarray] = {}
    for patient, arm in zip(patients, arms, strict=True):
        background = pwc_background(rng)
        scores = {visit: pwc_visit(rng, background) for visit in (END_OF_TREATMENT, *WASHOUT)}
        if rng.random() < WITHDRAWAL_RISK[arm]:
            raised = rng.choice(len(PWC_ITEMS), rng.integers(SYNDROME_ITEMS[0], SYNDROME_ITEMS[1] + 1), False)
            eot = scores[END_OF_TREATMENT][raised]
            scores[WASHOUT[0]][raised] = np.minimum(eot + 1, 3)
            scores[WASHOUT[1]][raised] = np.minimum(eot + rng.integers(1, 3, raised.size), 3)
        for visit, values in scores.items():
            pwc[patient, visit] = values
    last = choose_dropouts(patients, arms, hama)
    rows = []
    for patient, arm in zip(patients, arms, strict=True):
        attended = VISITS if patient not in last else VISITS[: VISITS.index(last[patient][1]) + 1]
        for visit in attended:
            row = {"patient": patient, "arm": arm, "visit": visit}
            for names, values in (
                (HAMA_ITEMS, hama.get((patient, visit))),
                (PWC_ITEMS, pwc.get((patient, visit))),
            ):
                blank = values is None
                row |= dict.fromkeys(names, "") if blank else dict(zip(names, values.tolist(), strict=True))
            rows.append(row)
    visits = pd.DataFrame(rows)
    first = patients[arms.index(UNRATED[0])]
    visits.loc[(visits["patient"] == first) & (visits["visit"] == UNRATED[1]), UNRATED[2]] = ""
    table = pd.DataFrame(
        {
            "patient": patients,
            "arm": arms,
            "randomised": "yes",
            "treated": "yes",
            "completed": ["no" if p in last else "yes" for p in patients],
            "discontinued_reason": [last[p][0] if p in last else "" for p in patients],
        }
    )
    return visits, table


def choose_dropouts(
    patients: list[str], arms: list[str], hama: dict[tuple[str, str], np.ndarray]
) -> dict[str, tuple[str, str]]:
    """Apply the rules of :data:`DROPOUTS`; return patient -> (reason, last visit attended)."""
    chosen: dict[str, tuple[str, str]] = {}
    for arm, reason, last_visit, rule in DROPOUTS:
        free = [p for p, a in zip(patients, arms, strict=True) if a == arm and p not in chosen]
        if rule == "least improvement at week 1":
            pick = max(free, key=lambda p: hama[p, "week 1"].sum() - hama[p, "baseline"].sum())
        elif rule == "highest hama_07 at week 1":
            pick = max(free, key=lambda p: hama[p, "week 1"][6])
        elif rule.startswith("first"):
            pick = free[0]
        else:
            pick = free[-1]
        chosen[pick] = (reason, last_visit)
    return chosen


def main(folder: Path = HERE) -> None:
    """Write visits.csv and patients.csv into ``folder``."""
    visits, patients = simulate()
    folder.mkdir(parents=True, exist_ok=True)
    visits.to_csv(folder / "visits.csv", index=False, lineterminator="\n")
    patients.to_csv(folder / "patients.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
