"""Words a bill can be found by, and the prefix ranges a query scans.

A receptionist types part of a name or a bill number: "sant" finds "Maria Santos",
"peña" and "pena" both find "Peña", "B-000812", "000812" and "812" all find bill B-000812.
Both the stored words and the query go through the same normalization: lower case, accents
folded, only letters and digits kept. A hyphenated word is kept whole and in its parts, and
a run of digits is also kept without its leading zeros.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pos_app.storage.models.billing import SEARCH_TOKEN_LENGTH

_PIECES = re.compile(r"[a-z0-9]+")
_DIGITS = re.compile(r"[0-9]+")


def fold(text: str) -> str:
    """Lower case, accents removed ("Peña" -> "pena"), everything else kept."""
    if text.isascii():  # nothing to decompose (most names, every bill number): the fast way
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _word_tokens(word: str) -> set[str]:
    pieces = _PIECES.findall(word)
    tokens = set(pieces)
    if len(pieces) > 1:
        tokens.add("".join(pieces))
    for digits in _DIGITS.findall(word):
        stripped = digits.lstrip("0")
        if stripped:
            tokens.add(stripped)
    return tokens


def tokens_for(texts: Iterable[str]) -> set[str]:
    """The stored words for a bill, from its patient's names and its number."""
    tokens: set[str] = set()
    for text in texts:
        for word in fold(text).split():
            tokens |= _word_tokens(word)
    return {token[:SEARCH_TOKEN_LENGTH] for token in tokens if token}


def query_words(text: str) -> list[str]:
    """The words of a query, each matched as a prefix of some stored word.

    "B-000812" stays one word ("b000812"), so it matches the number's joined form rather
    than every bill with a "b". Duplicates and words that are prefixes of another query
    word are dropped: they cannot narrow the result.
    """
    words = {"".join(_PIECES.findall(word))[:SEARCH_TOKEN_LENGTH] for word in fold(text).split()}
    words.discard("")
    return sorted(w for w in words if not any(o != w and o.startswith(w) for o in words))


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``.

    Tokens hold only [a-z0-9], so bumping the last character is exact under a binary
    collation (SQLite BINARY, PostgreSQL "C"): "sant" -> "sanu", "b0z" -> "b0{".
    """
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
