"""Plain-text rendering of application results: the console and the CLI print it, and the
Discord frontend wraps it (code blocks, embeds, limits). One place for each text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from bot.app.backups import Backup, Restored
from bot.app.calculations import Calculation
from bot.app.classes import Accommodation
from bot.app.finetune import JobEvent
from bot.app.jigsaw import (
    Announcement,
    JigsawEvent,
    JigsawStatus,
    MasteryReady,
    QuizPlan,
    TeamMaterial,
)
from bot.app.models import Downloaded, ModelsReport
from bot.app.quizzes import OwnResult, QuestionClosed, QuestionOpened, QuizEnded, QuizEvent
from bot.app.results import (
    AskReply,
    AttentionReply,
    BatchReply,
    CardPage,
    EmbedReply,
    FinetuneBoard,
    Flagged,
    IngestReport,
    IngestStatus,
    JobView,
    Leaderboard,
    MaskReply,
    Resolution,
    TokenizeReply,
    TryReply,
    UnansweredGroup,
)
from bot.app.reviews import Reminder, ReviewOutcome, ReviewQuestion, ReviewStatus
from bot.errors import Hint
from knowledge.cards import Card, CardTable
from skills.fill_mask import MaskingDemo
from skills.jigsaw import PhaseStarted, TimeWarning
from skills.quiz.bank import Question
from skills.quiz.session import Standing, SubmitResult
from skills.tokenization import TokenizeResult

BAR_WIDTH = 20


def render_answer(reply: AskReply, flag: str | None = None, more: str | None = None) -> str:
    """The answer, its sources and related concepts; with `more` (the command, e.g. "/more"),
    how to read the whole card; with `flag` (e.g. "/flag"), a last line on how to say it was
    not what you asked."""
    answer = reply.answer
    if reply.small_talk:
        return answer.answer
    lines: list[str] = []
    if reply.note:
        lines.append(f"(note: {reply.note})")
    if answer.read_as:
        lines.append(f"(read as: “{answer.read_as}”)")
    if answer.answered and answer.title:
        lines.append(f"{answer.title}  [confidence {answer.confidence:.2f}]")
        lines.append("")
    lines.append(answer.answer)
    if answer.sources and not answer.off_topic:  # an off-topic question used no source
        cited = ", ".join(f"{s.title} ({s.kind}, {s.score:.2f})" for s in answer.sources)
        lines += ["", f"Sources: {cited}"]
    if answer.answered and answer.related:
        lines.append("Related: " + ", ".join(title for _, title in answer.related))
    if more and answer.more:
        lines.append(f"The whole card: {more}")
    if flag and reply.question_id is not None and answer.answered:
        lines.append(f"Not what you asked? {flag} {reply.question_id} tells the instructor.")
    return "\n".join(lines)


def render_card_page(page: CardPage) -> str:
    return f"{page.title}\n\n{page.text}"


def render_ingest(reports: list[IngestReport]) -> str:
    lines = []
    for r in reports:
        if r.status is IngestStatus.ERROR:
            lines.append(f"✗ {r.path}: {r.message}")
        else:
            detail = f" ({r.message})" if r.message else ""
            lines.append(f"✓ {r.path}: {r.status.value}, {counted(r.chunks, 'chunk')}{detail}")
    return "\n".join(lines) or "Nothing to ingest."


def render_unanswered(groups: list[UnansweredGroup], resolve_hint: str) -> str:
    """The queue, near-duplicates grouped: resolve a group by its #id (`resolve_hint`, in the
    frontend's terms, says how)."""
    if not groups:
        return "No unanswered questions."
    lines = []
    for g in groups:
        count = f"x{g.count}" if g.count > 1 else ""
        askers = ", ".join(g.askers[:3]) + (f" +{len(g.askers) - 3}" if len(g.askers) > 3 else "")
        lines.append(f"#{g.id:<5} {count:>4}  {g.question}   ({askers}; {g.asked_at})")
        for q in g.flagged:
            given = q.answered_with or "an ingested document or the instructor's answer"
            lines.append(f"{'':12}not what {q.asker} asked: answered with {given}")
        for q in g.questions[1:4]:
            lines.append(f"{'':12}also: {q.question}")
        if g.count > 4:
            lines.append(f"{'':12}and {g.count - 4} more")
    lines.append(resolve_hint)
    return "\n".join(lines)


