"""Localization: where the configured benchmark spends its time (profile.py; the profiler itself runs in the
sandbox from inside/)."""
