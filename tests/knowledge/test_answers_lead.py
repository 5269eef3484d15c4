"""Answers lead with what was asked: the student's own numbers worked out, "No." and the
correction for a misconception, a diagnosis for a symptom, a misspelled question read as
meant; and no sentence is said twice."""

import re

import pytest

from knowledge.answers import asks_yes_or_no


@pytest.mark.parametrize(
    ("question", "concept", "result"),
    [
        ("steps per epoch for 4000 examples at batch 64?", "epochs-batches-steps", "63 steps"),
        ("how many steps for 3 epochs of 2.5k examples at batch 32", "epochs-batches-steps",
         "237 steps in 3 epochs"),
        ("trainable parameters for LoRA r=4 on a 1024x1024 matrix", "lora-and-peft", "8,192"),
        ("2000 steps with 5% warmup, how many warmup steps", "learning-rate-and-warmup", "100"),
        ("precision 0.8, recall 0.6, what is F1?", "evaluation-metrics", "0.686"),
        ("batch 8 with 4 gradient accumulation steps: effective batch?",
         "gradient-accumulation", "32"),
        ("softmax of 2, 1, 0 at temperature 0.5", "softmax-and-temperature", "0.867"),
        ("how many parameters does bert-base have", "parameters-and-size", "109,482,240"),
        # two numbers compared by no calculation of its own: the card the words found explains
        ("BERT's WordPiece vocabulary has 30,522 tokens and GPT-2's BPE vocabulary 50,257. How "
         "many more tokens does GPT-2's vocabulary have?", "subwords-and-vocabulary", "19,735"),
        ("If BERT assigns P(cat)=0.73 to the right answer, what's the loss for that position?",
         "loss-and-gradients", "0.315"),
    ],
)  # fmt: skip
def test_a_question_with_its_own_numbers_gets_its_own_result(kb, question, concept, result):
    answer = kb.answer(question)
    assert answer.answered and answer.concept == concept and answer.lead == "worked"
    first = answer.answer.split("\n\n")[0]
    assert first.startswith("With your numbers:") and result in first


def test_the_cards_own_example_is_not_the_answer_to_other_numbers(kb):
    answer = kb.answer("steps per epoch for 4000 examples at batch 64?")
    first = answer.answer.split("\n\n")[0]
    assert "63" in first and "1,000 examples" not in first  # the card's example, if at all, later


@pytest.mark.parametrize(
    ("question", "concept", "says"),
    [
        # the card of what the student is wrong about (GPT's objective), naming the one confused
        ("GPT is trained with masked language modeling, right?", "autoregressive-modeling",
         "BERT's objective"),
        ("lora makes each training step much faster, doesn't it?", "lora-and-peft", "memory"),
        ("is wordpiece the same as bpe?", "tokenizer-algorithms", "likelihood"),
        ("a higher temperature makes the output more predictable, right?",
         "softmax-and-temperature", "more random"),
        ("is an epoch the same as a step?", "epochs-batches-steps", "full pass"),
        # every card carries its known misconceptions, the confusing pairs among them
        ("the causal mask is the same thing as the padding mask, right?", "causal-masking",
         "hides padding"),
        ("T5 is encoder-only like BERT, right?", "t5-text-to-text", "encoder-decoder"),
        ("catastrophic forgetting is just another name for overfitting, isn't it?",
         "catastrophic-forgetting", "other tasks"),
        ("a lower learning rate will fix my out of memory error, right?", "hardware",
         "batch size"),
        ("so the ## pieces are separate words?", "subwords-and-vocabulary", "continues"),
    ],
)  # fmt: skip
def test_a_misconception_gets_no_and_the_correction_first(kb, question, concept, says):
    answer = kb.answer(question)
    assert answer.answered and answer.concept == concept and answer.lead == "misconception"
    first = answer.answer.split("\n\n")[0]
    assert re.match(r"(No|Not quite)\b", first) and says in first


