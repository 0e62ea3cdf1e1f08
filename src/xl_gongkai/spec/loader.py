"""Loads the spec documents shipped in this folder and checks them before anything uses them.

Each document is checked against its meta-schema (JSON Schema 2020-12) when it is loaded. Because
every ribbon click starts a fresh Python, and importing jsonschema alone costs about a quarter of a
click, the check is memoised by content: ``verified.json`` records the sha256 of each
(meta-schema, document) pair that passed. A document whose bytes match a recorded digest is known
to be valid; any other bytes (an edited spec) are validated with jsonschema on the spot. ``make generate``
writes ``verified.json`` (``build.generated``); a test says when it is stale.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from .a1 import column_index, split_cell, split_range
from .derive import PatchError, apply_changes
from .labels import LabelNormalizer
from .model import (
    Calendar,
    Cell,
    CellKey,
    Column,
    Form,
    Group,
    InfoField,
    Label,
    LedgerColumn,
    LedgerSheet,
    MetadataField,
    ResultsColumn,
    Row,
    Section,
    SourcesColumn,
    SourcesSheet,
    SummaryPart,
    Table,
    TemplateSpec,
    Units,
)

FORM_FILES = {"gov-2021": "form-2021.json", "gov-2019": "form-2019.json"}
# The form a new blank workbook is made in (``new --agency --year``, the page's blank workbook, the template
# build). Everything that reads a file takes the form the file was made for (``adapters.workbook_form``).
DEFAULT_FORM = "gov-2021"
META_OF = {"form": "form.meta.json", "rules": "rules.meta.json", "calendar": "calendar.meta.json",
           "derivation": "form-derivation.meta.json"}
CALENDAR_FILE = "calendar.json"


class SpecError(Exception):
    """A spec document is malformed: a defect of the package, never of the user's input."""


def read_bytes(name: str) -> bytes:
    return resources.files(__package__).joinpath(name).read_bytes()


def digest(meta: bytes, doc: bytes) -> str:
    return hashlib.sha256(meta + b"\0" + doc).hexdigest()


def load_document(name: str, kind: str) -> dict[str, Any]:
    """Parse a spec document and make sure it conforms to its meta-schema."""
    doc_bytes = read_bytes(name)
    meta_bytes = read_bytes(META_OF[kind])
    doc: dict[str, Any] = json.loads(doc_bytes)
    verified = json.loads(read_bytes("verified.json"))
    if verified.get(name) != digest(meta_bytes, doc_bytes):
        errors = schema_errors(json.loads(meta_bytes), doc)
        if errors:
            raise SpecError(f"{name} does not conform to {META_OF[kind]}: " + "; ".join(errors[:5]))
    return doc


def schema_errors(meta: dict[str, Any], doc: Any) -> list[str]:
    import jsonschema  # deferred: only edited specs and tests pay for it

    validator = jsonschema.Draft202012Validator(meta)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(doc)]


# Forms added while the program runs, from a file outside the package: a format being drafted, or the tests'
# synthetic second form. Their built templates lie beside the file (``form_home``).
_REGISTERED: dict[str, Path] = {}
_FORMS: dict[str, Form] = {}  # every form loaded, once per process (a registered one until it is forgotten)


def known_forms() -> tuple[str, ...]:
    """Every form id the program reads: the shipped forms, then those registered from a file."""
    return (*FORM_FILES, *(fid for fid in _REGISTERED if fid not in FORM_FILES))


def current_form() -> Form:
    """The form a new blank workbook is made in (:data:`DEFAULT_FORM`)."""
    return load_form(DEFAULT_FORM)


def templated_forms() -> list[Form]:
    """The forms that have a workbook template, the current form first."""
    forms = [load_form(fid) for fid in dict.fromkeys((DEFAULT_FORM, *known_forms()))]
    return [f for f in forms if f.template is not None]


