"""What a compartmental fit reports, as functions of the fitted (log-scale) parameters and the dose.

Each entry of :data:`QUANTITIES` maps a name to ``(kind, scale, func)``: ``kind`` says where
:class:`~assaykit.pk.compartmental.CompartmentFit` keeps it (``param``, ``half_life`` or ``derived``),
``scale`` whether its interval is taken on the log scale (``"log"``, positive quantities) or is symmetric
(``"linear"``), and ``func(values)`` computes it from the fitting-scale values (``log_k``, ``a``, ...) and
``dose`` (NaN when unknown). The standard errors follow by the delta method.

Formulas (Gibaldi & Perrier 1982, ch. 1-2; Rowland & Tozer 2011, ch. 19 and appendix E; Gabrielsson &
Weiner 2016, section 2.8):

- half-life ``ln 2 / rate``;
- AUC0-inf: ``D / (V k)`` (1cmt), ``A/alpha + B/beta`` (2cmt IV), ``A/alpha + B/beta - (A + B)/ka``
  (2cmt oral); CL (or CL/F) ``= D / AUC0-inf``;
- 2cmt IV: ``V1 = D / (A + B)``, ``Vz = CL / beta``, ``Vss = D AUMC / AUC^2`` with
  ``AUMC = A/alpha^2 + B/beta^2``; micro-constants ``k21 = (A beta + B alpha)/(A + B)``,
  ``k10 = alpha beta / k21``, ``k12 = alpha + beta - k21 - k10``;
- 1cmt oral: ``tmax = tlag + ln(ka/k) / (ka - k)``, ``Cmax = C(tmax)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from assaykit.pk.models import one_compartment_oral

Values = Mapping[str, float]
Quantity = tuple[str, str, Callable[[Values], float]]

LN2 = math.log(2.0)


def _rate(name: str) -> Callable[[Values], float]:
    return lambda v: math.exp(v[name])


def _half_life(name: str) -> Callable[[Values], float]:
    return lambda v: LN2 / math.exp(v[name])


def _value(name: str) -> Callable[[Values], float]:
    return lambda v: v[name]


def _auc_two(v: Values) -> float:
    auc = v["a"] / math.exp(v["log_alpha"]) + v["b"] / math.exp(v["log_beta"])
    return auc - (v["a"] + v["b"]) / math.exp(v["log_ka"]) if "log_ka" in v else auc


def _tmax_one(v: Values) -> float:
    ka, k = math.exp(v["log_ka"]), math.exp(v["log_k"])
    return v["tlag"] + (math.log(ka / k) / (ka - k) if ka != k else 1.0 / k)


def _cmax_one(v: Values) -> float:
    dose, v_f, ka, k = v["dose"], math.exp(v["log_v_f"]), math.exp(v["log_ka"]), math.exp(v["log_k"])
    return float(one_compartment_oral(np.array([_tmax_one(v)]), dose, v_f, ka, k, v["tlag"])[0])


def _k21(v: Values) -> float:
    alpha, beta = math.exp(v["log_alpha"]), math.exp(v["log_beta"])
    return (v["a"] * beta + v["b"] * alpha) / (v["a"] + v["b"])


def _k10(v: Values) -> float:
    return math.exp(v["log_alpha"] + v["log_beta"]) / _k21(v)


def _k12(v: Values) -> float:
    return math.exp(v["log_alpha"]) + math.exp(v["log_beta"]) - _k21(v) - _k10(v)


def _vss(v: Values) -> float:
    aumc = v["a"] / math.exp(2 * v["log_alpha"]) + v["b"] / math.exp(2 * v["log_beta"])
    return v["dose"] * aumc / _auc_two(v) ** 2


_TWO = {
    "a": ("param", "linear", _value("a")),
    "log_alpha": ("param", "linear", _value("log_alpha")),
    "b": ("param", "linear", _value("b")),
    "log_beta": ("param", "linear", _value("log_beta")),
    "alpha": ("param", "log", _rate("log_alpha")),
    "beta": ("param", "log", _rate("log_beta")),
    "half_life_alpha": ("half_life", "log", _half_life("log_alpha")),
    "half_life_beta": ("half_life", "log", _half_life("log_beta")),
    "auc_inf": ("derived", "log", _auc_two),
}

#: The reported quantities of each (model, route).
QUANTITIES: dict[tuple[str, str], dict[str, Quantity]] = {
    ("1cmt", "iv-bolus"): {
        "log_v": ("param", "linear", _value("log_v")),
        "log_k": ("param", "linear", _value("log_k")),
        "v": ("param", "log", _rate("log_v")),
        "k": ("param", "log", _rate("log_k")),
        "half_life_elimination": ("half_life", "log", _half_life("log_k")),
        "c0": ("derived", "log", lambda v: v["dose"] / math.exp(v["log_v"])),
        "cl": ("derived", "log", lambda v: math.exp(v["log_v"] + v["log_k"])),
        "auc_inf": ("derived", "log", lambda v: v["dose"] / math.exp(v["log_v"] + v["log_k"])),
    },
    ("1cmt", "extravascular"): {
        "log_ka": ("param", "linear", _value("log_ka")),
        "log_k": ("param", "linear", _value("log_k")),
        "log_v_f": ("param", "linear", _value("log_v_f")),
        "tlag": ("param", "linear", _value("tlag")),
        "ka": ("param", "log", _rate("log_ka")),
        "k": ("param", "log", _rate("log_k")),
        "v_f": ("param", "log", _rate("log_v_f")),
        "half_life_absorption": ("half_life", "log", _half_life("log_ka")),
        "half_life_elimination": ("half_life", "log", _half_life("log_k")),
        "cl_f": ("derived", "log", lambda v: math.exp(v["log_v_f"] + v["log_k"])),
        "auc_inf": ("derived", "log", lambda v: v["dose"] / math.exp(v["log_v_f"] + v["log_k"])),
        "tmax": ("derived", "log", _tmax_one),
        "cmax": ("derived", "log", _cmax_one),
    },
    ("2cmt", "iv-bolus"): {
        **_TWO,
        "c0": ("derived", "log", lambda v: v["a"] + v["b"]),
        "cl": ("derived", "log", lambda v: v["dose"] / _auc_two(v)),
        "v1": ("derived", "log", lambda v: v["dose"] / (v["a"] + v["b"])),
        "vz": ("derived", "log", lambda v: v["dose"] / _auc_two(v) / math.exp(v["log_beta"])),
        "vss": ("derived", "log", _vss),
        "k10": ("derived", "log", _k10),
        "k12": ("derived", "log", _k12),
        "k21": ("derived", "log", _k21),
    },
    ("2cmt", "extravascular"): {
        **_TWO,
        "log_ka": ("param", "linear", _value("log_ka")),
        "tlag": ("param", "linear", _value("tlag")),
        "ka": ("param", "log", _rate("log_ka")),
        "half_life_absorption": ("half_life", "log", _half_life("log_ka")),
        "cl_f": ("derived", "log", lambda v: v["dose"] / _auc_two(v)),
        "vz_f": ("derived", "log", lambda v: v["dose"] / _auc_two(v) / math.exp(v["log_beta"])),
    },
}
