"""The default objective tagger: which objectives a text serves, how strongly, and why.

Pure Python and stdlib only. A text and every objective are read the same way:
lightly stemmed words are matched against the business knowledge in `knowledge.py`
(concepts and segments, longest phrase first), and whatever the knowledge does not
know stays as plain content words. An objective then collects evidence from the text:

- a concept both mention (strong), or a concept that serves the same business theme
  (weaker): "booked 6 discovery calls" -> pipeline -> new business;
- a word, word pair or keyword of the objective itself, weighted by how distinctive
  it is in the workspace's objectives and texts; the objective's own name or code
  ("CM2", "RevPAR", "Marshall") counts fully;
- the segment the objective names (an industry, company size or region);
- labelled examples (people's tags, corrections, the org file's examples), for what
  the tagger got wrong on them: similar texts, and the words and concepts of the texts
  it missed an objective on;
- the workspace's texts the tagger is sure of, as weak examples for the others: teams
  name the same customers and sites week after week;
- the goals of the text's team, read like objectives in the team's own words: a goal
  the text matches is evidence for the objectives that goal serves.

Evidence combines as a noisy-or, so several weak hints add up while no single
one is certain. A text serves no objective when nothing reaches the threshold;
a second objective needs evidence the first did not already use.
A verdict is unsure when a score sits within a margin of its cut-off.

reading.py reads a text, profiles.py turns objectives into evidence weights,
memory.py keeps the labelled examples and weights.py the tuned figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

# Some names below (NN_K, SCAN_MAX, _cached_analyse) are only for callers that read them from here.
from bot.alignment import knowledge as kb
from bot.alignment.memory import _Memory, _short, _taught_features
from bot.alignment.model import Example, Goal, Match, Objective, Verdict
from bot.alignment.profiles import (
    _distinctiveness,
    _drop_shared_segments,
    _Evidence,
    _explain,
    _explain_away,
    _forget_codes,
    _independent,
    _profile,
    _surface_stems,
)
from bot.alignment.reading import _codes, _read, _Reading
from bot.alignment.weights import (
    ADMIN_DAMP,
    ASK_SHARE,
    CALIBRATE_MAX,
    CALIBRATE_MIN,
    CANDIDATE_MIN,
    CANDIDATES,
    CODE_SHARE,
    DISTINCT_FLOOR,
    ECHO,
    ECHO_DAMP_FLOOR,
    ECHO_DAMP_MIN,
    ECHO_PRIOR,
    ECHO_SHARE,
    GOAL,
    GOAL_DAMP,
    GOAL_MIN,
    JARGON,
    KEYWORD,
    MISSED_WIDTH,
    NN_FULL_SIM,
    NN_MAX,
    NN_MIN_SIM,
    NN_NEG_START,
    PAIR,
    RELATIVE,
    REPEAT,
    SEGMENT_LED,
    SEGMENT_PART,
    SEVERAL_ASK,
    SEVERAL_DOUBT,
    SURE_MARGIN,
    SURE_MAX,
    TAUGHT,
    TAUGHT_CONCEPT,
    TAUGHT_PRIOR,
    THRESHOLD,
    UNPLACED_POWER,
    UNPLACED_WORDS,
    UNSEGMENTED,
)


class Tagger:
    """Tag texts with the objectives they serve, from knowledge plus learned examples.

    `corpus`: texts of the workspace (the updates to tag, say); with the objectives
    they tell which words are distinctive here and which every text says, and they
    set how sure to be. Without `calibrate`, the caller sets where to ask over all
    its verdicts (`alignbot tag`): the tagger reads no sample of the corpus for it,
    neither once built nor again after each correction. `goals`: each team's goals (by
    team name), their `serves` resolved; `judge(text, team)` reads the text against them.
    """

    def __init__(
        self,
        objectives: Sequence[Objective],
        examples: Sequence[Example] = (),
        corpus: Iterable[str] = (),
        calibrate: bool = True,
        goals: Mapping[str, Sequence[Goal]] | None = None,
    ) -> None:
        self._profiles = [_profile(o) for o in objectives]
        # A code the objectives chain with others ("MSP-MKE") is this workspace's own: the
        # knowledge's reading of the same letters ("MSP" the channel partner) does not apply.
        self._codes = frozenset().union(*(_codes(f"{o.title} {o.description}") for o in objectives))
        if self._codes:
            for p, o in zip(self._profiles, objectives):
                _forget_codes(p, o, self._codes)
        _explain_away(self._profiles)
        _drop_shared_segments(self._profiles)
        for p in self._profiles:
            p.settle()
        self._keys = {p.key for p in self._profiles}
        taught = [*examples, *(Example(text, (o.key,)) for o in objectives for text in o.examples)]
        corpus = [text for text in corpus if text and text.strip()]
        self._goals = self._goal_taggers(goals or {}, corpus)
        self._distinct = _distinctiveness(self._profiles, [*corpus, *(e.text for e in taught)])
        self._index_profiles()
        self._sure = SURE_MARGIN
        self._memory = _Memory()
        self._echo = _Memory()  # the workspace's own texts the tagger is sure of
        self._index_of = {p.key: i for i, p in enumerate(self._profiles)}
        # Features of labelled texts: stem -> {objective index: how far the tagger fell short
        # of that objective on the texts saying it, less how far it overshot}, and those texts.
        self._taught: dict[str, dict[int, float]] = {}
        self._taught_total: dict[str, float] = {}
        self._corpus = corpus if len(corpus) >= CALIBRATE_MIN else []
        if self._corpus:
            # The echo is the knowledge's own reading of the week; people's tags then
            # correct it as they correct any guess, wherever they were given.
            self._echo_sure(corpus)
            self._damp_by_echo()
        for example in taught:
            self.learn(example)
        if not calibrate:
            self._corpus = []
        if self._corpus:
            self._calibrate(corpus)  # with the echo (and any tags) the verdicts moved: where to ask did too
        # Set when a later correction moves the verdicts (a tagger taught as it goes); the app
        # builds a new tagger instead, so a shared tagger is never recalibrated under a reader.
        self._recalibrate = False

    @staticmethod
    def _goal_taggers(
        goals: Mapping[str, Sequence[Goal]], corpus: Sequence[str]
    ) -> dict[str, tuple[Tagger, tuple[Goal, ...]]]:
        """Return, per team (casefolded), a tagger that reads the team's goals as its objectives."""
        out: dict[str, tuple[Tagger, tuple[Goal, ...]]] = {}
        for team, own in goals.items():
            own = tuple(own)
            if own:
                targets = [Objective(key=f"goal-{i}", title=g.title) for i, g in enumerate(own)]
                out[team.casefold()] = (Tagger(targets, corpus=corpus, calibrate=False), own)
        return out

    def goal_scores(self, text: str, team: str | None) -> list[tuple[Goal, float]]:
        """Return the goals of `team` that `text` works toward, with their scores, best first."""
        found = self._goals.get(team.casefold()) if team else None
        if found is None or not text or not text.strip():
            return []
        reader, own = found
        return [(own[int(m.key[5:])], m.score) for m in reader.judge(text).matches]

    def _add_goals(self, reading: _Reading, text: str, team: str | None, scored: dict[int, list]) -> None:
        """Count each goal of the team the text is near as evidence for the objectives the goal serves.

        A team's work mostly serves what its goals serve: the other objectives count a little less.
        """
        found = self._goals.get(team.casefold()) if team else None
        if found is None:
            return
        reader, own = found
        served = {self._index_of[k] for g in own for k in g.serves or () if k in self._index_of}
        for i, row in scored.items():
            if served and i not in served:
                row[0] *= 1.0 - GOAL_DAMP
        for key, score, _, _ in reader._rows(reading, text):
            if score < GOAL_MIN:
                continue
            goal = own[int(key[5:])]
            value = GOAL * min(1.0, score)
            for objective in goal.serves or ():
                if objective in self._index_of:
                    row = scored.get(self._index_of[objective]) or [0.0, []]
                    row[0] = 1.0 - (1.0 - row[0]) * (1.0 - value)
                    row[1].append((value, "goal", goal.title, ""))
                    scored[self._index_of[objective]] = row

    def _index_profiles(self) -> None:
        """Invert the profiles: each text feature finds the few objectives it is evidence for."""
        concepts: dict[str, list[tuple[int, float]]] = defaultdict(list)
        words: dict[str, list[tuple[int, float, bool]]] = defaultdict(list)
        pairs: dict[tuple[str, str], list[tuple[int, float, str]]] = defaultdict(list)
        keywords: dict[str, list[tuple[int, tuple[str, ...], str]]] = defaultdict(list)
        distinct = self._distinct
        owners: dict[str, int] = defaultdict(int)
        for p in self._profiles:
            for s in p.words:
                owners[s] += 1
        for i, p in enumerate(self._profiles):
            for cid, value in p.concept_values.items():
                concepts[cid].append((i, value))
            for s, w in p.words.items():
                own = s in p.names and owners[s] == 1
                # An objective's own name or code ("Marshall", "CM2") is said often precisely
                # because the work is about it: frequent, yet no less telling. Codes in a
                # description ("MSP-MKE lanes") are often places every update names.
                d = 1.0 if own else distinct.get(s, 1.0)
                if s in p.jargon:
                    w = max(w, JARGON)
                if s in self._codes:
                    w *= CODE_SHARE
                words[s].append((i, w * (DISTINCT_FLOOR + (1.0 - DISTINCT_FLOOR) * d), own))
            for pair, surface in p.pairs.items():
                d = min(distinct.get(pair[0], 1.0), distinct.get(pair[1], 1.0))
                pairs[pair].append((i, PAIR * (DISTINCT_FLOOR + (1.0 - DISTINCT_FLOOR) * d) ** 0.5, surface))
            for stems, original in p.keywords:
                keywords[stems[0]].append((i, stems, original))
        self._concept_index = dict(concepts)
        self._word_index = dict(words)
        self._pair_index = dict(pairs)
        self._keyword_index = dict(keywords)
        self._segmented = [i for i, p in enumerate(self._profiles) if p.segments]
        # Named in the title ("Win healthcare"), a segment is a condition; named in passing
        # in a description ("Store #6 keeps losing ..."), it is only a hint.
        self._segment_bound = {i for i in self._segmented if max(self._profiles[i].segments.values()) >= 0.9}

    def learn(self, example: Example) -> None:
        """Remember a person's tags for a text; () means it serves no objective."""
        if not example.text or not example.text.strip():
            return
        labels = [k for k in example.objectives if k in self._keys]
        if len(labels) != len(example.objectives) and not labels:
            return  # tags for objectives this workspace no longer has teach nothing
        reading = _read(example.text)
        # What a tag teaches is what the tagger got wrong: a tag it would have given anyway
        # says nothing new, and letting it count again makes its words weigh twice.
        wanted = {self._index_of[k] for k in labels}
        guessed = self._guess(reading, example.text)
        misses = {}
        for i in wanted | guessed.keys():
            sure, reach = guessed.get(i, (0.0, 0.0))
            # A tag people gave falls short by what the tagger lacked to be sure of it; one
            # they did not give, by how near the tagger came to giving it: evidence people
            # rejected is wrong, whether or not it was enough for a tag.
            miss = 1.0 - sure if i in wanted else -reach
            if miss:
                misses[i] = miss
        self._memory.add(example.text, labels, reading, misses)
        self._echo.relabel(example.text, labels)  # a person's word replaces the tagger's guess
        self._teach(reading, misses, wanted)
        self._recalibrate = bool(self._corpus)

    def _guess(self, reading: _Reading, text: str) -> dict[int, tuple[float, float]]:
        """Return {objective index: (sure, reach)} for `text` from the knowledge and the echo alone.

        `sure` (0 to 1) is how surely the tagger tags it: half at the cut-off, whole
        MISSED_WIDTH above it. `reach` (0 to 1) is how near its score comes to the cut-off.
        """
        rows = self._rows(reading, text, learned=False)
        return {
            self._index_of[key]: (max(0.0, min(1.0, 0.5 + (score - cut) / (2 * MISSED_WIDTH))), min(1.0, score / cut))
            for key, score, _, cut in rows
            if score > 0
        }

    def _teach(self, reading: _Reading, misses: dict[int, float], wanted: set[int]) -> None:
        """Tie the features of a labelled text to what the tagger missed on it.

        A word the knowledge and the objectives do not know ("Spark", a customer's name)
        counted for nothing in the tagger's guess, so it cannot count twice: it is tied
        to every objective people gave.
        """
        for s in _taught_features(reading):
            self._taught_total[s] = self._taught_total.get(s, 0.0) + 1.0
            own = misses
            if wanted and reading.words.get(s) and s not in self._word_index:
                own = {**misses, **dict.fromkeys(wanted, 1.0)}
            if own:
                counts = self._taught.setdefault(s, {})
                for i, miss in own.items():
                    counts[i] = counts.get(i, 0.0) + miss

    def tag(self, text: str) -> list[Match]:
        """Return the objectives `text` serves, best first; [] when it serves none."""
        return list(self.judge(text).matches)

    def judge(self, text: str, team: str | None = None) -> Verdict:
        """Return the tags of `text`, whether the tagger is sure of them, and the objectives worth asking about.

        `team`: the text's team, whose goals count as evidence.
        """
        if self._recalibrate:
            # Learning moved the verdicts: set again where to ask, before the next verdict
            # rather than after every tag, so a run of corrections pays for it once.
            self._recalibrate = False
            self._calibrate(self._corpus)
        matches, candidates, margin = self._weigh(text, team=team)
        return Verdict(matches, margin >= self._sure, candidates, margin)

    def work_scores(self, text: str) -> dict[str, float]:
        """Return each objective's score from `text` without the segments it names only in passing.

        "At all 6 hotels" says where a hotel company's work happens, as all of it does:
        it says nothing of what the work is for. A segment an objective is named after
        ("Bring the next generation in") still counts.
        """
        out = {}
        for key, _, evidence, _ in self._evidence_rows(text):
            profile = self._profiles[self._index_of[key]]
            out[key] = _either(
                value
                for value, kind, _, ref in evidence
                if kind != "segment" or profile.segment_led and profile.segments.get(ref, 0.0) >= 0.9
            )
        return out

    def own_word_scores(self, text: str) -> dict[str, float]:
        """Return each objective's score from the words of its own title, description and keywords that `text` says."""
        return {
            key: _either(value for value, kind, _, _ in evidence if kind in ("word", "keyword"))
            for key, _, evidence, _ in self._evidence_rows(text)
        }

    def _evidence_rows(self, text: str) -> list[tuple[str, float, list[_Evidence], float]]:
        """Return the rows `judge` weighs for `text`: (objective key, score, evidence, cut-off)."""
        return self._rows(_read(text), text) if text and text.strip() and self._profiles else []

    def _weigh(
        self, text: str, asking: bool = True, team: str | None = None
    ) -> tuple[tuple[Match, ...], tuple[Match, ...], float]:
        """Return the tags of `text`, the objectives worth asking about, and how far the tags are from flipping.

        With `asking`, the margin also counts what makes a verdict worth a question
        beyond its scores: a long text left untagged, several tags.
        """
        if not text or not text.strip() or not self._profiles:
            return (), (), 1.0
        reading = _read(text)
        rows = self._rows(reading, text, team=team)
        matches = [
            Match(key, round(min(1.0, score), 2), _explain(evidence))
            for key, score, evidence, cut in rows
            if score >= cut
        ]
        tagged = {m.key for m in matches}
        # The margin: how much the score closest to its cut-off would have to move to flip a tag.
        margin = min((abs(score - cut) for _, score, _, cut in rows), default=1.0)
        if len(matches) > 1:
            margin *= SEVERAL_ASK if asking else SEVERAL_DOUBT
        elif asking and not matches and len(reading.stems) > UNPLACED_WORDS:
            margin *= (UNPLACED_WORDS / len(reading.stems)) ** UNPLACED_POWER
        misses = [
            Match(key, round(min(1.0, score), 2), _explain(evidence))
            for key, score, evidence, _ in rows[: len(matches) + CANDIDATES]
            if key not in tagged and score >= CANDIDATE_MIN
        ]
        candidates = [*matches, *misses][: max(CANDIDATES, len(matches))]
        return tuple(matches), tuple(candidates), margin

    def _rows(
        self, reading: _Reading, text: str, learned: bool = True, team: str | None = None
    ) -> list[tuple[str, float, list[_Evidence], float]]:
        """Return (objective key, score, evidence, cut-off) for the objectives with evidence, best first.

        Without `learned`, from the knowledge and the echo alone: what the tagger made
        of a text before people tagged any.
        """
        scored = self._score(reading, taught=learned)
        admin = reading.concepts.get("housekeeping")
        if admin and admin[0] >= 1.0:
            # Plain internal admin explains a text away: "updated the compliance calendar"
            # is paperwork, not the compliance objective's work.
            for row in scored.values():
                row[0] *= 1.0 - ADMIN_DAMP
        self._add_goals(reading, text, team, scored)
        if learned:
            self._correct(reading, scored)
        if self._echo.texts:
            self._recall_echo(reading, scored, text)
        # Who the work is for and what it does are separate questions: a segment
        # objective competes only with other segment objectives for the text.
        top = {False: 0.0, True: 0.0}
        profiles = self._profiles
        for i, (score, _) in scored.items():
            led = profiles[i].segment_led
            top[led] = max(top[led], score)
        rows = sorted(
            (
                (profiles[i].key, score, evidence, max(THRESHOLD, RELATIVE * top[profiles[i].segment_led]))
                for i, (score, evidence) in scored.items()
            ),
            key=lambda row: (-row[1], row[0]),
        )
        return _independent(rows)

    def _echo_sure(self, texts: Sequence[str]) -> None:
        """Remember the workspace's texts the tagger is sure of, as its own weak examples.

        Teams name the same customers, sites and products week after week: an update
        about "Prairie Cement" the knowledge cannot place is likely about what the
        sure updates naming it serve: they become weak examples for the others.
        """
        verdicts = [(text, self._weigh(text, asking=False)) for text in dict.fromkeys(texts)]  # all before any is added
        sure = sure_margin(sorted(margin for _, (_, _, margin) in verdicts), ECHO_SHARE)
        for text, (matches, _, margin) in verdicts:
            if matches and margin >= sure:
                self._echo.add(text, [m.key for m in matches], _read(text))

    def _damp_by_echo(self) -> None:
        """Let an objective's word count less where the week's sure texts saying it serve other objectives.

        "Linehaul" in the descriptions of two objectives, or "parts" in a service objective
        and an uptime one, is evidence for whichever the teams' sure updates tie it to. An
        objective's own name or code keeps its weight.
        """
        echo = self._echo
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        totals: dict[str, int] = defaultdict(int)
        for feats, labels in zip(echo.features, echo.labels):
            for f in feats:
                if f in self._word_index:
                    totals[f] += 1
                    for key in labels:
                        counts[f][key] = counts[f].get(key, 0) + 1
        even = ECHO_PRIOR / len(self._profiles)
        for f, n in totals.items():
            if n < ECHO_DAMP_MIN:
                continue
            postings = []
            for i, w, own in self._word_index[f]:
                if not own:
                    share = (counts[f].get(self._profiles[i].key, 0) + even) / (n + ECHO_PRIOR)
                    # Full weight where at least half the sure texts saying it serve the objective.
                    w *= max(ECHO_DAMP_FLOOR, min(1.0, 2 * share))
                postings.append((i, w, own))
            self._word_index[f] = postings

    def _calibrate(self, texts: Sequence[str]) -> None:
        """Be unsure of about a fixed share of the workspace's texts: the ones closest to flipping.

        Texts people tagged are left out: nobody is asked about them again, and the
        tagger, having learned them, is sure of them, which would push the share up.
        """
        texts = [text for text in texts if text not in self._memory.at]
        if len(texts) < CALIBRATE_MIN:
            return  # a handful of texts would set the margin by one of them: keep the default
        # A sample of a few hundred places the cut-off well enough, give or take a few percent.
        step = -(-len(texts) // CALIBRATE_MAX)
        self._sure = sure_margin(sorted(self._weigh(text)[2] for text in texts[::step]))

    def _score(self, reading: _Reading, taught: bool = True) -> dict[int, list]:
        """Return {objective index: [score, evidence]} for the objectives with any evidence.

        With `taught` False, the words of labelled texts add nothing.
        """
        # Explanations stay unformatted here: most objectives do not match most texts.
        miss: dict[int, float] = defaultdict(lambda: 1.0)
        evidence: dict[int, list[_Evidence]] = defaultdict(list)
        for cid, (strength, surface) in reading.concepts.items():
            postings = self._concept_index.get(cid)
            if not postings or self._codes and _surface_stems(surface) <= self._codes:
                continue
            # Saying it again in other words ("QBR", "usage", "health review") adds a little.
            repeats = min(reading.repeats.get(cid, 0), 2)
            for i, value in postings:
                value *= strength
                miss[i] *= (1.0 - value) * (1.0 - value * REPEAT) ** repeats
                evidence[i].append((value, "concept", surface, cid))
        stems = reading.stems
        kw_stems: dict[int, set[str]] = defaultdict(set)
        seen_kw: set[tuple[int, str]] = set()
        for at, s in enumerate(stems):
            for i, kw, original in self._keyword_index.get(s, ()):
                if (i, original) not in seen_kw and tuple(stems[at : at + len(kw)]) == kw:
                    seen_kw.add((i, original))
                    miss[i] *= 1.0 - KEYWORD
                    evidence[i].append((KEYWORD, "keyword", original, ""))
                    kw_stems[i].update(kw)
        for s, surface in reading.words.items():
            for i, w, own in self._word_index.get(s, ()):
                if s in kw_stems.get(i, ()):
                    continue
                # Half weight for words already read as part of a concept phrase.
                w = w if surface or own else w * 0.5
                miss[i] *= 1.0 - w
                evidence[i].append((w, "word", surface or s, ""))
        if taught and self._taught:
            self._add_taught(reading, miss, evidence)
        if self._pair_index:
            seen_pairs: set[tuple[str, str]] = set()
            for pair in zip(stems, stems[1:]):
                if pair in seen_pairs:
                    continue
                seen_pairs.add(pair)
                for i, w, surface in self._pair_index.get(pair, ()):
                    miss[i] *= 1.0 - w
                    evidence[i].append((w, "word", surface, ""))
        # Each row is [score, evidence], changed in place as more evidence is found.
        scored: dict[int, list] = {i: [1.0 - m, evidence[i]] for i, m in miss.items()}
        for i in self._segmented:
            profile = self._profiles[i]
            best, hit = 0.0, ("", "")
            for sid, (strength, surface) in reading.segments.items():
                for target in (sid, *kb.SEGMENT_PARENTS.get(sid, ())):
                    weight = profile.segments.get(target, 0.0)
                    # Only the segment an objective is named after leads; one its description
                    # says in passing (a credit union's own "credit union") stays a hint.
                    led = profile.segment_led and weight >= 0.9
                    w = (SEGMENT_LED if led else SEGMENT_PART) * weight * strength
                    if w > best:
                        best, hit = w, (surface, target)
            row = scored.get(i)
            if best > 0:
                value = best
                if row is None:
                    row = scored[i] = [0.0, []]
                row[1].append((value, "segment", *hit))
                row[0] = 1.0 - (1.0 - row[0]) * (1.0 - value)
            elif row is not None and i in self._segment_bound:
                row[0] *= UNSEGMENTED
        return scored

    def _add_taught(self, reading: _Reading, miss: dict[int, float], evidence: dict[int, list[_Evidence]]) -> None:
        """Add the evidence of the words and concepts labelled texts tied to an objective the tagger missed."""
        distinct = self._distinct
        for s, surface in _taught_features(reading).items():
            counts = self._taught.get(s)
            if not counts:
                continue
            total = self._taught_total[s]
            # A word no text of the workspace said before (taught after the tagger was built)
            # is as rare as can be.
            d = TAUGHT_CONCEPT if s.startswith("c:") else distinct.get(s, 1.0)
            for i, missed in counts.items():
                # How far the tagger fell short of this objective on the texts saying it.
                # Only a shortfall teaches: a false tag's words are as often right the
                # next time, so damping them cost as many tags as it saved on the dev sets.
                if missed <= 0:
                    continue
                w = TAUGHT * missed / (total + TAUGHT_PRIOR) * (DISTINCT_FLOOR + (1.0 - DISTINCT_FLOOR) * d)
                if w > 0.05:
                    miss[i] *= 1.0 - w
                    evidence[i].append((w, "taught", surface or s, ""))

    def _recall_echo(self, reading: _Reading, scored: dict[int, list], text: str) -> None:
        """Let the week's similar sure texts raise their objectives and lower the rest.

        Each counts ECHO of a person's tag; the echo of `text` itself is no evidence for it.
        """
        memory = self._echo
        near = [(sim, idx) for sim, idx in memory.neighbours(reading) if memory.texts[idx] != text]
        if not near:
            return
        labels = memory.labels
        index = {p.key: i for i, p in enumerate(self._profiles)}
        wanted = set(scored)
        for _, idx in near:
            wanted.update(index[k] for k in labels[idx] if k in index)
        for i in wanted:
            key = self._profiles[i].key
            row = scored.get(i) or [0.0, []]
            pos = neg = 0.0
            pos_idx = -1
            for sim, idx in near:  # best first, so the first hit is the closest
                if key in labels[idx]:
                    if sim > pos:
                        pos, pos_idx = sim, idx
                elif sim > neg:
                    neg = sim
            if pos >= neg and pos > 0:
                lift = ECHO * NN_MAX * min(1.0, (pos - NN_MIN_SIM) / (NN_FULL_SIM - NN_MIN_SIM))
                if lift > 0:
                    row[0] = 1.0 - (1.0 - row[0]) * (1.0 - lift)
                    row[1].append((lift, "example", _short(memory.texts[pos_idx]), ""))
            elif neg > NN_NEG_START:
                drop = ECHO * NN_MAX * min(1.0, (neg - NN_NEG_START) / (NN_FULL_SIM - NN_NEG_START))
                row[0] *= 1.0 - drop
            if row[0] > 0:
                scored[i] = row

    def _correct(self, reading: _Reading, scored: dict[int, list]) -> None:
        """Correct a text as people corrected the tagger on similar labelled texts.

        Where the tagger fell short of an objective on a similar text, raise it; where it
        came near one people did not give, lower it. Where it was right, the example says
        nothing more, unless the likeness lies in words the tagger cannot read. A similar
        text tagged with another objective does not weaken this one's evidence for the first.
        """
        memory = self._memory
        near = memory.neighbours(reading)
        if not near:
            return
        raise_by: dict[int, tuple[float, int]] = {}
        lower_by: dict[int, float] = {}
        query = memory.features_of(reading)
        for sim, idx in near:
            up = NN_MAX * min(1.0, (sim - NN_MIN_SIM) / (NN_FULL_SIM - NN_MIN_SIM))
            down = NN_MAX * min(1.0, max(0.0, (sim - NN_NEG_START) / (NN_FULL_SIM - NN_NEG_START)))
            misses = memory.misses[idx]
            # What the two texts share in words the tagger cannot read ("Spark sessions") it could not
            # have got right from the knowledge: that much of the likeness carries people's tags as given.
            shared = query & memory.features[idx]
            in_house = sum(memory.weight2(f) for f in shared if reading.words.get(f) and f not in self._word_index)
            if in_house:
                share = in_house / sum(memory.weight2(f) for f in shared)
                misses = {
                    **misses,
                    **{i: max(misses.get(i, 0.0), share) for i in (self._index_of[k] for k in memory.labels[idx])},
                }
            for i, miss in misses.items():
                if miss > 0 and up * miss > raise_by.get(i, (0.0, -1))[0]:
                    raise_by[i] = (up * miss, idx)
                elif miss < 0 and down > 0:
                    lower_by[i] = max(lower_by.get(i, 0.0), -down * miss)
        for i, (lift, idx) in raise_by.items():
            row = scored.get(i) or [0.0, []]
            row[0] = 1.0 - (1.0 - row[0]) * (1.0 - lift)
            row[1].append((lift + 1.0, "example", _short(memory.texts[idx]), ""))  # a person's call ranks first
            scored[i] = row
        for i, drop in lower_by.items():
            if i in scored:
                scored[i][0] *= 1.0 - drop


def _either(values: Iterable[float]) -> float:
    """Return the noisy-or of these pieces of evidence."""
    miss = 1.0
    for value in values:
        miss *= 1.0 - min(value, 1.0)
    return 1.0 - miss


def sure_margin(margins: Sequence[float], share: float = ASK_SHARE) -> float:
    """Return the margin under which no more than `share` of these sorted margins fall: below it, ask."""
    return min(SURE_MAX, margins[int(len(margins) * share)])
