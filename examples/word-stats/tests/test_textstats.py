import pytest

from textstats import top_words


def test_counts_the_most_frequent_words_first():
    assert top_words("b a b c b a", 2) == [("b", 3), ("a", 2)]


def test_equally_frequent_words_are_ordered_alphabetically():
    # Insertion order would give pear, apple, fig.
    assert top_words("pear apple fig fig apple pear", 3) == [("apple", 2), ("fig", 2), ("pear", 2)]


def test_case_and_surrounding_punctuation_do_not_make_a_new_word():
    assert top_words("Hello, hello! HELLO world.", 5) == [("hello", 3), ("world", 1)]


def test_inner_punctuation_is_part_of_the_word():
    assert top_words("don't dont don't", 5) == [("don't", 2), ("dont", 1)]


def test_tokens_made_only_of_punctuation_are_not_words():
    assert top_words("-- a ... a !", 5) == [("a", 2)]


def test_fewer_distinct_words_than_k_returns_them_all():
    assert top_words("x y", 10) == [("x", 1), ("y", 1)]


def test_k_zero_and_empty_text_give_nothing():
    assert top_words("a b c", 0) == []
    assert top_words("", 3) == []


def test_negative_k_is_an_error():
    with pytest.raises(ValueError):
        top_words("a", -1)
