"""Server settings and `perfbot serve` refusing to start without them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.forge import SettingsError
from bot.server.settings import load_settings

REQUIRED = {
    "PERFBOT_GITLAB_URL": "https://gitlab.example.com/",
    "PERFBOT_GITLAB_TOKEN": "glpat-abcdef",
    "PERFBOT_WEBHOOK_SECRET": "s3cret-value",
}


def test_defaults_fill_in_what_the_environment_leaves_out() -> None:
    settings = load_settings(REQUIRED)

    assert settings.gitlab_url == "https://gitlab.example.com"
    assert (settings.host, settings.port) == ("0.0.0.0", 8080)
    assert (settings.db, settings.label, settings.ref) == (Path("perfbot.db"), "perfbot", None)
    assert (settings.trusted_branches, settings.mr_assignees, settings.mr_reviewers) == (
        "protected",
        "requester",
        "requester",
    )


def test_the_environment_wins_over_the_yaml_file(tmp_path: Path) -> None:
    config = tmp_path / "bot.yml"
    config.write_text("label: speedup\nlisten: 127.0.0.1:9000\nref: ci\ngitlab_url: https://file.example\n")

    settings = load_settings({**REQUIRED, "PERFBOT_LABEL": "perf"}, config)

    assert (settings.label, settings.listen, settings.ref) == ("perf", "127.0.0.1:9000", "ci")
    assert settings.gitlab_url == "https://gitlab.example.com"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PERFBOT_GITLAB_TOKEN": ""}, "PERFBOT_GITLAB_TOKEN is required"),
        ({"PERFBOT_GITLAB_URL": "gitlab.example.com"}, "PERFBOT_GITLAB_URL must start with http"),
        ({"PERFBOT_LISTEN": "8080"}, "PERFBOT_LISTEN must be HOST:PORT"),
        (
            {"PERFBOT_MAX_RUNS_PER_PROJECT": "0"},
            "PERFBOT_MAX_RUNS_PER_PROJECT Input should be greater than or equal to 1",
        ),
        ({"PERFBOT_WEBHOOK_SECRET": "   "}, "PERFBOT_WEBHOOK_SECRET must not be empty"),
        ({"PERFBOT_TRUSTED_BRANCHES": "some"}, "PERFBOT_TRUSTED_BRANCHES Input should be 'protected', 'all' or 'none'"),
    ],
)
def test_a_missing_or_invalid_setting_is_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({**REQUIRED, **env})
    assert message in str(caught.value)


def test_an_unknown_key_in_the_file_is_an_error_naming_it(tmp_path: Path) -> None:
    config = tmp_path / "bot.yml"
    config.write_text("lable: perf\n")

    with pytest.raises(SettingsError, match="lable is not a setting"):
        load_settings(REQUIRED, config)


def test_secrets_never_show_in_a_repr_or_an_error() -> None:
    settings = load_settings(REQUIRED)
    assert "glpat-abcdef" not in repr(settings)
    assert "s3cret-value" not in repr(settings)
    with pytest.raises(SettingsError) as caught:
        load_settings({**REQUIRED, "PERFBOT_LISTEN": "glpat-abcdef"})
    assert "glpat-abcdef" not in str(caught.value)


def test_serve_refuses_to_start_without_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("PERFBOT_GITLAB_URL", "PERFBOT_GITLAB_TOKEN", "PERFBOT_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)

    assert main(["serve"]) == 2
    assert "PERFBOT_GITLAB_TOKEN is required" in capsys.readouterr().err


def test_serve_refuses_to_start_when_gitlab_refuses_the_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.fakes.gitlab import FakeGitLab

    with FakeGitLab() as fake:
        fake.add_user("perfbot", token="the-right-token")
        monkeypatch.setenv("PERFBOT_GITLAB_URL", fake.url)
        monkeypatch.setenv("PERFBOT_GITLAB_TOKEN", "glpat-wrong-token")
        monkeypatch.setenv("PERFBOT_WEBHOOK_SECRET", "x" * 12)

        assert main(["serve"]) == 2

    err = capsys.readouterr().err
    assert "refused the bot's token" in err
    assert "glpat-wrong-token" not in err
