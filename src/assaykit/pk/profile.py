"""Non-compartmental analysis (NCA) of one concentration-time profile, as PKNCA and WinNonlin compute it.

The public names are re-exported by :mod:`assaykit.pk.nca`, which also tabulates a whole study.

Parameters and their sources (Gabrielsson & Weiner, *Pharmacokinetic and Pharmacodynamic Data Analysis*,
5th ed. 2016, ch. 2.8; PKNCA, Denney et al., its vignettes and ``pk.calc.*`` functions; the Phoenix
WinNonlin user's guide, "NCA parameter formulas"):

- Cmax, Tmax (first time of Cmax: PKNCA ``first.tmax = TRUE``), Clast and Tlast (last positive value).
- AUC0-t = AUClast, from the dose (time 0) to Tlast by :mod:`assaykit.pk.auc`. As WinNonlin does, a
  profile without a sample at time 0 gets one for the area: C = 0 for extravascular doses and infusions,
  C0 for an IV bolus. The default method is ``"linear"`` (the issue's; PKNCA's default is lin-up/log-down,
  NonCompart's linear), ``"linear-up-log-down"`` an option.
- C0 (IV bolus): the sample at time 0 when positive, else the log-linear back-extrapolation of the first
  two samples when they decline, else the first concentration (PKNCA ``pk.calc.c0`` methods ``"c0"``,
  ``"logslope"``, ``"c1"`` in that order).
- lambda_z, its intercept, R^2, adjusted R^2, points used, half-life = ln 2 / lambda_z and span ratio by
  :mod:`assaykit.pk.lambda_z`; Clast,pred = exp(intercept - lambda_z Tlast).
- AUC0-inf obs = AUClast + Clast / lambda_z, pred = AUClast + Clast,pred / lambda_z; % extrapolated =
  100 (AUC0-inf obs - AUClast) / AUC0-inf obs; AUMC0-inf obs = AUMClast + Clast Tlast / lambda_z +
  Clast / lambda_z^2; MRT = AUMC0-inf / AUC0-inf (minus Tinf / 2 for an infusion; PKNCA ``mrt.iv``).
- CL (CL/F extravascular) = Dose / AUC0-inf obs, Vz (Vz/F) = CL / lambda_z (units by
  :mod:`assaykit.pk.units`), Cmax/Dose, partial AUCs by :func:`assaykit.pk.auc.partial_auc`.

"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from assaykit.errors import AssayInputError
from assaykit.pk.auc import AUC_METHODS, auc_segments, aumc_segments, partial_auc
from assaykit.pk.blq import apply_blq_rules, blq_between_measurable
from assaykit.pk.flags import join_codes
from assaykit.pk.lambda_z import fit_lambda_z

__all__ = ["ROUTES", "NCAOptions", "NCAResult", "nca_profile"]

#: The accepted routes of administration.
ROUTES = ("extravascular", "iv-bolus", "iv-infusion")
IV_ROUTES = ("iv-bolus", "iv-infusion")


@dataclass(frozen=True)
class NCAOptions:
    """Options of the analysis; each default is the one stated here.

    Attributes
    ----------
    auc_method
        ``"linear"`` (default) or ``"linear-up-log-down"`` (:mod:`assaykit.pk.auc`).
    blq_before, blq_after
        BLQ before the first measurable value: ``"zero"`` (default) or ``"missing"``; after it:
        ``"missing"`` (default) or ``"zero"`` (:mod:`assaykit.pk.blq`).
    route
        ``"extravascular"`` (default), ``"iv-bolus"`` or ``"iv-infusion"``, for subjects whose data do not
        say.
    infusion_h
        Infusion duration (h), required for ``"iv-infusion"``.
    min_points
        Fewest points of a terminal fit, Tmax excluded (PKNCA ``min.hl.points``, 3); at least 3.
    r2adj_tolerance
        Adjusted R^2 tolerance of the point selection (PKNCA ``adj.r.squared.factor``, 1e-4).
    min_r2adj, max_extrap_pct, min_span_ratio
        Flag thresholds: adjusted R^2 below 0.9 (PKNCA ``min.hl.r.squared``), more than 20 % of AUC0-inf
        extrapolated, terminal points spanning fewer than 2 half-lives (PKNCA ``min.span.ratio``).
    partial_aucs
        ``(start, end)`` intervals in hours for partial AUCs, e.g. ``((0, 2), (0, 8))``.
    """

    auc_method: str = "linear"
    blq_before: str = "zero"
    blq_after: str = "missing"
    route: str = "extravascular"
    infusion_h: float | None = None
    min_points: int = 3
    r2adj_tolerance: float = 1e-4
    min_r2adj: float = 0.9
    max_extrap_pct: float = 20.0
    min_span_ratio: float = 2.0
    partial_aucs: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        choices = {
            "auc_method": AUC_METHODS,
            "blq_before": ("zero", "missing"),
            "blq_after": ("missing", "zero"),
            "route": ROUTES,
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise AssayInputError(
                    f"{name} must be one of {', '.join(allowed)}, not {getattr(self, name)!r}"
                )
        if self.min_points < 3:
            raise AssayInputError(
                f"min_points must be at least 3 (adjusted R^2 needs 3), not {self.min_points}"
            )
        if self.route == "iv-infusion" and not (self.infusion_h is not None and self.infusion_h > 0):
            raise AssayInputError("an iv-infusion needs its duration in hours (infusion_h > 0)")
        for start, end in self.partial_aucs:
            if not (0 <= start < end):
                raise AssayInputError(f"a partial AUC interval needs 0 <= start < end, not ({start}, {end})")


@dataclass(frozen=True)
class NCAResult:
    """The parameters of one profile (NaN where undefined), in the units of its input.

    Concentrations in the input's unit, times in h, AUC in h * conc, AUMC in h^2 * conc, lambda_z in 1/h;
    ``cl`` and ``vz`` are CL/F and Vz/F for extravascular doses, in the units ``cl_factor`` gives.
    ``partial_aucs`` follow :attr:`NCAOptions.partial_aucs`; ``lambda_z_mask`` and ``conc_used`` (after the
    BLQ rules) have one value per input sample; ``flags`` are codes of :mod:`assaykit.pk.flags`;
    ``reason`` says why nothing could be computed.
    """

    route: str
    cmax: float = math.nan
    tmax: float = math.nan
    clast: float = math.nan
    tlast: float = math.nan
    clast_pred: float = math.nan
    c0: float = math.nan
    auc_last: float = math.nan
    auc_inf_obs: float = math.nan
    auc_inf_pred: float = math.nan
    auc_extrap_pct: float = math.nan
    aumc_last: float = math.nan
    aumc_inf_obs: float = math.nan
    mrt: float = math.nan
    lambda_z: float = math.nan
    lambda_z_intercept: float = math.nan
    half_life: float = math.nan
    span_ratio: float = math.nan
    r2: float = math.nan
    r2adj: float = math.nan
    n_lambda_z: int = 0
    lambda_z_first_h: float = math.nan
    lambda_z_last_h: float = math.nan
    cl: float = math.nan
    vz: float = math.nan
    cmax_dose: float = math.nan
    partial_aucs: tuple[float, ...] = ()
    lambda_z_mask: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    conc_used: np.ndarray = field(default_factory=lambda: np.zeros(0))
    flags: tuple[str, ...] = ()
    reason: str = ""

    @property
    def flags_cell(self) -> str:
        """The flags joined by ``;`` for a table cell."""
        return join_codes(list(self.flags))


def _check(t: np.ndarray, c: np.ndarray, location: str | None) -> None:
    """Raise for times that are not finite, negative, unsorted or repeated, and negative concentrations."""
    if len(t) != len(c):
        raise AssayInputError("times and concentrations differ in length", location=location)
    if not np.isfinite(t).all():
        raise AssayInputError("a sample has no time", location=location)
    if (t < 0).any():
        raise AssayInputError(
            f"negative time {t[t < 0][0]:g} h: times are hours after the dose (pre-dose samples at 0)",
            location=location,
        )
    step = np.diff(t)
    if (step == 0).any():
        raise AssayInputError(f"time {t[1:][step == 0][0]:g} h appears twice", location=location)
    if (step < 0).any():
        raise AssayInputError(
            f"times are not in increasing order (at {t[1:][step < 0][0]:g} h)", location=location
        )
    if (c < 0).any():
        raise AssayInputError(f"negative concentration {c[c < 0][0]:g}", location=location)


def _c0(t: np.ndarray, c: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """C0 of an IV bolus (PKNCA ``pk.calc.c0``) and the samples to integrate, starting at (0, C0)."""
    if t[0] == 0 and c[0] > 0:
        return float(c[0]), t, c
    after = t > 0
    t, c = t[after], c[after]
    if len(c) >= 2 and c[0] > c[1] > 0:
        c0 = float(math.exp(math.log(c[0]) - math.log(c[1] / c[0]) / (t[1] - t[0]) * t[0]))
    else:
        c0 = float(c[0])
    return c0, np.concatenate([[0.0], t]), np.concatenate([[c0], c])


def nca_profile(
    time_h: np.ndarray,
    conc: np.ndarray,
    *,
    blq: np.ndarray | None = None,
    dose: float | None = None,
    options: NCAOptions = NCAOptions(),  # noqa: B008 - frozen, so a shared default is safe
    lambda_z_times: np.ndarray | None = None,
    exclude: np.ndarray | None = None,
    cl_factor: float = 1.0,
    location: str | None = None,
) -> NCAResult:
    """Analyse one subject's profile of one analyte.

    Parameters
    ----------
    time_h
        Sample times in hours after the dose, strictly increasing.
    conc
        Concentrations (NaN for missing or BLQ), none negative.
    blq
        True where a sample was below the limit of quantification (None: none was).
    dose
        The dose (None or NaN: flag ``dose_missing``, CL, Vz and Cmax/Dose NaN).
    options
        :class:`NCAOptions`; ``options.route`` is this profile's route.
    lambda_z_times
        Times of the samples to fit lambda_z on, chosen by hand (no automatic selection).
    exclude
        True for samples never to be used for lambda_z.
    cl_factor
        Multiplies ``Dose / AUC`` into the clearance unit (:func:`assaykit.pk.units.clearance_factor`).
    location
        Where the profile is, for error messages (``"subject 3, analyte parent"``).

    Returns
    -------
    NCAResult
        The parameters of the module docstring.

    Raises
    ------
    AssayInputError
        For unsorted or repeated times, negative times or concentrations, or hand-picked times that are
        not sample times.
    """
    t = np.asarray(time_h, dtype=float)
    c = np.asarray(conc, dtype=float)
    _check(t, c, location)
    blq = np.zeros(len(t), dtype=bool) if blq is None else np.asarray(blq, dtype=bool)
    used = apply_blq_rules(c, blq, before=options.blq_before, after=options.blq_after)
    flags = []
    dose = math.nan if dose is None else float(dose)
    if not (used > 0).any():
        return NCAResult(
            options.route,
            lambda_z_mask=np.zeros(len(t), dtype=bool),
            conc_used=used,
            flags=("not_analysed: no measurable concentration",),
            reason="no measurable concentration",
        )
    valid = np.isfinite(used)
    tv, cv = t[valid], used[valid]
    imax = int(np.argmax(cv))
    ilast = int(np.flatnonzero(cv > 0)[-1])
    cmax, tmax, clast, tlast = float(cv[imax]), float(tv[imax]), float(cv[ilast]), float(tv[ilast])
    ta, ca = tv[: ilast + 1], cv[: ilast + 1]
    c0 = math.nan
    if options.route == "iv-bolus":
        c0, ta, ca = _c0(ta, ca)
    elif ta[0] > 0:
        ta, ca = np.concatenate([[0.0], ta]), np.concatenate([[0.0], ca])
    auc_last = float(auc_segments(ta, ca, options.auc_method).sum())
    aumc_last = float(aumc_segments(ta, ca, options.auc_method).sum())

    manual = None
    if lambda_z_times is not None and len(lambda_z_times):
        wanted = np.asarray(lambda_z_times, dtype=float)
        missing = wanted[~np.isin(wanted, t)]
        if missing.size:
            raise AssayInputError(f"lambda_z time {missing[0]:g} h is not a sample time", location=location)
        manual = np.isin(tv, wanted)
    excluded = None if exclude is None else np.asarray(exclude, dtype=bool)[valid]
    fit = fit_lambda_z(
        tv,
        cv,
        tmax,
        min_points=options.min_points,
        tolerance=options.r2adj_tolerance,
        exclude=excluded,
        manual=manual,
    )
    mask = np.zeros(len(t), dtype=bool)
    mask[np.flatnonzero(valid)[fit.used]] = True
    lz = fit.lambda_z
    if fit.reason:
        flags.append(f"lambda_z_{fit.reason}")
    values = {}
    if lz > 0:
        first, last = float(tv[fit.used][0]), float(tv[fit.used][-1])
        clast_pred = math.exp(fit.intercept - lz * tlast)
        auc_inf = auc_last + clast / lz
        aumc_inf = aumc_last + clast * tlast / lz + clast / lz**2
        mrt = aumc_inf / auc_inf - (options.infusion_h / 2.0 if options.route == "iv-infusion" else 0.0)
        values = {
            "clast_pred": clast_pred,
            "auc_inf_obs": auc_inf,
            "auc_inf_pred": auc_last + clast_pred / lz,
            "auc_extrap_pct": 100.0 * (auc_inf - auc_last) / auc_inf,
            "aumc_inf_obs": aumc_inf,
            "mrt": mrt,
            "lambda_z": lz,
            "lambda_z_intercept": fit.intercept,
            "half_life": fit.half_life,
            "span_ratio": (last - first) / fit.half_life,
            "r2": fit.r2,
            "r2adj": fit.r2adj,
            "lambda_z_first_h": first,
            "lambda_z_last_h": last,
            "cl": dose / auc_inf * cl_factor if dose > 0 else math.nan,
        }
        values["vz"] = values["cl"] / lz
        if fit.r2adj < options.min_r2adj:
            flags.append("lambda_z_r2adj_low")
        if values["span_ratio"] < options.min_span_ratio:
            flags.append("lambda_z_span_short")
        if values["auc_extrap_pct"] > options.max_extrap_pct:
            flags.append("auc_extrap_high")
    if imax == ilast:
        flags.append("tmax_at_last_sample")
    if options.route not in IV_ROUTES and imax == 0 and len(cv) > 1:
        flags.append("cmax_at_first_sample")
    if blq_between_measurable(c, blq):
        flags.append("blq_between_measurable")
    if not (dose >= 0):
        flags.append("dose_missing")
    partial = tuple(partial_auc(ta, ca, a, b, options.auc_method, lz) for a, b in options.partial_aucs)
    return NCAResult(
        options.route,
        cmax=cmax,
        tmax=tmax,
        clast=clast,
        tlast=tlast,
        c0=c0,
        auc_last=auc_last,
        aumc_last=aumc_last,
        n_lambda_z=fit.n_points,
        cmax_dose=cmax / dose if dose > 0 else math.nan,
        partial_aucs=partial,
        lambda_z_mask=mask,
        conc_used=used,
        flags=tuple(join_codes(flags).split(";")) if flags else (),
        **values,
    )
