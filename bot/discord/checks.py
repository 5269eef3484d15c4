"""Permission checks and cooldowns, enforced in code: Discord's default_permissions only hides
commands in the client, which is not a guarantee."""

from __future__ import annotations

import discord
from discord import app_commands


class NotInstructor(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__("Only the instructor can do that.")


def is_instructor(interaction: discord.Interaction) -> bool:
    settings = interaction.client.settings  # type: ignore[attr-defined]
    user = interaction.user
    if user.id in settings.instructor_user_ids:
        return True
    roles = {r.id for r in getattr(user, "roles", [])}
    if roles & set(settings.instructor_role_ids):
        return True
    # With no allow-list configured, server managers count as instructors.
    if not settings.instructor_user_ids and not settings.instructor_role_ids:
        permissions = getattr(user, "guild_permissions", None)
        return bool(permissions and permissions.manage_guild)
    return False


def instructor_only():
    def predicate(interaction: discord.Interaction) -> bool:
        if not is_instructor(interaction):
            raise NotInstructor()
        return True

    return app_commands.check(predicate)


def model_cooldown(interaction: discord.Interaction) -> app_commands.Cooldown | None:
    """Per-user cooldown for commands that run a model (settings.model_cooldown_seconds)."""
    seconds = interaction.client.settings.model_cooldown_seconds  # type: ignore[attr-defined]
    return app_commands.Cooldown(1, seconds) if seconds > 0 else None
