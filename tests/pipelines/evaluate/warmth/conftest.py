"""The warm/cold task (task/) and its fast version: data for test_warmth.py, not tests of perfbot."""

collect_ignore = ["task", "fast_records.py"]
