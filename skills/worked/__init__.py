"""A question that gives its own numbers gets its own result, worked out.

"How many steps per epoch for 4000 examples at batch 64?" is answered with 63, not with the
card's example of 1,000 and 10. Each rule recognises one calculation by its words and takes
the numbers it needs from the question ("2.5k", "1,000", "10%", "r=8", "1024x1024"); a question
that lacks one of them is left to the card. The rules live by topic beside this file (training,
sizes, scores, sequences, costs; reading.py reads the numbers); RULES below orders them, and
the first that recognises the question answers it. The arithmetic is skills/calculators.py's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from skills.calculators import CalculatorError
from skills.worked.comparing import _compared
from skills.worked.costs import _cost_per_run, _costs, _device_hours, _hourly_cost, _savings
from skills.worked.reading import (
    ANY_CARD,
    MAX_QUESTION_CHARS,
    Worked,
    _spelled_numbers_as_digits,
    number,
)
from skills.worked.scores import (
    _accuracy_in_words,
    _confusion_in_words,
    _cross_entropy,
    _equal_logits,
    _errors_from_accuracy,
    _majority,
    _metrics,
    _named_softmax,
    _perplexity,
    _probability_left,
    _rate,
    _sequence_probability,
    _softmax,
    _student_score,
)
from skills.worked.sequences import (
    _attention_growth,
    _attention_sizes,
    _beam_candidates,
    _context_left,
    _demonstrations,
    _examples_that_fit,
    _excluded_by_top_k,
    _input_length,
    _masked_tokens,
    _nsp_pairs,
    _padding,
    _padding_share,
    _prompt_length,
    _sentence_pairs,
    _truncated,
)
from skills.worked.sizes import (
    _bert,
    _bert_pair,
    _embedding_table,
    _factorized_embedding,
    _layers_frozen,
    _linear_layer,
    _lora,
    _matrix_weights,
    _memory,
    _memory_scaled,
    _share_of_parameters,
    _shrunk,
    _sizes,
)
from skills.worked.training import (
    _accumulation_needed,
    _batch_change,
    _batch_for_steps,
    _batch_that_fits,
    _early_stopping,
    _effective_batch,
    _epochs_run,
    _examples_from_steps,
    _examples_over_epochs,
    _gradient_step,
    _grid_runs,
    _last_batch,
    _lr_at_step,
    _lr_ratio,
    _lr_scaled,
    _sequences_processed,
    _steps,
    _steps_from_total,
    _throughput,
    _warmup,
    _warmup_fraction,
)

__all__ = ["ANY_CARD", "RULES", "Worked", "number", "work_out"]


RULES: list[Callable[[str], Worked | None]] = [
    _warmup_fraction,  # before _lr_at_step: a share of the peak, no peak given
    _lr_ratio,
    _gradient_step,
    _lr_at_step,  # before _warmup: "peak 3e-5 over 100 warmup steps, lr at step 50"
    _warmup,
    _memory_scaled,
    _batch_that_fits,  # before _accumulation_needed: the batch itself is asked
    _accumulation_needed,  # before _steps: "32 examples fit" is no dataset size
    _epochs_run,  # before _steps: the total steps are given, the epochs asked
    _examples_from_steps,  # before _steps: the steps are given, the examples asked
    _last_batch,  # before _steps: the examples and batch are given, the remainder asked
    _examples_over_epochs,  # before _steps: examples x epochs, no batch needed
    _steps_from_total,  # before _steps: total steps and epochs given, no dataset
    _batch_change,  # before _steps: two batch sizes, the difference asked
    _batch_for_steps,  # before _steps: the steps per epoch given, the batch asked
    _throughput,  # before _steps: the time asked, the steps only a part of it
    _steps,
    _sequences_processed,  # after _steps: steps given, not a dataset to divide
    _effective_batch,
    _lr_scaled,
    _lora,
    _memory,
    _factorized_embedding,
    _embedding_table,  # after _factorized_embedding: V x E + E x H is ALBERT's
    _matrix_weights,  # before _bert: "768x3072 in BERT-base's feed-forward" asks about those
    _linear_layer,
    _prompt_length,
    _context_left,  # before _demonstrations: the tokens left, not the demonstrations that fit
    _demonstrations,
    _examples_that_fit,  # before _attention_sizes: "a 1024-token context" is no attention count
    _attention_growth,  # before _attention_sizes: two lengths, the growth asked
    _attention_sizes,  # before _bert: "BERT-large's 1024 hidden and 16 heads, per head?"
    _share_of_parameters,  # before _sizes: "4M of a 7B model trained" is a share, not a size
    _shrunk,  # before _sizes: "40% smaller than 110M" gives one size and asks for the other
    _sizes,  # before _bert: "BERT-large (340M) vs BERT-base (110M)" asks about those numbers
    _bert_pair,
    _bert,
    _probability_left,  # before the softmax rules: the probabilities given, not logits
    _equal_logits,
    _named_softmax,
    _softmax,
    _metrics,
    _confusion_in_words,  # before _rate: all three counts given, any metric asked
    _rate,
    _accuracy_in_words,
    _errors_from_accuracy,
    _majority,
    _perplexity,
    _input_length,
    _sentence_pairs,
    _padding_share,
    _padding,
    _masked_tokens,
    _costs,
    _hourly_cost,
    _device_hours,
    _cost_per_run,
    _savings,
    _cross_entropy,
    _sequence_probability,
    _nsp_pairs,
    _student_score,
    _layers_frozen,
    _grid_runs,
    _early_stopping,
    _beam_candidates,
    _excluded_by_top_k,
    _truncated,
    _compared,  # last: two numbers compared, when no calculation of its own knew them
]


# the rules whose numbers are the course's own (BERT's sizes, the 15% / 80-10-10 recipe), so a
# question needs none of its own
NUMBERLESS: list[Callable[[str], Worked | None]] = [_bert_pair, _bert, _masked_tokens]


def work_out(question: str) -> Worked | None:
    """The calculation `question` asks for with its own numbers, or None."""
    # A course calculation fits in a few sentences; a long text or a run of 16+ digits is no
    # such question, and would only make the rules' regexes work hard.
    if len(question) > MAX_QUESTION_CHARS or re.search(r"\d{16,}", question):
        return None
    text = _spelled_numbers_as_digits(question.lower().replace("\u00d7", "x"))
    for rule in RULES if re.search(r"\d", text) else NUMBERLESS:
        try:
            worked = rule(text)
        except (CalculatorError, ZeroDivisionError, OverflowError):
            continue  # numbers no calculation can use ("0 negatives and 0 positives")
        if worked is not None:
            return worked
    return None
