"""What `perfbot init` writes: a `.perfbot.yml` for the repository as detected, and an inputs module whose function
the user fills in. Where a value could not be proposed, a placeholder (`FILL_IN`) that `perfbot doctor` and every
command name as such, never a value that merely looks right."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from importlib.resources import files

import jinja2
import yaml

from pipelines.config import DEFAULT_MODEL
from pipelines.config_sections import InstallConfig
from pipelines.preflight.files import MARK as PLACEHOLDER_MARK
from pipelines.preflight.files import PLACEHOLDER

INPUTS_FILE = "perfbot_inputs.py"
INPUTS_REF = "perfbot_inputs:make"


@dataclass
class Proposal:
    target: str | None = None
    """The file to optimize (repository-relative), when profiling found one."""
    entry: str | None = None
    """`module:function` to benchmark, when profiling found one."""
    share: float | None = None
    """Its share of the tests' time."""
    pythonpath: list[str] = field(default_factory=lambda: [""])
    tests_command: str = "python -m pytest -q"
    install: InstallConfig = field(default_factory=InstallConfig)
    parameters: list[str] = field(default_factory=list)
    """The entry's parameter names, for the inputs module's docstring."""

    def placeholders(self) -> list[str]:
        left = [] if self.target else ["target.files: the file(s) perfbot may edit"]
        left += [] if self.entry else ["benchmark.entry: module:function to speed up"]
        left.append(f"the body of make() in {INPUTS_FILE}: the arguments of one call at size n, built from the seed")
        return [*left, "benchmark.params: sizes that suit your function"]


def render_config(proposal: Proposal) -> str:
    template = files("templates").joinpath("init", "perfbot.yml").read_text(encoding="utf-8")
    roots = proposal.pythonpath
    note = f"{proposal.share:.0%} of the tests' own time, found by profiling them" if proposal.share else ""
    return jinja2.Template(template, undefined=jinja2.StrictUndefined, keep_trailing_newline=True).render(
        target=_flow([proposal.target or f"{PLACEHOLDER}/path/to/module.py"]),
        entry=proposal.entry or f"{PLACEHOLDER}.module:function",
        inputs=INPUTS_REF,
        note=note,
        tests_command=proposal.tests_command,
        pythonpath=_flow([r or "." for r in roots] + ["."]) if roots != [""] else "",
        install=_install_lines(proposal.install),
        model=DEFAULT_MODEL,
        placeholders=proposal.placeholders(),
    )


def inputs_module(proposal: Proposal) -> str:
    """The inputs module, its function raising NotImplementedError (marked as init's placeholder) until filled in."""
    call = proposal.entry.replace(":", ".") if proposal.entry else "the benchmarked function"
    params = ", ".join(proposal.parameters) or "..."
    return (
        inspect.cleandoc(
            f'''
        """Inputs of perfbot's benchmark (benchmark.inputs: {INPUTS_REF}), written by `perfbot init`."""

        import random


        def make(n, seed=0):
            """The arguments of one call of {call}({params}) at size `n`: a tuple, or {{"args": [...],
            "kwargs": {{...}}}}. perfbot calls it with fresh seeds: build everything from `rng`, so that one seed
            always gives the same inputs."""
            rng = random.Random(seed)
            raise NotImplementedError(
                "{PLACEHOLDER_MARK}: return the arguments for size n, e.g. ([rng.randint(0, n) for _ in range(n)],)"
            )
        '''
        )
        + "\n"
    )


def _flow(values: list[str]) -> str:
    return yaml.safe_dump(values, default_flow_style=True, width=1000).strip()


def _install_lines(install: InstallConfig) -> list[str]:
    if install.empty:
        return []
    data = install.model_dump(exclude_defaults=True)
    return [line for line in yaml.safe_dump(data, default_flow_style=False, sort_keys=False).splitlines() if line]