def render_resolution(r: Resolution) -> str:
    how = (
        f"now answer with the card {r.card_title} ({r.card})"
        if r.card
        else ("now answer with your answer")
    )
    asked = "; ".join(f"“{q}”" for q in r.questions[:3])
    more = f" and {len(r.questions) - 3} more" if len(r.questions) > 3 else ""
    return (
        f"Resolved {len(r.question_ids)} queued question(s): {asked}{more} {how}, "
        "for everyone who asks them again."
    )


def render_flagged(f: Flagged) -> str:
    if not f.queued:
        return f"“{f.question}” is already with the instructor."
    return (
        f"Thanks: “{f.question}” is with the instructor now, who will point it at the "
        "right card or answer it."
    )


def bar(score: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(1.0, score)) * width)
    return "█" * filled + "·" * (width - filled)


def table_lines(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Rows in aligned columns under their headers and a rule of dashes, one string a line
    (for a monospace font: a terminal, a code block)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render_tokenizer_result(result: TokenizeResult) -> str:
    header = (
        f"{result.tokenizer} ({result.algorithm}, vocabulary {result.vocab_size:,}): "
        f"{result.num_tokens} tokens from {result.num_chars} characters"
    )
    pair = any(result.token_type_ids)
    rows = []
    for i, token in enumerate(result.tokens):
        note = "special" if not result.spans[i] and token in result.special_tokens else ""
        if result.continuation[i]:
            note = "continues word"
        row = [str(i), repr(token)[1:-1], str(result.ids[i]), str(result.attention_mask[i])]
        rows.append([*row, str(result.token_type_ids[i]), note] if pair else [*row, note])
    headers = ["#", "token", "id", "mask", "type", ""] if pair else ["#", "token", "id", "mask", ""]
    specials = ", ".join(result.special_tokens) or "none"
    return "\n".join([header, *table_lines(headers, rows), f"special tokens added: {specials}"])


def render_tokenize(reply: TokenizeReply) -> str:
    parts = [f"note: {n}" for n in reply.notes]
    parts += [render_tokenizer_result(r) for r in reply.results]
    return "\n\n".join(parts)


def render_batch(reply: BatchReply) -> str:
    batch = reply.batch
    lines = [f"note: {n}" for n in reply.notes]
    lines.append(
        f"{len(reply.texts)} sentences padded with {batch.pad_token} to the longest "
        f"({len(batch.ids[0])} tokens) by {batch.tokenizer}:"
    )
    for i, (tokens, mask) in enumerate(zip(batch.tokens, batch.attention_mask, strict=True)):
        lines.append(f"[{i}] tokens:         {' '.join(tokens)}")
        lines.append(f"    attention_mask: {' '.join(map(str, mask))}")
    lines.append("1 = a real token the model attends to, 0 = padding it ignores.")
    return "\n".join(lines)


def render_attention(reply: AttentionReply, *, image: bool = True, per_token: bool = True) -> str:
    """The reading, each word token's strongest link, and where the heatmap is. Discord sends
    the image itself, so it asks for neither the path nor the table (the image shows it)."""
    amap = reply.map
    lines = [f"note: {n}" for n in reply.notes]
    lines.append(f"{amap.model} attention, {amap.view}, over {len(amap.tokens)} tokens:")
    lines.append("  " + " ".join(amap.tokens))
    lines.append(amap.reading)
    if per_token:
        rows = [
            [
                f.token,
                f"{f.target_token} {f.weight:.2f}" if f.target_token else "-",
                f"{f.self_share:.2f}",
                f"{f.special_share:.2f}",
            ]
            for f in amap.focus()
        ]
        if rows:
            lines.append("")
            lines += table_lines(["token", "attends most to", "itself", "[CLS]+[SEP]"], rows)
    if image:
        lines += ["", f"Heatmap: {reply.image}"]
    return "\n".join(lines)


def render_embed(
    reply: EmbedReply, *, image: bool = True, dims: int = 4, sentence_chars: int = 0
) -> str:
    """The sentences, the word's pieces, the similarity grid, a few dimensions of each vector
    (none with `dims=0`); `sentence_chars` clips long sentences (0: never)."""
    result = reply.result
    n = len(result.sentences)
    lines = [f"note: {note}" for note in reply.notes]
    lines.append(
        f"“{result.word}” in {n} sentences ({result.model}: {result.dimensions}-dimensional "
        "vectors from the last layer):"
    )

    def short(text: str) -> str:
        if not sentence_chars or len(text) <= sentence_chars:
            return text
        return text[: sentence_chars - 1] + "…"

    listed = [
        [str(k), short(f.sentence), " ".join(f.pieces)] for k, f in enumerate(result.sentences, 1)
    ]
    lines += ["  " + line for line in table_lines(["", "sentence", "the word's tokens"], listed)]
    numbers = [str(k) for k in range(1, n + 1)]
    grid = [[str(k), *(f"{v:.2f}" for v in row)] for k, row in enumerate(result.similarity, 1)]
    lines += ["", "Cosine similarity of the contextual vectors:"]
    lines += ["  " + line for line in table_lines(["", *numbers], grid)]
    pairs = ", ".join(f"{p.first}-{p.second} {p.cosine:.2f}" for p in result.pairs)
    lines.append(f"Pairs, most similar first: {pairs}")
    if dims:
        lines += ["", f"First {dims} of {result.dimensions} dimensions:"]

        def head(vector: list[float]) -> str:
            return " ".join(f"{v:+.3f}" for v in vector[:dims]) + " …"

        rows = [
            [str(k), head(f.contextual), head(f.input_embedding)]
            for k, f in enumerate(result.sentences, 1)
        ]
        lines += [
            "  " + line for line in table_lines(["", "contextual vector", "input embedding"], rows)
        ]
    lines += ["", result.reading]
    if image:
        lines.append(f"Picture: {reply.image}")
    return "\n".join(lines)


def render_mask(reply: MaskReply, hints: Mapping[Hint, str]) -> str:
    lines = [f"note: {n}" for n in reply.notes]
    if reply.result is None:
        why = reply.problem.explained(hints) if reply.problem else reply.error
        lines.append(f"Fill-mask is not available: {why}")
        if reply.tokenizer_view:
            lines.append("What the model would see (BERT uncased WordPiece):")
            lines.append("  " + " ".join(reply.tokenizer_view.tokens))
        return "\n".join(lines)
    lines += [f"note: {n}" for n in reply.result.notes]
    for number, blank in enumerate(reply.result.blanks, start=1):
        lines.append(f"{reply.model}: blank {number} (token {blank.position})")
        width = max(len(p.token) for p in blank.predictions + blank.targets)
        for p in blank.predictions:
            lines.append(f"  {p.token.ljust(width)}  {bar(p.score)} {p.score:.3f}")
        for t in blank.targets:
            lines.append(f"  your guess {t.token!r}: {t.score:.4f}")
    return "\n".join(lines)


def render_models(report: ModelsReport, headline: str = "") -> str:
    lines = [headline] if headline else []
    lines.append("What each demo uses:")
    width = max(len(d.demo) for d in report.demos)
    for d in report.demos:
        state = "offline" if d.offline else "NOT HERE: `tutor models download " + d.model + "`"
        lines.append(f"  {d.demo.ljust(width)}  {d.model}  ({state})")
    lines.append(f"Allow-listed models (local copies live in {report.models_dir}):")
    width = max(len(m.name) for m in report.models)
    for m in report.models:
        where = m.where or "hub only (not downloaded)"
        lines.append(f"  {m.name.ljust(width)}  {m.kind:<18}  {where}")
    return "\n".join(lines)


def render_downloads(fetched: list[Downloaded]) -> str:
    lines = []
    for d in fetched:
        if d.already:
            lines.append(f"{d.name}: already here ({d.path}, revision {d.revision[:10]}).")
        else:
            lines.append(
                f"{d.name}: downloaded {len(d.files)} files (revision {d.revision[:10]}) "
                f"to {d.path}; it now loads offline."
            )
    return "\n".join(lines)


def render_masking_demo(demo: MaskingDemo) -> str:
    lines = [
        f"BERT masking rule on {len(demo.tokens)} tokens (seed {demo.seed}): pick 15%, then "
        "80% -> [MASK], 10% -> random token, 10% -> unchanged.",
        f"tokens:      {' '.join(demo.tokens)}",
        f"model sees:  {' '.join(demo.model_input)}",
    ]
    for p in demo.picked:
        lines.append(
            f"  position {p.position}: {p.original!r} -> {p.shown!r} ({p.action}); "
            f"must predict {p.original!r}"
        )
    return "\n".join(lines)


def render_calculation(calc: Calculation) -> str:
    return "\n".join([calc.summary, *(f"  {line}" for line in calc.lines)])


# --- quizzes ---------------------------------------------------------------------------------


def render_submit(result: SubmitResult) -> str:
    if result.accepted:
        return f"Recorded: {result.message} You will see the answer when the question closes."
    if isinstance(result.reply, AskReply):  # a question to the bot, answered
        return f"{result.message}\n\n{render_answer(result.reply)}"
    return f"Not counted: {result.message}"


def _question_body(q: Question) -> list[str]:
    """A question's choices and how to answer it (quizzes and reviews alike)."""
    if q.kind == "choice":
        lines = [f"  {'ABCDE'[i]}) {choice}" for i, choice in enumerate(q.choices)]
        return [*lines, "Answer with a letter."]
    if q.kind in ("numeric", "live"):
        return ["Answer with a number." + (f" (unit: {q.unit})" if q.unit else "")]
    return ["Answer in a sentence."]


def render_question(event: QuestionOpened) -> str:
    q = event.question
    lines = [f"Question {event.number}/{event.total} ({_answer_time(event)}): {q.prompt}"]
    return "\n".join(lines + _question_body(q))


def _answer_time(event: QuestionOpened) -> str:
    """The time to answer; with extra time for some (never named), when results come."""
    if not event.extended:
        return f"{event.seconds:.0f} s"
    return (
        f"{event.seconds:.0f} s; with extra time, up to {event.open_for:.0f} s before the results"
    )


def render_question_closed(event: QuestionClosed) -> str:
    if event.skipped:
        return f"Question {event.number} skipped."
    right = [event.names.get(a.user, "someone") for a in event.answers if a.grade.credit == 1.0]
    partly = [event.names.get(a.user, "someone") for a in event.answers if a.grade.credit == 0.5]
    head = "Everyone has answered." if event.everyone_answered else "Time!"
    lines = [
        f"{head} Question {event.number}: {len(right)} of {len(event.answers)} answers fully correct.",
        f"  Answer: {event.expected}",
    ]
    if event.question.explanation:
        lines.append(f"  Why: {event.question.explanation}")
    if event.live_detail:
        lines.append(f"  How the key was found: {event.live_detail}")
    # Only what the class did well is named in the shared channel; wrong answers stay private.
    if right:
        lines.append(f"  Right: {', '.join(right)}")
    if partly:
        lines.append(f"  Partly right: {', '.join(partly)}")
    return "\n".join(lines)


def render_teams(teams: dict[int, list[str]]) -> str:
    """Who is in which team, by display name; an empty team says so (it still works)."""
    return "\n".join(f"team{t}: {', '.join(names) or 'nobody yet'}" for t, names in teams.items())


def render_accommodation(done: Accommodation) -> str:
    if done.multiplier == 1.0:
        return f"{done.person} has no extra time now."
    return (
        f"{done.person} now has {done.multiplier:g}x the time on timed quiz questions in this "
        "class (only you see this)."
    )


def render_accommodations(rows: list[Accommodation]) -> str:
    if not rows:
        return "Nobody in this class has extra time."
    return "Extra time in this class (only you see this):\n" + "\n".join(
        f"  {a.person}: {a.multiplier:g}x" for a in rows
    )


def render_standings(
    title: str, rows: list[Standing], limit: int = 10, others_are: str = "other"
) -> list[str]:
    """Standings the class sees: who did well, never who did badly (the privacy rule). Only
    people with a right answer are named, with their points and right answers, never their
    misses; the others are a count. Each student sees their own result privately."""
    named = [s for s in rows if s.correct > 0][:limit]
    others = len(rows) - len(named)
    if not rows:
        return [f"{title}: nobody yet."]
    lines = [f"{title}:"] + [
        f"  {i}. {s.name}: {s.points} points ({counted(s.correct, 'right answer')})"
        for i, s in enumerate(named, start=1)
    ]
    if others:
        lines.append(f"  and {counted(others, others_are)} who took part")
    return lines


def render_own_result(result: OwnResult, titles: dict[str, str]) -> str:
    """A student's own result of one quiz, for their eyes only."""
    if result.answered == 0:
        return f"You did not answer any question of quiz #{result.quiz_number}."
    rank = f", rank {result.rank} of {result.of}" if result.rank else ""
    lines = [
        f"Your result in quiz #{result.quiz_number}: {result.points} points, "
        f"{result.correct} of {counted(result.answered, 'answer')} right{rank}."
    ]
    if result.missed:
        missed = ", ".join(titles.get(c, c) for c in result.missed)
        lines.append(f"To review: {missed} (they come back in your reviews).")
    return "\n".join(lines)


def render_quiz_ended(event: QuizEnded, titles: dict[str, str]) -> str:
    lines = [f"Quiz #{event.quiz_number} {event.status.value}."]
    lines += render_standings("Scores", event.users)
    if event.teams:
        lines += render_standings(
            "Teams (average of members)", event.teams, others_are="other team"
        )
    weak = [c for c in event.missed if c.mean_credit < 1.0][:3]
    if weak:
        lines.append("Review these concepts (missed most):")
        lines += [
            f"  {titles.get(c.concept, c.concept)}: {c.mean_credit:.0%} credit over {c.answers} answers "
            f"(ask: /ask {titles.get(c.concept, c.concept)})"
            for c in weak
        ]
    return "\n".join(lines)


def render_quiz_event(event: QuizEvent, titles: dict[str, str]) -> str:
    if isinstance(event, QuestionOpened):
        return render_question(event)
    if isinstance(event, QuestionClosed):
        return render_question_closed(event)
    return render_quiz_ended(event, titles)


# --- reviews ---------------------------------------------------------------------------------

_VERDICTS = {"CORRECT": "Right", "PARTIAL": "Partly right", "WRONG": "Missed"}


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def render_review_question(served: ReviewQuestion) -> str:
    missed = f"; missed {_times(served.misses)}" if served.misses else ""
    lines = [f"Review ({served.due_today} due today{missed}): {served.question.prompt}"]
    return "\n".join(lines + _question_body(served.question))


def render_concept_card(card: Card) -> str:
    lines = [f"Read the card: {card.title}", card.explanation, "Key points:"]
    lines += [f"  • {point}" for point in card.key_points]
    if card.common_mistakes:
        lines.append("Common mistakes:")
        lines += [f"  • {mistake}" for mistake in card.common_mistakes]
    return "\n".join(lines)


def render_review_outcome(outcome: ReviewOutcome) -> str:
    """The verdict, when the question comes back, and the concept's card after a miss."""
    lines = [f"{_VERDICTS[outcome.result.name]}. {outcome.grade.reason}"]
    if outcome.question.kind == "free" and outcome.grade.credit < 1:
        lines.append(f"  A full answer: {outcome.grade.expected}")
    if outcome.question.explanation:
        lines.append(f"  Why: {outcome.question.explanation}")
    lines.append(f"  Next review of this question: {outcome.next_due}.")
    if outcome.card is not None:
        lines += ["", render_concept_card(outcome.card)]
    return "\n".join(lines)


def render_review_status(status: ReviewStatus) -> str:
    if not status.cards:
        return (
            "Nothing to review: questions you miss in a class quiz come back here, spaced out "
            "over the days (or ask for some with /review add)."
        )
    lines = [f"Due today ({status.today}): {len(status.due_today)}"]
    for item in status.due_today:
        lines.append(f"  • {', '.join(item.concepts)}: {item.prompt}")
    lines.append(f"Later this week: {len(status.due_this_week)}")
    for item in status.due_this_week:
        lines.append(f"  • {item.due}  {', '.join(item.concepts)}: {item.prompt}")
    if status.later:
        lines.append(f"Further out: {status.later}")
    if not status.due_today and status.next_due:
        lines.append(f"Next review: {status.next_due}.")
    state = "on: a private message on days with reviews due" if status.reminders else "off"
    lines.append(f"Reminders: {state} (time zone {status.timezone}).")
    return "\n".join(lines)


def render_review_done(answered: int | None, status: ReviewStatus) -> str:
    """When no question is served any more: `answered` in this run (None: not counted)."""
    if status.due_today:
        left = len(status.due_today)
        return f"Stopped with {left} still due today; /review picks up where you left off."
    if answered is None:
        head = "That was the last question due today."
    elif answered:
        head = f"Done for today: {answered} reviewed."
    else:
        head = "Nothing due for review today."
    return f"{head} Next review: {status.next_due}." if status.next_due else head


def render_reminder(reminder: Reminder, where: str = "") -> str:
    questions = "question" if reminder.due_today == 1 else "questions"
    place = f" in {where}" if where else ""
    return (
        f"You have {reminder.due_today} quiz {questions} to review today{place}. "
        "Start with /review start; /review remind off stops these reminders."
    )


# --- jigsaw ----------------------------------------------------------------------------------


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def progress_bar(covered: int, total: int, width: int = 20) -> str:
    filled = round(width * covered / total) if total else 0
    return f"[{'█' * filled}{'·' * (width - filled)}] {covered}/{total} concepts covered"


def render_table(table: CardTable) -> str:
    """A card's table in aligned columns, for a monospace font (a terminal, a code block)."""
    rows = [table.header, *table.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table.header))]

    def line(cells: tuple[str, ...]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(table.header), rule, *(line(row) for row in table.rows)])


