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

_ENUM_COMMA = re.compile(r"(?<![0-9])([0-9]{1,2})[、,]")


@dataclass(frozen=True)
class LabelNormalizer:
    remove: str
    replace: Mapping[str, str] = field(default_factory=dict)
    enumeration_comma: bool = True

    def __call__(self, text: str) -> str:
        s = unicodedata.normalize("NFKC", text)
        for a, b in self.replace.items():
            s = s.replace(unicodedata.normalize("NFKC", a), b).replace(a, b)
        s = "".join(ch for ch in s if ch not in self.remove and not ch.isspace())
        if self.enumeration_comma:
            s = _ENUM_COMMA.sub(r"\1.", s)
        return s
