"""Briefing outputs from saved results: charts, tables, workbook and the briefing pack.

Everything here reads folders written by ``sim`` (run folders and experiment folders) and
never reaches into the model. Entry point: ``python -m analysis.briefing PATH``.
"""
