"""A lexer for the formula language of the reporting tool."""

import re

OPERATORS = "+-*/^%"
_TOKEN = re.compile(r"(\d+\.?\d*|\.\d*)|([A-Za-z_]\w*)|([-+*/^%])|(\()|(\))|( +)")
_KINDS = (None, "num", "name", "op", "lparen", "rparen", None)


def tokenize(text):
    """(kind, text) pairs: 'num' (digits with at most one '.', like 3, 3.25, .5), 'name' (a letter or '_' then
    letters, digits, '_'), 'op' (one of + - * / ^ %), 'lparen', 'rparen'. Spaces separate tokens and are dropped.
    Any other character raises ValueError naming it and its position."""
    tokens = []
    position = 0
    end = len(text)
    match = _TOKEN.match
    while position < end:
        m = match(text, position)
        if m is None:
            raise ValueError(f"unexpected {text[position]!r} at position {position}")
        kind = _KINDS[m.lastindex]
        if kind is not None:
            tokens.append((kind, m.group()))
        position = m.end()
    return tokens
