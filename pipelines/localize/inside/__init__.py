"""Scripts that run inside the sandbox, not in perfbot's process: standard library only, no perfbot imports."""
