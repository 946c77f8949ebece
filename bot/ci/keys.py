"""The model's API key must be in the job before any work starts: a job without it fails at once, and its report
(and the bot's reply) says which CI/CD variable to add, and why a protected one may not have reached the job."""

from __future__ import annotations

from collections.abc import Mapping

from pipelines.commands.doctor import key_check
from pipelines.errors import UsageError

KEY_VARIABLES = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY (or OPENAI_BASE_URL)"}


def require_model_key(model: str, env: Mapping[str, str]) -> None:
    if key_check(model).ok:
        return
    variable = KEY_VARIABLES.get(model.partition(":")[0], "the model's API key")
    ref = env.get("CI_COMMIT_REF_NAME") or "this ref"
    hint = (
        f" If it is marked Protected, GitLab passes it only to pipelines of protected branches and tags, and `{ref}` "
        "is not protected: protect the branch, or clear Protected on the variable."
        if env.get("CI_COMMIT_REF_PROTECTED") == "false"
        else ""
    )
    raise UsageError(
        f"{variable} is not set in this job (model {model}): add it under Settings → CI/CD → Variables, "
        f"with Masked (and Hidden) set.{hint}"
    )
