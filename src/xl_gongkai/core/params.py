"""The parameter schema of a rule kind, checked against every form a rule applies to.

A kind states its parameters where it is registered (``@kind("balance", params={...})``), as jsonschema's
keyword functions and xbridge's ``@rule_impl`` do. When the catalogue is loaded, each rule's ``params`` are
checked with these types: exactly the declared names, each value of the right shape, and every table, row,
column, cell and field it names present in the form. A typo such as ``requests.new.totl`` therefore stops
the package at load (a ``SpecError``) instead of making a rule silently find nothing, and the kinds can
rely on every key they are given.

Each type yields problems as text that starts with the path inside the params (``params.figures[0].accept``).
Types that name a table's rows or columns find the table through a sibling parameter (``table`` by
default), so ``{"table": TableRef(), "left": ListOf(RowRef())}`` reads "rows of the table given in
``table``". An object declared ``scoped`` may carry its own ``forms`` (for a figure one format does not
have): its references are checked only in those forms, and the kind uses it only there
(``catalogue.for_form``).

The types are plain classes with slots rather than dataclasses: they are created on every Excel click
(when the kinds are imported), and creating a dataclass costs about a third of a millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..spec import CellKey, Form, Table

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


class Scope:
    """What a value is checked against: one form, the rule's forms, and the object that holds the value."""

    __slots__ = ("form", "forms", "siblings")

    def __init__(self, form: Form, forms: frozenset[str], siblings: Mapping[str, Any] | None = None) -> None:
        self.form, self.forms, self.siblings = form, forms, siblings or {}

    def within(self, siblings: Mapping[str, Any]) -> Scope:
        return Scope(self.form, self.forms, siblings)


class Param:
    """One parameter type. ``optional`` parameters may be left out of an object."""

    __slots__ = ("optional",)

    def __init__(self, *, optional: bool = False) -> None:
        self.optional = optional

    def problems(self, value: Any, path: str, _scope: Scope) -> Iterator[str]:
        raise NotImplementedError


