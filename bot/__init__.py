"""Alignbot: keep a company's teams aligned with its objectives and with each other."""

__version__ = "0.1.0"
