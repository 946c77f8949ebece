"""`perfbot bench`: compare perfbot configurations and other coding agents on a task suite.

suite.py          the task-suite format (`load_suite`)
contestants.py    contestants (perfbot configurations, command agents), sweeps and equal budgets
adapters.py       built-in command adapters (Aider, Claude Code) and the agents without a headless mode
agent_command.py  running a CLI agent inside a sandbox and collecting what it changed
runs.py           one run of a contestant on a task -> a record
harness.py        all runs, in parallel, resumable
failures.py       failure modes from a run's trace
leaderboard.py    aggregation with confidence intervals; render.py / plot.py: markdown and SVG
aider_image.py    the sandbox image with Aider installed, built without network inside Docker
"""
