"""Checks of the model and the budget of an `optimize` run: the model is known (a warning when not), its key or its
script is there, and the budget can pay for something."""

from __future__ import annotations

import os

from pipelines.config import Config
from pipelines.errors import ConfigError
from pipelines.models import resolve_script
from pipelines.models.limits import max_tokens_for, unpriced_warning
from pipelines.models.pricing import model_info
from pipelines.models.scripted import load_script
from pipelines.preflight.findings import Finding, warning

NO_KEY_FIX = (
    "export ANTHROPIC_API_KEY (`perfbot doctor` checks it), or try the bundled scripted session: "
    "--model scripted:demo/closest-pair.yaml"
)


def check_model(config: Config) -> list[Finding]:
    spec = config.agent.model
    provider, _, name = spec.partition(":")
    found = {"anthropic": _anthropic, "openai": _openai, "scripted": _scripted}[provider](name)
    note = unpriced_warning(config)
    if note:
        found.append(warning("agent.model", note, "set agent.price, or search.max_tokens for another token budget"))
    return [*found, *_budget(config)]


def _anthropic(name: str) -> list[Finding]:
    found = []
    if not os.environ.get("ANTHROPIC_API_KEY"):
        found.append(Finding("agent.model", f"anthropic:{name} needs ANTHROPIC_API_KEY, which is not set", NO_KEY_FIX))
    deprecated = _deprecated().get(name)
    if deprecated:
        found.append(warning("agent.model", f"{name} is deprecated (end of life {deprecated})", "pick a current model"))
    return found


def _openai(name: str) -> list[Finding]:
    if os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_KEY"):
        return []
    fix = "set OPENAI_BASE_URL to your server (vLLM, Ollama, LiteLLM) and OPENAI_API_KEY if it needs one"
    return [
        Finding("agent.model", f"openai:{name} has no server: neither OPENAI_BASE_URL nor OPENAI_API_KEY is set", fix)
    ]


def _scripted(name: str) -> list[Finding]:
    try:
        load_script(resolve_script(name))
    except ConfigError as e:
        return [Finding("agent.model", str(e), "name a scripted session file that exists (a path, or a bundled one)")]
    return []


def _budget(config: Config) -> list[Finding]:
    found = []
    if config.search.max_cost_usd <= 0:
        fix = "set search.max_cost_usd above 0 (a few dollars: perfbot stops there) or pass --max-cost"
        found.append(Finding("search.max_cost_usd", "is 0: no model call could be paid for", fix))
    provider, _, name = config.agent.model.partition(":")
    info = model_info(name) if provider == "anthropic" else None
    wanted = max_tokens_for(config.agent.model, config.agent.max_tokens)
    if info is not None and wanted > info.max_output:
        fix = f"set agent.max_tokens to at most {info.max_output:,}, or leave it out for perfbot's choice"
        found.append(
            Finding("agent.max_tokens", f"{wanted:,} is more than {name} can write ({info.max_output:,})", fix)
        )
    return found


def _deprecated() -> dict[str, str]:
    try:
        from anthropic._data import DEPRECATED_MODELS  # the SDK's own list; private, so optional
    except ImportError:
        return {}
    return dict(DEPRECATED_MODELS)
