"""Pharmacokinetics: plasma concentration-time data -> Cmax, Tmax, AUC, half-life, per subject and per group.

Non-compartmental analysis as PKNCA and Phoenix WinNonlin compute it, and one- and two-compartment fits for
biphasic profiles (``assaykit pk``).
"""
