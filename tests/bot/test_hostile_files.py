"""Hostile org files and update lines: one line on stderr, exit 2, no traceback, bounded memory and time."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

import pytest

ORG = "objectives:\n  - key: new-revenue\n    title: Grow new-logo revenue\n"
MEMORY_LIMIT = 1 << 30  # 1 GiB of address space: far more than a sane run needs, far less than /dev/zero takes


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def alignbot(*args: str, cwd, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=60,
        preexec_fn=limit_memory,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode("utf-8", "replace")
    )


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("alignbot: "), lines[:3]
    for word in words:
        assert word in lines[0]


@pytest.fixture
def org(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(ORG)
    return str(path)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("command", ["tag", "analyze"])
def test_endless_updates_are_refused(tmp_path, org, command):
    one_line(alignbot(command, "--org", org, "/dev/zero", cwd=tmp_path), "longer than")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize(
    "command", [["analyze", "--org", "/dev/zero", "-"], ["org", "import", "/dev/zero", "--team-id", "T0000001"]]
)
def test_an_endless_org_file_is_refused(tmp_path, command):
    one_line(alignbot(*command, cwd=tmp_path, stdin=b""), "larger than")


@pytest.mark.parametrize(
    "text",
    ["[" * 60_000, "[\n" * 100_000, "a:\n" + "".join("  " * i + "- \n" for i in range(1, 200)), "{" * 50 + "}" * 50],
)
def test_a_deeply_nested_org_file_is_refused(tmp_path, text):
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    one_line(alignbot("analyze", "--org", str(path), "-", cwd=tmp_path, stdin=b""), "nested more than")


def test_an_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nobjectives: *a11\n")
    one_line(alignbot("analyze", "--org", str(path), "-", cwd=tmp_path, stdin=b""), "aliases")


def test_a_deeply_nested_update_line_is_refused(tmp_path, org):
    one_line(
        alignbot("tag", "--org", org, "-", cwd=tmp_path, stdin=b"[" * 60_000 + b"\n"), "line 1", "nested too deeply"
    )


def test_a_very_long_org_line_is_refused(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(ORG + "# " + "x" * 70_000 + "\n")
    one_line(alignbot("analyze", "--org", str(path), "-", cwd=tmp_path, stdin=b""), "line 4", "longer than")


def test_analyze_checks_the_org_file_as_org_import_does(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text("objectives:\n  - key: new-revenue\n    title: " + "T" * 400 + "\n")
    analyzed = alignbot("analyze", "--org", str(path), "-", cwd=tmp_path, stdin=b"")
    imported = alignbot("org", "import", str(path), "--team-id", "T0000001", cwd=tmp_path)
    one_line(analyzed, "new-revenue")
    one_line(imported, "new-revenue")
    assert analyzed.stderr == imported.stderr


def test_a_sane_org_file_with_aliases_still_works(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(
        "objectives:\n  - key: new-revenue\n    title: Grow revenue\n    keywords: &words [pipeline, ARR]\n"
        "  - key: expansion\n    title: Grow expansion revenue\n    keywords: *words\n"
    )
    result = alignbot(
        "tag", "--org", str(path), "-", cwd=tmp_path, stdin=b'{"id": "u1", "team": "sales", "text": "Built pipeline"}\n'
    )
    assert result.returncode == 0, result.stderr
    # Both objectives carry the aliased keywords; the tagger gives the pipeline to one of them.
    [line] = [json.loads(text) for text in result.stdout.splitlines()]
    assert line["aligned"] and {o["key"] for o in line["objectives"]} <= {"new-revenue", "expansion"}
