"""The red-team corpus: a small task (task/) and candidate versions of its gaps.py aimed at the judge (attacks/).
They are data for test_redteam.py, not tests of perfbot: pytest must not collect them."""

collect_ignore = ["task", "attacks"]