TableFormat = Callable[[CardTable], str]


def _unwrapped(text: str) -> str:
    """A card's hard-wrapped text with one line per paragraph: readers' windows wrap it."""
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()))


def _bullets(heading: str, items: tuple[str, ...]) -> str:
    return "\n".join([heading, *(f"  • {item}" for item in items)])


def card_material(card: Card, number: int, *, table: TableFormat = render_table) -> list[str]:
    """A card as a team studies it, in blocks (a frontend keeps each block whole): its title
    and explanation, key points, analogy, table and common mistakes."""
    blocks = [
        f"{number}. {card.title}\n{_unwrapped(card.explanation)}",
        _bullets("Key points:", card.key_points),
    ]
    if card.analogy:
        blocks.append(f"Analogy: {_unwrapped(card.analogy)}")
    if card.table:
        blocks.append(table(card.table))
    blocks.append(_bullets("Common mistakes:", card.common_mistakes))
    return blocks


def team_material_parts(
    event: TeamMaterial, *, table: TableFormat = render_table
) -> list[list[str]]:
    """A team's material in parts, each a list of blocks: one part per card (the first opens
    with the team's heading), then the teach-back checklist."""
    heading = f"Team {event.team}: your {len(event.cards)} concepts to learn, prepare and teach."
    parts = [card_material(card, n, table=table) for n, card in enumerate(event.cards, 1)]
    parts = [[heading + "\n\n" + part[0], *part[1:]] for part in parts[:1]] + parts[1:]
    checklist = [
        f"Teach-back checklist for Team {event.team}:\n"
        + "\n".join(f"  [ ] {item}" for item in event.checklist),
        "When you have taught a concept: /jigsaw taught CONCEPT",
    ]
    return [*(parts or [[heading]]), checklist]


