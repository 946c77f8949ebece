"""Publishing a finished run (`perfbot publish`, the bot when perfbot-gather succeeds, `perfbot ci` with a token).

publisher.py   one commit on a new branch, the merge request with its assignees and reviewers, the reply; the
               publisher of `perfbot publish` and `perfbot ci`, set up from the environment
artifacts.py   a perfbot job's artifacts, streamed under a cap: the run in them, or a failed job's reason
"""
