"""A scripted jigsaw activity, run by the real core: a temporary SQLite store, the injected
clock, five teams of students answering the closing quiz with a mix of right and wrong
answers. It writes the mastery grid PNG the activity drew and a transcript of the closing quiz
as students see it (the console's rendering, bot/render/jigsaw.py and bot/render/quiz.py).

    python bench/jigsaw_scripted.py [--per-team 6] [--seed 7] [--docs docs]

Outputs: DOCS/images/mastery-grid-example.png and DOCS/quiz-transcript.md. The run is
deterministic for a seed (the clock is scripted, the answers drawn from a seeded generator).

The class: 25 minutes (learn 7, prepare 3, teach 2 per team, quiz 5). Each team teaches three
of its four concepts. Students answer right more often on their own team's concepts (they are
the experts) and on concepts that were taught. One student has a 1.5x time accommodation, so
the quiz is planned for it and her answers count until 1.5x the time; one student arrives late
and joins a team during the teaching; one is absent; one answer comes after the time and is
refused. The committed PNG is the activity's own, quantized to 256 colours (a third of the
bytes; the alt text stays in its Description chunk).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bot.app.classes import Person  # noqa: E402
from bot.app.context import Actor  # noqa: E402
from bot.app.jigsaw import Announcement, MasteryReady, QuizPlan  # noqa: E402
from bot.app.quizzes import QuestionClosed, QuestionOpened, QuizEnded  # noqa: E402
from bot.render import text as render  # noqa: E402
from bot.render.insights import render_digest  # noqa: E402
from skills.jigsaw import PhaseStarted, Timings  # noqa: E402

NAMES = [  # five teams; the first `--per-team` of each row play
    ["Ana", "Ben", "Chloé", "Dev", "Eli", "Ezra"],
    ["Fatima", "Gus", "Hana", "Ivo", "Jun", "Juno"],
    ["Jade", "Kofi", "Lena", "Mateo", "Noor", "Nils"],
    ["Nia", "Omar", "Priya", "Quinn", "Ravi", "Rhea"],
    ["Rosa", "Sami", "Tomás", "Ugo", "Vera", "Wim"],
]
ACCOMMODATED = ("Jade", 1.5)  # set by the instructor; only the instructor ever sees it
LATE, ABSENT = "Uma", "Viktor"  # Uma joins team2 during the teaching; Viktor never comes
REFUSED_LATE = "Gus"  # answers the first question after the time
NO_TEAM = "Zoe"  # in no team: her answers count for no team, and the grid says so
# Lines students type in the class channel besides their answers: (when, who, what). A line
# typed just after a question closed is a late answer; "?" makes it a question to the bot.
ASIDES = [
    ("learn", "Ben", "what does the attention mask do?"),
    ("learn", "Hana", "who won the world cup?"),  # off-topic: declined kindly, not queued
    ("after 1", "Ana", "B"),  # just after question 1 closed
    ("during 2", "Ana", "is it 3?"),  # after she answered: checking it, not a second answer
]
FEATURED = ("Ana", "Jade", "Gus", "Uma", "Zoe")  # whose private replies the transcript shows
TIMINGS = Timings(learn=7, prepare=3, teach_per_team=2, quiz=5)  # a 25-minute class
CLASS = "class"


class Clock:
    """The injected clock, moved by the script."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Transcript:
    """What the class channel shows, with the private replies of a few students."""

    clock: Clock
    start: float = 0.0
    lines: list[tuple[float, int, int, str]] = field(default_factory=list)

    def add(self, text: str, *, who: str | None = None, first: bool = False) -> None:
        stamp = self.clock.now
        if who:
            text = "\n".join(f"    {line}" for line in text.splitlines())
            text = f"  (only {who} sees this)\n{text}"
        self.lines.append((stamp, 0 if first else 1, len(self.lines), text))

    def render(self) -> str:
        out = []
        for stamp, _, _, text in sorted(self.lines):
            elapsed = max(0.0, stamp - self.start)
            out.append(f"[{int(elapsed) // 60}:{int(elapsed) % 60:02d}] {text}")
        return "\n".join(out)