def register_form(path: str | Path) -> Form:
    """Make the form in ``path`` (a form document, or a derivation of a known form) known to this process.

    Its built templates are looked for beside the file. A shipped form's id cannot be taken over.
    """
    p = Path(path)
    doc = json.loads(p.read_bytes())
    form_id = doc.get("id") if isinstance(doc, dict) else None
    if not isinstance(form_id, str) or form_id in FORM_FILES:
        raise SpecError(f"{p.name}: a registered form needs an id of its own, not {form_id!r}")
    forget_form(form_id)
    _REGISTERED[form_id] = p
    try:
        return load_form(form_id)
    except BaseException:
        del _REGISTERED[form_id]
        raise


def forget_form(form_id: str) -> None:
    """Undo :func:`register_form` (and forget every loaded form derived from it)."""
    _REGISTERED.pop(form_id, None)
    for fid, form in list(_FORMS.items()):
        if fid == form_id or form.is_a(form_id):
            del _FORMS[fid]


def form_home(form_id: str) -> Path | None:
    """The folder of a form registered from a file (where its built templates are); None for a shipped form."""
    path = _REGISTERED.get(form_id)
    return path.parent if path is not None else None


def load_form(form_id: str = DEFAULT_FORM) -> Form:
    """The form ``form_id``, checked; loaded once per process. Outside ``spec/`` every caller names the form:
    the one a file was made for, or :func:`current_form` for a new blank workbook."""
    found = _FORMS.get(form_id)
    if found is None:
        doc, bases, added, removed = _composed(form_id, ())
        found = _FORMS[form_id] = build_form(doc, bases=bases, added_rules=added, removed_rules=removed)
    return found


Composed = tuple[dict[str, Any], tuple[str, ...], tuple[dict[str, Any], ...], frozenset[str]]


def _composed(form_id: str, seen: tuple[str, ...]) -> Composed:
    """A form's whole document, its bases (nearest first), the rules it adds and the rules it drops."""
    if form_id in seen:
        raise SpecError(f"form {form_id!r} derives from itself: {' → '.join((*seen, form_id))}")
    doc, name = _form_source(form_id)
    if "base" not in doc:
        return doc, (), (), frozenset()
    base_doc, bases, added, removed = _composed(doc["base"], (*seen, form_id))
    try:
        composed = apply_changes(base_doc, doc["changes"])
    except PatchError as exc:
        raise SpecError(f"{name}: {exc}") from None
    composed["id"] = form_id
    errors = schema_errors(json.loads(read_bytes(META_OF["form"])), composed)
    if errors:
        raise SpecError(f"{name}: the form it derives does not conform to {META_OF['form']}: " + "; ".join(errors[:5]))
    rules = doc.get("rules", {})
    own = tuple({**r, "forms": r.get("forms", [form_id])} for r in rules.get("add", ()))
    if own:
        errors = schema_errors(json.loads(read_bytes(META_OF["rules"])), {"version": "0.0.0", "rules": list(own)})
        if errors:
            raise SpecError(f"{name}: its rules do not conform to {META_OF['rules']}: " + "; ".join(errors[:5]))
    dropped = (removed | set(rules.get("remove", ()))) - {r["id"] for r in own}
    return composed, (doc["base"], *bases), (*added, *own), frozenset(dropped)


def _form_source(form_id: str) -> tuple[dict[str, Any], str]:
    """A form's own document as written (whole, or a derivation), checked against its meta-schema."""
    if form_id in FORM_FILES:
        name = FORM_FILES[form_id]
        raw = json.loads(read_bytes(name))
        return load_document(name, "derivation" if isinstance(raw, dict) and "base" in raw else "form"), name
    path = _REGISTERED.get(form_id)
    if path is None:
        raise SpecError(f"unknown form {form_id!r}; known: {', '.join(known_forms())}")
    doc = json.loads(path.read_bytes())
    kind = "derivation" if "base" in doc else "form"
    errors = schema_errors(json.loads(read_bytes(META_OF[kind])), doc)
    if errors:
        raise SpecError(f"{path.name} does not conform to {META_OF[kind]}: " + "; ".join(errors[:5]))
    return doc, path.name


