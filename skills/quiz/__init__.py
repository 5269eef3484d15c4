"""The quiz engine: question banks, grading and sessions. Pure: no I/O beyond reading banks,
clocks passed in, so it is tested without timers or Discord."""
