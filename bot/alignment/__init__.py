"""The alignment engine: tagging and analysis in pure Python (no Slack, no database)."""
