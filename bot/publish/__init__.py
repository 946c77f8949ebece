"""Publishing a finished run (`perfbot publish`, the bot when perfbot-gather succeeds, `perfbot ci` with a token).

publisher.py   one commit on a new branch, the merge request, the reply where the request came from
artifacts.py   a perfbot job's artifacts, streamed under a cap: the run in them, or a failed job's reason
people.py      the merge request's assignees and reviewers
env.py         the publisher of `perfbot publish` and `perfbot ci`, set up from the environment
"""
