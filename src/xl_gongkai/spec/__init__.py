"""Layer 1: the official form and the rule catalogue, as data shipped in the package.

``load_form(id)`` returns the typed form (tables, rows, columns, labels, units, template addresses);
``load_rules()`` the rule catalogue as data (the engine's typed, checked catalogue is
``xl_gongkai.core.catalogue``). Both are checked against their meta-schemas when loaded; ``Severity``
is the catalogue's vocabulary of severities.
"""

from .loader import (
    DEFAULT_FORM,
    FORM_FILES,
    SpecError,
    current_form,
    forget_form,
    form_home,
    known_forms,
    load_calendar,
    load_form,
    load_rules,
    register_form,
    templated_forms,
)
from .model import (
    Calendar,
    Cell,
    CellKey,
    Choice,
    Column,
    Form,
    Group,
    Label,
    LedgerColumn,
    LedgerSheet,
    MetadataField,
    Row,
    Section,
    SummaryPart,
    Table,
)
from .severity import Severity

__all__ = [
    "DEFAULT_FORM", "FORM_FILES", "Calendar", "Cell", "CellKey", "Choice", "Column", "Form", "Group", "Label",
    "LedgerColumn", "LedgerSheet", "MetadataField", "Row", "Section", "Severity", "SpecError", "SummaryPart", "Table",
    "current_form", "forget_form", "form_home", "known_forms", "load_calendar", "load_form", "load_rules",
    "register_form", "templated_forms",
]
