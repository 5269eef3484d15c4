"""Frontend-free skills: model loading, tokenizer and fill-mask demos, calculators."""
