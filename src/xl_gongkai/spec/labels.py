"""Label comparison that survives how real reports print the official labels.

Published tables break labels across lines, use half-width brackets, ``1、`` for ``1.``, CJK
compatibility radicals from PDF extraction (``⼀`` for ``一``) and stray quotes. Labels are compared
after the normalisation the form spec declares in ``label_normalization``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

_ENUM_COMMA = re.compile(r"(?<![0-9])([0-9]{1,2})[、,]")
# Texts a normaliser remembers: the labels of every form (about 2 000 texts) and a few documents' lines; about
# 2 MB at most.
MEMO_TEXTS = 16_384


@dataclass(frozen=True)
class LabelNormalizer:
    remove: str
    replace: Mapping[str, str] = field(default_factory=dict)
    enumeration_comma: bool = True

    @cached_property
    def _pairs(self) -> tuple[tuple[str, str, str], ...]:
        return tuple((unicodedata.normalize("NFKC", a), a, b) for a, b in self.replace.items())

    @cached_property
    def _removed(self) -> dict[int, None]:
        return dict.fromkeys(map(ord, self.remove))

    @cached_property
    def _memo(self) -> dict[str, str]:
        return {}

    def __call__(self, text: str) -> str:
        """The label's letters: NFKC, the declared replacements, then without the removed characters and any
        white space (``str.split`` splits at exactly the characters ``str.isspace`` names).

        Remembered (``MEMO_TEXTS`` at most, then begun afresh): the spec's own labels are normalised again for
        every document, and a document's lines by several readers."""
        memo = self._memo
        found = memo.get(text)
        if found is None:
            if len(memo) >= MEMO_TEXTS:
                memo.clear()
            found = memo[text] = self._normalise(text)
        return found

    def _normalise(self, text: str) -> str:
        s = unicodedata.normalize("NFKC", text)
        for folded, a, b in self._pairs:
            s = s.replace(folded, b).replace(a, b)
        s = "".join(s.translate(self._removed).split())
        if self.enumeration_comma:
            s = _ENUM_COMMA.sub(r"\1.", s)
        return s
