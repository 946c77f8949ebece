"""The workflow's commands, one module each (`add_arguments(parser)`, `run(args) -> int`), dispatched by bot/cli.py."""
