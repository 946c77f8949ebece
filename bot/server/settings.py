"""Server settings: environment variables, optionally a YAML file (`perfbot serve --config F`).

Environment variables win over the file. Every problem is reported at start, naming the variable or key.
Secrets are `SecretStr`: they never show in a repr, a log line or an error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from bot.forge import SettingsError

ENV = {
    "gitlab_url": "PERFBOT_GITLAB_URL",
    "gitlab_token": "PERFBOT_GITLAB_TOKEN",
    "webhook_secret": "PERFBOT_WEBHOOK_SECRET",
    "signing_token": "PERFBOT_WEBHOOK_SIGNING_TOKEN",
    "listen": "PERFBOT_LISTEN",
    "db": "PERFBOT_DB",
    "label": "PERFBOT_LABEL",
    "ref": "PERFBOT_REF",
    "max_runs_per_project": "PERFBOT_MAX_RUNS_PER_PROJECT",
    "trusted_branches": "PERFBOT_TRUSTED_BRANCHES",
    "mr_assignees": "PERFBOT_MR_ASSIGNEES",
    "mr_reviewers": "PERFBOT_MR_REVIEWERS",
    "mr_labels": "PERFBOT_MR_LABELS",
}


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    gitlab_url: str
    gitlab_token: SecretStr
    webhook_secret: SecretStr
    signing_token: SecretStr | None = None
    """Standard Webhooks signing token (`whsec_…`); when set, `webhook-signature` is required and checked."""
    listen: str = "0.0.0.0:8080"
    db: Path = Path("./perfbot.db")
    label: str = Field(default="perfbot", min_length=1)
    ref: str | None = None
    """Branch whose CI config runs perfbot's jobs; None: a trusted MR source branch, else the default branch."""
    max_runs_per_project: int = Field(default=2, ge=1, le=100)
    trusted_branches: Literal["protected", "all", "none"] = "protected"
    """Whose CI config a merge request's run uses: its source branch's when that branch is trusted (`protected`:
    a protected branch; `all`; `none`), else the default branch's, which then checks the MR's code out."""
    mr_assignees: str = "requester"
    """Comma-separated usernames assigned to perfbot's merge requests; `requester` is whoever asked; empty: none."""
    mr_reviewers: str = "requester"
    mr_labels: str = "perfbot,performance"

    @field_validator("gitlab_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("gitlab_token", "webhook_secret")
    @classmethod
    def _not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise ValueError("must be HOST:PORT, e.g. 0.0.0.0:8080")
        return value

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0]

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])

    def secrets(self) -> list[str]:
        """The secret values, for the log redactor."""
        values = [self.gitlab_token, self.webhook_secret, self.signing_token]
        return [v.get_secret_value() for v in values if v is not None]


def load_settings(env: Mapping[str, str], config_file: Path | None = None) -> Settings:
    """Settings from `config_file` (YAML, keys as in `Settings`) overlaid with `PERFBOT_*` variables from `env`."""
    raw: dict[str, Any] = _read_yaml(config_file) if config_file else {}
    for key, name in ENV.items():
        if env.get(name):
            raw[key] = env[name]
    try:
        return Settings.model_validate(raw)
    except ValidationError as e:
        raise SettingsError(_describe(e, config_file)) from None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise SettingsError(f"cannot read {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise SettingsError(f"{path} is not valid YAML: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"{path} must be a mapping of settings, got {type(data).__name__}")
    return data


def _describe(error: ValidationError, config_file: Path | None) -> str:
    where = f" (in {config_file} or the environment)" if config_file else ""
    lines = []
    for item in error.errors():
        key = str(item["loc"][0]) if item["loc"] else "?"
        name = ENV.get(key, key)
        problem = "is required" if item["type"] == "missing" else item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            problem = f"is not a setting (known: {', '.join(ENV)})"
        lines.append(f"{name} {problem}")
    return "invalid settings" + where + ": " + "; ".join(lines)
