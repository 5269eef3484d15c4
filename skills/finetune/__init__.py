"""Short fine-tunes (LoRA via peft, or full) run as their own process: `python -m
skills.finetune.train CONFIG.json` writes JSON-lines events that the job runner relays."""
