"""The judge's code that runs INSIDE the sandbox, standard library only: copied into the sandbox's harness
directory (owned by the trusted user, read-only to candidate code) and run there.

    judge.py        the trusted runner: tests, measurement rounds, output checks (root in a Docker sandbox)
    worker.py       one process of candidate code (or of the baseline), as the candidate user
    wire.py         frames on the pipes between them, and outcomes as plain data
    compare.py      whether two decoded outcomes agree
    guard.py        what a worker locks before it imports candidate code
    testrecord.py   the pytest plugin that reports each test's outcome to the judge
"""
