"""A stand-in for Discord on 127.0.0.1, to run the unmodified bot through discord.py.

`server.py` is the stand-in (gateway, REST routes, Discord's limits and interaction rules),
`limits.py` the documented limits it enforces, `launch.py` starts `tutor run` against it and
`harness.py` drives it from a test: people act, and the tests read what Discord received.
"""
