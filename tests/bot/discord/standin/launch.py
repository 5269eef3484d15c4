"""Run `tutor run` (bot.main with "run") against the stand-in: python -m ...standin.launch PORT

Two URLs inside discord.py are pointed at the stand-in, its REST base and its gateway, and
nothing else changes: the bot runs unmodified, through discord.py's real HTTP client, webhook
adapter, view and modal stores, command tree and gateway.
"""

import sys

import discord.gateway
import discord.http
import yarl


def main() -> int:
    port = int(sys.argv[1])
    discord.http.Route.BASE = f"http://127.0.0.1:{port}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gateway")
    from bot.main import main as tutor

    return tutor(["run"])


if __name__ == "__main__":
    sys.exit(main())