def _name(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else f"'{value}'"


class Text(Param):
    """A non-empty string; ``identifier`` for a word of a message (``where``)."""

    __slots__ = ("identifier",)

    def __init__(self, identifier: bool = False, *, optional: bool = False) -> None:
        super().__init__(optional=optional)
        self.identifier = identifier

    def problems(self, value: Any, path: str, _scope: Scope) -> Iterator[str]:
        if not isinstance(value, str) or not value:
            yield f"{path}: expected a non-empty string, not {_name(value)}"
        elif self.identifier and not _IDENTIFIER.fullmatch(value):
            yield f"{path}: {_name(value)} is not a placeholder name (lower case, digits, _)"


class Regex(Param):
    """A regular expression that compiles and has at least ``groups`` groups (the kind reads them)."""

    __slots__ = ("groups",)

    def __init__(self, groups: int = 0, *, optional: bool = False) -> None:
        super().__init__(optional=optional)
        self.groups = groups

    def problems(self, value: Any, path: str, _scope: Scope) -> Iterator[str]:
        if not isinstance(value, str) or not value:
            yield f"{path}: expected a regular expression, not {_name(value)}"
            return
        try:
            compiled = re.compile(value)
        except re.error as exc:
            yield f"{path}: regular expression does not compile ({exc})"
            return
        if compiled.groups < self.groups:
            yield f"{path}: the kind reads group {self.groups}, the expression has {compiled.groups}"


class Numeric(Param):
    """A number (never a boolean); ``integer`` for a count, ``minimum`` inclusive."""

    __slots__ = ("integer", "minimum")

    def __init__(self, integer: bool = False, minimum: float | None = None, *, optional: bool = False) -> None:
        super().__init__(optional=optional)
        self.integer, self.minimum = integer, minimum

    def problems(self, value: Any, path: str, _scope: Scope) -> Iterator[str]:
        if isinstance(value, bool) or not isinstance(value, int if self.integer else (int, float)):
            yield f"{path}: expected {'an integer' if self.integer else 'a number'}, not {_name(value)}"
        elif self.minimum is not None and value < self.minimum:
            yield f"{path}: {value} is below the minimum {self.minimum}"


class Flag(Param):
    __slots__ = ()

    def problems(self, value: Any, path: str, _scope: Scope) -> Iterator[str]:
        if not isinstance(value, bool):
            yield f"{path}: expected true or false, not {_name(value)}"


class OneOf(Param):
    __slots__ = ("choices",)

    def __init__(self, choices: tuple[str, ...], *, optional: bool = False) -> None:
        super().__init__(optional=optional)
        self.choices = choices

    def problems(self, value: Any, path: str, _scope: Scope) -> Iterator[str]:
        if value not in self.choices:
            yield f"{path}: {_name(value)} is not one of {', '.join(self.choices)}"


class TableRef(Param):
    """The key of a table of the form."""

    __slots__ = ()

    def problems(self, value: Any, path: str, scope: Scope) -> Iterator[str]:
        if _table(value, scope) is None:
            yield f"{path}: form {scope.form.id} has no table {_name(value)}"


def _table(key: Any, scope: Scope) -> Table | None:
    if not isinstance(key, str):
        return None
    return next((t for t in scope.form.tables if t.key == key), None)


def _sibling_table(name: str, scope: Scope) -> Table | None:
    """The table named by a sibling parameter; ``None`` when that is wrong (its own problem says so)."""
    return _table(scope.siblings.get(name), scope)


class RowRef(Param):
    """The key of a row of the table in sibling ``table``.

    ``every_column``: the row must have every column of the table (the kind reads the row across all of
    them); ``with_columns``: names of sibling parameters holding columns the row must have; ``derived``:
    the row must be a total (it has ``sum_of``).
    """

    __slots__ = ("derived", "every_column", "table", "with_columns")

    def __init__(self, table: str = "table", *, every_column: bool = False, with_columns: tuple[str, ...] = (),
                 derived: bool = False, optional: bool = False) -> None:
        super().__init__(optional=optional)
        self.table, self.every_column, self.with_columns, self.derived = table, every_column, with_columns, derived

    def problems(self, value: Any, path: str, scope: Scope) -> Iterator[str]:
        t = _sibling_table(self.table, scope)
        if t is None:
            return
        row = next((r for r in t.rows if isinstance(value, str) and r.key == value), None)
        if row is None:
            yield f"{path}: table {t.key} of form {scope.form.id} has no row {_name(value)}"
            return
        if self.derived and not row.sum_of:
            yield f"{path}: row {t.key}.{row.key} of form {scope.form.id} is not a total"
        has = {c.key for c in t.columns_of(row)}
        wanted = [c.key for c in t.columns] if self.every_column else [scope.siblings.get(n) for n in self.with_columns]
        missing = [c for c in wanted if isinstance(c, str) and c in {x.key for x in t.columns} and c not in has]
        if missing:
            yield f"{path}: row {t.key}.{row.key} of form {scope.form.id} has no cell in column(s) {', '.join(missing)}"


class ColumnRef(Param):
    """The key of a column of the table in sibling ``table``; ``derived``: a total column."""

    __slots__ = ("derived", "table")

    def __init__(self, table: str = "table", *, derived: bool = False, optional: bool = False) -> None:
        super().__init__(optional=optional)
        self.table, self.derived = table, derived

    def problems(self, value: Any, path: str, scope: Scope) -> Iterator[str]:
        t = _sibling_table(self.table, scope)
        if t is None:
            return
        col = next((c for c in t.columns if isinstance(value, str) and c.key == value), None)
        if col is None:
            yield f"{path}: table {t.key} of form {scope.form.id} has no column {_name(value)}"
        elif self.derived and not col.sum_of:
            yield f"{path}: column {t.key}.{col.key} of form {scope.form.id} is not a total"


class MemberRef(Param):
    """A row or a column of the table in sibling ``table``, as sibling ``axis`` says (``"row"``/``"column"``)."""

    __slots__ = ("axis", "derived", "table")

    def __init__(self, table: str = "table", axis: str = "axis", *, derived: bool = False,
                 optional: bool = False) -> None:
        super().__init__(optional=optional)
        self.table, self.axis, self.derived = table, axis, derived

    def problems(self, value: Any, path: str, scope: Scope) -> Iterator[str]:
        axis = scope.siblings.get(self.axis)
        if axis == "row":
            yield from RowRef(self.table, derived=self.derived).problems(value, path, scope)
        elif axis == "column":
            yield from ColumnRef(self.table, derived=self.derived).problems(value, path, scope)


class CellRef(Param):
    """A cell key ``table.row.column`` of the form."""

    __slots__ = ()

    def problems(self, value: Any, path: str, scope: Scope) -> Iterator[str]:
        try:
            key = CellKey.parse(value) if isinstance(value, str) else None
        except ValueError:
            key = None
        if key is None:
            yield f"{path}: {_name(value)} is not a cell key (table.row.column)"
        elif not scope.form.has_cell(key):
            yield f"{path}: form {scope.form.id} has no cell {value}"


class FieldRef(Param):
    """The key of a metadata field (the cover) of the form."""

    __slots__ = ()

    def problems(self, value: Any, path: str, scope: Scope) -> Iterator[str]:
        if not any(isinstance(value, str) and f.key == value for f in scope.form.metadata_fields):
            yield f"{path}: form {scope.form.id} has no metadata field {_name(value)}"


class SectionRef(Param):
    """The key of a narrative text section of the form (one with a cell of its own: 一, 五, 六)."""

    __slots__ = ()

    def problems(self, value: Any, path: str, scope: Scope) -> Iterator[str]:
        if not any(isinstance(value, str) and s.key == value and not s.table for s in scope.form.sections):
            yield f"{path}: form {scope.form.id} has no text section {_name(value)}"


class ListOf(Param):
    __slots__ = ("item", "min_items", "unique")

    def __init__(self, item: Param, *, min_items: int = 0, unique: bool = False, optional: bool = False) -> None:
        super().__init__(optional=optional)
        self.item, self.min_items, self.unique = item, min_items, unique

    def problems(self, value: Any, path: str, scope: Scope) -> Iterator[str]:
        if not isinstance(value, list):
            yield f"{path}: expected a list, not {_name(value)}"
            return
        if len(value) < self.min_items:
            yield f"{path}: expected at least {self.min_items} item(s)"
        if self.unique and len({repr(v) for v in value}) != len(value):
            yield f"{path}: items repeat"
        for i, v in enumerate(value):
            yield from self.item.problems(v, f"{path}[{i}]", scope)


class MapOf(Param):
    """An object with free (non-empty) keys, every value of one type."""

    __slots__ = ("value",)

    def __init__(self, value: Param, *, optional: bool = False) -> None:
        super().__init__(optional=optional)
        self.value = value

    def problems(self, value: Any, path: str, scope: Scope) -> Iterator[str]:
        if not isinstance(value, dict) or not value:
            yield f"{path}: expected a non-empty object, not {_name(value)}"
            return
        for k, v in value.items():
            if not k:
                yield f"{path}: empty key"
            yield from self.value.problems(v, f"{path}.{k}", scope)


class Obj(Param):
    """An object with exactly the declared fields (optional ones may be left out).

    ``scoped``: the object may also carry ``forms``, a list of the rule's forms it belongs to; its fields
    are then checked only in those forms.
    """

    __slots__ = ("fields", "scoped")

    def __init__(self, fields: Mapping[str, Param], *, scoped: bool = False, optional: bool = False) -> None:
        super().__init__(optional=optional)
        self.fields, self.scoped = dict(fields), scoped

    def problems(self, value: Any, path: str, scope: Scope) -> Iterator[str]:
        if not isinstance(value, dict):
            yield f"{path}: expected an object, not {_name(value)}"
            return
        allowed = set(self.fields) | ({"forms"} if self.scoped else set())
        for name in sorted(set(value) - allowed):
            yield f"{path}: unexpected parameter '{name}' (the kind takes: {', '.join(self.fields) or 'none'})"
        for name, param in self.fields.items():
            if name not in value and not param.optional:
                yield f"{path}: missing parameter '{name}'"
        if self.scoped and "forms" in value:
            forms = value["forms"]
            if not isinstance(forms, list) or not forms or not all(isinstance(f, str) for f in forms):
                yield f"{path}.forms: expected a non-empty list of form ids"
                return
            outside = [f for f in forms if f not in scope.forms]
            if outside:
                yield f"{path}.forms: {', '.join(outside)} is not a form the rule applies to"
            if not any(scope.form.is_a(f) for f in forms):
                return
        inner = scope.within(value)
        for name, param in self.fields.items():
            if name in value:
                yield from param.problems(value[name], f"{path}.{name}", inner)


def placeholders(template: str) -> Sequence[str]:
    """The names a message template fills (``{id} 表三“{column}”列`` → ``id``, ``column``).

    Raises ValueError for a template ``str.format`` cannot read and for placeholders that are not plain
    names (``{a.b}``, ``{0}``, ``{}``).
    """
    import string

    names = []
    for _, name, _, _ in string.Formatter().parse(template):
        if name is None:
            continue
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"placeholder {{{name}}} is not a plain name")
        names.append(name)
    return names