def build_form(doc: dict[str, Any], *, bases: tuple[str, ...] = (), added_rules: tuple[dict[str, Any], ...] = (),
               removed_rules: frozenset[str] = frozenset()) -> Form:
    norm = doc["label_normalization"]
    tables = tuple(_table(t) for t in doc["tables"])
    md = doc["metadata"]
    nar = doc["narrative"]
    form = Form(
        id=doc["id"],
        version=doc["version"],
        title=doc["title"],
        short_title=doc["short_title"],
        report_title=doc["report_title"],
        source=doc["source"],
        short_source=doc["short_source"],
        first_year=doc["years"]["first"],
        last_year=doc["years"].get("last"),
        normalize=LabelNormalizer(norm["remove"], dict(norm["replace"]), norm["enumeration_comma"]),
        metadata_sheet=md["sheet"],
        metadata_title_range=md["title_range"],
        metadata_fields=tuple(MetadataField(**f) for f in md["fields"]),
        narrative_sheet=nar["sheet"],
        sections=tuple(Section(**_tuple_fields(s, "synonyms", "openings")) for s in nar["sections"]),
        tables=tables,
        units=Units(tuple(doc["units"]["counts"]), doc["units"]["amount"], tuple(doc["units"]["in_text"]),
                    doc["units"]["smaller_amount"]),
        summary=tuple(SummaryPart(part["table"], part["writer"], tuple(part["names"]), part.get("overview", False),
                                  {k: (v if isinstance(v, str) else tuple(v)) for k, v in part["roles"].items()})
                      for part in doc["summary"]),
        preamble=Section(number="", **nar["preamble"]) if "preamble" in nar else None,
        template=_template(doc["template"]) if "template" in doc else None,
        cells=tuple(cell for t in tables for cell in _cells(t)),
        raw=doc,
        bases=bases,
        added_rules=added_rules,
        removed_rules=removed_rules,
    )
    check_integrity(form)
    return form


def _sources(s: dict[str, Any]) -> SourcesSheet:
    return SourcesSheet(sheet=s["sheet"], title=s["title"], header_row=s["header_row"],
                        columns=tuple(SourcesColumn(**c) for c in s["columns"]),
                        included=s["statuses"]["included"], excluded=s["statuses"]["excluded"])


def _template(t: dict[str, Any]) -> TemplateSpec:
    res, summ = t["results"], t["summary"]
    return TemplateSpec(
        version=t["version"], version_label=t["version_label"], version_cell=t["version_cell"],
        name_prefix=t["name_prefix"], metadata_title=t["metadata_title"],
        narrative_title=t["narrative_title"], info_sheet=t["info"]["sheet"],
        info_fields=tuple(InfoField(**f) for f in t["info"]["fields"]), roles=dict(t["info"]["roles"]),
        results_sheet=res["sheet"], results_title_range=res["title_range"], results_status_cell=res["status_cell"],
        results_header_row=res["header_row"], results_first_row=res["first_row"], results_max_rows=res["max_rows"],
        results_columns=tuple(ResultsColumn(**c) for c in res["columns"]),
        summary_sheet=summ["sheet"], summary_title_range=summ["title_range"], summary_first_row=summ["first_row"],
        summary_rows=summ["rows"], flags_sheet=t["flags"]["sheet"], config_sheet=t["config"]["sheet"],
        sources=_sources(t["sources"]), summary_column=summ["column"], flags_origin=t["flags"]["origin"],
        cover_last_column=t["extents"]["cover"]["last_column"],
        cover_label_column=t["extents"]["cover"]["label_column"],
        narrative_last_column=t["extents"]["narrative"]["last_column"],
        info_last_column=t["extents"]["info"]["last_column"],
        reads_versions=tuple(t.get("reads_versions", ())),
        previous_cell=t.get("previous", {}).get("cell"),
        previous_reference_column=t.get("previous", {}).get("reference_column"),
        previous_reference_label=t.get("previous", {}).get("reference_label"),
        ledger=_ledger(t["ledger"]) if "ledger" in t else None,
    )


