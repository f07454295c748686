"""Synonyms: terms an admin declares equivalent ("wifi, wi-fi, wlan"), looked for together.

A term is known by its key, its words run together: "wi-fi", "wi fi" and "wifi" are all
"wifi", so however a variant is typed (or written in an article) the group is found.
"""

import re

from .models import SynonymGroup

WORD = re.compile(r"[^\W_]+")
TERM_SEPARATOR = re.compile(r"[,\n;]+")
# A variant is looked for as a phrase; more than this many per typed term stops helping.
MAX_VARIANTS = 6

Variant = tuple[str, ...]  # the words of one way to write a term


def term_words(term: str) -> Variant:
    return tuple(w.lower() for w in WORD.findall(term))


def term_key(words) -> str:
    return "".join(words)


def synonym_terms(text: str) -> list[str]:
    """The distinct terms of an admin's list, lowercased, spaces tidied. "wi-fi" and "wifi"
    are both kept (an article may say either); "wi fi" after "wi-fi" adds nothing."""
    terms, seen = [], set()
    for raw in TERM_SEPARATOR.split(text or ""):
        words = term_words(raw)
        if not words or words in seen:
            continue
        seen.add(words)
        terms.append(" ".join(raw.lower().split()))
    return terms


def synonym_index() -> dict[str, list[Variant]]:
    """Every key of every group → the variants of its group(s), as word tuples."""
    index: dict[str, list[Variant]] = {}
    for text in SynonymGroup.objects.values_list("terms", flat=True):
        variants = [term_words(t) for t in synonym_terms(text)]
        for variant in variants:
            known = index.setdefault(term_key(variant), [])
            known += [v for v in variants if v not in known]
    return index


def variants_of(
    words: Variant, *, index: dict[str, list[Variant]], compound: bool
) -> list[Variant]:
    """The ways to write what was typed: itself first; a compound ("wi-fi", "e-mail") also
    run together ("wifi"); then its synonyms."""
    variants = [words]
    key = term_key(words)
    if compound and len(words) > 1:
        variants.append((key,))
    for variant in index.get(key, []):
        if variant not in variants:
            variants.append(variant)
    return variants[:MAX_VARIANTS]
