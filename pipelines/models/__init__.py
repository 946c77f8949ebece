"""Models: `open_model(spec)` turns `provider:name` into a `Model` (the contract is in base.py).

anthropic:<model>      claude.py, the official SDK
openai:<model>         openai_compat.py, any OpenAI-compatible server
scripted:<file.yaml>   scripted.py, replays recorded turns (ships in the package)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pipelines.config_sections import PriceConfig
from pipelines.errors import ConfigError
from pipelines.models.base import Model, ModelError, ModelReply, ModelRequest, ScriptExhausted, Usage

__all__ = ["Model", "ModelError", "ModelReply", "ModelRequest", "ScriptExhausted", "Usage", "open_model"]


def open_model(spec: str, *, session: int = 0, price: PriceConfig | None = None) -> Model:
    """A model for `spec` ('anthropic:<model>', 'openai:<model>', 'scripted:<file.yaml>').

    `session` tells a scripted model with several sessions which one to replay (agent i replays i mod n); `price`
    (`agent.price`) overrides perfbot's price table (pipelines/models/pricing.py)."""
    from pipelines.models.limits import rates_for

    provider, _, name = spec.partition(":")
    if provider == "anthropic" and name:
        from pipelines.models.claude import AnthropicModel

        return AnthropicModel(name, rates=rates_for(spec, price))
    if provider == "openai" and name:
        from pipelines.models.openai_compat import OpenAIModel

        return OpenAIModel(name, rates=rates_for(spec, price))
    if provider == "scripted" and name:
        from pipelines.models.scripted import ScriptedModel

        return ScriptedModel(resolve_script(name), session=session)
    raise ConfigError(f"model {spec!r}: expected 'anthropic:<model>', 'openai:<model>' or 'scripted:<file.yaml>'")


def resolve_script(name: str) -> Path:
    """A scripted session's file: `name` as a path, else relative to the scripts bundled in the package."""
    path = Path(name).expanduser()
    if path.is_file():
        return path
    bundled = Path(str(resources.files("pipelines.models").joinpath("scripts", name)))
    if bundled.is_file():
        return bundled
    raise ConfigError(f"scripted model: no file {name!r} (neither as a path nor among the bundled scripts)")
