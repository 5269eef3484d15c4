"""The local console frontend: `tutor chat`, a REPL that behaves like one Discord channel.

`/ask ...` or a plain question asks; other slash commands mirror the Discord ones. Every
command calls the same `Tutor` method the Discord frontend calls; this module only parses
lines and renders results as plain text.
"""

from __future__ import annotations

import re
import shlex
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot import render_text
from bot.calculations import USAGE as CALC_USAGE
from bot.finetune import JobError, JobEvent
from bot.jigsaw import JigsawError, JigsawEvent
from bot.quizzes import QuizError, QuizEvent
from bot.replies import AskReply, IngestReport
from bot.services import Tutor, UserInputError
from bot.teams import parse_team
from bot.triggers import parse_trigger
from skills.jigsaw import Timings

PROMPT = "you> "


def render_answer(reply: AskReply) -> str:
    answer = reply.answer
    lines: list[str] = []
    if reply.note:
        lines.append(f"(note: {reply.note})")
    if answer.answered and answer.title:
        lines.append(f"{answer.title}  [confidence {answer.confidence:.2f}]")
        lines.append("")
    lines.append(answer.answer)
    if answer.sources:
        cited = ", ".join(f"{s.title} ({s.kind}, {s.score:.2f})" for s in answer.sources)
        lines += ["", f"Sources: {cited}"]
    if answer.answered and answer.related:
        lines.append("Related: " + ", ".join(title for _, title in answer.related))
    return "\n".join(lines)


def render_ingest(reports: list[IngestReport]) -> str:
    lines = []
    for r in reports:
        if r.status == "error":
            lines.append(f"✗ {r.path}: {r.message}")
        else:
            detail = f" ({r.message})" if r.message else ""
            lines.append(f"✓ {r.path}: {r.status}, {r.chunks} chunks{detail}")
    return "\n".join(lines) or "Nothing to ingest."


def render_unanswered(rows: list[dict]) -> str:
    if not rows:
        return "No unanswered questions."
    return "\n".join(
        f"{r['asked_at']}  #{r['channel']}  {r['user']}: {r['question']}" for r in rows
    )


HELP = """Commands:
  <question>               ask about a course concept (same as /ask)
  /ask QUESTION            ask about a course concept
  /tokenize TEXT           BERT WordPiece and GPT-2 BPE side by side ("tokenize this: ..." too);
                           --tokenizer NAME picks others, "A [SEP] B" tokenizes a pair
  /pad A ; B ; C           pad several sentences into one batch: [PAD] and the attention mask
  /mask TEXT               fill the blank ([MASK], <mask> or ___; "mask this: ..." too);
                           options --top-k K, --targets cat,dog, --model NAME_OR_FOLDER
  /mlm TEXT [--seed N]     BERT's 15% / 80-10-10 masking rule applied to your sentence
  /quiz team3 [--questions N] [--seconds S] [--players a,b]
                           start a quiz here; a question closes when its time is up or
                           when all --players have answered
  /quiz stop | skip | leaderboard | list [team3] | import PATH [--team N] [--concepts a,b]
  /answer TEXT             answer the open question (a plain line does too while one is open)
  /jigsaw start [--channels team1=a,team2=b,...] [--learn 10 --prepare 5 --teach 2 --quiz 5]
  /jigsaw status | next | pause | resume | extend MINUTES | stop
  /jigsaw taught CONCEPT [--team N]   mark a concept as taught (team: this channel's team)
  /finetune [--data PATH] [--model M] [--method lora|full|freeze] [--epochs N] [--max-train N]
                           queue a fine-tune; progress and the result appear here
  /jobs [cancel ID | leaderboard]   fine-tune jobs, cancel one, or the class leaderboard
  /join team3              join a team (team scores average their members)
  /calc EXPRESSION         softmax 2.5 1 0.5 1.5 T=2 | steps 1000 10 | lora 768 768 16 | bert base
  /ingest PATH [PATH...]   add instructor documents (txt, md, pdf) to the knowledge base
  /unanswered              questions the bot could not answer, newest first
  /channel NAME            act as if typing in another channel
  /user NAME               act as another user
  /help                    this help
  /quit                    leave (Ctrl-D works too)"""


