"""Methods paragraphs written from what a run did, and the references they cite.

Each protocol's ``methods`` module (:func:`assaykit.binding.methods.competition_methods`,
:func:`assaykit.saturation.methods.saturation_methods`, :func:`assaykit.tracking.methods.tracking_methods`,
:func:`assaykit.stats.methods.statistics_methods`) builds its sentences from the run's resolved options and
results, each :class:`Sentence` naming the references it rests on by their keys in :data:`REFERENCES`;
:func:`compose` joins them into a :class:`MethodsText`: one paragraph with author-year citations, and the
full citations of the references cited, in order of first citation. Every reference is written once, in
:mod:`assaykit.references`.

:func:`explain_flags` and :func:`split_flags` (from :mod:`assaykit.flag_text`) read a ``flags`` cell of a
results table and explain each code by a protocol's ``FLAG_MEANINGS``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assaykit.flag_text import explain_flags, split_flags
from assaykit.references import REFERENCES, Reference

__all__ = [
    "REFERENCES",
    "MethodsText",
    "Reference",
    "Sentence",
    "assaykit_version",
    "compose",
    "count",
    "explain_flags",
    "join_words",
    "number",
    "percent",
    "split_flags",
]


@dataclass(frozen=True)
class MethodsText:
    """A methods paragraph and the references it cites.

    Attributes
    ----------
    paragraph
        The sentences, with author-year citations, e.g. ``"... (Cheng & Prusoff 1973)."``.
    references
        The full citation of each reference cited, in order of first citation, each once.
    """

    paragraph: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class Sentence:
    """One sentence of a methods paragraph and the keys of :data:`REFERENCES` it cites.

    The citation goes where the text has ``{cite}``, else at the end of the sentence, before its full stop.
    """

    text: str
    cites: tuple[str, ...] = ()


def _in_text(keys: Iterable[str]) -> str:
    return "(" + "; ".join(REFERENCES[k].short for k in keys) + ")"


def _render(sentence: Sentence) -> str:
    text = sentence.text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    if sentence.cites:
        cite = _in_text(sentence.cites)
        text = text.replace("{cite}", cite) if "{cite}" in text else f"{text.rstrip('.')} {cite}"
    return text if text.endswith((".", "?", "!")) else text + "."


def compose(sentences: Iterable[Sentence | None]) -> MethodsText:
    """Join sentences into a paragraph, and list the references they cite.

    Parameters
    ----------
    sentences
        The sentences in order; None (a sentence that does not apply) is skipped.

    Returns
    -------
    MethodsText
        The paragraph (each sentence capitalised and ending in a full stop) and the full citations of its
        references, in order of first citation, each once.

    Raises
    ------
    KeyError
        For a citation key that is not in :data:`REFERENCES`.
    """
    texts: list[str] = []
    keys: dict[str, None] = {}
    for sentence in sentences:
        if sentence is None:
            continue
        for key in sentence.cites:
            if key not in REFERENCES:
                raise KeyError(f"no reference '{key}' in assaykit.methods.REFERENCES")
            keys[key] = None
        rendered = _render(sentence)
        if rendered:
            texts.append(rendered)
    return MethodsText(" ".join(texts), tuple(REFERENCES[k].full for k in keys))


def count(n: int, word: str, plural: str | None = None) -> str:
    """Write a count with its noun: ``1 curve``, ``3 curves`` (``plural`` for irregular nouns)."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def assaykit_version() -> str:
    """Return the installed assaykit version, for the paragraph's first sentence."""
    import assaykit

    try:
        return str(assaykit.__version__)
    except AttributeError:  # pragma: no cover - installed without its metadata
        return "(version unknown)"


def join_words(items: Iterable[str], conjunction: str = "and") -> str:
    """Join words as prose: ``a``, ``a and b``, ``a, b and c``."""
    words = [str(i) for i in items if str(i)]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def number(value: float, digits: int = 4) -> str:
    """Write a setting's value as a paragraph does: ``1``, ``1.5``, ``0.05`` (at most ``digits`` figures)."""
    value = float(value)
    if math.isfinite(value) and value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.{digits}g}"


def percent(fraction: float) -> str:
    """Write a fraction as a percentage: ``0.95`` -> ``95%``."""
    return f"{number(100.0 * float(fraction))}%"


def plate_map_sentence(inputs: Mapping[str, Any]) -> Sentence | None:
    """Say that counts were read from plate grids joined to a plate map, and which wells were left out.

    Parameters
    ----------
    inputs
        ``layout`` (the plate map's path, or None when the run read a table of tubes) and
        ``exclude_wells`` (the patterns of ``--exclude-wells``, possibly empty), as a run records them.

    Returns
    -------
    Sentence or None
        None when the run read no plate grids.
    """
    layout = inputs.get("layout")
    if layout is None:
        return None
    name = Path(str(layout)).name
    wellmap = name.lower().endswith(".toml")
    form = "in the wellmap format {cite}" if wellmap else "a table of wells"
    text = f"Counts were read from the counter's plate grids, joined by well to the plate map {name}, {form}"
    patterns = list(inputs.get("exclude_wells") or ())
    if patterns:
        text += f"; wells matching {join_words(patterns)} were excluded before analysis (listed in the notes)"
    return Sentence(text, ("kundert2021",) if wellmap else ())
