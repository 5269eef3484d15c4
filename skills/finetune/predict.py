"""Try a fine-tuned model: its prediction for a sentence next to the base model's with an
untrained classification head, so the class sees what fine-tuning changed. CPU only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skills.finetune.config import uses_mean_pooling
from skills.models import resolve_model

SST2_MEANING = {"0": "negative", "1": "positive"}


@dataclass(frozen=True)
class Prediction:
    label: str
    probabilities: dict[str, float]  # label -> probability, in label order


def label_names(labels: list[str]) -> list[str]:
    """SST-2's 0/1 labels with their meaning, other labels as they are."""
    if sorted(labels) == ["0", "1"]:
        return [f"{label} ({SST2_MEANING[label]})" for label in labels]
    return list(labels)


class Classifier:
    """A sequence classifier loaded once for inference on the CPU."""

    def __init__(self, model: Any, tokenizer: Any, labels: list[str]) -> None:
        self.model, self.tokenizer, self.labels = model, tokenizer, labels

    @classmethod
    def fine_tuned(
        cls, saved: Path, base: str, method: str, labels: list[str], model_dir: Path | None
    ) -> Classifier:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        # Imported here, like torch: the bot imports this module and must start without torch.
        from skills.finetune.pooling import is_mean_pool, load_mean_pool

        tokenizer = AutoTokenizer.from_pretrained(saved)
        if is_mean_pool(saved):
            kwargs = resolve_model(base, model_dir=model_dir).load_kwargs()
            return cls(load_mean_pool(saved, kwargs, method).eval(), tokenizer, labels)
        if method == "lora":
            from peft import PeftModel

            from skills.finetune.peft_quiet import peft_wrapping

            with peft_wrapping():
                model = PeftModel.from_pretrained(
                    _base(base, len(labels), model_dir, pooling="cls"), saved
                )
        else:
            model = AutoModelForSequenceClassification.from_pretrained(saved, use_safetensors=True)
        return cls(model.eval(), tokenizer, labels)

    @classmethod
    def untrained_head(
        cls, base: str, labels: list[str], model_dir: Path | None, pooling: str = "auto"
    ) -> Classifier:
        from transformers import AutoTokenizer

        source = resolve_model(base, model_dir=model_dir)
        tokenizer = AutoTokenizer.from_pretrained(**source.load_kwargs())
        return cls(_base(base, len(labels), model_dir, pooling).eval(), tokenizer, labels)

    def predict(self, text: str, max_length: int = 128) -> Prediction:
        import torch

        batch = self.tokenizer(text, truncation=True, max_length=max_length, return_tensors="pt")
        with torch.inference_mode():
            logits = self.model(
                input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
            ).logits[0]
        probs = torch.softmax(logits.float(), dim=-1).tolist()
        names = label_names(self.labels)
        best = max(range(len(probs)), key=probs.__getitem__)
        return Prediction(names[best], {n: round(p, 4) for n, p in zip(names, probs, strict=True)})


def _base(base: str, num_labels: int, model_dir: Path | None, pooling: str = "auto") -> Any:
    """The pre-trained model with a new, untrained classification head (seeded, so the
    "before" column is the same every time), shaped as the fine-tune trained it."""
    import torch
    from transformers import AutoModelForSequenceClassification

    from skills.finetune.pooling import MeanPoolClassifier, load_encoder

    source = resolve_model(base, model_dir=model_dir)
    torch.manual_seed(0)
    if uses_mean_pooling(base, pooling):
        return MeanPoolClassifier(load_encoder(**source.load_kwargs()), num_labels)
    return AutoModelForSequenceClassification.from_pretrained(
        **source.load_kwargs(), num_labels=num_labels, use_safetensors=True
    )
