"""The webhook server behind `perfbot serve` (bot/commands/serve.py): an acceptor, and a worker in its own process.

app.py        the aiohttp application: verify (the secret token, checked before the body is read, and the Standard
              Webhooks signature), read, parse, record, hand over, answer (`make_app`, `make_acceptor`)
events.py     sans-I/O parsing of GitLab's webhook payloads into typed events (payloads.py: their parts)
grammar.py    the `/optimize` command grammar
store.py      deliveries and jobs in SQLite
worker.py     the background tasks that run the jobs
handlers.py   what a request does: admit it, start its pipeline; `/optimize retry` and `/optimize rebase`
              (context.py: what every step shares)
finish.py     what a run's end does: publish, or reply why not
handoff.py    what a pipeline's jobs say (`judge`: only perfbot's own jobs decide) and the hand-over to the publisher
              (`Handoff`, the `Publisher` protocol)
notes.py      the bot's replies
settings.py   the server's settings (PERFBOT_* variables, optional YAML file)
"""
