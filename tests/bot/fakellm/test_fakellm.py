"""The stand-in model server: the contract it checks, what it records, and its command line."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from bot.fakellm import FakeLLM, load_labels


def post(url: str, body: object, key: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
    request = urllib.request.Request(url + "/chat/completions", json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def exchange(*updates: dict, **changes: object) -> dict:
    user = "\n".join(json.dumps(u) for u in updates)
    body = {
        "model": "m",
        "temperature": 0,
        "response_format": {"type": "json_object"},
        "messages": [{"role": "system", "content": "objectives"}, {"role": "user", "content": user}],
    }
    return {**body, **changes}


UPDATE = {"id": "1", "team": "sales", "text": "Closed Acme."}


def test_it_answers_from_the_labels_and_records_the_request():
    with FakeLLM({"Closed Acme.": ["new-revenue"]}) as fake:
        status, reply = post(fake.url, exchange(UPDATE, {"id": "2", "team": "ops", "text": "Unknown"}))
    assert status == 200
    assert json.loads(reply["choices"][0]["message"]["content"]) == {
        "updates": [{"id": "1", "objectives": ["new-revenue"]}]
    }
    assert reply["usage"]["total_tokens"] > 0
    assert [u["text"] for u in fake.updates_sent()] == ["Closed Acme.", "Unknown"]


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"temperature": 0.7}, "temperature must be 0"),
        ({"response_format": {"type": "text"}}, "response_format"),
        ({"model": None}, "model is missing"),
        ({"messages": [{"role": "user", "content": "x"}]}, "messages must be"),
    ],
)
def test_it_refuses_a_request_that_breaks_the_contract(changes, problem):
    with FakeLLM() as fake:
        status, reply = post(fake.url, exchange(UPDATE, **changes))
    assert status == 400 and problem in reply["error"]["message"]


def test_it_refuses_more_than_twenty_updates_and_a_wrong_key():
    with FakeLLM(api_key="k") as fake:
        assert post(fake.url, exchange(UPDATE), key="wrong")[0] == 401
        assert post(fake.url, exchange(*[UPDATE] * 21), key="k")[0] == 400
        assert post(fake.url, exchange(UPDATE), key="k")[0] == 200


def test_faults_come_in_order_and_run_out():
    with FakeLLM({"Closed Acme.": ["x"]}) as fake:
        fake.fail(502, times=1)
        fake.throttle(retry_after=7, times=1)
        assert post(fake.url, exchange(UPDATE))[0] == 502
        assert post(fake.url, exchange(UPDATE))[0] == 429
        assert post(fake.url, exchange(UPDATE))[0] == 200


def test_load_labels_reads_update_lines(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "a", "text": "One", "labels": ["k"]}\n\n{"id": "b", "text": "Two", "objectives": []}\n')
    assert load_labels([path]) == {"One": ["k"], "Two": []}


def test_the_command_line_serves_until_stopped(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"text": "Closed Acme.", "labels": ["new-revenue"]}) + "\n")
    child = subprocess.Popen(
        [sys.executable, "-m", "bot.fakellm", "--labels", str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        url = first.split(" at ")[1].split()[0]
        status, reply = post(url, exchange(UPDATE))
        assert status == 200 and "new-revenue" in reply["choices"][0]["message"]["content"]
        assert "1 labelled texts" in first
    finally:
        child.terminate()
        child.wait(timeout=10)
