"""A lexer for the formula language of the reporting tool."""

OPERATORS = "+-*/^%"


def tokenize(text):
    """(kind, text) pairs: 'num' (digits with at most one '.', like 3, 3.25, .5), 'name' (a letter or '_' then
    letters, digits, '_'), 'op' (one of + - * / ^ %), 'lparen', 'rparen'. Spaces separate tokens and are dropped.
    Any other character raises ValueError naming it and its position."""
    chars = list(text)
    tokens = []
    position = 0
    while chars:
        ch = chars.pop(0)
        position += 1
        if ch == " ":
            continue
        if ch.isdigit() or ch == ".":
            number = ch
            while chars and (chars[0].isdigit() or (chars[0] == "." and "." not in number)):
                number = number + chars.pop(0)
                position += 1
            tokens.append(("num", number))
        elif ch.isalpha() or ch == "_":
            name = ch
            while chars and (chars[0].isalnum() or chars[0] == "_"):
                name = name + chars.pop(0)
                position += 1
            tokens.append(("name", name))
        elif ch in OPERATORS:
            tokens.append(("op", ch))
        elif ch == "(":
            tokens.append(("lparen", ch))
        elif ch == ")":
            tokens.append(("rparen", ch))
        else:
            raise ValueError(f"unexpected {ch!r} at position {position - 1}")
    return tokens
