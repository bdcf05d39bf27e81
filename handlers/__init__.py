"""Bolt listeners only, one module per area, each with register(app, ...)."""
