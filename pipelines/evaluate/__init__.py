"""The evaluation engine: tests, output check and interleaved timing of candidates against the baseline.

evaluator = Evaluator(repo, config, sandbox, progress=print)
baseline = evaluator.prepare()                 # tests + A/A noise floor of the baseline
results = evaluator.evaluate([Candidate(id="c1", origin="fast.py", files={"geometry.py": text})])
print(format_table(results[0], baseline))
"""

from pipelines.evaluate.engine import Evaluator
from pipelines.evaluate.results import (
    BaselineResult,
    Candidate,
    CandidateResult,
    PointResult,
    TestsResult,
    Timing,
    format_table,
)

__all__ = [
    "BaselineResult",
    "Candidate",
    "CandidateResult",
    "Evaluator",
    "PointResult",
    "TestsResult",
    "Timing",
    "format_table",
]
