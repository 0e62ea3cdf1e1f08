"""Layer 4: the clerk's verbs, written once and used by the command line and the Excel ribbon alike."""