def answer_for(question: Any, tutor: Any, right: bool) -> str:
    """A real attempt: the key when `right`, another choice or a wrong number otherwise."""
    if question.kind == "choice":
        index = question.answer if right else (question.answer + 1) % len(question.choices)
        return "ABCDE"[index]
    key = tutor.bank.live_key(question) if question.kind == "live" else question.answer
    return f"{key:g}" if right else f"{key * 2 + 1:g}"


def chance_right(student_team: int, concept_team: int, taught: bool) -> float:
    if student_team == concept_team:
        return 0.9  # the experts
    return 0.65 if taught else 0.3


def run(per_team: int = 6, seed: int = 7, docs: Path = ROOT / "docs") -> dict[str, Any]:
    from bot.app.tutor import Tutor
    from bot.config import Settings

    rng = random.Random(seed)
    clock = Clock()
    transcript = Transcript(clock)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder) / "data", index_dir=Path(folder) / "index", _env_file=None
        )
        tutor = Tutor(settings, clock=clock)
        try:
            return _activity(tutor, clock, transcript, rng, per_team, docs)
        finally:
            tutor.close()


def _activity(
    tutor: Any, clock: Clock, transcript: Transcript, rng: random.Random, per_team: int, docs: Path
) -> dict[str, Any]:
    from bot.terminal.console import ConsoleSession

    prof = Actor("prof", "Prof. Moreau", "console", CLASS, instructor=True)
    consoles: dict[str, ConsoleSession] = {}

    def say(student: str, line: str) -> str:
        """A line typed in the class channel's console; what only that student sees back."""
        if student not in consoles:
            actor = Actor(student.lower(), student, "console", CLASS)
            consoles[student] = ConsoleSession(tutor, actor)
        reply = consoles[student].handle(line)
        transcript.add(f"{student}> {line}")
        transcript.add(reply, who=student)
        return reply

    teams = {name: t for t, row in enumerate(NAMES, start=1) for name in row[:per_team]}
    playing = [n for n in teams if n != ABSENT]
    # The instructor places everyone by list (as /admin teams assign does with @mentions).
    people = {Person(name.lower(), name): f"team{t}" for name, t in teams.items()}
    people[Person(ABSENT.lower(), ABSENT)] = "team4"
    tutor.classes.assign(prof, people)
    name, multiplier = ACCOMMODATED
    accommodated = name if name in teams else None
    if accommodated:
        tutor.classes.accommodate(prof, name.lower(), multiplier)

    in_quiz = {"yes": False}
    ready: list[MasteryReady] = []
    plans: list[QuizPlan] = []

    def on_jigsaw(event: Any) -> None:
        if isinstance(event, MasteryReady):
            ready.append(event)
            return
        if isinstance(event, Announcement) and isinstance(event.event, PhaseStarted):
            in_quiz["yes"] = event.event.phase.name == "quiz"
        if isinstance(event, QuizPlan):
            plans.append(event)
        if in_quiz["yes"] and isinstance(event, QuizPlan | Announcement):
            first = isinstance(event, QuizPlan) or isinstance(event.event, PhaseStarted)
            transcript.add(render.render_jigsaw_event(event, tutor.titles), first=first)

    def on_quiz(event: Any) -> None:
        if isinstance(event, QuestionOpened | QuestionClosed | QuizEnded):
            transcript.add(render.render_quiz_event(event, tutor.titles))

    # The quiz's listener first, so the results come before the activity's end (as they do on
    # Discord, where the jigsaw's posts wait for the quiz's).
    tutor.quizzes.subscribe(on_quiz)
    tutor.jigsaw.subscribe(on_jigsaw)
    tutor.jigsaw.start(prof, team_channels={t: f"team{t}" for t in range(1, 6)}, timings=TIMINGS)

    # Learn, prepare, then each team teaches three of its four concepts.
    asides_before = Transcript(clock, start=clock.now)
    for when, student, line in ASIDES:
        if when == "learn":
            reply = ConsoleSession(tutor, Actor(student.lower(), student, "console", CLASS))
            asides_before.add(f"{student}> {line}")
            asides_before.add(reply.handle(line), who=student)
    while (phase := tutor.jigsaw.status(prof).phase) != "quiz":
        if phase.startswith("teach: team"):
            team = int(phase.removeprefix("teach: team"))
            for concept in tutor.jigsaw.team_concepts[team][:3]:
                tutor.jigsaw.mark_taught(prof, concept, team)
            if team == 2 and LATE not in teams:  # the late student arrives, joins a team
                tutor.classes.join_team(Actor(LATE.lower(), LATE, "console", CLASS), "team2")
                teams[LATE] = 2
                playing.append(LATE)
        clock.now += tutor.jigsaw.status(prof).seconds_left + 0.1
        tutor.quizzes.tick()
        tutor.jigsaw.tick()
    transcript.start = clock.now

    concept_team = {c: t for t, cs in tutor.jigsaw.team_concepts.items() for c in cs}
    taught = {c for done in tutor.jigsaw.status(prof).taught.values() for c in done}
    refused = 0
    playing.append(NO_TEAM)
    teams[NO_TEAM] = 0
    while (opened := tutor.quizzes.current("console", CLASS)) is not None:
        question, start = opened.question, clock.now
        concept = question.concepts[0]
        answers = []
        for student in playing:
            right = rng.random() < chance_right(
                teams[student], concept_team.get(concept, 0), concept in taught
            )
            delay = rng.uniform(2.0, 0.85 * opened.seconds)
            if student == accommodated:
                delay = 1.3 * opened.seconds  # after the others' time, within hers
            if student == REFUSED_LATE and opened.number == 1:
                delay = opened.seconds + 1.5
            answers.append((delay, student, answer_for(question, tutor, right)))
        for delay, student, text in sorted(answers):
            clock.now = start + delay
            tutor.quizzes.tick()
            if tutor.quizzes.current("console", CLASS) is None:
                break
            if student in FEATURED:
                refused += "not counted" in say(student, text)
            else:
                actor = Actor(student.lower(), student, "console", CLASS)
                refused += not tutor.quizzes.answer(actor, text).accepted
            if student == "Ana" and opened.number == 2:
                clock.now += 0.5
                say("Ana", next(line for when, _, line in ASIDES if when == "during 2"))
            clock.now += 0.01
        tutor.quizzes.tick()  # everyone with extra time has answered: results now
        while tutor.quizzes.current("console", CLASS) is not None and (
            tutor.quizzes.current("console", CLASS).number == opened.number
        ):
            clock.now += 0.5
            tutor.quizzes.tick()
        if opened.number == 1:  # a line typed just after the question closed
            clock.now += 0.5
            say("Ana", next(line for when, _, line in ASIDES if when == "after 1"))
        clock.now += tutor.quizzes.gap_seconds + 0.1  # the gap, then the next question
        tutor.quizzes.tick()
        tutor.jigsaw.tick()
    for _ in range(10):  # the activity finishes after the quiz
        if ready:
            break
        clock.now += 1
        tutor.jigsaw.tick()
    (done,) = ready
    (plan,) = plans
    digest = render_digest(tutor.insights.digest(prof, "1d"), where="the console's class")
    return _write(tutor, done, plan, transcript, docs, per_team, refused, asides_before, digest)


