"""The Tutor: one service API that every frontend (console, CLI, Discord) calls.

It owns the settings, the store and the lazily loaded models, and turns user input into data
(dataclasses), never into chat text: rendering belongs to each frontend.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from bot.calculations import Calculation, calculate
from bot.config import Settings
from bot.finetune import FinetuneJobs, JobError
from bot.jigsaw import JigsawManager
from bot.quizzes import QuizManager
from bot.replies import AskReply, BatchReply, IngestReport, MaskReply, TokenizeReply
from bot.store import Store, utc_now
from bot.teams import parse_team
from bot.ticker import Ticker
from knowledge.answers import KnowledgeBase
from knowledge.cards import Card, load_cards
from knowledge.documents import DocumentError, load_document
from knowledge.index import Encoder, HybridIndex, card_passages, document_passages
from skills.calculators import CalculatorError
from skills.fill_mask import (
    BLANK,
    FillMaskError,
    MaskedLMRegistry,
    MaskingDemo,
    count_blanks,
    masking_demo,
)
from skills.finetune.config import ConfigError, TrainConfig
from skills.models import ModelNotAllowed, ModelUnavailable
from skills.quiz.bank import Question, check_bank_data, load_banks
from skills.quiz.gift import GiftError, parse_gift
from skills.text import CleanText, clean_user_text
from skills.tokenization import (
    BERT_UNCASED,
    DEFAULT_TOKENIZERS,
    TokenizerRegistry,
    tokenize,
    tokenize_batch,
)

log = logging.getLogger(__name__)


class UserInputError(ValueError):
    """Input the user must change; the message is shown to them as it is."""


def team_number(text: str) -> int:
    """parse_team for user input: a bad name is the user's to fix."""
    try:
        return parse_team(text)
    except ValueError as exc:
        raise UserInputError(str(exc)) from exc


