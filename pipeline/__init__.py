"""Bilingual report pipeline: Chinese government reports -> aligned zh/en Markdown + JSON, with summaries."""

__version__ = "0.1.0"