def _write(
    tutor: Any,
    done: MasteryReady,
    plan: QuizPlan,
    transcript: Transcript,
    docs: Path,
    per_team: int,
    refused: int,
    asides: Transcript,
    digest: str,
) -> dict[str, Any]:
    images = docs / "images"
    images.mkdir(parents=True, exist_ok=True)
    png = images / "mastery-grid-example.png"
    assert done.png_path is not None, "the activity drew no grid"
    _small_png(done.png_path, png)
    roster = "\n".join(
        f"- team{t}: {', '.join(names) or 'nobody'}"
        for t, names in tutor.classes.teams("console").items()
    )
    left_out = ", ".join(tutor.titles.get(c, c) for c in plan.left_out) or "none"
    page = TRANSCRIPT.format(
        per_team=per_team,
        roster=roster,
        alt=done.alt_text.replace("]", ")").replace("[", "("),
        grid=render.render_mastery(done, tutor.titles, paths=False),
        transcript=transcript.render(),
        accommodated=ACCOMMODATED[0],
        multiplier=ACCOMMODATED[1],
        questions=plan.questions,
        concepts=len(plan.covered),
        seconds=plan.seconds_per_question,
        longest=plan.seconds_per_question * plan.extra_time,
        left_out=left_out,
        refused=refused,
        students=sum(len(names) for names in tutor.classes.teams("console").values()),
        asides=asides.render(),
        digest=digest,
    )
    (docs / "quiz-transcript.md").write_text(page)
    return {"png": png, "transcript": docs / "quiz-transcript.md", "refused": refused}


