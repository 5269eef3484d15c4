"""The command tree built offline: every payload Discord would receive."""

import re

from bot.discord.app import TutorBot, payloads

EXPECTED = {  # also read by tests/bot/test_main.py
    "ask",
    "help",
    "tokenize",
    "pad",
    "mask",
    "mlm",
    "attention",
    "embed",
    "calc",
    "quiz start",
    "quiz stop",
    "quiz resume",
    "quiz skip",
    "quiz leaderboard",
    "quiz join",
    "jigsaw start",
    "jigsaw status",
    "jigsaw next",
    "jigsaw pause",
    "jigsaw resume",
    "jigsaw extend",
    "jigsaw stop",
    "jigsaw taught",
    "jigsaw grid",
    "admin team-channel",
    "admin teams",
    "admin accommodate",
    "admin unanswered",
    "admin resolve",
    "admin ingest",
    "admin digest",
    "progress",
    "finetune start",
    "finetune jobs",
    "finetune cancel",
    "finetune leaderboard",
    "finetune try",
    "review start",
    "review status",
    "review remind",
    "review add",
}


def names(data) -> set[str]:
    out = set()
    for command in data:
        subs = [o for o in command.get("options", []) if o["type"] == 1]
        out |= {f"{command['name']} {s['name']}" for s in subs} if subs else {command["name"]}
    return out


def walk_options(data):
    for command in data:
        for option in command.get("options", []):
            yield command["name"], option
            for sub in option.get("options", []):
                yield f"{command['name']} {option['name']}", sub


def test_every_command_is_built(tutor):
    assert names(payloads(tutor)) == EXPECTED


def test_payloads_follow_discord_rules(tutor):
    data = payloads(tutor)
    for command in data:
        assert re.fullmatch(r"[a-z0-9_-]{1,32}", command["name"])
        assert 1 <= len(command["description"]) <= 100
    for where, option in walk_options(data):
        assert re.fullmatch(r"[a-z0-9_-]{1,32}", option["name"]), where
        assert 1 <= len(option["description"]) <= 100, (where, option["name"])


def test_options_carry_limits_and_choices(tutor):
    by_name = {c["name"]: c for c in payloads(tutor)}
    (question,) = by_name["ask"]["options"]
    assert question["required"] and question["max_length"] == 1000
    top_k = next(o for o in by_name["mask"]["options"] if o["name"] == "top_k")
    assert (top_k["min_value"], top_k["max_value"]) == (1, 20)
    start = next(o for o in by_name["quiz"]["options"] if o["name"] == "start")
    team = next(o for o in start["options"] if o["name"] == "team")
    assert [c["value"] for c in team["choices"]] == [f"team{t}" for t in range(1, 6)]
    tokenizer = next(o for o in by_name["tokenize"]["options"] if o["name"] == "tokenizer")
    assert tokenizer["autocomplete"] is True
    assert int(by_name["admin"]["default_member_permissions"]) == 1 << 5  # manage_guild
    layer, head = (o for o in by_name["attention"]["options"] if o["name"] in ("layer", "head"))
    assert (layer["min_value"], layer["max_value"], layer["required"]) == (1, 6, False)
    assert (head["min_value"], head["max_value"], head["required"]) == (1, 12, False)
    required = [o["name"] for o in by_name["embed"]["options"] if o.get("required")]
    assert required == ["word", "sentence1", "sentence2"]
    finetune = next(o for o in by_name["finetune"]["options"] if o["name"] == "start")
    preset = next(o for o in finetune["options"] if o["name"] == "preset")
    assert [c["value"] for c in preset["choices"]] == ["quick", "standard", "best"]


def test_many_servers_run_the_same_bot_over_shards(tutor):
    import discord

    from bot.discord.app import bot_for

    assert type(bot_for(tutor)) is TutorBot  # one connection unless asked
    sharded = tutor.settings.model_copy(update={"discord_shards": 4})
    tutor.settings = sharded
    bot = bot_for(tutor)
    assert isinstance(bot, discord.AutoShardedClient) and isinstance(bot, TutorBot)
    assert bot.shard_count == 4
    tutor.settings = sharded.model_copy(update={"discord_shards": 0})
    assert bot_for(tutor).shard_count is None  # Discord says how many


def test_the_token_never_appears_in_reprs_or_logs():
    from bot.config import Settings

    settings = Settings(discord_token="very-secret-token", _env_file=None)
    assert "very-secret-token" not in repr(settings) and "very-secret-token" not in str(settings)
    assert "very-secret-token" not in settings.model_dump_json()
    assert settings.discord_token.get_secret_value() == "very-secret-token"