@dataclass
class ConsoleSession:
    """One console 'channel': parses a line, calls the Tutor, returns the text to print."""

    tutor: Tutor
    channel: str = "console"
    user: str = "local"
    commands: dict[str, Callable[[str], str]] = field(init=False)

    def __post_init__(self) -> None:
        self.commands = {
            "ask": self._ask,
            "ingest": self._ingest,
            "unanswered": lambda _: render_unanswered(self.tutor.unanswered()),
            "tokenize": self._tokenize,
            "tokenise": self._tokenize,
            "pad": self._pad,
            "mask": self._mask,
            "mlm": self._mlm,
            "calc": self._calc,
            "quiz": self._quiz,
            "answer": self._answer,
            "a": self._answer,
            "join": self._join,
            "jigsaw": self._jigsaw,
            "finetune": self._finetune,
            "jobs": self._jobs,
            "channel": self._set_channel,
            "user": self._set_user,
            "help": lambda _: HELP,
        }

    def handle(self, line: str) -> str:
        line = line.strip()
        if not line:
            return ""
        try:
            if line.startswith("/"):
                name, _, rest = line[1:].partition(" ")
                command = self.commands.get(name.lower())
                if command is None:
                    return f"Unknown command /{name}. Type /help for the list."
                return command(rest.strip())
            if self.tutor.quizzes.current(self.channel) is not None:
                return self._answer(line)
            trigger = parse_trigger(line)
            if trigger:
                return self.commands[trigger[0]](trigger[1])
            return self._ask(line)
        except UserInputError as exc:
            return str(exc)

    def _ask(self, question: str) -> str:
        return render_answer(self.tutor.ask(question, channel=self.channel, user=self.user))

    def _tokenize(self, rest: str) -> str:
        options, text = take_options(rest, repeatable=("tokenizer",))
        first, _, second = text.partition("[SEP]")
        reply = self.tutor.tokenize(
            first, tokenizers=options.get("tokenizer"), pair=second if "[SEP]" in text else None
        )
        return render_text.render_tokenize(reply)

    def _pad(self, rest: str) -> str:
        options, text = take_options(rest)
        sentences = [s for s in (part.strip() for part in text.split(";")) if s]
        tokenizer = options.get("tokenizer", ["bert-base-uncased"])[0]
        return render_text.render_batch(self.tutor.tokenize_batch(sentences, tokenizer=tokenizer))

    def _mask(self, rest: str) -> str:
        options, text = take_options(rest)
        targets = options.get("targets", [""])[0].split(",")
        reply = self.tutor.mask(
            text,
            model=options.get("model", [None])[0],
            top_k=_int_option(options, "top-k", 5),
            targets=[t for t in targets if t],
        )
        return render_text.render_mask(reply)

    def _mlm(self, rest: str) -> str:
        options, text = take_options(rest)
        demo = self.tutor.masking_demo(text, seed=_int_option(options, "seed", 0))
        return render_text.render_masking_demo(demo)

    def _calc(self, rest: str) -> str:
        if not rest:
            return CALC_USAGE
        return render_text.render_calculation(self.tutor.calculate(rest))

    def _answer(self, text: str) -> str:
        result = self.tutor.quizzes.answer(self.channel, self.user, text)
        return render_text.render_submit(result)

    def _join(self, team: str) -> str:
        return f"{self.user} is now in team{self.tutor.join_team(self.user, team)}."

    def _quiz(self, rest: str) -> str:
        options, text = take_options(rest)
        verb, _, arg = text.partition(" ")
        quizzes = self.tutor.quizzes
        try:
            if verb == "stop":
                quizzes.stop(self.channel)
                return "Quiz stopped."
            if verb == "skip":
                quizzes.skip(self.channel)
                return "Skipped."
            if verb == "leaderboard":
                users, teams = quizzes.leaderboard()
                lines = render_text.render_standings("Class leaderboard", users)
                return "\n".join(lines + render_text.render_standings("Teams", teams))
            if verb == "list":
                team = parse_team(arg) if arg else None
                rows = [q for q in self.tutor.questions() if team is None or q.team == team]
                return "\n".join(f"{q.id} (team{q.team}, {q.kind}): {q.prompt}" for q in rows)
            if verb == "import":
                concepts = [c for c in options.get("concepts", [""])[0].split(",") if c]
                team_opt = options.get("team", [None])[0]
                added = self.tutor.import_questions(
                    Path(arg.strip()),
                    team=parse_team(team_opt) if team_opt else None,
                    concepts=concepts,
                    user=self.user,
                )
                return f"Imported {len(added)} questions."
            team_text = arg if verb == "start" else text
            opened = quizzes.start(
                self.channel,
                team=parse_team(team_text),
                count=_int_option(options, "questions", 5),
                seconds=_int_option(options, "seconds", 30),
                started_by=self.user,
                expected_users=frozenset(
                    p for p in options.get("players", [""])[0].split(",") if p
                ),
            )
            return f"Quiz #{opened.session_id} started: {opened.total} questions, {opened.seconds:.0f} s each."
        except (QuizError, ValueError) as exc:
            raise UserInputError(str(exc)) from exc

    def _jigsaw(self, rest: str) -> str:
        options, text = take_options(rest)
        verb, _, arg = text.partition(" ")
        jigsaw = self.tutor.jigsaw
        channel = jigsaw.activity_channel(self.channel) or self.channel
        try:
            if verb == "start":
                timings = Timings(
                    **{
                        name: float(options[key][0])
                        for name, key in (
                            ("learn", "learn"),
                            ("prepare", "prepare"),
                            ("teach_per_team", "teach"),
                            ("quiz", "quiz"),
                        )
                        if key in options
                    }
                )
                status = jigsaw.start(
                    self.channel,
                    team_channels=_team_channels(options),
                    timings=timings,
                    started_by=self.user,
                )
            elif verb == "taught":
                team_opt = options.get("team", [None])[0]
                team = parse_team(team_opt) if team_opt else jigsaw.team_for_channel(self.channel)
                if team is None:
                    raise UserInputError(
                        "Which team? Use --team N, or say it in your team's channel."
                    )
                status = jigsaw.mark_taught(channel, team, arg)
            elif verb == "extend":
                status = jigsaw.extend(channel, float(arg or "nan"))
            elif verb in ("status", "next", "pause", "resume", "stop"):
                actions = {
                    "status": jigsaw.status,
                    "next": jigsaw.next_phase,
                    "pause": jigsaw.pause,
                    "resume": jigsaw.resume,
                    "stop": jigsaw.stop,
                }
                status = actions[verb](channel)
            else:
                return "Usage: /jigsaw start|status|next|pause|resume|extend N|taught CONCEPT|stop"
        except (JigsawError, ValueError) as exc:
            raise UserInputError(str(exc)) from exc
        return render_text.render_jigsaw_status(status)

    def _finetune(self, rest: str) -> str:
        options, _ = take_options(rest)
        one = {k: v[0] for k, v in options.items()}
        numbers = {
            "epochs": float,
            "max-train": int,
            "batch-size": int,
            "lora-r": int,
            "learning-rate": float,
        }
        try:
            settings = {
                k.replace("-", "_"): numbers[k](v) if k in numbers else v
                for k, v in one.items()
                if k != "team"
            }
        except ValueError as exc:
            raise UserInputError(f"Could not read a number: {exc}") from exc
        job_id = self.tutor.start_finetune(
            owner=self.user, team=one.get("team"), channel=self.channel, **settings
        )
        return f"Fine-tune job #{job_id} queued."

    def _jobs(self, rest: str) -> str:
        verb, _, arg = rest.partition(" ")
        jobs = self.tutor.finetunes
        if verb == "cancel":
            try:
                return jobs.cancel(int(arg), by=self.user)
            except (JobError, ValueError) as exc:
                raise UserInputError(
                    str(exc) if isinstance(exc, JobError) else "Usage: /jobs cancel ID"
                ) from exc
        if verb == "leaderboard":
            return render_text.render_finetune_leaderboard(jobs.leaderboard())
        return render_text.render_jobs(jobs.jobs())

    def _ingest(self, rest: str) -> str:
        try:
            paths = [Path(p) for p in shlex.split(rest)]
        except ValueError as exc:
            raise UserInputError(f"Could not read the paths: {exc}") from exc
        if not paths:
            raise UserInputError("Usage: /ingest PATH [PATH...]")
        return render_ingest(self.tutor.ingest(paths))

    def _set_channel(self, name: str) -> str:
        if not name:
            return f"You are in #{self.channel}."
        self.channel = name.lstrip("#")
        return f"Now in #{self.channel}."

    def _set_user(self, name: str) -> str:
        if not name:
            return f"You are {self.user}."
        self.user = name.lstrip("@")
        return f"Now speaking as {self.user}."


