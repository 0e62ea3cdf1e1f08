"""Layer 3: how a Report gets in and out (JSON files, workbook files, live Excel, published reports).

Each adapter imports its heavy library inside the module, and modules are imported only by the
commands that need them, so a missing or slow optional library never burdens another path.
"""
