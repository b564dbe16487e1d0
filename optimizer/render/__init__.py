"""Rendering: plan tables, terminal output, CSV/Markdown/JSON/XLSX writers, all-or-none output files."""