def _ledger(d: dict[str, Any]) -> LedgerSheet:
    return LedgerSheet(
        sheet=d["sheet"], since=d["since"], title=d["title"], title_range=d["title_range"],
        note_range=d["note_range"], header_row=d["header_row"], first_row=d["first_row"], max_rows=d["max_rows"],
        earliest_date=dt.date.fromisoformat(d["earliest_date"]), table=d["table"],
        received_row=d["rows"]["received"], carried_in_row=d["rows"]["carried_in"],
        carried_out_row=d["rows"]["carried_out"], outcome_group=d["outcomes"],
        applicant_list=d["lists"]["applicant"], outcome_list=d["lists"]["outcome"],
        columns=tuple(LedgerColumn(**_tuple_fields(c, "synonyms")) for c in d["columns"]),
    )


def _tuple_fields(d: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: (tuple(v) if k in names else v) for k, v in d.items()}


def _table(t: dict[str, Any]) -> Table:
    columns = tuple(Column(**_tuple_fields(c, "synonyms", "sum_of")) for c in t["columns"])
    rows = tuple(Row(**_tuple_fields(r, "synonyms", "sum_of")) for r in t["rows"])
    row_groups = tuple(Group(**_tuple_fields(g, "synonyms", "columns")) for g in t.get("row_groups", ()))
    column_groups = tuple(Group(**_tuple_fields(g, "synonyms", "columns")) for g in t.get("column_groups", ()))
    named = {
        "row": {r.key: r for r in rows},
        "column": {c.key: c for c in columns},
        "row_group": {g.key: g for g in row_groups},
        "column_group": {g.key: g for g in column_groups},
    }
    labels = []
    for lab in t["labels"]:
        if "text" in lab:
            labels.append(Label(lab["range"], "text", None, lab["text"]))
            continue
        (kind, ref), = ((k, v) for k, v in lab.items() if k != "range")
        members = cast(dict[str, Any], named[kind])
        try:
            target = members[ref]
        except KeyError:
            raise SpecError(f"table {t['key']}: label at {lab['range']} names unknown {kind} {ref!r}") from None
        labels.append(Label(lab["range"], kind, ref, target.label, target.synonyms))
    return Table(
        key=t["key"], number=t["number"], title=t["title"], sheet=t["sheet"], title_range=t["title_range"],
        columns=columns, rows=rows, row_groups=row_groups, column_groups=column_groups, labels=tuple(labels),
    )


def _cells(table: Table) -> list[Cell]:
    out = []
    for row in table.rows:
        for col in table.columns_of(row):
            out.append(Cell(
                key=CellKey(table.key, row.key, col.key), table=table, row=row, column=col,
                address=table.address(row, col), derived=bool(row.sum_of or col.sum_of),
            ))
    return out


def check_integrity(form: Form) -> None:
    """What a JSON Schema cannot say: references resolve, addresses are unique, sums are well-founded."""
    problems: list[str] = []
    tpl = form.template
    sheets = list(form.input_sheets())
    if tpl is not None:
        sheets += [tpl.info_sheet, tpl.results_sheet, tpl.summary_sheet, tpl.flags_sheet, tpl.config_sheet]
        sheets += [tpl.ledger.sheet] if tpl.ledger is not None else []
    if len(set(sheets)) != len(sheets):
        problems.append(f"sheet names repeat: {sheets}")
    table_keys = {t.key for t in form.tables}
    for s in form.sections:
        if s.table and s.table not in table_keys:
            problems.append(f"section {s.key} names unknown table {s.table}")
    for t in form.tables:
        problems += _table_problems(t)
    units = {*form.units.counts, form.units.amount}
    for c in form.cells:
        if c.unit not in units:
            problems.append(f"{c.key}: unit {c.unit} is not one of the form's units {sorted(units)}")
    for part in form.summary:
        if part.table not in table_keys:
            problems.append(f"summary names unknown table {part.table}")
            continue
        t = form.table(part.table)
        known = {r.key for r in t.rows} | {c.key for c in t.columns}
        for role, value in part.roles.items():
            bad = [k for k in ((value,) if isinstance(value, str) else value) if k not in known]
            if bad:
                problems.append(f"summary of {part.table}: role {role} names {bad}, not a row or column of it")
    if tpl is not None:
        problems += _extent_problems(form, tpl)
        problems += _ledger_problems(form, tpl)
    seen: dict[tuple[str, str], str] = {}
    for c in form.cells:
        where = (c.sheet, c.address)
        if where in seen:
            problems.append(f"{c.key} and {seen[where]} share {c.sheet}!{c.address}")
        seen[where] = str(c.key)
    if problems:
        raise SpecError(f"form {form.id}: " + "; ".join(problems))


