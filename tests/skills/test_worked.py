"""A question's own numbers, read robustly and worked out (skills/worked/)."""

import pytest

from skills.worked import number, work_out


@pytest.mark.parametrize(
    ("text", "value"),
    [("2.5k", 2500), ("1,000", 1000), ("64", 64), ("0.5", 0.5), ("1.2m", 1_200_000), ("x", None)],
)
def test_numbers_are_read_as_people_write_them(text, value):
    assert number(text) == value


@pytest.mark.parametrize(
    ("question", "concept", "result"),
    [
        ("steps per epoch for 4000 examples at batch 64", "epochs-batches-steps", "63 steps"),
        ("DistilBERT is 40% smaller than BERT-base's 110M parameters: how many are left?",
         "knowledge-distillation", "about 66M parameters"),
        ("a model 25% larger than a 1.2B one has how many parameters?", "parameters-and-size",
         "about 1.5B parameters"),
        ("ALBERT with V=30,000, E=128, H=768: embedding parameters (V*E + E*H)?", "bert-family",
         "3,938,304 embedding parameters"),
        ("200 tokens, 15% are picked and 80% of those become [MASK]: how many [MASK]?",
         "masked-language-modeling", "24 tokens become [MASK]"),
        ("how many tokens get picked for prediction in a 512-token input?",
         "masked-language-modeling", "76.8 tokens are picked"),
        ("5 companies: $500,000 each from scratch, or one $1,000,000 model adapted for $10,000 "
         "each. dollars saved?", "pretraining-cost", "$1,450,000 saved"),
        ("pre-training is $1M and fine-tuning $250: how many times cheaper is fine-tuning?",
         "pretraining-cost", "4,000 times cheaper"),
        ("how many steps for 3 epochs of 2.5k examples, batch size 32", "epochs-batches-steps",
         "237 steps in 3 epochs"),
        ("1,000 examples, batch 10, 4 accumulation steps: how many steps per epoch?",
         "gradient-accumulation", "25 optimizer updates"),  # accumulation's card explains them
        ("how many updates per epoch with 3200 examples and batch 32", "epochs-batches-steps",
         "100 steps per epoch"),
        ("total steps is 1,500 and warmup is 10%: warmup steps?", "learning-rate-and-warmup",
         "150 warmup steps"),
        ("steps per epoch for 2000 examples at bs=16?", "epochs-batches-steps", "125 steps"),
        ("effective batch of 128 but only 32 examples fit on my gpu, how many accumulation steps?",
         "gradient-accumulation", "4 accumulation steps"),
        ("lora r 4 on a 512 x 512 matrix, trainable params", "lora-and-peft", "4,096"),
        ("lora rank-4 on a weight with d=512, k=2048", "lora-and-peft", "10,240"),
        ("logits 1, 0, -1 at temperature 2: probability of the top token?",
         "softmax-and-temperature", "0.506"),
        ("precision and recall are both 60%, f1?", "evaluation-metrics", "F1 = 0.600"),
        ("a 350M parameter model in fp16, how many GB?", "parameters-and-size", "0.70 GB"),
        ("bert-base 110M params fp32 how many MB", "parameters-and-size", "440 MB"),
        ("batch 16 and 4 accumulation steps, effective batch size?", "gradient-accumulation",
         "64"),
        ("10% warmup over 5000 steps", "learning-rate-and-warmup", "500 warmup steps"),
        ("lora r=8 on a 1024x1024 matrix: trainable parameters?", "lora-and-peft", "16,384"),
        ("lora rank 8 on 24 matrices of 768x768", "lora-and-peft", "294,912"),
        ("how many parameters does bert-large have", "parameters-and-size", "335,141,888"),
        ("softmax of 2, 1, 0 at temperature 0.5", "softmax-and-temperature", "0.867"),
        ("precision 0.8, recall 0.6, what is F1?", "evaluation-metrics", "0.686"),
        ("precision 80% and recall 60%: f1?", "evaluation-metrics", "0.686"),
        ("90 true positives, 10 false positives, 30 false negatives", "evaluation-metrics",
         "recall 0.750"),
        # numbers in words, and what "round to 3 decimals" must not add to a list of logits
        ("four thousand examples with batches of 32, steps per epoch if i drop the last batch?",
         "epochs-batches-steps", "125 steps per epoch"),
        ("softmax of logits 2, 1, 0: probability of the first token? round to 3 decimals",
         "softmax-and-temperature", "p = 0.665 for the logit 2"),
        ("two tokens with logits 3 and 1, temperature T=2: probability of the second one?",
         "softmax-and-temperature", "p = 0.269"),
        ("three tokens all with logit 5, softmax prob of each?", "softmax-and-temperature",
         "1/3 = 0.333"),
        ("10k examples, per-device batch 8 on 2 GPUs, grad accum 5: optimizer updates per epoch?",
         "gradient-accumulation", "125 optimizer updates per epoch"),
        ("effective batch of 128 but only 16 fit per GPU, and I have 4 GPUs: accumulation steps?",
         "gradient-accumulation", "2 accumulation steps"),
        ("8k examples, batch size 16, 3 epochs and 10% warmup: how many warmup steps?",
         "learning-rate-and-warmup", "150 warmup steps"),
        ("4 epochs at 450 steps per epoch with a warmup ratio of 0.2: warmup steps?",
         "learning-rate-and-warmup", "360 warmup steps"),
        ("lora r=8 on q and v (1024x1024 each) in every one of the 24 layers: trainable params?",
         "lora-and-peft", "786,432"),
        ("How many million more parameters does BERT-large (340M) have than BERT-base (110M)?",
         "parameters-and-size", "230M more"),
        ("How many million more parameters does BERT-large have than BERT-base?",
         "parameters-and-size", "230M more"),
        ("out of 20 emails my model flagged as spam, 18 really were spam. precision?",
         "evaluation-metrics", "precision = 0.900"),
        ("18 of the 20 emails it flagged were spam, and there were 24 spam emails in total. F1?",
         "evaluation-metrics", "F1 = 0.818"),
        ("my model has 90% precision but only 50% recall, F1?", "evaluation-metrics", "0.643"),
        ("950 negatives and 50 positives; the model predicts negative for everything: accuracy?",
         "evaluation-metrics", "accuracy = 0.950"),
        ("1,200 test reviews and 840 are positive: accuracy of an always-positive baseline?",
         "evaluation-metrics", "accuracy = 0.700"),
        ("a classifier always predicts positive; 900 of 1000 reviews are positive. accuracy?",
         "evaluation-metrics", "accuracy = 0.900"),
        ("250 examples, batch 10, 1 epoch, 1% warmup: warmup steps?",  # ceil, as HF counts
         "learning-rate-and-warmup", "1 warmup steps"),
        ("validation loss = 3.5 nats per token, perplexity?", "loss-and-gradients", "33.115"),
        ("GPT-2 with 1.5 billion parameters in fp32 needs how many GB?", "parameters-and-size",
         "6.00 GB"),
        ("a 110 million parameter model in fp32, how many MB?", "parameters-and-size",
         "440 MB"),  # "million" after digits scales them, it is no number of its own
        ("two billion parameters in fp16, how many GB?", "parameters-and-size", "4.00 GB"),
        ("I pad sentences of 5, 8 and 12 tokens to a max length of 12: how many [PAD] tokens?",
         "attention-masks-and-padding", "11 [PAD] tokens"),
        ("dynamic padding to the longest in the batch, lengths are 6, 9, 9, 2 and 5: pads?",
         "attention-masks-and-padding", "14 [PAD] tokens"),
        # model shapes: heads, attention scores, causal masks, embedding tables, BERT inputs
        ("d_model 1024 with 16 heads, how many dims does each head get?", "attention",
         "64 dimensions per head"),
        ("how many attention scores does a single head compute for a 128-token input?",
         "attention", "16,384 attention scores per head"),
        ("causal mask over 10 tokens: how many query-key pairs can attend?", "causal-masking",
         "55 allowed"),
        ("in a 5x5 causal mask how many positions are blocked?", "causal-masking",
         "10 blocked entries"),
        ("GPT-3 with a 2048-token context: how many non-masked entries does one causal "
         "attention matrix have?", "causal-masking", "2,098,176 allowed"),
        ("I counted the non-zero attention weights in my decoder for a 10-token input: how many "
         "should there be?", "causal-masking", "55 allowed"),
        # tuning 18's: a dropped last batch said in the passive, GPUs "with 8 examples each",
        # a "10,000-step schedule", the model's size named twice
        ("1200 examples, batch size 32 with the last incomplete batch dropped, trained for 4 "
         "epochs. Total steps?", "epochs-batches-steps", "148 steps in 4 epochs"),
        ("4 GPUs with 8 examples each per forward pass. How many accumulation steps to reach an "
         "effective batch of 256?", "gradient-accumulation", "8 accumulation steps"),
        ("warmup ratio 0.06 on a 10,000-step schedule = how many warmup steps?",
         "learning-rate-and-warmup", "600 warmup steps"),
        ("a 340M-parameter model, LoRA r=16 on one 768x768 weight: what percentage of the 340M "
         "parameters are trainable?", "lora-and-peft", "0.00723% of the 340M-parameter model"),
        # what was there, what was flagged and how much of it was right, told in words
        ("1,000 emails, 50 of them spam. The filter flags 40, of which 30 are actual spam. "
         "Recall on the spam class?", "evaluation-metrics", "recall = 0.600"),
        ("Spam filter: 1000 emails, 50 spam, 40 flagged, 30 of the flagged truly spam. F1 for "
         "spam?", "evaluation-metrics", "F1 = 0.667"),
        ("What is the accuracy of a spam filter that, on 1,000 emails with 50 spam, flags 40 "
         "emails of which 30 are really spam?", "evaluation-metrics", "accuracy = 0.970"),
        ("1,000 emails, 50 of them spam. The filter flags 40 emails. Of those 40, 30 are real "
         "spam. Recall?", "evaluation-metrics", "recall = 0.600"),
        ("Fine-tuned on 5,000 emails, tested on 1,000 emails with 50 spam; it flags 40, of which "
         "30 are really spam. Accuracy?", "evaluation-metrics", "accuracy = 0.970"),
        ("1000 examples, batch 32, the last partial batch is not dropped. how many steps per "
         "epoch?", "epochs-batches-steps", "32 steps per epoch"),
        ("1000 examples, batch 32, drop_last=False. how many steps per epoch?",
         "epochs-batches-steps", "32 steps per epoch"),
        ("1000 examples, batch 32, ignoring the last partial batch. how many steps per epoch?",
         "epochs-batches-steps", "31 steps per epoch"),
        ("24 layers with 16 attention heads each: how many attention heads in total?",
         "transformer-architecture", "384 attention heads"),
        ("vocab size 50,257 and embedding dim 768: how many parameters in the embedding table?",
         "parameters-and-size", "38,597,376 parameters"),
        ("sentence pair of 12 and 20 tokens, with [CLS] and the two [SEP]: input length?",
         "special-tokens", "35 tokens"),
        ("one 30-token sentence plus [CLS] and [SEP]: how long is the input?", "special-tokens",
         "32 tokens"),
        ("max_length 128 with [CLS] and [SEP]: how many tokens of my sentence fit?",
         "special-tokens", "126 tokens of text fit"),
        # shares of a model trained, steps seen, learning rates, savings, NSP, memory
        ("an adapter with 1.2M trainable params on a 7B model: what percent is trained?",
         "lora-and-peft", "0.0171%"),
        ("only 2% of a 1.5B model gets trained: how many parameters?", "parameters-and-size",
         "30,000,000 parameters"),
        ("frozen 66M encoder, a 1,538-parameter head trained: percent trained?",
         "layer-freezing", "0.00233%"),
        ("lora r=8 on q and v in all 12 layers of a 768-hidden model: percent of 110M params?",
         "lora-and-peft", "0.268%"),
        ("500k steps at batch size 128: how many sequences in total?", "epochs-batches-steps",
         "64,000,000 sequences"),
        ("lr 2e-5 peak, 200 warmup steps, linear: learning rate at step 50?",
         "learning-rate-and-warmup", "5e-6 (0.000005)"),
        ("peak lr 1e-4, warmup over 100 steps then linear decay to 0 at 1,100 total steps: lr at"
         " step 600?", "learning-rate-and-warmup", "learning rate 5e-5 (0.00005) at step 600"),
        ("my lr is 3e-4, I'll divide it by 3. new learning rate?", "learning-rate-and-warmup",
         "a learning rate of 0.0001"),
        ("training from scratch took 400 GPU-hours and fine-tuning 6 GPU-hours: percent saved?",
         "pretraining-cost", "98.5% saved"),
        ("NSP with 50/50 pairs: of 8,000 pairs how many are NotNext?",
         "next-sentence-prediction", "4,000 pairs"),
        ("activations are 12 GB at batch 16 and scale linearly: memory at batch size 4?",
         "hardware", "about 3 GB"),
        ("is accumulating over 4 batches of 8 the same as a batch of 32?",
         "gradient-accumulation", "an effective batch of 32"),
        ("3 epochs of 400 steps each, warmup ratio 0.1: warmup steps?",
         "learning-rate-and-warmup", "120 warmup steps"),
        ("it ran 900 steps in total on 3,000 examples at batch size 10: how many epochs?",
         "epochs-batches-steps", "3 epochs"),
        ("4 GPUs, a batch of 8 on each, accumulating gradients over 2 steps: what effective "
         "batch does one update see?", "gradient-accumulation", "an effective batch of 64"),
        ("6,400 examples, an effective batch of 32 from batch 8 x accumulation 4: weight updates"
         " per epoch?", "gradient-accumulation", "200 optimizer updates per epoch"),
        ("a 1024x1024 matrix has how many times more parameters than its rank-8 LoRA update?",
         "lora-and-peft", "64 times as many"),
        ("how many parameters does bert-base have in millions?", "parameters-and-size",
         "the paper rounds it to 110M"),
        ("2,000 reviews, 1,800 not toxic and 200 toxic; it labels every review as not toxic: "
         "accuracy?", "evaluation-metrics", "accuracy = 0.900"),
        # set 10's misses, reworded: each calculation the question's own numbers ask for
        ("9,000 reviews at batch size 50: how many batches make one epoch?",
         "epochs-batches-steps", "180 steps per epoch"),
        ("120 steps per epoch at batch size 16, the last batch full: how many examples?",
         "epochs-batches-steps", "1,920 examples"),
        ("120 steps per epoch at batch size 16: how many examples do I have?",
         "epochs-batches-steps", "1,920 examples (if the last batch is full)"),
        ("batches of 128 sequences of 256 tokens for 10,000 steps: how many tokens in total?",
         "epochs-batches-steps", "327,680,000 tokens"),
        ("warmup from 0 to 2e-5 over 1,000 steps: learning rate after 250 steps?",
         "learning-rate-and-warmup", "learning rate 5e-6"),
        ("a linear head from the 1024-dim pooled vector to 3 classes: how many parameters?",
         "layer-freezing", "3,075 parameters"),
        ("a classifier mapping 768 features to 5 labels, without biases: how many weights?",
         "layer-freezing", "3,840 weights"),
        ("a position embedding table with 1024 positions and hidden size 512: parameters?",
         "parameters-and-size", "524,288 parameters"),
        ("the four attention projections of one layer are each 1024x1024: weights in total?",
         "parameters-and-size", "4,194,304 weights"),
        ("two weight matrices, 512x2048 and 2048x512, plus biases: how many parameters?",
         "parameters-and-size", "2,099,712 parameters"),
        ("at 12 bytes per parameter, how many GB does a 340M-parameter model need?",
         "parameters-and-size", "4.08 GB"),
        ("V=50,000, H=1024, E=128: how many embedding parameters does factorizing save?",
         "bert-family", "44,668,928 parameters saved"),
        ("256 tokens and 8 heads: how many attention scores in one layer?",
         "attention", "524,288 for 8 heads"),
        ("full self-attention over 6 tokens: how many token-to-token connections?",
         "attention", "36 attention scores"),
        ("hidden size 768 and 12 heads in bert-base: dimension per head?",
         "attention", "64 dimensions per head"),
        ("a causal mask over 6 tokens: how many positions are allowed, not masked?",
         "causal-masking", "21 allowed"),
        ("five candidate words all have logit 2: probability of each after softmax?",
         "softmax-and-temperature", "1/5 = 0.200"),
        ("the filter flagged 80 messages and 60 of them were really spam: precision in percent?",
         "evaluation-metrics", "precision = 0.750 (75.0%)"),
        ("there are 40 positive reviews and the model finds 30 of them: recall?",
         "evaluation-metrics", "recall = 0.750"),
        # set 9's numeric questions without their own result, reworded
        ("the trainer ran 900 steps over 3 epochs at batch size 16: how many examples?",
         "epochs-batches-steps", "4,800 examples"),
        ("batch size from 8 to 32 on a 1,600-example dataset: how many fewer steps per epoch?",
         "epochs-batches-steps", "150 fewer steps per epoch"),
        ("a 13B model in fp16: how many GB for the weights?", "parameters-and-size", "26.00 GB"),
        ("64 tokens, 8 heads: how many attention weights are computed in one layer in total?",
         "attention", "32,768 for 8 heads"),
        ("going from 128 to 512 tokens, by what factor do the attention scores grow?",
         "attention", "16 times as many"),
        ("the question is 9 wordpieces and the passage is 30: input length with [CLS] and the "
         "two [SEP]s?", "special-tokens", "42 tokens"),
        ("a sentence of 20 wordpieces, [CLS] and [SEP] added, padded to max_length 32: how many "
         "[PAD] tokens?", "special-tokens", "10 [PAD] tokens"),
        ("we pad everything to 256 tokens and sequences average 64 real tokens: what percent "
         "is padding?", "attention-masks-and-padding", "75.0% padding"),
        ("sentences of 5, 8 and 6 tokens padded to the longest: how many 1s in the attention "
         "mask?", "attention-masks-and-padding", "19 ones"),
        ("of 4,000 tokens, how many are picked for prediction but left unchanged?",
         "masked-language-modeling", "60 tokens are picked but left unchanged"),
        ("logits 'yes' 2.0, 'no' 1.0, 'maybe' 0.0: what is P('yes') after softmax?",
         "softmax-and-temperature", "P('yes') = 0.665"),
        ("TP = 30, FN = 10 and precision is 0.6: F1?", "evaluation-metrics", "F1 0.667"),
        ("the model gives probability 0.5 to the correct class: cross-entropy loss?",
         "loss-and-gradients", "loss = 0.693"),
        ("perplexity is 10: what is the loss in nats?", "loss-and-gradients", "loss = 2.303"),
        ("a 4-class classifier guessing uniformly: cross-entropy loss?", "loss-and-gradients",
         "ln 4 = 1.386"),
        ("P(I)=0.5, P(like|I)=0.4, P(tea|I like)=0.1: probability of the whole sentence?",
         "autoregressive-modeling", "P = 0.02"),
        ("out of 1,000 NSP pairs, how many get a random second sentence?",
         "next-sentence-prediction", "500 pairs"),
        ("the teacher scores 90% and the student keeps 95% of that: student score?",
         "knowledge-distillation", "85.5%"),
        ("ALBERT with V=30,000, E=256 and H=1024: by what percent does factorizing shrink the "
         "embedding?", "bert-family", "74.1% fewer"),
        ("a 12-layer encoder, freezing the bottom 9: what percent of layers are trained?",
         "layer-freezing", "25.0% of the layers"),
        ("bert-large has 24 layers; if i freeze the bottom 20, how many layers still train?",
         "layer-freezing", "4 layers are still trained"),
        ("grid search over 3 learning rates and 2 batch sizes, each run 20 minutes: hours?",
         "hyperparameter-tuning", "6 runs, 2 hours"),
        ("grid of lr {1e-5, 3e-5} x batch {16, 32} x epochs {2, 3}: how many runs?",
         "hyperparameter-tuning", "8 runs"),
        ("validation loss after epochs 1 to 4 was 0.60, 0.45, 0.47, 0.52: which epoch to keep "
         "with early stopping?", "overfitting", "epoch 2"),
        ("a 2048-token context; my instruction uses 248 tokens and each demonstration is 100 "
         "tokens: how many demonstrations fit?", "few-shot-learning", "18 demonstrations"),
        ("beam search with 4 beams over a 50,000-token vocabulary: how many candidates per "
         "step?", "generation-strategies", "200,000 candidates"),
        # the inverse forms of the steps relation
        ("my run did 750 steps in total over 3 epochs: how many steps per epoch?",
         "epochs-batches-steps", "250 steps per epoch"),
        ("1200 total steps and 300 steps per epoch: how many epochs?",
         "epochs-batches-steps", "4 epochs"),
        ("1,050 examples at batch size 8: how many examples are in the last batch?",
         "epochs-batches-steps", "2 examples in the last batch"),
        ("1,024 examples at batch size 8: how big is the last batch?",
         "epochs-batches-steps", "8 examples (a full batch)"),
        ("if i drop the incomplete final batch, how many total steps do 1,234 examples at "
         "batch size 50 give over 3 epochs?", "epochs-batches-steps", "72 steps in 3 epochs"),
        ("3 epochs on 1000 examples: how many examples does the model see in total?",
         "epochs-batches-steps", "3,000 examples"),
        ("my gpu fits 6 examples per pass: accumulation steps to get the effective batch to at "
         "least 32?", "gradient-accumulation", "6 accumulation steps"),
        ("a batch of 256 with micro-batches of 32: how many accumulation steps?",
         "gradient-accumulation", "8 accumulation steps"),
        ("a 120-step linear warmup: what fraction of the peak learning rate at step 30?",
         "learning-rate-and-warmup", "0.25 of the peak"),
        ("10,000 warmup steps out of 1,000,000 total: what percentage is warmup?",
         "learning-rate-and-warmup", "1.00% of training"),
        ("lr 1e-3 from scratch and 2e-5 for fine-tuning: how many times larger?",
         "learning-rate-and-warmup", "50 times larger"),
        ("weight 0.8, gradient is -0.5, learning rate 0.1: the new weight after one step?",
         "loss-and-gradients", "a new weight of 0.85"),
        ("the correct masked word gets probability 0.73: cross-entropy loss?",
         "loss-and-gradients", "loss = 0.315"),
        ("logits [2.5, 1.0, 0.5, 1.5] (sat, ran, jumped, slept) at temperature 0.5: P(sat)?",
         "softmax-and-temperature", "P('sat') = 0.8310"),
        ("temperature 2 on logits sat=2.5, ran=1.0, jumped=0.5, slept=1.5: P(sat)?",
         "softmax-and-temperature", "P('sat') = 0.4087"),
        ("two tokens have identical logits of 1.7: what probability does softmax give each?",
         "softmax-and-temperature", "1/2 = 0.500"),
        # counts of zero, already-picked tokens, a saving between two precisions
        ("TP=30, FP=0, FN=30: F1?", "evaluation-metrics", "F1 0.667"),
        ("out of 150 tokens selected for MLM, how many become [MASK]?",
         "masked-language-modeling", "120 tokens become [MASK]"),
        ("200 tokens, 15% selected, 80/10/10 split: how many get a random token?",
         "masked-language-modeling", "3 tokens become a random token"),
        ("how many tokens out of 4000 get changed (to [MASK] or to a random token)?",
         "masked-language-modeling", "540 tokens are changed"),
        ("how many MB do I save storing BERT-base (110M params) in fp16 instead of fp32?",
         "parameters-and-size", "220 MB saved"),
        ("BERT-large weights in fp32: how many GB?", "parameters-and-size", "1.36 GB"),
        ("With 600 steps per epoch at batch 32, how big is my dataset?", "epochs-batches-steps",
         "19,200 examples"),
        ("What batch size gives 250 steps per epoch on 8,000 examples?", "epochs-batches-steps",
         "a batch size of 32"),
        ("what batch size do i need for 300 steps per epoch with 10,000 examples?",
         "epochs-batches-steps", "a batch size of 34"),  # 33 would need 304 steps
        ("How many epochs do I get from 3,000 steps if one epoch is 750 steps?",
         "epochs-batches-steps", "4 epochs"),
        ("How much memory do 340M parameters take in fp16?", "parameters-and-size", "0.68 GB"),
        ("My model gets 880 of 1,000 test sentences right. Accuracy?", "evaluation-metrics",
         "accuracy = 0.880"),
        ("Training costs $3 per GPU-hour and the run takes 40 GPU-hours. Total cost?",
         "pretraining-cost", "$120 in total"),
        ("$2.50 an hour per GPU; 5 runs of 8 hours each, how much in total?",
         "pretraining-cost", "$100 in total"),
        ("If BERT assigns P(cat)=0.73 to the right answer, what's the loss there?",
         "loss-and-gradients", "loss = 0.315"),
        ("Untrained binary classifier outputs 50/50 on everything. Loss per example in nats?",
         "loss-and-gradients", "loss = 0.693"),
        ("A model uniform over BERT's 30,522-token vocab: its cross-entropy in nats?",
         "loss-and-gradients", "ln 30,522 = 10.326"),
        ("Two positions with correct-token probabilities 0.5 and 0.25: sum of the losses?",
         "loss-and-gradients", "total loss = 2.079"),
        ("My LM's perplexity is 20. What's the per-token cross-entropy in nats?",
         "loss-and-gradients", "loss = 2.996"),
        ("If precision is 0.75 and F1 is 0.6, what must recall be?", "evaluation-metrics",
         "recall = 0.500"),
        ("My spam filter caught 45 spam emails and missed 5. What's its recall?",
         "evaluation-metrics", "recall = 0.900"),
        ("What fraction of all input tokens become [MASK] in BERT pre-training?",
         "masked-language-modeling", "12.0% of all tokens"),
        ("What percent of all tokens are chosen for prediction but left unchanged?",
         "masked-language-modeling", "1.5% of all tokens"),
        ("A 200-token input and BERT selects 15% for prediction. How many tokens get selected?",
         "masked-language-modeling", "30 tokens are picked"),
        ("Batch of 256 sequences x 128 tokens, 15% chosen for MLM. How many tokens chosen?",
         "masked-language-modeling", "4915.2 tokens are picked"),
        ("Padding to max_length=128 and my sentence is 40 tokens. How many zeros are in its "
         "attention mask?", "attention-masks-and-padding", "88 zeros"),
        ("10 wordpieces plus [CLS] and [SEP], padded to length 16. How many 1s in the "
         "attention mask?", "attention-masks-and-padding", "12 ones"),
        ("If the sequence length goes from 256 to 512, by what factor do attention scores grow?",
         "attention", "4 times as many"),
        ("5 examples of 30 tokens each plus a 20-token query: how many tokens are left in a "
         "2048-token context?", "few-shot-learning", "1,878 tokens left"),
        ("How many parameters are in a 768-to-768 linear layer including its bias?",
         "parameters-and-size", "590,592 parameters"),
        ("BERT's token embedding table is 30,522 x 768. How many parameters is that?",
         "parameters-and-size", "23,440,896 parameters"),
        ("The feed-forward goes 768 to 3072 and back to 768. How many weights in those two "
         "matrices?", "parameters-and-size", "4,718,592 weights"),
        ("My GPU has 16 GB. A 1.3B model in fp32 weights takes how much, and how many GB are "
         "left over?", "parameters-and-size", "5.20 GB, leaving 10.80 GB"),
        ("Weights plus gradients, both fp32, for a 110M model: how many GB?",
         "parameters-and-size", "0.88 GB"),
        ("BERT's vocabulary has 30,522 tokens and GPT-2's 50,257. How many more does GPT-2 "
         "have?", "*", "a difference of 19,735"),  # "*": the card the words found explains it
        ("Five companies each train a model from scratch at $500,000 each. Total cost?", "*",
         "$2,500,000 in total"),
        ("DistilBERT has 66M params and BERT-base 110M. What fraction of BERT-base's size is "
         "DistilBERT?", "knowledge-distillation", "0.600 of the size"),
        ("GPT-2 cost roughly $500K and GPT-3 $4.6M. How many times more expensive was GPT-3?",
         "pretraining-cost", "9.2 times as expensive"),
        ("If each epoch is 400 steps and I train for 2.5k steps, how many epochs is that?",
         "epochs-batches-steps", "6.25 epochs"),
        ("Pre-training costs $2 million and fine-tuning costs $200. How many times more is "
         "pre-training?", "pretraining-cost", "10,000 times"),
        ("A sentence of 7 words becomes 9 wordpieces. With [CLS] and [SEP], how many tokens "
         "does BERT see?", "special-tokens", "11 tokens"),
        ("I pad a batch to 64 tokens and one sentence has 24 real tokens. How many padding "
         "tokens does it get?", "attention-masks-and-padding", "40 [PAD] tokens"),
        ("Of 1,000 masked positions, how many are replaced by a random token?",
         "masked-language-modeling", "100 tokens become a random token"),
        ("A classification head on BERT-base's 768-dim [CLS] for 3 classes has how many "
         "parameters?", "layer-freezing", "2,307 parameters"),
        ("We have 20 GB of GPU memory; the model takes 4 GB and each example needs 0.5 GB of "
         "activations. What's the largest batch that fits?", "hardware", "a batch of 32"),
        ("How many training examples per second if one step of batch 32 takes 0.4 seconds?",
         "hardware", "80.0 examples per second"),
        ("An epoch of 1,000 steps takes 0.2 s per step. How many minutes for 3 epochs?",
         "epochs-batches-steps", "10 minutes"),
        ("I have 3 seeds x 2 learning rates x 2 epochs settings. How many fine-tuning runs?",
         "hyperparameter-tuning", "12 runs"),
        ("What's the probability of the sequence if the tokens get probabilities 0.5, 0.4 and "
         "0.2?", "autoregressive-modeling", "P = 0.04"),
        ("Fine-tuning costs $0.50 per run and we do 40 runs. How much?", "pretraining-cost",
         "$20 in total"),
        ("With top-k = 5 and a vocabulary of 50,257, how many tokens are excluded at each step?",
         "generation-strategies", "50,252 tokens excluded"),
        ("My sequence has 300 tokens but max_length is 256. How many tokens are truncated?",
         "attention-masks-and-padding", "44 tokens truncated"),
        ("A 1,300-token document split into 512-token chunks needs how many chunks?",
         "tokenization", "3 chunks"),
        ("LoRA r=8 on Q and V in each of 12 layers with d=768. How many trainable parameters?",
         "lora-and-peft", "294,912"),
        ("GPT-3 has 175B parameters and BERT-base 110M. How many times bigger is GPT-3?",
         "parameters-and-size", "(175B and 110M)"),
        ("GPT-3 context is 2048 tokens. Instruction 50 tokens, query 40 tokens, 100 tokens "
         "reserved for the answer, each demo example 60 tokens. Max number of examples?",
         "few-shot-learning", "30 examples fit"),
        ("A 15-token instruction, then five worked examples of 24 tokens each, then my 20-token "
         "query. How many tokens is the prompt?", "few-shot-learning", "155 tokens"),
        ("8-shot prompt on GPT-2 (1024-token context): examples are 45 tokens each and the test "
         "input is 30 tokens. How many tokens remain for the output?", "few-shot-learning",
         "634 tokens left"),
        ("128 tokens through BERT-base (12 layers, 12 heads). How many attention scores in total "
         "across all layers and heads?", "attention", "2,359,296 across 12 layers"),
        ("A sequence of 11 tokens (special tokens included) is padded to length 16. How many "
         "[PAD] tokens are added?", "attention-masks-and-padding", "5 [PAD] tokens"),
        ("In one BERT-base layer, the query, key, value and output projections are each 768x768 "
         "with bias. Total parameters for these four?", "parameters-and-size", "2,362,368"),
        ("BERT-base feed-forward block: 768 -> 3072 -> 768, both linear layers with biases. "
         "Parameters per layer?", "parameters-and-size", "4,722,432"),
        ("Full fine-tuning BERT-large (340M params) in fp32 with Adam: weights, gradients and two "
         "Adam states, each 4 bytes per parameter. Total GB?", "parameters-and-size", "5.44 GB"),
        ("For 110M parameters, how many GB do the fp32 Adam states alone take?",
         "parameters-and-size", "0.88 GB"),
        ("Fine-tuning on 4 GPUs for 2.5 hours at $1.80 per GPU-hour. Dollar cost?",
         "pretraining-cost", "$18 in total"),
        ("Out of 1,000 emails, 50 are spam. Our filter flags 40 emails as spam and 30 of those "
         "really are spam. What's the precision?", "evaluation-metrics", "precision = 0.750"),
        ("LSTM from scratch: 6 hours of training. Fine-tuning GPT-2: 10 minutes. How many times "
         "faster is fine-tuning?", "*", "36 times"),
        ("One training step every 0.25 s, 10k examples, batch size 20, 3 epochs. How long will "
         "it take, in minutes?", "epochs-batches-steps", "6.25 minutes"),
        ("My LoRA adapter has 1.2M parameters stored in fp16. File size in MB?",
         "parameters-and-size", "2.4 MB"),
        ("BERT predicts P(cat)=0.73, P(dog)=0.15 and P(person)=0.04. How much probability is "
         "left for all other words?", "softmax-and-temperature", "0.08 is left"),
        ("my model is 94% accurate on a 1,000-sentence test set, so how many did it get wrong?",
         "evaluation-metrics", "60 wrong"),
        ("There were 64 toxic comments in the set and the model caught 48 of them. Recall?",
         "evaluation-metrics", "recall = 0.750"),
        ("Correct-token probabilities 0.65, 0.42, 0.71, 0.88 over a 4-token sequence. "
         "Perplexity?", "loss-and-gradients", "perplexity = 1.556"),
        ("BERT-base was trained for 4 days on 64 TPUs. How many TPU-hours is that?",
         "pretraining-cost", "6,144 TPU-hours"),
        ("Suppose GPT-2 used 256 GPUs for 2 weeks. GPU-hours?", "pretraining-cost",
         "86,016 GPU-hours"),
        ("Greedy decoding picked tokens with probabilities 0.42, 0.71 and 0.88. Probability of "
         "the generated 3-token continuation?", "autoregressive-modeling", "P = 0.2624"),
        ("On SST-2, DistilBERT gets about 89% and RoBERTa about 94%. Difference in percentage "
         "points?", "*", "5 percentage points"),
        ("LSTM from scratch got 78.3% accuracy; fine-tuned GPT-2 got 91.7%. What is the relative "
         "improvement in percent?", "*", "17.1% relative"),
        ("How many GB are T5-11B's weights in fp16?", "parameters-and-size", "22.00 GB"),
    ],
)  # fmt: skip
def test_each_calculation_gets_the_students_own_result(question, concept, result):
    worked = work_out(question)
    assert worked is not None and worked.concept == concept
    assert result in worked.result, worked


