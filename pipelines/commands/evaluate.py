"""`perfbot evaluate`: measure given versions of target files against the committed baseline, no model involved."""

from __future__ import annotations

import argparse
import contextlib
import io
import secrets
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from pipelines.commands.output import add_json_argument, print_json
from pipelines.config import TargetConfig, load_config
from pipelines.errors import UsageError
from pipelines.evaluate.results import Candidate, CandidateResult
from pipelines.evaluate.score import outside_target
from pipelines.git import head_commit
from pipelines.preflight import check, require
from pipelines.report import Report, write_artifacts
from pipelines.report.failure import FailedRun, write_failure_artifacts
from pipelines.runfiles import Request, write_run_files
from pipelines.select.selection import measure_and_select


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("repo", nargs="?", type=Path, default=Path("."), help="the repository (default: .)")
    parser.add_argument("--config", type=Path, help="config file (default: REPO/.perfbot.yml or [tool.perfbot])")
    parser.add_argument(
        "--candidate",
        action="append",
        required=True,
        metavar="PATH=FILE",
        help="evaluate FILE as the new text of the repo-relative PATH; repeat for more candidates",
    )
    parser.add_argument("--sandbox", choices=["docker", "local"], default="docker", help="where code runs (docker)")
    parser.add_argument("--out", type=Path, help="artifacts directory (default: REPO/.perfbot/runs/<id>/)")
    parser.add_argument("--repeat", type=int, help="timing runs per grid point (default: benchmark.repeat)")
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    repo = args.repo.resolve()
    if not repo.is_dir():
        raise UsageError(f"{args.repo}: not a directory")
    if args.repeat is not None and args.repeat < 1:
        raise UsageError(f"--repeat: expected a number >= 1, got {args.repeat}")
    config = load_config(repo, args.config)
    candidates = parse_candidates(args.candidate, config.target)
    run_id = new_run_id()
    out = args.out or repo / ".perfbot" / "runs" / run_id
    started = time.monotonic()
    with committed_tree(repo) as tree:
        config = require(check(repo, config, kind=args.sandbox, model=False, code=tree, say=_progress), _progress)
        try:
            measured = measure_and_select(
                tree, config, candidates, sandbox_kind=args.sandbox, progress=_progress, repeat=args.repeat
            )
        except Exception as e:
            failed = FailedRun(e, config, args.sandbox, run_id=run_id, repo=str(repo), extra={"command": "evaluate"})
            paths = write_failure_artifacts(failed, out)
            _progress(f"the evaluation failed and nothing was measured; {paths['report.md']} says why")
            raise
    results, best = measured.results, measured.selected
    report = Report(
        baseline=measured.baseline,
        candidates=results,
        selected=best.id if best else None,
        config=config,
        sandbox_kind=measured.sandbox_kind,
        sandbox_isolated=measured.isolated,
        run_id=run_id,
        repo=str(repo),
        extra={"command": "evaluate", "model": None, "duration_s": round(time.monotonic() - started, 2)},
    )
    paths = write_artifacts(report, out)
    files = next((dict(c.files) for c in candidates if best is not None and c.id == best.id), None)
    write_run_files(Path(out), Request(run_id, base_sha=head_commit(repo)), report.selected, files)  # for publish
    say = _progress if args.json else print
    say(summary(results, best))
    say(f"artifacts: {paths['report.md']} (and report.json, report.html, patch.diff beside it)")
    if args.json:
        print_json(report.to_json())
    return 0


def parse_candidates(specs: Sequence[str], target: TargetConfig) -> list[Candidate]:
    """`PATH=FILE` arguments as candidates c1, c2, … (one changed file each)."""
    candidates = []
    for i, spec in enumerate(specs, start=1):
        rel, sep, file = spec.partition("=")
        if not sep or not rel or not file:
            raise UsageError(f"--candidate {spec!r}: expected PATH=FILE (like geometry.py=fast_geometry.py)")
        problem = outside_target([rel], target)
        if problem:
            raise UsageError(f"--candidate {spec!r}: {problem}")
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"--candidate {spec!r}: cannot read {file}: {e}") from e
        candidates.append(Candidate(id=f"c{i}", origin=file, files={rel: text}))
    return candidates


def summary(results: Sequence[CandidateResult], best: CandidateResult | None) -> str:
    lines = [f"selected: {best.id} ({best.origin}), score {best.score:.3f}" if best else "selected: none"]
    for result in results:
        lines.append(f"  {result.id} {result.status}: {result.reason}")
    return "\n".join(lines)


@contextlib.contextmanager
def committed_tree(repo: Path) -> Iterator[Path]:
    """The repo as committed at HEAD (exported to a temp dir), or the directory itself when it is not in git."""
    top = _git(repo, "rev-parse", "--show-toplevel")
    prefix = _git(repo, "rev-parse", "--show-prefix")
    archive = None
    if top is not None and prefix is not None:
        # From the top level: run inside a subdirectory, `git archive` would also filter by that subdirectory.
        archive = _git_bytes(Path(top.strip()), "archive", "--format=tar", f"HEAD:{prefix.strip()}")
    if archive is None:
        _progress(f"{repo} is not committed in git: its working tree is the baseline")
        yield repo
        return
    with tempfile.TemporaryDirectory(prefix="perfbot-baseline-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


def _git(repo: Path, *args: str) -> str | None:
    data = _git_bytes(repo, *args)
    return data.decode() if data is not None else None


def _git_bytes(repo: Path, *args: str) -> bytes | None:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    return result.stdout if result.returncode == 0 else None


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
