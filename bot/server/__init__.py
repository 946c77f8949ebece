"""The webhook server behind `perfbot serve` (bot/commands/serve.py).

app.py        the aiohttp application: verify, parse, record, enqueue, answer 202
events.py     sans-I/O parsing of GitLab's webhook payloads into typed events
grammar.py    the `/optimize` command grammar
store.py      deliveries and jobs in SQLite
worker.py     the background tasks that run the jobs
handlers.py   what a job does: start a pipeline, or close one and hand its run to the publisher
handoff.py    the hand-over to the publisher (`Handoff`, the `Publisher` protocol)
notes.py      the bot's replies
settings.py   the server's settings (PERFBOT_* variables, optional YAML file)
"""
