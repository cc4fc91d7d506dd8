"""Randomised controlled trials: efficacy (MMRM, ANCOVA), non-inferiority and the tables a trial report needs.

The efficacy models follow ICH E9 and its addendum E9(R1) on estimands: the primary analysis of the change
from baseline is a mixed model for repeated measures (:mod:`assaykit.trial.mmrm`, fitted by restricted maximum
likelihood in :mod:`assaykit.trial.reml`), valid when visits are missing at random, with an ANCOVA of the
endpoint change as the sensitivity analysis (:mod:`assaykit.trial.ancova`) and the comparison of two active
arms against a margin in :mod:`assaykit.trial.noninferiority`.

The scales are scored in :mod:`assaykit.trial.scales` (HAM-A) and :mod:`assaykit.trial.checklist` (PWC-20
or a checklist of the user's); responder and remission rates in :mod:`assaykit.trial.rates`; the washout's
withdrawal syndrome and symptom counts in :mod:`assaykit.trial.withdrawal`; the testing hierarchy in
:mod:`assaykit.trial.multiplicity`; the flow of patients in :mod:`assaykit.trial.consort`.
"""
