"""Layer 1: the official form and the rule catalogue, as data shipped in the package.

``load_form()`` returns the typed form (tables, rows, columns, labels, units, template addresses);
``load_rules()`` the rule catalogue. Both are checked against their meta-schemas when loaded.
"""

from .loader import DEFAULT_FORM, FORM_FILES, SpecError, load_form, load_rules
from .model import Cell, CellKey, Column, Form, Group, Label, MetadataField, Row, Section, Table

__all__ = [
    "DEFAULT_FORM", "FORM_FILES", "Cell", "CellKey", "Column", "Form", "Group", "Label", "MetadataField",
    "Row", "Section", "SpecError", "Table", "load_form", "load_rules",
]