def test_a_true_statement_that_reads_like_a_misconception_is_not_told_no(kb):
    answer = kb.answer("BERT is trained with masked language modeling, right?")
    assert answer.lead != "misconception"
    assert not answer.answer.startswith("No")


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("BERT hides half the tokens of every sentence in pre-training, right?",
         "masked-language-modeling"),
        ("so pad tokens get attention like real words?", "attention-masks-and-padding"),
        ("LoRA makes inference slower, right?", "lora-and-peft"),
        ("a bigger batch means more steps per epoch, right?", "epochs-batches-steps"),
        ("F1 is basically the same as accuracy, isn't it?", "evaluation-metrics"),
        ("[MASK] tokens show up when fine-tuning too, right?", "masked-language-modeling"),
        ("word2vec vectors change with the context, right?", "contextual-embeddings"),
        ("early stopping looks at the training loss, right?", "overfitting"),
        ("T5 is only for translation?", "t5-text-to-text"),
        ("freezing all layers is always best, right?", "layer-freezing"),
        ("the student is bigger than the teacher in distillation?", "knowledge-distillation"),
    ],
)  # fmt: skip
def test_a_misconception_from_the_card_data_is_answered_no_first(kb, question, concept):
    answer = kb.answer(question)
    assert answer.concept == concept and answer.lead == "misconception"
    assert answer.answer.startswith("No")


def test_yes_no_questions_are_recognised():
    assert asks_yes_or_no("is an epoch the same as a step?")
    assert asks_yes_or_no("gpt uses mlm, right?")
    assert asks_yes_or_no("LoRA changes the base weights, doesn't it?")
    assert not asks_yes_or_no("what is an epoch?")
    assert not asks_yes_or_no("how many steps per epoch")
    assert asks_yes_or_no("so the ## pieces are separate words?")
    assert asks_yes_or_no("GPT is trained with masked language modeling?")
    assert not asks_yes_or_no("so what does the attention mask do?")
    assert not asks_yes_or_no("and why is the learning rate warmed up?")
    assert not asks_yes_or_no("every sentence starts with 101 and ends with 102, why?")
    # a comparison asked as a noun phrase wants both sides, not a yes or a no
    assert not asks_yes_or_no("memory of full fine-tuning vs LoRA?")
    assert not asks_yes_or_no("greedy decoding compared to beam search?")
    assert not asks_yes_or_no(
        "names come out as several ## pieces, so my labels no longer line up. what do the "
        "## pieces mean?"
    )


@pytest.mark.parametrize(
    ("question", "concept", "says"),
    [
        ("every tokenized sentence starts with 101 and ends with 102, why?", "special-tokens",
         "[CLS]"),
        ("my gpt-2 output keeps repeating itself", "generation-strategies", "repetition_penalty"),
        ("my model gets 92% on movie reviews but only 65% on medical forum posts",
         "domain-adaptive-pretraining", "pre-training"),
        # a NaN loss: either card diagnoses it (a learning rate too high; clipping)
        ("my training loss became nan after 300 steps", "loss-and-gradients|learning-rate-and-warmup",
         "learning rate"),
    ],
)  # fmt: skip
def test_a_symptom_gets_its_diagnosis_first(kb, question, concept, says):
    answer = kb.answer(question)
    assert answer.answered and answer.concept in concept.split("|")
    assert answer.lead in ("symptom", "key point")  # the diagnosis, from either part of the card
    lead = answer.answer.split("\n\n")[0]
    assert says in lead
    # the diagnosis, not the student's own words said back ("That sounds like my gpt-2 ...")
    assert lead[0].isupper() and not lead.lower().startswith(("that sounds like", "my "))


def test_a_question_about_a_practice_is_no_symptom(kb):
    answer = kb.answer("why do we use such a tiny learning rate when fine-tuning?")
    assert answer.concept == "learning-rate-and-warmup"
    assert answer.lead != "symptom"