def render_team_material(event: TeamMaterial) -> str:
    """The whole material as text: every card in full, then the checklist."""
    return "\n\n".join(block for part in team_material_parts(event) for block in part)


def render_announcement(event: Announcement) -> str:
    e = event.event
    if isinstance(e, PhaseStarted):
        head = f"Phase {e.number}/{e.total}: {e.phase.label} ({_clock(e.seconds)})"
    elif isinstance(e, TimeWarning):
        head = f"{_clock(e.seconds_left)} left in {e.phase.label}"
    else:
        head = f"The activity has {e.status}"
    return f"{head}. {progress_bar(event.covered, event.total)}"


def render_mastery(event: MasteryReady, titles: dict[str, str], *, paths: bool = True) -> str:
    grid = event.grid
    names = {c: ("✓ " if c in grid.taught else "  ") + titles.get(c, c) for c in grid.concepts}
    width = max(len(n) for n in names.values())
    lines = [
        f"Mastery grid of activity #{event.number}: share of quiz credit per team and "
        "concept, with the number of answers behind it (✓ = taught):",
        " " * (width + 2) + "".join(f"{'team' + str(t):>11}" for t in grid.teams),
    ]
    for concept in grid.concepts:
        cells = "".join(
            f"{'no data':>11}" if share is None else f"{f'{share:.0%} (n={n})':>11}"
            for share, n in (grid.cells[concept][t] for t in grid.teams)
        )
        lines.append(f"{names[concept]:<{width}}  {cells}")
    if grid.unplaced:
        lines.append(
            f"{counted(grid.unplaced, 'answer')} came from students in no team and are in no "
            "column: put everyone in a team (teams balance) before the next activity."
        )
    weakest = grid.weakest()
    if weakest:
        lines.append("Revisit first:")
        lines += [
            f"  {titles.get(c, c)}: {grid.overall(c)[0]:.0%} over {grid.overall(c)[1]} answers "
            f"(card: /ask {titles.get(c, c)})"
            for c in weakest
        ]
    if event.png_path and paths:
        lines.append(f"Image: {event.png_path}")
    return "\n".join(lines)


