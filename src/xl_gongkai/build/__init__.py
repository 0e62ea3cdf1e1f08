"""Build-time helpers that turn plain-text sources into the binary parts of the Excel template."""
