"""xl_gongkai: the annual report on government information disclosure (政府信息公开工作年度报告).

The package root stays import-light on purpose: every ribbon click in Excel starts a fresh
Python, so nothing here may pull in xlwings, openpyxl, pandas or jsonschema.
"""

__version__ = "0.1.0"