def _extent_problems(form: Form, tpl: TemplateSpec) -> list[str]:
    """Everything placed on the cover, the narrative and the info sheet lies within their extents."""
    cover = [f.cell for f in form.metadata_fields] + [tpl.version_cell]
    placed = [(form.metadata_sheet, tpl.cover_last_column, c) for c in cover]
    placed += [(form.narrative_sheet, tpl.narrative_last_column, c)
               for s in form.text_parts for c in (s.heading_cell, s.text_cell) if c]
    placed += [(tpl.info_sheet, tpl.info_last_column, f.cell) for f in tpl.info_fields]
    problems = [f"{sheet}!{cell} lies beyond its extent (last column {last})"
                for sheet, last, cell in placed if split_cell(cell)[1] > column_index(last)]
    label = column_index(tpl.cover_label_column)
    problems += [f"{form.metadata_sheet}!{c} is in the cover's label column"
                 for c in cover if split_cell(c)[1] == label]
    if label > column_index(tpl.cover_last_column):
        problems.append(f"the cover's label column {tpl.cover_label_column} lies beyond its extent")
    return problems


def _ledger_problems(form: Form, tpl: TemplateSpec) -> list[str]:
    """The register names a table, rows and a group it has; its columns, lists and labels do not collide."""
    ledger = tpl.ledger
    if ledger is None:
        return []
    if not any(t.key == ledger.table for t in form.tables):
        return [f"the register derives unknown table {ledger.table}"]
    table = form.table(ledger.table)
    problems = []
    rows = {r.key: r for r in table.rows}
    for role, key in (("received", ledger.received_row), ("carried_in", ledger.carried_in_row),
                      ("carried_out", ledger.carried_out_row)):
        if key not in rows or rows[key].sum_of or rows[key].group:
            problems.append(f"the register's {role} row {key} is not an input row of table {table.key} outside a group")
    if not any(g.key == ledger.outcome_group for g in table.row_groups):
        problems.append(f"the register's outcome group {ledger.outcome_group} is not a row group of {table.key}")
    for kind, items in (("key", [c.key for c in ledger.columns]), ("column", [c.at for c in ledger.columns])):
        if len(set(items)) != len(items):
            problems.append(f"the register's columns repeat a {kind}: {items}")
    if ledger.header_row >= ledger.first_row:
        problems.append("the register's header row is not above its first row")
    (title_row, _), (_, title_last) = split_range(ledger.title_range)
    (note_row, _), (_, note_last) = split_range(ledger.note_range)
    last = max(column_index(c.at) for c in ledger.columns)
    if not title_row < note_row < ledger.header_row or max(title_last, note_last) > last:
        problems.append("the register's title and note must stand above its header, within its columns")
    info_last = column_index(tpl.info_last_column)
    for cell in (ledger.applicant_list, ledger.outcome_list):
        if split_cell(cell)[1] <= info_last:
            problems.append(f"the register's list at {tpl.info_sheet}!{cell} lies within what is read of that sheet")
    if split_cell(ledger.applicant_list)[1] == split_cell(ledger.outcome_list)[1]:
        problems.append("the register's two lists share a column")
    if form.outcome_choices() and form.applicant_choices():
        for what, choices in (("outcome", form.outcome_choices()), ("applicant", form.applicant_choices())):
            seen: dict[str, str] = {}
            for choice in choices:
                for text in (choice.label, *choice.variants):
                    norm = form.normalize(text)
                    if seen.setdefault(norm, choice.key) != choice.key:
                        problems.append(f"the register's {what} label {text!r} names both {seen[norm]} "
                                        f"and {choice.key}")
    return problems