_OPTION = re.compile(r"(?:^|\s)--([a-z][a-z-]*)(?:[ =](\S+))?")


def take_options(text: str, repeatable: tuple[str, ...] = ()) -> tuple[dict[str, list[str]], str]:
    """Pull `--name value` options out of a chat line; returns them and the remaining text."""
    options: dict[str, list[str]] = {}
    for name, value in _OPTION.findall(text):
        if name not in repeatable and name in options:
            raise UserInputError(f"--{name} was given twice.")
        options.setdefault(name, []).append(value)
    return options, _OPTION.sub(" ", text).strip()


def _team_channels(options: dict[str, list[str]]) -> dict[int, str] | None:
    """--channels team1=a,team2=b,... -> {1: "a", 2: "b", ...}."""
    if "channels" not in options:
        return None
    mapping = {}
    for pair in options["channels"][0].split(","):
        team, _, channel = pair.partition("=")
        if not channel:
            raise UserInputError("--channels takes team1=channel,team2=channel,...")
        mapping[parse_team(team)] = channel.lstrip("#")
    return mapping


def _int_option(options: dict[str, list[str]], name: str, default: int) -> int:
    value = options.get(name, [str(default)])[0]
    try:
        return int(value)
    except ValueError as exc:
        raise UserInputError(f"--{name} needs a whole number, got {value!r}.") from exc