def render_quiz_plan(event: QuizPlan, titles: dict[str, str]) -> str:
    asked = event.questions or len(event.covered)
    what = (
        "one per concept"
        if asked == len(event.covered)
        else f"on {len(event.covered)} concepts (some questions test two)"
    )
    text = (
        f"Closing quiz: {asked} questions, {what}, "
        f"{event.seconds_per_question:.0f} s each with {event.gap_seconds:.0f} s between them."
    )
    if event.extra_time > 1.0:  # nobody named: an accommodation is private
        longest = event.seconds_per_question * event.extra_time
        text += (
            f" Students with extra time get up to {longest:.0f} s; a question's results wait "
            "until they have answered."
        )
    if event.left_out:
        text += " Not enough time for: " + ", ".join(titles.get(c, c) for c in event.left_out) + "."
    return text


def render_jigsaw_event(event: JigsawEvent, titles: dict[str, str]) -> str:
    if isinstance(event, TeamMaterial):
        return render_team_material(event)
    if isinstance(event, Announcement):
        return render_announcement(event)
    if isinstance(event, QuizPlan):
        return render_quiz_plan(event, titles)
    return render_mastery(event, titles)


def render_jigsaw_status(status: JigsawStatus) -> str:
    bar = progress_bar(status.covered, status.total)
    if status.status in ("stopped", "finished"):
        head = f"Activity #{status.number} {status.status} during {status.phase}."
        if status.phase in ("stopped", "finished"):  # it had no phase left
            head = f"Activity #{status.number} {status.status}."
        lines = [f"{head} {bar}"]
    else:
        state = "paused" if status.status == "paused" else f"{_clock(status.seconds_left)} left"
        lines = [f"Activity #{status.number}: {status.phase}, {state}. {bar}"]
    for team in sorted(status.taught):
        lines.append(f"  team{team} taught: {', '.join(status.taught[team])}")
    return "\n".join(lines)


