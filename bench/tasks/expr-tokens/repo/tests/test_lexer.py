import pytest

from lexer import tokenize


def test_numbers_names_operators_and_parentheses():
    assert tokenize("(x_1 + 3.25)*rate") == [
        ("lparen", "("),
        ("name", "x_1"),
        ("op", "+"),
        ("num", "3.25"),
        ("rparen", ")"),
        ("op", "*"),
        ("name", "rate"),
    ]


def test_a_leading_dot_number_and_a_second_dot_starts_a_new_number():
    assert tokenize(".5 1.2.3") == [("num", ".5"), ("num", "1.2"), ("num", ".3")]


def test_digits_after_letters_belong_to_the_name_but_not_the_reverse():
    assert tokenize("a1 1a") == [("name", "a1"), ("num", "1"), ("name", "a")]


def test_unknown_characters_are_reported_with_their_position():
    with pytest.raises(ValueError, match="'#' at position 4"):
        tokenize("1 + #")


def test_empty_and_blank_input():
    assert tokenize("") == []
    assert tokenize("   ") == []