def run_chat(
    tutor: Tutor,
    *,
    channel: str = "console",
    user: str = "local",
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    session = ConsoleSession(tutor, channel=channel, user=user)
    interactive = stdin.isatty()
    printing = threading.Lock()
    titles = {c.id: c.title for c in tutor.cards}

    def announce(text: str) -> None:  # called from the timer thread too
        with printing:
            print(f"\n{text}\n", file=stdout, flush=True)
            if interactive:
                print(PROMPT, end="", file=stdout, flush=True)

    def show(event: QuizEvent) -> None:
        announce(render_text.render_quiz_event(event, titles))

    def show_activity(event: JigsawEvent) -> None:
        announce(render_text.render_jigsaw_event(event, titles))

    def show_job(event: JobEvent) -> None:
        announce(render_text.render_job_event(event))

    tutor.finetunes.subscribe(show_job)
    tutor.quizzes.subscribe(show)
    tutor.jigsaw.subscribe(show_activity)
    tutor.start_timers()
    recovered = tutor.recover_interrupted()
    for lost in recovered["quizzes"]:
        print(
            f"Note: quiz #{lost['id']} in #{lost['channel']} was interrupted at question "
            f"{lost['question']}/{lost['questions']}; its {lost['answers_kept']} answers are kept.",
            file=stdout,
        )
    for lost in recovered["activities"]:
        print(
            f"Note: jigsaw activity #{lost['id']} in #{lost['channel']} was interrupted during "
            f"{lost['phase']} ({lost['covered']}/{lost['total']} concepts covered; progress kept).",
            file=stdout,
        )
    for lost in recovered["jobs"]:
        print(
            f"Note: fine-tune job #{lost['id']} ({lost['owner']}) was interrupted by a restart.",
            file=stdout,
        )
    if interactive:
        print("Tutor bot (local console). Ask a question, or /help. Loading models...", file=stdout)
    tutor.warm_up()
    if interactive:
        print("Ready.", file=stdout)
    while True:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip() in ("/quit", "/exit"):
            break
        reply = session.handle(line)
        if reply:
            with printing:
                print(f"tutor> {reply}\n", file=stdout, flush=True)
    return 0
