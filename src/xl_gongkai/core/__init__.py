"""Layer 2: pure-Python core (standard library only).

A ``Report`` (metadata, values keyed by table/row/column, narrative texts, explanations), deriving
totals, checking rules into findings, the JSON payload and the narrative summary. Nothing in this
package imports xlwings, openpyxl or pandas; jsonschema is imported only when a payload is validated.
"""