class Tutor:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store: Store | None = None,
        encoder: Encoder | None = None,
        cards: list[Card] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings or Settings()
        self.store = store or Store(self.settings.database_path)
        self._encoder = encoder
        self._cards = cards
        self._knowledge: KnowledgeBase | None = None
        self._lock = threading.Lock()
        model_dir, offline = self.settings.model_dir, self.settings.hub_offline
        self.tokenizers = TokenizerRegistry(model_dir=model_dir, offline=offline)
        self.masked_lms = MaskedLMRegistry(model_dir=model_dir, offline=offline)
        self._quizzes: QuizManager | None = None
        self._jigsaw: JigsawManager | None = None
        self._ticker: Ticker | None = None
        self._clock = clock
        self._finetunes: FinetuneJobs | None = None
        self._built_in_questions: list[Question] | None = None
        self._references: dict[
            str, Any
        ] = {}  # reference answer -> embedding (one per bank question)

    # --- shared resources, loaded once ---------------------------------------------------

    @property
    def cards(self) -> list[Card]:
        if self._cards is None:
            self._cards = load_cards()
        return self._cards

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from skills.models import load_sentence_encoder

            loaded = load_sentence_encoder(
                self.settings.embedding_model,
                model_dir=self.settings.model_dir,
                offline=self.settings.hub_offline,
            )
            self._encoder = cast(Encoder, loaded)  # SentenceTransformer's overloads satisfy it
        return self._encoder

    def knowledge(self) -> KnowledgeBase:
        """The knowledge base, loading (or, if cards/documents changed, rebuilding) its index."""
        with self._lock:
            if self._knowledge is None:
                passages = card_passages(self.cards) + document_passages(
                    self.store.document_chunks()
                )
                index, rebuilt = HybridIndex.load_or_build(
                    self.settings.index_path, passages, self.encoder, self.settings.embedding_model
                )
                if rebuilt:
                    log.info("retrieval index rebuilt: %d passages", len(passages))
                self._knowledge = KnowledgeBase(self.cards, index, self.settings.answer_threshold)
            return self._knowledge

    def warm_up(self) -> None:
        """Load models and the index now, so the first question is answered at full speed."""
        self.knowledge().answer("warm-up")

    def recover_interrupted(self) -> dict[str, list[dict[str, Any]]]:
        """Mark what a crash or restart left running as interrupted; returns it for the report.

        Only a long-running frontend (tutor chat, tutor run) calls this, at start-up: a one-shot
        command beside a running bot must not declare that bot's live sessions dead."""
        return {
            "quizzes": self.quizzes.recover_interrupted(),
            "activities": self.jigsaw.recover_interrupted(),
            "jobs": self.finetunes.recover_interrupted(),
        }

    def start_timers(self) -> None:
        """Run quiz, jigsaw and job timers from one background thread (frontends call this)."""
        if self._ticker is None:
            self._ticker = Ticker([self.quizzes.tick, self.jigsaw.tick, self.finetunes.tick])
        self._ticker.start()

    def close(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
        if self._finetunes is not None:
            self._finetunes.close()
        self.store.close()

    # --- ask -------------------------------------------------------------------------------

    def ask(self, question: str, *, channel: str = "console", user: str = "local") -> AskReply:
        limit = self.settings.max_question_chars
        cleaned = clean_user_text(question, limit)
        if cleaned.empty:
            raise UserInputError("Please type a question, e.g. “what is an attention mask?”")
        answer = self.knowledge().answer(cleaned.text)
        self.store.record_question(
            channel=channel,
            user=user,
            question=cleaned.text,
            answered=answer.answered,
            concept=answer.concept,
            confidence=answer.confidence,
        )
        return AskReply(cleaned.text, answer, cleaned.note(limit))

    def unanswered(self, limit: int = 100) -> list[dict[str, Any]]:
        return self.store.unanswered_questions(limit)

    def card(self, concept_id: str) -> Card | None:
        return next((c for c in self.cards if c.id == concept_id), None)

    # --- live model demos ---------------------------------------------------------------

    def _demo_text(self, text: str | None, what: str) -> CleanText:
        cleaned = clean_user_text(text, self.settings.max_demo_chars)
        if cleaned.empty:
            raise UserInputError(f"Give me some text to {what}, e.g. “{what} this: Hello world”.")
        return cleaned

    def _notes(self, *cleaned: CleanText) -> list[str]:
        limit = self.settings.max_demo_chars
        return [note for c in cleaned if (note := c.note(limit))]

    def tokenize(
        self, text: str, *, tokenizers: list[str] | None = None, pair: str | None = None
    ) -> TokenizeReply:
        first = self._demo_text(text, "tokenize")
        second = self._demo_text(pair, "tokenize") if pair is not None else None
        names = list(dict.fromkeys(tokenizers or DEFAULT_TOKENIZERS))
        try:
            results = [
                tokenize(self.tokenizers, name, first.text, second.text if second else None)
                for name in names
            ]
        except (ModelNotAllowed, ModelUnavailable) as exc:
            raise UserInputError(str(exc)) from exc
        notes = self._notes(first, *([second] if second else []))
        return TokenizeReply(first.text, results, second.text if second else None, notes)

    def tokenize_batch(self, texts: list[str], *, tokenizer: str = BERT_UNCASED) -> BatchReply:
        if not 2 <= len(texts) <= 16:
            raise UserInputError("The padding demo takes 2 to 16 sentences.")
        cleaned = [self._demo_text(t, "tokenize") for t in texts]
        try:
            batch = tokenize_batch(self.tokenizers, tokenizer, [c.text for c in cleaned])
        except (ModelNotAllowed, ModelUnavailable, ValueError) as exc:
            raise UserInputError(str(exc)) from exc
        return BatchReply([c.text for c in cleaned], batch, self._notes(*cleaned))

    def mask(
        self,
        text: str,
        *,
        model: str | None = None,
        top_k: int = 5,
        targets: list[str] | None = None,
    ) -> MaskReply:
        cleaned = self._demo_text(text, "mask")
        if count_blanks(cleaned.text) == 0:
            raise UserInputError(
                "Put a blank in the sentence: [MASK], <mask> or ___ "
                "(e.g. “mask this: The [MASK] sat on the mat.”)."
            )
        name = (model or self.settings.mask_model).strip()
        notes = self._notes(cleaned)
        try:
            lm = self.masked_lms.get(name)
            result = lm.predict(cleaned.text, top_k=top_k, targets=targets)
        except ModelNotAllowed as exc:
            raise UserInputError(str(exc)) from exc
        except FillMaskError as exc:
            raise UserInputError(str(exc)) from exc
        except ModelUnavailable as exc:
            view = tokenize(self.tokenizers, BERT_UNCASED, BLANK.sub("[MASK]", cleaned.text))
            return MaskReply(cleaned.text, name, None, str(exc), view, notes)
        return MaskReply(cleaned.text, name, result, notes=notes)

    def masking_demo(self, text: str, *, seed: int = 0) -> MaskingDemo:
        cleaned = self._demo_text(text, "mask")
        tokenizer, _ = self.tokenizers.get(BERT_UNCASED)
        try:
            return masking_demo(tokenizer, cleaned.text, seed=seed)
        except FillMaskError as exc:
            raise UserInputError(str(exc)) from exc

    def calculate(self, expression: str) -> Calculation:
        try:
            return calculate(clean_user_text(expression, 10_000).text)
        except CalculatorError as exc:
            raise UserInputError(str(exc)) from exc

    # --- quizzes ----------------------------------------------------------------------------

    @property
    def quizzes(self) -> QuizManager:
        if self._quizzes is None:
            self._quizzes = QuizManager(
                self.store,
                self.questions,
                self.similarity,
                self.live_key,
                clock=self._clock,
            )
        return self._quizzes

    @property
    def finetunes(self) -> FinetuneJobs:
        if self._finetunes is None:
            self._finetunes = FinetuneJobs(
                self.store,
                self.settings.data_dir / "finetune",
                max_seconds=self.settings.finetune_max_seconds,
                allowed_users=self.settings.finetune_users,
            )
        return self._finetunes

    @property
    def jigsaw(self) -> JigsawManager:
        if self._jigsaw is None:
            self._jigsaw = JigsawManager(
                self.store,
                self.cards,
                self.quizzes,
                self.settings.data_dir / "jigsaw",
                clock=self._clock,
            )
        return self._jigsaw

    def similarity(self, answer: str, reference: str) -> float:
        """Cosine similarity for free-text grading. The reference is the same for every student
        answering a question, so its embedding is computed once and kept."""
        vectors = self.encoder.encode([answer], normalize_embeddings=True, convert_to_numpy=True)
        return float(vectors[0] @ self._reference_vector(reference))

    def _reference_vector(self, text: str) -> Any:
        if text not in self._references:
            vector = self.encoder.encode([text], normalize_embeddings=True, convert_to_numpy=True)
            self._references[text] = vector[0]
        return self._references[text]

    def live_key(self, question: Question) -> float:
        """The answer to a live question, computed by the real tokenizer now."""
        result = tokenize(self.tokenizers, question.tokenizer, question.text)
        return float(result.num_tokens - len(result.special_tokens))

    def questions(self) -> list[Question]:
        """The built-in banks (read once) plus the questions instructors imported."""
        concept_ids = {c.id for c in self.cards}
        if self._built_in_questions is None:
            self._built_in_questions = load_banks(concept_ids=concept_ids)
        built_in = self._built_in_questions
        rows = self.store.run(lambda db: list(db.table("custom_questions").rows))
        if not rows:
            return list(built_in)  # callers may shuffle it
        raw = {"questions": [json.loads(r["data"]) for r in rows]}
        custom, problems = check_bank_data(raw, "imported questions", concept_ids)
        for problem in problems:  # a card removed since the import, say
            log.warning("skipped: %s", problem)
        return built_in + custom

    def import_questions(
        self, path: Path, *, team: int | None, concepts: list[str], user: str = "instructor"
    ) -> list[Question]:
        """Add questions from a GIFT (.gift/.txt) or TOML bank file; all or nothing."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UserInputError(f"Cannot read {path}: {exc.strerror}") from exc
        prefix = f"import-{path.stem}"
        try:
            if path.suffix.lower() == ".toml":
                import tomllib

                data = tomllib.loads(text)
                data.setdefault("team", team)
            else:
                data = {
                    "team": team,
                    "questions": parse_gift(text, concepts=concepts, team=team, prefix=prefix),
                }
        except (GiftError, ValueError) as exc:
            raise UserInputError(f"{path.name}: {exc}") from exc
        questions, problems = check_bank_data(data, path.name, {c.id for c in self.cards})
        if problems:
            raise UserInputError("Nothing imported:\n" + "\n".join(problems))
        rows = [
            {"id": q.id, "data": json.dumps(raw), "added_by": user, "added_at": utc_now()}
            for q, raw in zip(questions, data["questions"], strict=True)
        ]
        self.store.run(lambda db: db.table("custom_questions").upsert_all(rows, pk="id"))
        return questions

    def set_team_channel(self, team: str, channel: str) -> int:
        number = team_number(team)
        row = {"team": number, "channel": channel, "set_at": utc_now()}
        self.store.run(lambda db: db.table("team_channels").upsert(row, pk="team"))
        return number

    def team_channels(self) -> dict[int, str]:
        rows = self.store.run(lambda db: list(db.table("team_channels").rows))
        return {r["team"]: r["channel"] for r in rows}

    def finetune_config(self, **options: Any) -> TrainConfig:
        """A TrainConfig from user options, with the configured default data; refused
        (UserInputError) before anything starts if it is not valid."""
        data = options.pop("data", None) or self.settings.finetune_data
        if data is None:
            raise UserInputError(
                "Which data? Give --data PATH (a TSV/CSV with text and label columns, or a folder with train/dev files), or set TUTOR_FINETUNE_DATA."
            )
        model_dir = str(self.settings.model_dir) if self.settings.model_dir else None
        clean = {k: v for k, v in options.items() if v is not None}
        try:
            config = TrainConfig(data=str(data), model_dir=model_dir, **clean)
            return config.with_absolute_paths().validate()
        except (ConfigError, TypeError) as exc:
            raise UserInputError(f"Bad fine-tune settings: {exc}") from exc

    def start_finetune(
        self, *, owner: str, team: str | None = None, channel: str = "", **options: Any
    ) -> int:
        config = self.finetune_config(**options)
        if team:
            number: int | None = team_number(team)
        else:  # the owner's team, if they joined one
            row = self.store.run(
                lambda db: list(db.table("members").rows_where("user = ?", [owner]))
            )
            number = row[0]["team"] if row else None
        try:
            return self.finetunes.submit(config, owner=owner, team=number, channel=channel)
        except JobError as exc:
            raise UserInputError(str(exc)) from exc

    def join_team(self, user: str, team: str) -> int:
        number = team_number(team)
        row = {"user": user, "team": number, "joined_at": utc_now()}
        self.store.run(lambda db: db.table("members").upsert(row, pk="user"))
        return number

    # --- ingest ----------------------------------------------------------------------------

    def ingest(self, paths: list[Path]) -> list[IngestReport]:
        reports = [self._ingest_one(Path(p)) for p in paths]
        if any(r.status in ("added", "replaced") for r in reports):
            with self._lock:
                self._knowledge = None  # rebuilt with the new passages on next use
        return reports

    def _ingest_one(self, path: Path) -> IngestReport:
        try:
            document = load_document(path)
        except DocumentError as exc:
            return IngestReport(str(path), "error", message=str(exc))
        if self.store.document_by_hash(document.sha256):
            return IngestReport(
                str(path), "unchanged", len(document.chunks), "already ingested; nothing to do"
            )
        replaced = self.store.remove_document(document.name)
        self.store.add_document(
            path=str(path.resolve()),
            name=document.name,
            sha256=document.sha256,
            chunks=list(document.chunks),
        )
        status = "replaced" if replaced else "added"
        return IngestReport(str(path), status, len(document.chunks))
