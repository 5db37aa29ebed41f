"""The grading engine: catalog, workspace, sandbox, results and scoring. No terminal UI here."""

__version__ = "0.1.0"
