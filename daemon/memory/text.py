"""Text helpers shared by extraction, the store and injection: normalising, similarity, FTS queries.

Similarity is the Jaccard index of character trigrams of the normalised
text: cheap, language-agnostic, and robust to the small rewordings that the
same fact gets from one session to the next ("Tests run with `pytest -q`"
vs "tests run with `pytest -q` ."), where word overlap alone is too coarse.
"""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")
# Any script: an ASCII-only pattern gave Cyrillic, CJK or accented text no FTS candidates at all
# (no dedupe, no relevance). \w never matches '"', so a quoted keyword stays inert FTS5 syntax.
_WORD = re.compile(r"[^\W\d][\w]{2,}")
STOPWORDS = frozenset(
    "the and for with that this from have has had was were are you your our not but can will would "
    "should could into onto then than them they their there here what when where which while who why "
    "how all any each its it's also just only some such very more most much use used using been being "
    "does did done let please about over under again".split()
)


def normalise(text: str) -> str:
    """Lower case, one space between words, no trailing punctuation."""
    return _SPACE.sub(" ", text.lower()).strip(" .;:,!")


def trigrams(text: str) -> frozenset[str]:
    padded = f"  {normalise(text)} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """Jaccard index of the two texts' character trigrams, 0..1."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def keywords(text: str, limit: int = 16) -> list[str]:
    """Distinct content words, in order of first appearance."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if word not in STOPWORDS and word not in seen:
            seen[word] = None
            if len(seen) >= limit:
                break
    return list(seen)


def fts_query(text: str, limit: int = 16) -> str | None:
    """An FTS5 query matching any of the text's keywords (each quoted, so no FTS syntax leaks in)."""
    words = keywords(text, limit)
    return " OR ".join(f'"{w}"' for w in words) if words else None