def _small_png(source: Path, target: Path) -> None:
    """The activity's PNG in 256 colours (flat cells and text: nothing visible is lost), with
    its alt text kept in the Description chunk."""
    from PIL import Image, PngImagePlugin

    with Image.open(source) as image:
        info = PngImagePlugin.PngInfo()
        for key, value in image.text.items():
            info.add_text(key, value)
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(target, optimize=True, pnginfo=info)


TRANSCRIPT = """# A jigsaw's closing quiz, as students see it

Made by `python bench/jigsaw_scripted.py` ({per_team} students per team, seed 7): the real core
on a temporary SQLite store with a scripted clock, every student line through the console
(`tutor chat`). The class lasts 25 minutes (learn 7, prepare 3, teach 2 per team, quiz 5); each
team taught three of its four concepts (✓). The {students} students in teams, as the instructor
assigned them (Uma arrived late and joined team2 during the teaching; Viktor never came):

{roster}

Zoe is in no team: she answers the closing quiz in the class channel, her answers count for
nobody's team, and the grid says how many such answers there were.

## Questions during the activity

While the teams learn, two students ask the bot in the class channel: one about the course,
one about something else (declined kindly, counted, and not queued for the instructor).

```text
{asides}
```

{accommodated} has {multiplier:g}x time, an accommodation only the instructor sees. The closing
quiz was planned for it: {questions} questions on {concepts} concepts (some questions test two),
{seconds:.0f} s each, up to {longest:.0f} s for students with extra time; left out: {left_out}.
Students answer right about 90% of the time on their own team's concepts, 65% on concepts that
were taught, 30% on the rest. Answers that came after the time and were not counted: {refused}.

## The mastery grid

![{alt}](images/mastery-grid-example.png)

The same grid as text (`/jigsaw grid`):

```text
{grid}
```

## The closing quiz in the class channel

The console's rendering (on Discord the same text, the questions as embeds with buttons).
Times are from the start of the quiz phase. `Ana> B` is what a student typed; the reply under
"(only Ana sees this)" goes to that student alone. Every student gets one; five students'
are shown: Ana, Jade (who has extra time), Gus (whose first answer comes after the time), Uma
(who came late) and Zoe (in no team). Other students' answers are not shown; the results count them.

Ana also types "B" just after question 1 closed (a late answer, not a question to the bot), and
"is it 3?" after answering question 2 (checking her answer: it is not a second answer, and the
answer is not given away before the question closes).

```text
{transcript}
```

## What the instructor reads afterwards

The digest (`tutor digest --since 1d`, `/admin digest` on Discord): counts and concepts, no
student names.

```text
{digest}
```
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-team", type=int, default=6, choices=range(1, 7))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="where to write")
    args = parser.parse_args(argv)
    out = run(args.per_team, args.seed, args.docs)
    print(f"wrote {out['png']} and {out['transcript']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
