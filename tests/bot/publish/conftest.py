"""The publisher's tests use the CI tests' fixtures: one finished run (made once per session), a fake GitLab holding
its repo, and `perfbot …` driven through the real CLI."""

from tests.bot.ci.conftest import finished_run, lab, perfbot

__all__ = ["finished_run", "lab", "perfbot"]
