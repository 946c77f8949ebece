"""`perfbot ci`: the GitLab CI job's entry point (whole runs, shards and their gather job, scheduled runs)."""

from pipelines.ci.command import add_arguments, run

__all__ = ["add_arguments", "run"]