def _table_problems(t: Table) -> list[str]:
    problems = []
    for kind, items in (("row", t.rows), ("column", t.columns), ("row group", t.row_groups)):
        keys = [x.key for x in items]
        if len(set(keys)) != len(keys):
            problems.append(f"table {t.key}: duplicate {kind} keys")
    row_keys = {r.key for r in t.rows}
    col_keys = {c.key for c in t.columns}
    group_keys = {g.key for g in t.row_groups}
    for r in t.rows:
        if r.group and r.group not in group_keys:
            problems.append(f"table {t.key}: row {r.key} in unknown group {r.group}")
        bad = [k for k in r.sum_of if k not in row_keys or t.row(k).sum_of]
        if bad:
            problems.append(f"table {t.key}: row {r.key} sums unknown or derived rows {bad}")
    for c in t.columns:
        bad = [k for k in c.sum_of if k not in col_keys or t.column(k).sum_of]
        if bad:
            problems.append(f"table {t.key}: column {c.key} sums unknown or derived columns {bad}")
    for g in t.row_groups:
        if g.parent and g.parent not in group_keys:
            problems.append(f"table {t.key}: group {g.key} has unknown parent {g.parent}")
        if any(k not in col_keys for k in g.columns):
            problems.append(f"table {t.key}: group {g.key} names unknown columns")
    labelled = {(lab.kind, lab.ref) for lab in t.labels}
    for r in t.rows:
        if ("row", r.key) not in labelled:
            problems.append(f"table {t.key}: row {r.key} has no label in the layout")
    for c in t.columns:
        if ("column", c.key) not in labelled:
            problems.append(f"table {t.key}: column {c.key} has no label in the layout")
    return problems


@cache
def load_rules() -> dict[str, Any]:
    return load_document("rules.json", "rules")


@cache
def load_calendar() -> Calendar:
    """The working-day calendar (holidays and weekend days worked, by year) and the statutory time to answer."""
    doc = load_document(CALENDAR_FILE, "calendar")
    holidays: set[dt.date] = set()
    for year in doc["years"]:
        for first, last in year["holidays"]:
            day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
            if end < day or (end - day).days > 31:
                raise SpecError(f"{CALENDAR_FILE}: holiday {first}..{last} of {year['year']} is not a span of days")
            while day <= end:
                holidays.add(day)
                day += dt.timedelta(days=1)
    workdays = {dt.date.fromisoformat(d) for year in doc["years"] for d in year["workdays"]}
    if any(d.weekday() < 5 for d in workdays) or holidays & workdays:
        raise SpecError(f"{CALENDAR_FILE}: a day worked instead must be a weekend day and no holiday")
    years = [y["year"] for y in doc["years"]]
    if years != list(range(years[0], years[0] + len(years))):
        raise SpecError(f"{CALENDAR_FILE}: the years must follow each other without a gap: {years}")
    return Calendar(answer_days=doc["answer_within"]["working_days"], answer_source=doc["answer_within"]["source"],
                    years=frozenset(years), holidays=frozenset(holidays), workdays=frozenset(workdays),
                    sources={y["year"]: y["source"] for y in doc["years"]})


def refresh_verified() -> dict[str, str]:
    """Validate every shipped document with jsonschema and return the digests to record."""
    out = {}
    forms = [(f, "derivation" if "base" in json.loads(read_bytes(f)) else "form") for f in FORM_FILES.values()]
    for name, kind in [*forms, ("rules.json", "rules"), (CALENDAR_FILE, "calendar")]:
        meta = read_bytes(META_OF[kind])
        doc = read_bytes(name)
        errors = schema_errors(json.loads(meta), json.loads(doc))
        if errors:
            raise SpecError(f"{name}: " + "; ".join(errors[:5]))
        out[name] = digest(meta, doc)
    return out


PACKS_DIR = "packs"  # local rule packs (``core.packs``): one JSON document each, named by its file


def pack_names() -> list[str]:
    """The local rule packs shipped with the package, by name (the file name without ``.json``)."""
    folder = resources.files(__package__).joinpath(PACKS_DIR)
    if not folder.is_dir():
        return []
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def read_pack(name: str) -> bytes:
    """The bytes of a shipped pack (``FileNotFoundError`` for a name that is not one)."""
    if name not in pack_names():
        raise FileNotFoundError(name)
    return resources.files(__package__).joinpath(PACKS_DIR).joinpath(f"{name}.json").read_bytes()
