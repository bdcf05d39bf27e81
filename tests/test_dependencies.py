"""pyproject.toml: floors past known advisories, a cap on every major version, and what is installed meets them."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

PROJECT = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
RUNTIME = [Requirement(line) for line in PROJECT["dependencies"]]
EVERY = RUNTIME + [Requirement(line) for extra in PROJECT["optional-dependencies"].values() for line in extra]

# Releases with a published advisory that a floor must exclude.
ADVISORIES = {
    "gunicorn": ["22.0.0", "21.2.0"],  # HTTP request smuggling, fixed in 23.0.0
    "pyyaml": ["5.3.1"],  # arbitrary code execution in full_load, fixed in 5.4
    "mako": ["1.2.1"],  # ReDoS in the lexer, fixed in 1.2.2
}


@pytest.mark.parametrize("name, bad", [(n, v) for n, vs in ADVISORIES.items() for v in vs])
def test_floors_exclude_releases_with_known_advisories(name, bad):
    [requirement] = [r for r in RUNTIME if r.name.lower() == name]
    assert not requirement.specifier.contains(bad)


@pytest.mark.parametrize("requirement", EVERY, ids=str)
def test_every_dependency_caps_its_major_version(requirement):
    assert any(spec.operator == "<" for spec in requirement.specifier), f"{requirement} has no upper bound"


@pytest.mark.parametrize("requirement", RUNTIME, ids=str)
def test_the_installed_version_meets_the_requirement(requirement):
    assert requirement.specifier.contains(Version(version(requirement.name)))