@pytest.mark.parametrize(
    ("question", "concept", "says_no"),
    [
        ("NSP was so important that RoBERTa made it even bigger, right?",
         "next-sentence-prediction", True),
        ("RoBERTa dropped NSP, right?", "next-sentence-prediction", False),
        ("bigger is always better so I should always pick BERT-large over DistilBERT, right?",
         "model-selection", True),
        ("one step means one pass over the whole dataset, right?", "epochs-batches-steps", True),
        ("an epoch is one pass over the whole dataset, right?", "epochs-batches-steps", False),
        ("pretraining needs a huge labeled dataset, that's why it's expensive, right?",
         "pretraining-vs-finetuning", True),
        # "when I fine-tune" is a conjunction, not a question word: still a yes/no question
        ("so the attention mask is only needed during pre-training and I can leave it out "
         "when I fine-tune?", "attention-masks-and-padding", True),
        ("Tokenization is just splitting the text on spaces and punctuation, isn't it?",
         "tokenization", True),
        ("the attention mask is only for padding, right?", "attention-masks-and-padding", False),
    ],
)  # fmt: skip
def test_a_stated_misconception_is_told_no(kb, question, concept, says_no):
    answer = kb.answer(question)
    assert answer.answered and answer.concept == concept
    assert answer.answer.startswith("No") == says_no


def test_a_misspelled_question_is_read_as_meant(kb):
    answer = kb.answer("waht is an atention mask")
    assert answer.read_as == "what is an attention mask"
    assert answer.answered and answer.concept == "attention-masks-and-padding"
    assert answer.to_json()["read_as"] == "what is an attention mask"
    assert kb.answer("what is an attention mask").read_as is None


def test_real_words_are_never_corrected(kb):
    for question in ("does bert work on emoji in tweets", "what's a good recipe for pancakes"):
        assert kb.answer(question).read_as is None


def test_no_sentence_is_said_twice(kb):
    for question in (
        "how many steps per epoch with 1000 examples and batch size 10?",
        "what is the analogy for lora",
        "common mistakes with warmup",
        "my gpt-2 output keeps repeating itself",
    ):
        text = kb.answer(question).answer
        sentences = [s.strip(" -") for s in re.split(r"(?<=[.!?])\s+|\n", text) if len(s) > 30]
        assert len(sentences) == len(set(sentences)), question


def test_an_answer_stays_short_and_the_whole_card_is_one_more_away(kb):
    from knowledge.answers import SENTENCES_AFTER_A_LEAD, card_text

    card = kb.cards["lora-and-peft"]
    led = kb.answer("how many parameters does lora train for a 768x768 matrix at rank 8?")
    assert led.lead and led.concept == "lora-and-peft"
    body = led.answer.rpartition("\n\n")[2]
    assert len(re.split(r"(?<=[.!?])\s+", body.strip())) <= SENTENCES_AFTER_A_LEAD
    assert "Key points" not in led.answer and len(led.answer) < len(card_text(card))
    plain = kb.answer("what is lora")
    # the concept itself: its explanation, no more
    assert plain.answer.split() == card.explanation.split()
    for answer in (led, plain):
        assert answer.more == card_text(card)
        assert "Key points:" in answer.more and card.key_points[0] in answer.more
    declined = kb.answer("who won the world cup in 2010")
    assert declined.more is None and "more" not in declined.to_json()


def test_two_concepts_compared_are_both_answered(kb):
    answer = kb.answer("is layer freezing the same as lora?")
    assert answer.lead == "comparison" and answer.answered
    first = answer.answer.split("\n\n")[0]
    assert first.startswith("No: they are two different concepts.")
    assert "Layer freezing" in first and "LoRA" in first


def test_a_comparison_of_two_other_models_is_not_answered_with_bert_vs_gpt(kb):
    answer = kb.answer("t5 vs bert architecture")
    assert answer.concept == "t5-text-to-text" and answer.lead == "comparison"
    assert "BERT family" in answer.answer.split("\n\n")[0]


