"""The packaged all-MiniLM-L6-v2 sentence encoder, computed with numpy.

Why not sentence-transformers here: importing it (with torch and transformers' model code)
takes 8 s on the project's 2-core machine, longer than a one-shot `tutor ask` should take in
all. This module runs the same network from the same files - the packaged safetensors
weights and `tokenizer.json` through the `tokenizers` library - as sentence-transformers'
pipeline for this model does: BERT (6 layers, 12 heads, 384 dimensions, exact GELU), mean
pooling over the attention mask, L2 normalisation, inputs cut at 256 tokens. The vectors match
sentence-transformers' to float32 rounding (tests/skills/test_minilm.py checks it), so
stored indexes and calibrated thresholds stay valid. Everything else that needs the model's
insides (attention maps, fine-tuning, the course adapter) still uses torch and transformers.

A bulk encode (an ingest: hundreds of chunks of 256 tokens) runs the same network on torch
instead, whose kernels are several times faster than numpy's for long inputs (a 50-page PDF,
250 chunks: 22.8-25.1 s on numpy, see bench/ingest_latency.py); torch alone imports in about
2 s, sentence-transformers not at all. A question or two stays on numpy, with no torch import.
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import numpy as np

MAX_TOKENS = 256  # sentence_bert_config.json's max_seq_length
BATCH = 32
TORCH_FROM = 64  # texts in one encode: from here the torch import pays for itself


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x), in place (the largest array of the forward pass)."""
    from scipy.special import erf  # imported on first use: 0.4 s

    inner = erf(x * np.float32(1 / np.sqrt(2.0)))
    inner += 1.0
    inner *= 0.5
    inner *= x
    return inner


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _blas_threads() -> AbstractContextManager[Any]:
    """The bot's thread limit (bot/app/model_threads.py sets OMP_NUM_THREADS) for numpy's
    BLAS too, which read its own variables when it was first imported."""
    threads = os.environ.get("OMP_NUM_THREADS", "")
    if not threads.isdigit():
        return nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - it comes with scikit-learn
        return nullcontext()
    return threadpool_limits(limits=int(threads), user_api="blas")


class MiniLMEncoder:
    """`encode(texts)` as SentenceTransformer has it, for the packaged all-MiniLM-L6-v2."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"unsupported activation {config.get('hidden_act')!r}")
        weights = load_file(str(folder / "model.safetensors"))
        self.w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in weights.items()}
        for name in [k for k in self.w if k.endswith(".weight") and self.w[k].ndim == 2]:
            self.w[name] = np.ascontiguousarray(self.w[name])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self._lock = threading.Lock()  # the tokenizer's settings are shared state
        self._torch_weights: dict[str, Any] | None = None

    def _torch_forward(self) -> Any:
        """The forward pass on torch, for a bulk encode: same weights (shared, not copied),
        same operations, as `_forward`."""
        import torch
        import torch.nn.functional as F

        with self._lock:
            if self._torch_weights is None:
                self._torch_weights = {k: torch.from_numpy(v) for k, v in self.w.items()}
        w = self._torch_weights
        heads, layers, eps = self.heads, self.layers, self.eps

        def linear(x: Any, name: str) -> Any:
            return F.linear(x, w[f"{name}.weight"], w[f"{name}.bias"])

        def norm(x: Any, name: str) -> Any:
            return F.layer_norm(x, x.shape[-1:], w[f"{name}.weight"], w[f"{name}.bias"], eps)

        @torch.inference_mode()
        def forward(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
            ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)
            rows, length = ids.shape
            x = (
                w["embeddings.word_embeddings.weight"][ids_t]
                + w["embeddings.position_embeddings.weight"][:length][None]
                + w["embeddings.token_type_embeddings.weight"][0][None, None]
            )
            x = norm(x, "embeddings.LayerNorm")
            dim = x.shape[-1]
            blocked = torch.zeros(rows, 1, 1, length).masked_fill(
                mask_t[:, None, None, :] == 0, torch.finfo(torch.float32).min
            )

            def split(t: Any) -> Any:
                return t.view(rows, length, heads, dim // heads).transpose(1, 2)

            for n in range(layers):
                p = f"encoder.layer.{n}"
                q = split(linear(x, f"{p}.attention.self.query"))
                k = split(linear(x, f"{p}.attention.self.key"))
                v = split(linear(x, f"{p}.attention.self.value"))
                context = F.scaled_dot_product_attention(q, k, v, attn_mask=blocked)
                context = context.transpose(1, 2).reshape(rows, length, dim)
                attended = linear(context, f"{p}.attention.output.dense")
                x = norm(x + attended, f"{p}.attention.output.LayerNorm")
                inner = F.gelu(linear(x, f"{p}.intermediate.dense"))
                x = norm(x + linear(inner, f"{p}.output.dense"), f"{p}.output.LayerNorm")
            weights = mask_t[:, :, None].to(torch.float32)
            pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return np.asarray(pooled.numpy())

        return forward

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        # As one 2-D product: numpy hands a stacked (3-D) product to BLAS one matrix at a time.
        flat = x.reshape(-1, x.shape[-1]) @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], -1)

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        return _layer_norm(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"], self.eps)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled last hidden states of a padded batch (rows, tokens)."""
        rows, length = ids.shape
        x = (
            self.w["embeddings.word_embeddings.weight"][ids]
            + self.w["embeddings.position_embeddings.weight"][:length][None]
            + self.w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        dim = x.shape[-1]
        size = dim // self.heads
        blocked = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min)
        blocked = blocked.astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(size))
        for n in range(self.layers):
            p = f"encoder.layer.{n}"

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(rows, length, self.heads, size).transpose(0, 2, 1, 3)

            q = split(self._linear(x, f"{p}.attention.self.query"))
            k = split(self._linear(x, f"{p}.attention.self.key"))
            v = split(self._linear(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2)  # softmax in place: the largest arrays
            scores *= scale
            scores += blocked
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(rows, length, dim)
            attended = self._linear(context, f"{p}.attention.output.dense")
            x = self._norm(x + attended, f"{p}.attention.output.LayerNorm")
            inner = _gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = self._norm(x + self._linear(inner, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        weights = mask[:, :, None].astype(np.float32)
        return (x * weights).sum(1) / np.clip(weights.sum(1), 1e-9, None)

    def encode(
        self,
        sentences: str | list[str],
        *,
        batch_size: int = BATCH,
        **_: Any,  # normalize_embeddings, convert_to_numpy, show_progress_bar: see below
    ) -> np.ndarray:
        single = isinstance(sentences, str)
        texts = [sentences] if isinstance(sentences, str) else list(sentences)
        dim = self.w["embeddings.word_embeddings.weight"].shape[1]
        if not texts:
            return np.zeros((0, dim), np.float32)
        with self._lock:
            encodings = self.tokenizer.encode_batch(texts)
        # Similar lengths together, as sentence-transformers does: less padding to compute.
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out = np.zeros((len(texts), dim), np.float32)
        forward = self._torch_forward() if len(texts) >= TORCH_FROM else self._forward
        with _blas_threads():
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                length = max(len(encodings[i].ids) for i in chunk)
                ids = np.zeros((len(chunk), length), np.int64)
                mask = np.zeros((len(chunk), length), np.int64)
                for row, i in enumerate(chunk):
                    ids[row, : len(encodings[i].ids)] = encodings[i].ids
                    mask[row, : len(encodings[i].ids)] = 1
                out[chunk] = forward(ids, mask)
        # The model's own pipeline ends in a Normalize module (modules.json), so its vectors
        # are unit length whether or not the caller asks.
        out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)
        return out[0] if single else out
