"""Tagging with the opt-in model: micro-F1, the share asked and sent, requests and tokens per 100 updates.

    python benchmarks/llm_tagging.py [--companies DIR] [--mode unsure all]
        # against the endpoint ALIGNBOT_LLM_URL (and _MODEL, _API_KEY, _TIMEOUT) names
    python benchmarks/llm_tagging.py --stand-in
        # against bot.fakellm on loopback, answering each company's gold labels: this proves
        # the plumbing (what is sent, how answers and asking combine), not a model

Each company (every dev*_org.yaml in DIR, default ../shared/eval) goes through `alignbot tag`'s
own code, as `score.py tag --assisted` does: cold micro-F1, the share of updates the author
would be asked about, micro-F1 once those are answered, and the share of updates sent to the
model. Tokens are the server's `usage` where it gives one, else about four characters a token.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import table  # noqa: E402
from bot.fakellm import FakeLLM, load_labels  # noqa: E402
from bot.llm import ModelTagger  # noqa: E402
from bot.offline import model_tagger, tag_updates  # noqa: E402
from bot.orgfile import load_updates, read_org  # noqa: E402
from bot.settings import load_settings  # noqa: E402


def score(org_path: Path, updates_path: Path, model: ModelTagger | None) -> dict[str, float]:
    """Tag one labelled company (with `model`, if any); return its figures."""
    rows = [json.loads(line) for line in updates_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = [json.dumps({"id": r["id"], "team": r.get("team", "-"), "text": r["text"]}) for r in rows]
    org = read_org(org_path)
    out = tag_updates(org, list(load_updates(lines)), model=model)
    tp = fp = fn = a_tp = a_fp = a_fn = asked = 0
    for row, line in zip(rows, out):
        gold, pred = set(row["labels"]), {o["key"] for o in line["objectives"]}
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
        if not line["confident"]:
            asked, pred = asked + 1, gold
        a_tp, a_fp, a_fn = a_tp + len(gold & pred), a_fp + len(pred - gold), a_fn + len(gold - pred)
    n = len(rows)
    usage = model.usage if model is not None else None
    return {
        "updates": n,
        "f1": 2 * tp / (2 * tp + fp + fn),
        "assisted": 2 * a_tp / (2 * a_tp + a_fp + a_fn),
        "asked": asked / n,
        "sent": usage.sent / n if usage else 0.0,
        "requests": 100 * usage.requests / n if usage else 0.0,
        "tokens": 100 * usage.tokens / n if usage else 0.0,
        "by_model": sum(line["by"] == "model" for line in out) / n,
        "faults": len(usage.faults) if usage else 0,
    }


@contextlib.contextmanager
def stand_in(companies: list[Path]) -> Iterator[str]:
    """Serve the companies' gold labels on loopback; yield the URL."""
    labels = load_labels(org.with_name(org.name.replace("_org.yaml", "_updates.jsonl")) for org in companies)
    with FakeLLM(labels) as fake:
        yield fake.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=Path, default=ROOT.parent / "shared" / "eval", metavar="DIR")
    parser.add_argument("--mode", nargs="+", choices=("unsure", "all"), help="default: ALIGNBOT_LLM_MODE")
    parser.add_argument("--stand-in", action="store_true", help="answer from the gold labels (plumbing only)")
    args = parser.parse_args()
    companies = sorted(args.companies.glob("dev*_org.yaml"))
    if not companies:
        sys.exit(f"no dev*_org.yaml in {args.companies}")
    with contextlib.ExitStack() as stack:
        overrides = {"ALIGNBOT_LLM_URL": stack.enter_context(stand_in(companies))} if args.stand_in else {}
        if args.stand_in:
            overrides["ALIGNBOT_LLM_MODEL"] = "stand-in"
        base = load_settings(**overrides)
        if not base.llm_url:
            sys.exit("set ALIGNBOT_LLM_URL (and ALIGNBOT_LLM_MODEL), or pass --stand-in")
        modes = args.mode or ([base.llm_mode] if not args.stand_in else ["unsure", "all"])
        print(f"endpoint: {'the stand-in (gold labels: plumbing, not a model)' if args.stand_in else base.llm_url}")
        rows = []
        for mode in ["lexicon", *modes]:
            settings = load_settings(**overrides, ALIGNBOT_LLM_MODE=mode) if mode != "lexicon" else None
            figures = []
            for org_path in companies:
                updates_path = org_path.with_name(org_path.name.replace("_org.yaml", "_updates.jsonl"))
                model = model_tagger(settings, read_org(org_path)) if settings is not None else None
                figures.append(score(org_path, updates_path, model))
            rows += [_row(mode, org.name.replace("_org.yaml", ""), f) for org, f in zip(companies, figures)]
            rows.append(_row(mode, "mean", {k: sum(f[k] for f in figures) / len(figures) for k in figures[0]}))
    header = [
        "mode",
        "company",
        "cold F1",
        "asked",
        "assisted F1",
        "sent",
        "by model",
        "req/100",
        "tokens/100",
        "faults",
    ]
    print(table(header, rows))


def _row(mode: str, company: str, f: dict[str, float]) -> list[object]:
    return [
        mode,
        company,
        f"{f['f1']:.3f}",
        f"{f['asked']:.0%}",
        f"{f['assisted']:.3f}",
        f"{f['sent']:.0%}",
        f"{f['by_model']:.0%}",
        f"{f['requests']:.1f}",
        f"{f['tokens']:.0f}",
        f"{f['faults']:g}",
    ]


if __name__ == "__main__":
    main()
