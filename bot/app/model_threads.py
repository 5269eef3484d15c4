"""How many CPU threads the bot's own model calls use.

The bot's model calls are small (one question through MiniLM, one sentence through a
fill-mask model) and several may run at once, one per student. torch's default gives each call
every core, and on a host whose cores are busy (a fine-tune beside the bot, another service)
its threads wait for each other: on the project's 2-core machine with a fine-tune running,
`ask` p95 was 23-26 ms with one thread and 399-407 ms with two, fill-mask p95 62-64 ms against
539-548 ms (bench/results/ask_latency.txt). On an idle machine one thread costs ask ~3 ms and a
fill-mask ~24 ms, and batch embedding is slower (a 250-chunk ingest 7.8 s against 4.4 s): give
a bot that has the cores to itself TUTOR_MODEL_THREADS=2 or more. So the bot uses
`settings.model_threads` (default 1), while the fine-tune's own process, which wants every
core, gets the environment the user started the bot with.
"""

from __future__ import annotations

import os
import sys

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
_inherited: dict[str, str | None] = {}  # the user's own values, before the bot set them


def limit_model_threads(threads: int) -> None:
    """Make this process's torch use `threads` intra-op threads, whether or not torch has
    been imported yet (it is imported lazily, on the first model call)."""
    for name in THREAD_VARIABLES:
        _inherited.setdefault(name, os.environ.get(name))
        os.environ[name] = str(threads)
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def inherited_environment(env: dict[str, str]) -> dict[str, str]:
    """`env` with the thread variables as the user set them (or unset): for a child process,
    such as the fine-tune, that should use every core."""
    env = dict(env)
    for name, value in _inherited.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env
