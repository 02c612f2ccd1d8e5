"""mixdigest: offline summaries of mixed Ukrainian/English news pages."""

__version__ = "0.1.0"
