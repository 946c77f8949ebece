"""`perfbot bench`: compare perfbot configurations and other coding agents on a task suite.

suite.py          the task-suite format (`load_suite`); check.py: `perfbot bench check`, a suite validator
contestants.py    contestants (perfbot configurations, command agents), K x M x R sweeps and equal budgets
adapters.py       built-in command adapters (Aider, Claude Code, Cursor) and the agents without a headless mode
agent_command.py  running a CLI agent inside a sandbox and collecting what it changed
agent_images.py   the agents' sandbox images, built (Aider: aider_image.py) or named with the command to build
network.py        `--network none|model-only|open` for external agents; egress_proxy.py: the model-only proxy
runs.py           one run of a contestant on a task -> a record; provenance.py: its fingerprint and metadata
harness.py        all runs, in parallel, resumable, in a blocked and rotated order
failures.py       failure modes from a run's trace or an external agent's log
leaderboard.py    aggregation with confidence intervals; metrics.py: relative speedup, Opt@K, per size
render.py         markdown; plot.py: the matplotlib figures
predictions.py    predictions.jsonl and `perfbot bench rescore`; compare.py: `perfbot bench compare`
"""
