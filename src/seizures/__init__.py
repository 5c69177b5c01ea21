"""Firearms seizure statistics: store, import, queries and charts."""

__version__ = "0.1.0"