@pytest.mark.parametrize(
    "question",
    [
        "what is lora?",
        "how many steps per epoch?",  # no numbers: the card answers
        "softmax over 50,000 tokens at temperature 2",  # one number, not a list of logits
        "why does warmup help?",
        "is 512 the max length of bert?",
        "my model predicts one class for everything, why?",  # a symptom, not a calculation
        "which one is better, five or six layers frozen?",
        "why is the padding token's attention mask 0?",
        "question 3 of 5 on the quiz: what is recall?",  # no model counted anything
        "why did my accuracy stay at 50% for every epoch since epoch 1 and 2 of 10?",
        "temperature 0 softmax of 1, 2, 3",  # no softmax at T=0: the card explains argmax
        "accuracy of always predicting positive with 0 negative and 0 positive",  # 0 / 0
        "softmax of logits 1 and " + "9" * 400,  # hostile: no number a calculation can use
        "accuracy always " + "1" * 10_000,  # hostile: too long to be a course calculation
        "what share of tokens does bert mask, 15%?",  # no sequence to count in
        "is $5 a lot for a colab gpu?",  # one amount: nothing to compare
        "ALBERT's embedding with E=768 and H=128",  # no vocabulary: no factorization to count
        "how is the score between two tokens computed in self attention?",  # how, not how many
        "why do 12 heads work better than one?",
        "what does the 2 in gpt-2 mean?",
        "is a learning rate of 5e-5 too small?",  # one rate, nothing to scale it by
        "why does the causal mask block future tokens?",
        "why is the feed-forward matrix 768x3072 and not square?",  # why, not how many
        "what does the classification head map the [CLS] vector to?",
        "what is cross-entropy loss?",
        "why does early stopping pick the epoch with the lowest validation loss?",
        "how does beam search differ from greedy decoding?",
        "why does the student model in distillation learn from the teacher's soft labels?",
        "what is a grid search over hyperparameters?",
        "why is the last batch of 1,050 examples smaller?",  # why, not how many
        "why does warmup reach the peak learning rate only at step 100?",
        "is a gradient of 0.5 big?",
        "how much memory does my gpu have?",  # no parameters to count
        "what batch size should i use for bert?",  # no steps or examples given
        "is 90% accuracy good?",  # a score, not a count of right answers
        "with lr 0.001 my loss is 0.5 and accuracy 0.9, why?",  # a loss given, not a probability
        "my loss is 0.5 with dropout 0.1 and the model predicts one class, why?",
        "how does BERT mask tokens?",  # how, not how much
        "what does the attention mask do?",
        "I changed warmup from 100 to 200 steps, why is attention slower?",  # no lengths
        "how many GB does my 16 GB GPU have left?",  # no model to subtract
        "what is the difference between 12 layers and 24 layers?",  # a concept, not arithmetic
        "why does my 512-token input get truncated?",  # why, not how many
        "how many runs did you do?",  # nothing to multiply
        "is top-k = 50 a good default?",  # no vocabulary to exclude from
        "why does a step of batch 32 take 0.4 seconds?",
        "what's the difference between 90% and 95% accuracy in practice?",
        "why does gpt-2 have 1.5b parameters and gpt-3 175b?",  # why, not how many
        # a batch or a vocabulary size is not the model's size
        "bert-large with batch size 32 crashes on my 8 gb gpu, batch size 4 fits: what now?",
        "tokenizer.vocab_size prints 30522 for bert-base-uncased but 50257 for gpt2, why?",
        "i loaded bert-base weights but used the gpt2 tokenizer and every prediction is nonsense",
        "I switched to ALBERT because it only has 12M parameters, but inference isn't any "
        "faster than bert-base.",
        "albert-base-v2 reports only about 12M parameters but it runs no faster than BERT-base "
        "at inference. Is my install broken?",
        # a wrong count left out rather than given: "of which 10 are false positives"
        "1,000 emails, 50 of them spam. The filter flags 40, of which 10 are false positives. "
        "Recall?",
        # a prompt's "query" and a GPT's context length are not its attention matrix
        "GPT-3 has a 2048-token context. If each demonstration in my prompt is 100 tokens and "
        "the query needs 48, how many demonstrations fit at most?",
    ],
)
def test_a_question_without_the_numbers_a_calculation_needs_is_left_to_the_card(question):
    assert work_out(question) is None