# --- fine-tune jobs --------------------------------------------------------------------------


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def _expectation(d: dict) -> str:
    """What the job's preset takes and gives, as measured on this kind of hardware."""
    if d.get("expected_seconds") is None:
        return f"Preset {d['preset']}: not yet measured on this hardware."
    return (
        f"Preset {d['preset']}: about {_duration(d['expected_seconds'])} from start to result "
        f"and about {d['expected_accuracy']:.0%} dev accuracy (measured on {d['measured_on']})."
    )


def render_job_event(event: JobEvent, *, paths: bool = True) -> str:
    """One job's news; without `paths` (chat), the loss curve is not named by its path (the
    chat frontend attaches the picture instead)."""
    d = event.data
    head = f"[job #{event.number}, {event.owner}]"
    if event.kind == "queued":
        wait = d.get("wait_seconds")
        about = f"; about {_duration(wait)} to wait" if wait else ""
        text = f"{head} queued (position {d.get('position', '?')}{about})."
        return f"{text} {_expectation(d)}" if d.get("preset") else text
    if event.kind == "evaluation":
        return (
            f"{head} dev accuracy so far: {d['dev_accuracy']:.1%} (step {d['step']}, on a sample)"
        )
    if event.kind == "started":
        share = d["trainable_params"] / d["total_params"]
        return (
            f"{head} training {d['model']} ({d['method']}) on {d['device']}: {d['train_examples']:,} examples, "
            f"{d['total_steps']} steps; {d['trainable_params']:,} of {d['total_params']:,} parameters trainable ({share:.2%})."
        )
    if event.kind == "progress":
        return (
            f"{head} step {d['step']}/{d['total_steps']} {bar(d['step'] / d['total_steps'], 10)} "
            f"loss {d['loss']:.3f}, {d['examples_per_second']:.0f} examples/s"
        )
    if event.kind == "succeeded":
        text = (
            f"{head} done: dev accuracy {d['dev_accuracy']:.1%} after {d['train_seconds']:.0f} s of training; "
            f"{d['trainable_params']:,} trainable of {d['total_params']:,} ({d['trainable_share']:.2%})."
        )
        if paths and d.get("loss_curve"):
            text += f" Loss curve: {d['loss_curve']}"
        if d.get("diagnosis"):
            text += f"\n{head} Note: {d['diagnosis']}"
        return text
    return f"{head} {event.kind}: {d.get('reason') or d.get('by') or ''}".rstrip(": ")


