"""A trainer's outputs sent back through its own event stream, for runs on other machines.

A job on a Ray cluster writes its adapter and loss curve on whichever node ran it; the bot
that queued it sees only the job's log. With `--send-outputs` the trainer packs what it saved
into a tar archive and writes it into that log as "output" events (base64 parts), before its
"finished" event; `OutputReceiver` on the bot's side rebuilds the files in the job's folder and
points the result at them. No shared filesystem is needed.
"""

from __future__ import annotations

import base64
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

PART_BYTES = 48 * 1024  # raw bytes per event line (64 KiB of base64)
MAX_SENT_BYTES = 512 * 1024 * 1024  # a full fine-tune of a base-size model fits; more stays put
RESULT_PATHS = ("saved", "loss_curve")  # result fields that name a file the trainer wrote


def send_outputs(emit: Callable[..., None], root: Path, result: dict[str, Any]) -> None:
    """Emit the result's files (relative to `root`, the trainer's working folder) as parts."""
    names = [result[key] for key in RESULT_PATHS if result.get(key)]
    size = sum(
        f.stat().st_size
        for name in names
        for f in ([root / name] if (root / name).is_file() else (root / name).rglob("*"))
        if f.is_file()
    )
    if size > MAX_SENT_BYTES:
        emit("output_skipped", reason=f"{size / 2**20:.0f} MiB is too much to send back")
        return
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name in names:
            archive.add(root / name, arcname=name)
    data = buffer.getvalue()
    parts = max(1, -(-len(data) // PART_BYTES))
    for part in range(parts):
        chunk = data[part * PART_BYTES : (part + 1) * PART_BYTES]
        emit("output", part=part, parts=parts, data=base64.b64encode(chunk).decode("ascii"))


class OutputReceiver:
    """Takes the trainer's event lines; keeps "output" parts out of the stream, unpacks them
    into `folder` when the last one arrives, and rewrites the "finished" result's paths to
    the files here. `config` is the configuration as the bot sent it: the worker's copy names
    the uploaded model and data by relative paths that mean nothing here."""

    def __init__(self, folder: Path, config: dict[str, Any] | None = None) -> None:
        self.folder = folder
        self.config = config
        self._parts: list[bytes] = []
        self.received = False

    def take(self, line: str) -> str | None:
        """The line to pass on (None: it was a part, consumed here)."""
        if not line.startswith("{"):
            return line
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            return line
        kind = event.get("event")
        if kind == "output":
            self._parts.append(base64.b64decode(event["data"]))
            if len(self._parts) == event["parts"]:
                self._unpack()
            return None
        if kind == "finished":
            if self.received:
                for key in RESULT_PATHS:
                    if event.get(key) and not Path(event[key]).is_absolute():
                        event[key] = str(self.folder / event[key])
            if self.config is not None:
                event["config"] = self.config
            return json.dumps(event)
        return line

    def _unpack(self) -> None:
        data = b"".join(self._parts)
        self._parts = []
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            # The "data" filter refuses absolute paths, links out of the folder and devices.
            archive.extractall(self.folder, filter="data")
        self.received = True
