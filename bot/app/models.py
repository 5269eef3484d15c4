"""Which models this host can use offline now, what each demo uses, and fetching the rest.

tutor models                   what is here, what each demo uses
tutor models download [NAME]   fetch allow-listed hub models (default: what a demo lacks)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.app.resources import Resources
from skills.finetune.config import CLASSIFIER_MODELS, DEFAULT_MODEL
from skills.model_download import Downloaded, allowed, download
from skills.models import HUB_MODELS, MINILM_IDS, ModelUnavailable, hub_turned_off, local_folder_for
from skills.tokenization import DEFAULT_TOKENIZERS, OFFLINE_ALIASES

PACKAGED = "packaged"  # ships inside an installed package: always offline


@dataclass(frozen=True)
class ModelState:
    name: str
    kind: str
    where: str  # "packaged", a local folder, or "" (hub only)

    @property
    def offline(self) -> bool:
        return bool(self.where)

    def to_json(self) -> dict[str, Any]:
        return {"model": self.name, "kind": self.kind, "offline": self.offline, "where": self.where}


@dataclass(frozen=True)
class DemoModel:
    demo: str
    model: str
    offline: bool


@dataclass(frozen=True)
class ModelsReport:
    models_dir: str
    models: list[ModelState]
    demos: list[DemoModel]

    def to_json(self) -> dict[str, Any]:
        return {
            "models_dir": self.models_dir,
            "models": [m.to_json() for m in self.models],
            "demos": [{"demo": d.demo, "model": d.model, "offline": d.offline} for d in self.demos],
        }


class ModelService:
    def __init__(self, res: Resources) -> None:
        self.res = res

    def where(self, name: str) -> str:
        """Where `name` loads from without a hub: "packaged", a folder, or "" (nowhere)."""
        if name in MINILM_IDS or (name in OFFLINE_ALIASES and name not in HUB_MODELS):
            return PACKAGED
        local = local_folder_for(name, self.res.settings.models_path)
        if local is not None:
            return str(local)
        return ""

    def _tokenizer_where(self, name: str) -> str:
        # The BERT uncased and GPT-2 tokenizers are served from packages even when their
        # models are not here.
        return PACKAGED if name in OFFLINE_ALIASES else self.where(name)

    def report(self) -> ModelsReport:
        models = [
            ModelState(
                m.id,
                m.kind,
                self._tokenizer_where(m.id) if m.kind == "tokenizer" else self.where(m.id),
            )
            for m in HUB_MODELS.values()
        ]
        mask = self.res.settings.mask_model
        demos = [
            DemoModel("mask (fill-mask)", mask, bool(self.where(mask))),
            *(
                DemoModel("tokenize", name, bool(self._tokenizer_where(name)))
                for name in DEFAULT_TOKENIZERS
            ),
            DemoModel("ask, quiz grading, attention, embed", DEFAULT_MODEL, True),
            DemoModel("finetune (default model)", DEFAULT_MODEL, True),
            *(
                DemoModel("finetune --model", name, bool(self.where(name)))
                for name in CLASSIFIER_MODELS
            ),
        ]
        return ModelsReport(str(self.res.settings.models_path), models, demos)

    def missing_for_demos(self) -> list[str]:
        """The models the demos use by default that cannot load offline here."""
        mask = self.res.settings.mask_model
        return [mask] if mask in HUB_MODELS and not self.where(mask) else []

    def download(self, names: list[str], *, progress: bool = True) -> list[Downloaded]:
        """Fetch each of `names` (allow-listed) into the models folder; stop at the first
        that cannot be fetched (the ones before it are kept)."""
        wanted = [allowed(name).id for name in dict.fromkeys(names)]  # all refused up front
        if self.res.settings.hub_offline or hub_turned_off():
            raise ModelUnavailable(
                "Hub access is turned off here (TUTOR_HUB_OFFLINE or HF_HUB_OFFLINE), so "
                "nothing can be downloaded. Unset it for this command: "
                "`HF_HUB_OFFLINE=0 TUTOR_HUB_OFFLINE=0 tutor models download ...`."
            )
        target = self.res.settings.models_path
        return [download(name, target, progress=progress) for name in wanted]
