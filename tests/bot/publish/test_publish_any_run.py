"""`perfbot publish` opens the merge request for any run's artifacts, not only a CI job's: here a `perfbot evaluate`
run on a local checkout, published to the project that checkout was pushed to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.bot.ci.conftest import BOT_TOKEN, CLOSEST_PAIR_GRID, CiRun, Lab, make_repo
from tests.conftest import EXAMPLES, git
from tests.pipelines.evaluate import candidates as versions


def pushed(gl: Lab, repo: Path) -> str:
    """Make the fake project's `main` the checkout's HEAD commit (as `git push` would), by its own id."""
    head = git(repo, "rev-parse", "HEAD").strip()
    with gl.fake.lock:
        gl.project.commits[head] = dict(gl.project.commits[gl.base_sha], id=head)
        gl.project.branches["main"] = head
    return head


def evaluated_then_published(
    tmp_path: Path, lab: Callable[[Path], Lab], perfbot: Callable[..., CiRun], *, push: bool
) -> tuple[Lab, str, CiRun]:
    """`perfbot evaluate` of a faster geometry.py on a checkout (pushed to the fake project first, if `push`), then
    `perfbot publish` of its artifacts: (the fake GitLab, the checkout's commit, the publish run)."""
    repo = make_repo(tmp_path, EXAMPLES / "closest-pair", "scripted:unused.yaml", CLOSEST_PAIR_GRID)
    gl = lab(repo)
    head = pushed(gl, repo) if push else git(repo, "rev-parse", "HEAD").strip()
    fast = tmp_path / "fast.py"
    fast.write_text(versions.FAST)
    out = tmp_path / "run"
    argv = ["evaluate", str(repo), "--sandbox", "local", "--out", str(out), "--candidate", f"geometry.py={fast}"]
    assert perfbot(argv, {}, out).exit_code == 0
    env = {"PERFBOT_GITLAB_URL": gl.fake.url, "PERFBOT_GITLAB_TOKEN": BOT_TOKEN}
    return gl, head, perfbot(["publish", str(out), "--project", str(gl.project.id)], env, out)


def test_perfbot_publish_opens_the_merge_request_of_a_perfbot_evaluate_run(
    tmp_path: Path, lab: Callable[[Path], Lab], perfbot: Callable[..., CiRun]
) -> None:
    gl, head, published = evaluated_then_published(tmp_path, lab, perfbot, push=True)

    assert published.exit_code == 0, published.stderr
    [mr] = gl.perfbot_mrs()
    assert published.stdout.strip() == f"opened: {mr['web_url']}"
    assert gl.file_at(mr["source_branch"], "geometry.py") == versions.FAST
    assert gl.project.commits[gl.project.branches[mr["source_branch"]]]["parent_ids"] == [head]
    assert f"Measured on commit `{head[:12]}`." in mr["description"]


def test_publishing_a_run_whose_commit_was_never_pushed_says_to_push_it(
    tmp_path: Path, lab: Callable[[Path], Lab], perfbot: Callable[..., CiRun]
) -> None:
    gl, _, published = evaluated_then_published(tmp_path, lab, perfbot, push=False)

    assert published.exit_code == 1
    assert "push it (`git push origin HEAD`) and publish again" in published.stderr
    assert gl.perfbot_mrs() == []
