from ngrams import ngram_counts


def test_overlapping_windows_are_all_counted():
    assert ngram_counts(["a", "b", "a", "b", "a"], 2) == {("a", "b"): 2, ("b", "a"): 2}


def test_keys_in_order_of_first_appearance():
    counts = ngram_counts(["c", "a", "c", "b", "a"], 1)
    assert list(counts.items()) == [(("c",), 2), (("a",), 2), (("b",), 1)]


def test_windows_longer_than_the_stream_or_empty():
    assert ngram_counts(["a", "b"], 3) == {}
    assert ngram_counts([], 1) == {}


def test_trigrams_of_a_sentence():
    words = "the cat saw the cat saw the dog".split()
    assert ngram_counts(words, 3) == {
        ("the", "cat", "saw"): 2,
        ("cat", "saw", "the"): 2,
        ("saw", "the", "cat"): 1,
        ("saw", "the", "dog"): 1,
    }
