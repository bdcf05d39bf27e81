"""Measure handoff detection (precision, recall) on the development companies, with hand labels.

    python benchmarks/handoff_eval.py [--eval-dir DIR] [-v]

The development sets (`dev*_org.yaml` with `dev*_updates.jsonl`, beside the repository in
`../shared/eval`) carry objective labels, not handoff labels. The labels below were set
by hand, reading every update that references another team (the only ones that can hold
a handoff): {update id: the teams it hands work to or asks something of}. Updates that
reference a team without handing anything over are listed with no team, so a reader can
check the negatives too. Borderline calls are marked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.alignment.handoffs import HandoffFinder  # noqa: E402
from bot.alignment.references import ReferenceFinder  # noqa: E402
from bot.orgfile import load_updates, read_org  # noqa: E402

LABELS: dict[str, tuple[str, ...]] = {
    # dev2 (logistics)
    "nw019": ("sales",),  # "passed to sales"
    "nw023": ("sales",),  # one-pager "for AEs to bring to QBRs"; "cross-dock" is no operations reference
    "nw024": (),
    "nw028": ("sales",),  # "Flyer for the AEs": collateral made for sales
    "nw031": (),
    "nw034": (),
    "nw036": (),  # work done with ops; "cross-dock"
    "nw044": (),  # a call set up with ops and customer care: a meeting, not a handoff
    "nw046": (),
    "nw049": (),
    "nw055": ("operations",),  # "sent the list to dispatch"
    # dev3 (credit union)
    "lk009": (),  # compliance reviewed marketing's copy
    "lk034": ("compliance",),  # "handed to compliance for review"
    "lk051": ("member-services",),  # "sent to member services"
    # dev4 (hotels)
    "cw012": (),
    "cw022": (),
    "cw027": (),
    "cw030": ("revenue-management",),  # "released the unused block back to RM ... so they can sell it"
    "cw034": (),
    "cw038": (),
    "cw041": (),
    "cw056": ("revenue-management",),  # "Asked RM for a hurdle override"
    "cw057": ("guest-experience",),  # "got GX to add valet" (borderline: an ask already answered)
    "cw059": ("group-sales",),  # "so sales can quote" (borderline: work made for sales to use)
    # dev5 (farm equipment dealer)
    "pi008": (),
    "pi009": ("field-sales",),  # "14 leads to sales"
    "pi029": ("field-sales",),  # "so sales can move them" (borderline, as cw059)
    "pi030": ("service",),  # "38 callbacks handed to service"
    "pi043": (),
    "pi047": (),
    "pi058": (),
    "pi059": (),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", default=str(ROOT.parent / "shared" / "eval"))
    ap.add_argument("-v", "--verbose", action="store_true", help="print every handoff found and every miss")
    opts = ap.parse_args(argv)
    tp = fp = fn = updates = referencing = 0
    unlabelled = []
    for org_path in sorted(Path(opts.eval_dir).glob("dev*_org.yaml")):
        org = read_org(org_path)
        rows = list(
            load_updates(
                org_path.with_name(org_path.name.replace("_org.yaml", "_updates.jsonl"))
                .read_text(encoding="utf-8")
                .splitlines()
            )
        )
        references = ReferenceFinder(org, [u.team for u in rows])
        finder = HandoffFinder(org, [u.team for u in rows])
        for update in rows:
            updates += 1
            refs = references.find(update)
            referencing += bool(refs)
            if refs and update.id not in LABELS:
                unlabelled.append(update.id)
            found = {h.target: h for h in finder.find(update)}
            truth = set(LABELS.get(update.id, ()))
            for target, handoff in found.items():
                ok = target in truth
                tp, fp = tp + ok, fp + (not ok)
                if opts.verbose or not ok:
                    print(
                        f"{'  ' if ok else 'FP'} {update.id} {update.team} -> {target} ({handoff.kind}): "
                        f"{handoff.phrase!r}"
                    )
            for target in sorted(truth - set(found)):
                fn += 1
                print(f"FN {update.id} {update.team} -> {target}: {update.text!r}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(
        f"{updates} updates, {referencing} reference another team, "
        f"{sum(bool(v) for v in LABELS.values())} labelled handoffs"
    )
    if unlabelled:
        print(f"not labelled (new data?): {', '.join(unlabelled)}")
    print(f"handoffs: precision {precision:.3f} ({tp}/{tp + fp}), recall {recall:.3f} ({tp}/{tp + fn})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
