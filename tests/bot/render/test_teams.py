"""What the instructor reads about teams and extra time, from bot/render/teams.py: who is in
which team, and the accommodations only the instructor sees."""

from bot.app.classes import Accommodation
from bot.render.teams import render_accommodation, render_accommodations, render_teams


def test_teams_by_name_and_an_empty_team():
    assert render_teams({1: ["Ana Lima", "Bo Chen"], 2: [], 3: ["Cy"]}) == (
        "team1: Ana Lima, Bo Chen\nteam2: nobody yet\nteam3: Cy"
    )


def test_extra_time_is_told_to_the_instructor_only():
    assert render_accommodation(Accommodation("Ana Lima", 1.5)) == (
        "Ana Lima now has 1.5x the time on timed quiz questions in this class (only you see this)."
    )
    assert render_accommodation(Accommodation("Ana Lima", 2.0)).startswith("Ana Lima now has 2x")
    assert render_accommodation(Accommodation("Ana Lima", 1.0)) == "Ana Lima has no extra time now."
    assert render_accommodations([Accommodation("Ana", 1.5), Accommodation("Bo", 2.0)]) == (
        "Extra time in this class (only you see this):\n  Ana: 1.5x\n  Bo: 2x"
    )
    assert render_accommodations([]) == "Nobody in this class has extra time."


def test_every_team_is_one_line_in_the_order_given_and_long_names_are_kept_whole():
    long_name = "Maria da Graça Fonseca de Albuquerque e Sousa"
    teams = {1: [], 2: [long_name, "Bo"], 3: [], 4: ["Ana"], 5: []}
    assert render_teams(teams).splitlines() == [
        "team1: nobody yet",
        f"team2: {long_name}, Bo",
        "team3: nobody yet",
        "team4: Ana",
        "team5: nobody yet",
    ]


def test_a_multiplier_is_shown_without_trailing_zeros():
    assert render_accommodation(Accommodation("Bo", 1.25)).startswith("Bo now has 1.25x the time")
    assert render_accommodation(Accommodation("Bo", 3.0)).startswith("Bo now has 3x the time")
    assert render_accommodations([Accommodation("Cy", 1.75)]) == (
        "Extra time in this class (only you see this):\n  Cy: 1.75x"
    )


def test_the_accommodations_list_each_person_once_in_the_order_given():
    long_name = "Maria da Graça Fonseca de Albuquerque e Sousa"
    rows = [Accommodation("Zoe", 3.0), Accommodation(long_name, 2.5), Accommodation("Ana", 1.1)]
    assert render_accommodations(rows).splitlines() == [
        "Extra time in this class (only you see this):",
        "  Zoe: 3x",
        f"  {long_name}: 2.5x",
        "  Ana: 1.1x",
    ]
