"""Invisible characters in text: what the check flags (rule T1) and what every output makes safe.

Clerks paste the narrative from Word, and Word brings characters no reader sees: U+000B, Word's soft line
break (Shift+Enter), U+000C a page break, and now and then other control characters or, from a damaged
file, half a surrogate pair. They are kept as read (the rules judge, nothing is repaired), flagged by T1 with
the cell named — and every output that has a format of its own makes them safe: the Word and HTML report
and the summary turn line-like ones into a line break and drop the rest, spreadsheets and CSV get the same
safe text, so no output can fail on them (XML, which Word and Excel files are, cannot hold them at all).
The payload keeps the text exactly: JSON escapes them.

File names made from an agency's name are stripped of control and bidirectional-override characters
(:func:`safe_name`): a name that shows ``报告.docx`` may otherwise be ``xcod.exe`` reversed.
"""

from __future__ import annotations

import re

# Tab, line feed and carriage return are ordinary text; every other C0 control, DEL and the C1 controls are
# not. Lone surrogates cannot be encoded at all; U+FFFE and U+FFFF are non-characters XML refuses.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# the ones that mean "a new line" where they come from (Word's soft line break, a page break, NEL)
_LINE_LIKE = {"\x0b": "\n", "\x0c": "\n", "\x85": "\n"}
# explicit direction marks and overrides (Unicode bidi controls): invisible, and able to reverse a name
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

NAMES = {
    "\x0b": "Word 的软换行",
    "\x0c": "分页符",
    "\x00": "空字符",
    "\x85": "下一行（NEL）",
}


def controls(text: str) -> list[tuple[int, str]]:
    """Each control character of ``text``: (1-based position, the character)."""
    return [(m.start() + 1, m.group()) for m in _CONTROL.finditer(text)]


def describe(char: str) -> str:
    """``U+000B（Word 的软换行）``."""
    code = f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return f"{code}（不完整的字符编码）"
    name = NAMES.get(char)
    return f"{code}（{name}）" if name else code


def safe_text(text: str) -> str:
    """``text`` as every formatted output may hold it: line-like controls become a line break, others go."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: _LINE_LIKE.get(m.group(), ""), text)


def safe_name(text: str) -> str:
    """``text`` for a file name: no control character, no bidirectional override."""
    return _BIDI.sub("", _CONTROL.sub("", text))


def shown_path(text: str) -> str:
    """A path as a person can read it: an undecodable byte of a file name (a lone surrogate, as Python keeps
    it) shows as U+FFFD; everything else as it is."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text)
