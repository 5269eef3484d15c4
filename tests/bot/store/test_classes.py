"""The class tables: teams, team channels, accommodations and who is in which class, each
kept per server (two classes never see each other's)."""

from bot.store import DIRECT_MESSAGES, Store
from bot.store import classes as rows


def test_teams_channels_and_extra_time_are_per_class(tmp_path):
    with Store(tmp_path / "t.db") as store:
        store.write(rows.join_team, "morning", "ana", 2)
        store.write(rows.join_team, "morning", "ana", 3)  # moving team replaces, not adds
        store.write(rows.join_team, "evening", "ana", 1)
        store.write(rows.set_team_channel, "morning", 3, "c-33")
        store.write(rows.set_accommodation, "morning", "ana", 1.5, "prof")
        assert store.run(rows.team_of, "morning", "ana") == 3
        assert store.run(rows.members, "evening") == {"ana": 1}
        assert store.run(rows.team_channels, "morning") == {3: "c-33"}
        assert store.run(rows.team_channels, "evening") == {}
        assert store.run(rows.accommodations, "morning") == {"ana": 1.5}
        assert store.run(rows.accommodations, "evening") == {}
        store.write(rows.clear_accommodation, "morning", "ana")
        assert store.run(rows.accommodations, "morning") == {}


def test_a_persons_classes_and_names(tmp_path):
    with Store(tmp_path / "t.db") as store:
        store.write(rows.join_team, "morning", "ana", 2)
        store.write(rows.join_team, DIRECT_MESSAGES, "ana", 2)  # a DM is nobody's class
        store.write(rows.remember_person, "ana", "Ana Lima")
        store.write(rows.remember_person, "bo", "Bo")
        store.write(rows.remember_person, "bo2", "Bo")
        assert store.run(rows.classes_of, "ana") == ["morning"]
        assert store.run(rows.seen_in, "morning") == ["ana"]
        assert store.run(rows.names, ["ana", "nobody"]) == {"ana": "Ana Lima"}
        assert store.run(rows.person_named, "ana lima") == "ana"
        assert store.run(rows.person_named, "Bo") is None  # two people of that name: ask
