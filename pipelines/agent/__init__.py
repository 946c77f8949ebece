"""The agent: one model working through the edit tools for a number of steps.

loop.py       ask the model, run its tool calls, feed the results back, until it finishes or a limit stops it
prompts.py    the system prompt and the first user message (Jinja2 templates in templates/prompts/)
"""