def test_the_comparison_card_still_answers_its_own_comparison(kb):
    answer = kb.answer("difference between bert and gpt")
    assert answer.concept == "bert-vs-gpt" and answer.lead != "comparison"


def test_a_comparison_card_answers_when_its_two_things_are_named_after_a_third(kb):
    # "attention" is named first, but BERT vs GPT is what is compared
    answer = kb.answer(
        "Bidirectional attention in BERT vs left-to-right attention in GPT: what's the "
        "practical difference?"
    )
    assert answer.answered and answer.concept == "bert-vs-gpt"


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("BERT uses BPE just like GPT-2, right?", "tokenizer-algorithms"),
        ("GPT-2 sees the whole sentence when it predicts a word, right?", "causal-masking"),
    ],
)
def test_a_precise_misconception_is_corrected_by_its_card_whatever_retrieval_ranked(
    kb, question, concept
):
    answer = kb.answer(question)
    assert answer.concept == concept and answer.lead == "misconception"
    assert answer.answer.startswith("No")


def test_a_story_with_numbers_that_asks_how_gets_the_card_not_a_calculation(kb):
    # the numbers set the scene; the ask ("how is it trained?") wants no number
    answer = kb.answer(
        "In class we compared models on SST-2 and DistilBERT got about 89 while BERT-base was "
        "around 92. The slide called DistilBERT 'distilled' but didn't explain much. Our "
        "deployment has to run on CPU, so size matters. How is a distilled model actually "
        "trained from the bigger one?"
    )
    assert answer.answered and answer.lead != "worked"
    assert answer.concept == "knowledge-distillation"
    assert not answer.answer.startswith("With your numbers")


@pytest.mark.parametrize(
    "question",
    [
        # a true belief with the words of a false one: negated, compared, or said of another
        "Is the causal mask fixed rather than learned?",
        "Fine-tuning doesn't start from scratch, right?",
        "More epochs are not always better, right?",
        "Does full fine-tuning lead to more forgetting than LoRA?",
        "Does a bigger batch need more memory than gradient accumulation?",
        "Does RoBERTa use the same tokenizer as GPT-2?",
        "Does DeBERTa have a different architecture than RoBERTa?",
        "If I train for more than one epoch, does the model see each example more than once?",
        "Does grid search try all combinations, so it needs many runs?",
        "Is the attention mask only needed when a batch has padding?",
        "So a trained GPT generates text one token at a time, right?",
        "For a balanced dataset like SST-2, is accuracy a good enough metric?",
        "Is it bad that my model labels almost everything as neutral?",
        "In GPT, does the causal mask mean it masks all future tokens?",
        "Is a small model like GPT-2 less capable at few-shot learning than GPT-3?",
        "Greedy decoding always picks the single most likely next token, correct?",
    ],
)
def test_a_true_belief_is_not_told_no(kb, question):
    answer = kb.answer(question)
    assert answer.lead != "misconception"
    assert not answer.answer.startswith(("No", "Not quite"))


def test_a_misspelled_course_word_beside_another_field_is_still_read(kb):
    # "cnns" alone is another area of machine learning; the speller's "transformers" is ours
    answer = kb.answer("whats the diffrence between transfomers and cnns?")
    assert not answer.off_topic


def test_a_question_opening_with_when_is_no_yes_or_no_question(kb):
    answer = kb.answer("when i should freeze the last layers?")
    assert answer.lead != "misconception"


def test_instead_of_compares_only_what_stands_on_either_side(kb):
    answer = kb.answer(
        "Why are some of the chosen tokens in MLM replaced with a random word instead of [MASK]?"
    )
    assert answer.concept == "masked-language-modeling" and answer.lead != "comparison"


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("what is the attention mask in bert", "attention-masks-and-padding"),
        ("what is masking in gpt", "causal-masking"),
        ("what is attention in a transformer", "attention"),
    ],
)
def test_x_in_a_model_is_about_x(kb, question, concept):
    assert kb.answer(question).concept == concept
