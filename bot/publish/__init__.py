"""Publishing a finished run (`perfbot publish`, the bot on pipeline success, `perfbot ci` with a token).

publisher.py   one commit on a new branch, the merge request, the reply where the request came from
text.py        the merge request's title and the reply notes
"""
