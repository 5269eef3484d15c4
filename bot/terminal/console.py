"""The local console frontend: `tutor chat`, a REPL that behaves like one Discord channel.

A plain line asks a question (or, while a quiz question is open here, answers it; or, after
`/review` served you a question, answers that); "tokenize this: ..." and "mask this: ..." run
the demos; `/command ...` runs any terminal command, parsed
by the same specification as `tutor command ...` (bot/terminal/commands/).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from bot.app.context import Actor
from bot.app.finetune import JobEvent
from bot.app.jigsaw import JigsawEvent
from bot.app.quizzes import Arrival, QuizEnded, QuizEvent
from bot.app.reviews import Reminder
from bot.app.triggers import parse_trigger
from bot.app.tutor import Tutor
from bot.errors import TutorError, bug_message, report_bug
from bot.render import text as render
from bot.terminal.commands import ALIASES, CONSOLE, Session, add_commands
from bot.terminal.hints import HINTS
from bot.terminal.spec import CommandParser, HelpRequested, console_argv, parse, subcommands

PROMPT = "you> "
# Console-only commands: they change the session, so they live here.
SESSION_COMMANDS = {
    "channel": "/channel NAME       act as if typing in another channel",
    "user": "/user NAME          act as another user",
    "help": "/help [COMMAND]     this list, or one command's options",
    "quit": "/quit               leave (Ctrl-D works too)",
}


def build_parser() -> CommandParser:
    parser = CommandParser(prog="", add_help=False)
    add_commands(parser.add_subparsers(dest="command", metavar="COMMAND"), CONSOLE)
    return parser


def help_text(parser: CommandParser, topic: str = "") -> str:
    commands = subcommands(parser)
    name = ALIASES.get(topic.strip().lstrip("/"), topic.strip().lstrip("/"))
    if name in commands:
        return commands[name].format_help()
    lines = [
        "A plain line asks a question (or answers the open quiz question, or the review "
        "question /review served you).",
        "Commands:",
    ]
    for command, sub in commands.items():
        lines.append(f"  /{command:<18} {sub.description}")
    lines += [f"  {text}" for text in SESSION_COMMANDS.values()]
    lines.append(
        '"tokenize this: ..." and "mask this: ..." run the demos (fill-mask needs a model: '
        "`tutor models` lists what is here, `tutor models download` fetches one). "
        "/help COMMAND: its options."
    )
    return "\n".join(lines)


@dataclass
class ConsoleSession:
    """One console 'channel': parses a line, calls the application, returns text to print."""

    tutor: Tutor
    actor: Actor = field(default_factory=lambda: Actor("local"))
    parser: CommandParser = field(default_factory=build_parser)
    last_concept: str | None = None  # the last answer's card, for /more

    def handle(self, line: str) -> str:
        line = line.strip()
        if not line:
            return ""
        try:
            return self._dispatch(line)
        except HelpRequested as shown:
            return shown.text
        except TutorError as exc:
            return exc.explained(HINTS)
        except Exception as exc:  # a bug: logged with its traceback; the console lives on
            return bug_message(report_bug(exc, f"console: {line[:80]!r}"))

    def _dispatch(self, line: str) -> str:
        if line.startswith("/"):
            name, _, rest = line[1:].partition(" ")
            name = ALIASES.get(name.lower(), name.lower())
            if name in SESSION_COMMANDS:
                return self._session_command(name, rest.strip())
            return self._run(console_argv(self.parser, name, rest))
        if self.tutor.quizzes.current(self.actor.server, self.actor.channel) is not None:
            arrival = self.tutor.quizzes.arrive(self.actor)  # judged by when it was typed
            try:
                return self._run(["answer", "--", line], arrival)
            finally:
                arrival.release()
        late = self.tutor.quizzes.late_answer(self.actor, line)
        if late is not None:
            return late
        if self.tutor.reviews.serving(self.actor):
            return self._run(["review", "answer", "--", line])
        trigger = parse_trigger(line)
        if trigger:
            return self._run(console_argv(self.parser, *trigger))
        return self._run(["ask", "--", line])

    def _run(self, argv: list[str], arrival: Arrival | None = None) -> str:
        args = parse(self.parser, argv)
        session = Session(
            self.tutor, self.actor, CONSOLE, arrival=arrival, last_concept=self.last_concept
        )
        text = args.handler(session, args).text
        self.last_concept = session.last_concept
        return text

    def _session_command(self, name: str, rest: str) -> str:
        if name == "help":
            return help_text(self.parser, rest)
        if name == "channel":
            if not rest:
                return f"You are in #{self.actor.channel}."
            self.actor = self.actor.in_channel(rest.lstrip("#"))
            return f"Now in #{self.actor.channel}."
        if name == "user":
            if not rest:
                return f"You are {self.actor.name}."
            who = rest.lstrip("@")
            self.actor = Actor(
                who, who, self.actor.server, self.actor.channel, self.actor.instructor
            )
            return f"Now speaking as {who}."
        return ""  # /quit is handled by the loop


def _line_reader(stdin: TextIO, interactive: bool) -> Callable[[], str | None]:
    """A real terminal gets prompt-toolkit (timer output never garbles the line being typed);
    piped input and tests read plain lines."""
    if interactive:
        from prompt_toolkit import PromptSession

        prompt: PromptSession[str] = PromptSession()

        def read() -> str | None:
            try:
                return prompt.prompt(PROMPT)
            except EOFError:
                return None
            except KeyboardInterrupt:
                return ""

        return read

    def read_plain() -> str | None:
        line = stdin.readline()
        return line if line else None

    return read_plain


def run_chat(
    tutor: Tutor,
    actor: Actor | None = None,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    session = ConsoleSession(tutor, actor or Actor("local"))
    interactive = stdin.isatty() and stdout.isatty()
    printing = threading.Lock()
    titles = tutor.titles

    def announce(channel: str, text: str) -> None:  # called from the timer thread too
        with printing:
            print(f"\n[#{channel}] {text}\n", file=stdout, flush=True)

    def show(event: QuizEvent) -> None:
        text = render.render_quiz_event(event, titles)
        if isinstance(event, QuizEnded):  # the class sees who did well; you, your own result
            mine = tutor.quizzes.own_result(session.actor, event.session_id)
            text += f"\n(only you see this) {render.render_own_result(mine, titles)}"
        announce(event.channel, text)

    def show_activity(event: JigsawEvent) -> None:
        announce(event.channel, render.render_jigsaw_event(event, titles))

    def show_job(event: JobEvent) -> None:
        announce(event.channel or "console", render.render_job_event(event))

    def show_reminder(reminder: Reminder) -> None:  # the console is its own class
        with printing:
            text = render.render_reminder(reminder)
            print(f"\n[reminder for {reminder.name}] {text}\n", file=stdout, flush=True)

    tutor.finetunes.subscribe(show_job)
    server = session.actor.server
    tutor.reviews.subscribe_reminders(show_reminder, servers=lambda s: s == server)
    tutor.quizzes.subscribe(show)
    tutor.jigsaw.subscribe(show_activity)
    tutor.start_timers()
    _report_recovered(tutor, stdout)
    if interactive:
        print("Tutor bot (local console). Ask a question, or /help. Loading models...", file=stdout)
        # The default is per OS user (~/.local/share/tutorbot): say which one this is.
        print(f"Data: {tutor.settings.data_dir} (TUTOR_DATA_DIR changes it)", file=stdout)
    tutor.warm_up()
    if interactive:
        print("Ready.", file=stdout)
    read = _line_reader(stdin, interactive)

    def loop() -> None:
        while True:
            line = read()
            if line is None or line.strip() in ("/quit", "/exit"):
                return
            reply = session.handle(line)
            if reply:
                with printing:
                    print(f"tutor> {reply}\n", file=stdout, flush=True)

    try:
        if interactive:
            from prompt_toolkit.patch_stdout import patch_stdout

            with patch_stdout():
                loop()
        else:
            loop()
    finally:
        tutor.stop_timers()  # the console has gone: nothing more is announced to it
    return 0


def _report_recovered(tutor: Tutor, stdout: TextIO) -> None:
    recovered = tutor.recover_interrupted()
    for quiz in recovered.quizzes:
        kept = render.counted(quiz.answers_kept, "answer")
        print(
            f"Note: quiz #{quiz.number} in #{quiz.channel} was interrupted at question "
            f"{max(1, quiz.question)}/{quiz.questions}; its {kept} kept (/quiz resume goes on, "
            "/quiz stop ends it).",
            file=stdout,
        )
    for activity in recovered.activities:
        print(
            f"Note: jigsaw activity #{activity.number} in #{activity.channel} was interrupted during "
            f"{activity.phase} ({activity.covered}/{activity.total} concepts covered; progress "
            "kept: /jigsaw resume goes on, /jigsaw stop ends it).",
            file=stdout,
        )
    for job in recovered.jobs:
        print(f"Note: fine-tune job #{job.number} was interrupted by a restart.", file=stdout)
