"""The `/optimize` grammar: what it accepts, and the message for what it does not."""

from __future__ import annotations

import re

import pytest

from bot.forge import CommandError
from bot.server.grammar import Help, OptimizeArgs, parse_command, target_slug


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/optimize", OptimizeArgs()),
        ("/optimize src/stats.py", OptimizeArgs(target="src/stats.py")),
        ("/optimize src/stats.py::Stats.mean", OptimizeArgs(target="src/stats.py::Stats.mean")),
        ("/optimize --agents 4 --steps 30", OptimizeArgs(agents=4, steps=30)),
        (
            "/optimize --rounds=2 --model anthropic:claude-sonnet-4-6",
            OptimizeArgs(rounds=2, model="anthropic:claude-sonnet-4-6"),
        ),
        ("/optimize stats.py --max-cost 2.5", OptimizeArgs(target="stats.py", max_cost=2.5)),
        (
            "/optimize --model openai:qwen2.5-coder:32b a/b.py",
            OptimizeArgs(target="a/b.py", model="openai:qwen2.5-coder:32b"),
        ),
    ],
)
def test_valid_commands_parse_to_their_arguments(line: str, expected: OptimizeArgs) -> None:
    assert parse_command(line) == expected


def test_help_is_its_own_command() -> None:
    assert parse_command("/optimize help") == Help()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/optimize --agents 0", "--agents must be a whole number from 1 to 16, got '0'"),
        ("/optimize --steps many", "--steps must be a whole number from 1 to 200, got 'many'"),
        ("/optimize --agents", "--agents needs a value"),
        ("/optimize --agents --steps 3", "--agents needs a value"),
        ("/optimize --turbo", "unknown option --turbo"),
        ("/optimize --model gpt4", "--model must be anthropic:NAME or openai:NAME, got 'gpt4'"),
        ("/optimize --model scripted:/etc/passwd", "--model must be anthropic:NAME or openai:NAME"),
        ("/optimize --max-cost nan", "--max-cost must be a number of dollars from 0.01 to 1000, got 'nan'"),
        ("/optimize a.py b.py", "only one PATH may be given, got 'a.py' and 'b.py'"),
        ("/optimize ../secret.py", "'../secret.py' is not PATH[::SYMBOL]"),
        ("/optimize /etc/x.py", "'/etc/x.py' is not PATH[::SYMBOL]"),
        ("/optimize README.md", "'README.md' is not PATH[::SYMBOL]"),
        ("/optimize a.py::1bad", "'a.py::1bad' is not PATH[::SYMBOL]"),
        ("/optimize --agents 2 --agents 3", "--agents is given twice"),
        ('/optimize "unclosed', "cannot split the command into words"),
        ("/optimize $(rm -rf ~).py", "is not PATH[::SYMBOL]"),
    ],
)
def test_bad_arguments_are_refused_with_a_message_naming_the_problem(line: str, message: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    assert message in str(caught.value)


def test_arguments_become_ci_variables_and_unset_ones_are_left_out() -> None:
    args = parse_command("/optimize src/stats.py::mean --agents 3 --max-cost 1.5")

    assert isinstance(args, OptimizeArgs)
    assert args.variables() == {
        "PERFBOT_TARGET": "src/stats.py::mean",
        "PERFBOT_AGENTS": "3",
        "PERFBOT_MAX_COST_USD": "1.5",
    }


@pytest.mark.parametrize(
    ("target", "slug"),
    [
        ("src/stats.py::pairwise_min_gap", "src-stats-py-pairwise-min-gap"),
        ("src/Stats.py::Stats.Mean", "src-stats-py-stats-mean"),
        ("stats.py", "stats-py"),
        (None, "all"),
    ],
)
def test_the_target_slug_names_the_target_in_a_resource_group_and_all_without_one(
    target: str | None, slug: str
) -> None:
    assert target_slug(target) == slug


def test_a_target_slug_fits_gitlab_names_even_for_a_long_path() -> None:
    slug = target_slug("a/" * 80 + "x.py::f")

    assert len(slug) <= 100 and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
