"""A stand-in for an OpenAI-compatible model server, for tests, benchmarks and score.py runs."""

from bot.fakellm.server import FakeLLM, Request, load_labels

__all__ = ["FakeLLM", "Request", "load_labels"]
