import json


def test_ask_json_schema(run_cli):
    code, out, _ = run_cli(
        "ask", "--json", "how many steps per epoch with 1000 examples and batch 10?"
    )
    assert code == 0
    data = json.loads(out)
    assert data["answered"] is True
    assert data["concept"] == "epochs-batches-steps"
    assert data["title"] == "Epochs, batches and steps"
    assert isinstance(data["answer"], str) and data["answer"]
    assert 0 <= data["confidence"] <= 1
    assert data["sources"][0] == {
        "id": "epochs-batches-steps",
        "kind": "card",
        "score": data["sources"][0]["score"],
    }
    scores = [s["score"] for s in data["sources"]]
    assert scores == sorted(scores, reverse=True)


def test_ask_file_prints_json_lines(run_cli, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text("what is lora?\n\ncan bert read handwriting?\nwhat does softmax do\n")
    code, out, _ = run_cli("ask", "--file", str(questions), "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["answered"] for r in rows] == [True, False, True]
    assert rows[0]["concept"] == "lora-and-peft"


def test_empty_question_is_a_usage_error(run_cli):
    code, out, _ = run_cli("ask", "--json", "   ")
    assert code == 2
    assert "type a question" in json.loads(out)["error"]


def test_missing_question_file(run_cli, tmp_path):
    code, _, err = run_cli("ask", "--file", str(tmp_path / "nope.txt"))
    assert code == 2 and "no such file" in err


def test_unanswered_lists_kept_questions(run_cli):
    run_cli("ask", "does the tokenizer know klingon")
    code, out, _ = run_cli("unanswered", "--json")
    assert code == 0
    assert json.loads(out.splitlines()[0])["question"] == "does the tokenizer know klingon"


def test_flag_and_resolve_from_the_command_line(run_cli):
    code, out, _ = run_cli("ask", "--json", "--user", "ana", "what is the cls token for?")
    question_id = json.loads(out)["question_id"]
    code, out, _ = run_cli("flag", "--json", "--user", "ana", str(question_id))
    assert code == 0 and json.loads(out)["queued"] is True
    code, _, err = run_cli("unanswered", "resolve", str(question_id), "--card", "special-tokens")
    assert code == 2 and "Only the instructor" in err
    code, out, _ = run_cli(
        "unanswered", "resolve", str(question_id), "--card", "special-tokens", "--as-instructor"
    )
    assert code == 0 and out.startswith("Resolved 1 queued question")
    code, out, _ = run_cli("unanswered", "--json")
    assert code == 0 and out.strip() == ""


def test_ingest_json(run_cli, tmp_path):
    doc = tmp_path / "n.txt"
    doc.write_text("Some notes about warmup schedules.")
    code, out, _ = run_cli("ingest", "--json", str(doc), str(tmp_path / "missing.md"))
    assert code == 1
    statuses = [json.loads(line)["status"] for line in out.splitlines()]
    assert statuses == ["added", "error"]


def test_quiz_list_json(run_cli):
    code, out, _ = run_cli("quiz", "list", "Team 3", "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) >= 8
    assert all(
        set(r) == {"id", "team", "kind", "concepts", "prompt"} and r["team"] == 3 for r in rows
    )


def test_quiz_unknown_team(run_cli):
    code, _, err = run_cli("quiz", "list", "team9")
    assert code == 2 and "the teams are" in err


def test_quiz_play_in_the_terminal(run_cli, monkeypatch):
    import io

    # Lines that are not an answer to the open question are not counted and the player may
    # try again, so each question takes lines until one is a real attempt.
    monkeypatch.setattr("sys.stdin", io.StringIO("A\n1\nsomething to say\n" * 3))
    code, out, _ = run_cli(
        "quiz", "play", "team2", "--questions", "3", "--user", "ana", "--team", "2"
    )
    assert code == 0
    assert out.count("Recorded:") == 3
    assert "Quiz #1 finished" in out
    code, out, _ = run_cli("quiz", "leaderboard", "--json")
    data = json.loads(out)
    assert data["users"][0]["name"] == "ana" and data["teams"][0]["name"] == "team2"


def test_backup_command_and_a_damaged_database_in_one_line_then_restored(
    run_cli, settings, tmp_path
):
    code, out, _ = run_cli("backup", str(tmp_path / "copy.db"), "--json")
    assert code == 0 and json.loads(out)["backup"].endswith("copy.db")
    assert run_cli("backup")[0] == 0  # into <data dir>/backups
    assert (tmp_path / "copy.db").stat().st_size > 0
    settings.database_path.write_bytes(b"garbage" * 1000)
    code, out, err = run_cli("ask", "what is lora?")
    assert code == 1 and "Traceback" not in err
    assert err.count("\n") == 1 and "cannot be used" in err and ".damaged" in err
    assert "tutor backup restore" in err
    code, out, _ = run_cli("backup", "list")
    assert code == 0 and "manual-" in out  # the copy `backup` made in the backups folder
    code, out, err = run_cli("backup", "restore")
    assert code == 0 and "Restored" in out and "kept at" in out, err
    code, out, _ = run_cli("ask", "what is lora?")
    assert code == 0 and "LoRA" in out


def test_more_names_its_card_on_the_command_line(run_cli):
    code, out, _ = run_cli("ask", "what is lora?")
    assert code == 0 and "The whole card: tutor more lora-and-peft" in out
    code, out, _ = run_cli("more", "lora-and-peft", "--json")
    page = json.loads(out)
    assert code == 0 and page["concept"] == "lora-and-peft" and "Key points:" in page["text"]
    code, out, err = run_cli("more", "no-such-card")
    assert code == 2 and "No concept called" in out + err
