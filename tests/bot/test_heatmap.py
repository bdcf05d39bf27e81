"""The coverage heatmap PNG: drawn with matplotlib when it is installed, None when it is not."""

from __future__ import annotations

import builtins
import struct

import pytest

from bot.alignment.analysis import Report, analyze
from bot.alignment.model import Objective, Org, Team, Update
from bot.blocks.digest import WeekScore
from bot.heatmap import heatmap_available, render_heatmap

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def one_by_one() -> Report:
    org = Org(teams=(Team("marketing"),), objectives=(Objective("pipeline", "Build pipeline"),))
    return analyze(org, [Update("a", "marketing", "Ran the webinar", objectives=("pipeline",))])


def forty_by_thirty() -> Report:
    teams = tuple(Team(f"team {i:02d} with a rather long name") for i in range(40))
    objectives = tuple(Objective(f"o{j}", f"Objective {j}: grow revenue in a long-winded way") for j in range(30))
    # Sparse like a real week: each team touches a few objectives.
    updates = [
        Update(f"u{i}-{n}", teams[i].name, f"update {i} {n}", objectives=(f"o{(i * 3 + n) % 30}",))
        for i in range(40)
        for n in range(i % 4)
    ]
    return analyze(Org(teams=teams, objectives=objectives), updates)


def size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    return width, height


def test_one_by_one_is_a_png_and_the_same_every_time() -> None:
    pytest.importorskip("matplotlib")
    png = render_heatmap(one_by_one(), title="Acme · 2026-W48")
    assert png is not None and png.startswith(PNG_SIGNATURE) and len(png) > 5000
    assert render_heatmap(one_by_one(), title="Acme · 2026-W48") == png


def test_forty_teams_by_thirty_objectives_with_trend_grows_to_stay_legible() -> None:
    pytest.importorskip("matplotlib")
    trend = tuple(WeekScore(f"2026-W{w}", 0.5 + w / 200, 0.2) for w in range(36, 48))
    big = render_heatmap(forty_by_thirty(), trend, title="Acme", week="2026-W48")
    small = render_heatmap(one_by_one())
    assert big is not None and small is not None and big.startswith(PNG_SIGNATURE)
    (big_w, big_h), (small_w, small_h) = size(big), size(small)
    assert big_w > 2 * small_w and big_h > 2 * small_h
    assert big_w <= 3000 and big_h <= 2400


def test_a_week_without_objectives_still_draws() -> None:
    pytest.importorskip("matplotlib")
    png = render_heatmap(analyze(Org(), []), (WeekScore("2026-W47", 0.4, 0.1),))
    assert png is not None and png.startswith(PNG_SIGNATURE)


def test_available_when_matplotlib_imports() -> None:
    pytest.importorskip("matplotlib")
    assert heatmap_available() is True


def test_none_without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: object, **kwargs: object) -> object:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    assert heatmap_available() is False
    assert render_heatmap(one_by_one()) is None