def counted(n: int, noun: str, plural: str = "") -> str:
    """ "1 question", "2 questions": a count with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def render_try(reply: TryReply) -> str:
    model = reply.model.split("/")[-1]
    lines = [
        f"Job #{reply.job} ({model}, {reply.method}) on: {reply.text}",
        f"  fine-tuned:             {reply.fine_tuned.label}",
    ]
    lines += [
        f"      {label:<14} {bar(p, 10)} {p:.1%}"
        for label, p in reply.fine_tuned.probabilities.items()
    ]
    lines.append(f"  before (untrained head): {reply.untrained.label}")
    lines += [
        f"      {label:<14} {bar(p, 10)} {p:.1%}"
        for label, p in reply.untrained.probabilities.items()
    ]
    lines.append(
        "The base model knows language but not the task: its new head guesses. The fine-tuned "
        "model learned the task from its training examples; it can still be wrong on yours."
    )
    return "\n".join(lines)


def render_jobs(jobs: list[JobView], *, reason_chars: int | None = None) -> str:
    """One line per job; `reason_chars` cuts long failure reasons (a list in a chat)."""
    if not jobs:
        return "No fine-tune jobs yet."
    lines = []
    for j in jobs:
        accuracy = f" dev {j.dev_accuracy:.1%}" if j.dev_accuracy is not None else ""
        progress = f" {j.progress:.0%}" if j.status == "running" else ""
        why = j.reason or ""
        if reason_chars is not None and len(why) > reason_chars:
            why = why[: reason_chars - 1] + "…"
        reason = f" ({why})" if why else ""
        team = f" team{j.team}" if j.team else ""
        lines.append(f"#{j.number} {j.status}{progress}{accuracy} - {j.owner}{team}{reason}")
    return "\n".join(lines)


def render_finetune_leaderboard(board: FinetuneBoard) -> str:
    if not board.teams and not board.students:
        lines = ["No finished fine-tunes yet."]
    else:
        lines = []
        for title, entries in (("Teams", board.teams), ("Students", board.students)):
            if not entries:
                continue
            lines.append(f"{title} (best SST-2 dev accuracy):")
            for i, e in enumerate(entries[:10], 1):
                share = f", {e.trainable_share:.2%} trainable" if e.trainable_share else ""
                seconds = f", {e.train_seconds:.0f} s" if e.train_seconds is not None else ""
                model = e.model.split("/")[-1]
                lines.append(
                    f"  {i}. {e.name}: {e.dev_accuracy:.1%} ({model} {e.method}{share}{seconds}; "
                    f"{e.runs} run{'s' if e.runs != 1 else ''})"
                )
    reference = ", ".join(f"{m} {a:.0%}" for m, _, a in board.reference)
    lines.append(f"For reference, the handout's full fine-tunes on SST-2: {reference}.")
    return "\n".join(lines)


def render_leaderboard(board: Leaderboard) -> str:
    lines = render_standings("Class leaderboard", board.users)
    return "\n".join(lines + render_standings("Teams", board.teams, others_are="other team"))


# --- backups -------------------------------------------------------------------------------


def render_backups(found: list[Backup], folder: object) -> str:
    if not found:
        return f"No backups in {folder} yet (the bot writes one a day; `tutor backup` makes one)."
    rows = [
        [b.made.strftime("%Y-%m-%d %H:%M UTC"), f"{b.size / 1e6:.1f} MB", str(b.path)]
        for b in found
    ]
    lines = table_lines(["made", "size", "backup"], rows)
    return "\n".join(
        [*lines, "", "Restore one with: tutor backup restore [PATH] (default: the newest)"]
    )


def render_restored(restored: Restored) -> str:
    kept = (
        f" The database it replaced is kept at {restored.kept_aside}."
        if restored.kept_aside
        else ""
    )
    return f"Restored {restored.database} from {restored.source}.{kept}"
