"""A classifier on the mean of a sentence encoder's token vectors.

Sentence-transformers models such as the packaged MiniLM were trained so that the mean of
their token vectors (normalised) carries the sentence's meaning; their [CLS] pooler, which a
stock `AutoModelForSequenceClassification` head reads, was never trained for that. A linear
head on the mean starts from a representation that already separates sentiment, so a short
CPU fine-tune gets further (bench/finetune_compare.py measures it).

Saved as the encoder (a peft adapter for LoRA, the whole encoder otherwise) plus
`head.safetensors` and `pooling.json`, so `load_mean_pool` can rebuild it for inference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

POOLING_FILE = "pooling.json"
HEAD_FILE = "head.safetensors"
SCALE = 10.0  # the normalised mean has length 1; this gives the head logits a useful range


@dataclass
class Output:
    logits: torch.Tensor
    loss: torch.Tensor | None = None


class MeanPoolClassifier(nn.Module):
    def __init__(self, encoder: Any, num_labels: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        labels: torch.Tensor | None = None,
    ) -> Output:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        logits = self.head(nn.functional.normalize(mean, dim=-1) * SCALE)
        loss = None if labels is None else nn.functional.cross_entropy(logits.float(), labels)
        return Output(logits, loss)

    def save_pretrained(self, path: Path, safe_serialization: bool = True) -> None:
        from safetensors.torch import save_file

        path.mkdir(parents=True, exist_ok=True)
        self.encoder.save_pretrained(path, safe_serialization=safe_serialization)
        save_file({k: v.contiguous() for k, v in self.head.state_dict().items()}, path / HEAD_FILE)
        (path / POOLING_FILE).write_text(
            json.dumps({"pooling": "mean", "num_labels": self.head.out_features})
        )


def load_encoder(**kwargs: Any) -> Any:
    """The pre-trained encoder (`from_pretrained` keyword arguments) without BERT's pooler,
    which mean pooling never reads (and LoRA would otherwise adapt for nothing)."""
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(**kwargs, use_safetensors=True, trust_remote_code=False)
    if getattr(encoder, "pooler", None) is not None:
        encoder.pooler = None
    return encoder


def is_mean_pool(saved: Path) -> bool:
    return (saved / POOLING_FILE).exists()


def load_mean_pool(saved: Path, base_kwargs: dict[str, Any], method: str) -> MeanPoolClassifier:
    """A saved mean-pool classifier; `base_kwargs` load the pre-trained encoder under an adapter."""
    from safetensors.torch import load_file

    meta = json.loads((saved / POOLING_FILE).read_text())
    if method == "lora":
        from peft import PeftModel

        from skills.finetune.peft_quiet import peft_wrapping

        with peft_wrapping():
            encoder = PeftModel.from_pretrained(load_encoder(**base_kwargs), saved)
    else:
        encoder = load_encoder(pretrained_model_name_or_path=str(saved))
    model = MeanPoolClassifier(encoder, int(meta["num_labels"]))
    model.head.load_state_dict(load_file(saved / HEAD_FILE))
    return model
