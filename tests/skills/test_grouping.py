from skills.grouping import group_by_meaning


def test_paraphrases_group_together_and_different_questions_do_not(real_encoder):
    def embed(texts):
        return real_encoder.encode(texts, normalize_embeddings=True, convert_to_numpy=True)

    texts = [
        "what is lora?",
        "when is the exam?",
        "can someone explain what LoRA is",
        "what does lora mean",
        "what's the date of the final exam",
        "how do I bake bread",
    ]
    groups = group_by_meaning(texts, embed)
    by_first = {texts[g.members[0]]: sorted(g.members) for g in groups}
    assert by_first["what is lora?"] == [0, 2, 3]
    assert by_first["when is the exam?"] == [1, 4]
    assert by_first["how do I bake bread"] == [5]
    assert groups[0].count == 3 and groups[0].example in texts[:4]
    assert group_by_meaning([], embed) == []
