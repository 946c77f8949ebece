"""Word statistics of plain text."""

import string


def top_words(text, k):
    """The `k` most frequent words of `text` as (word, count) pairs, most frequent first.

    Words are lower-cased and stripped of surrounding punctuation; equally frequent words are ordered
    alphabetically. Fewer than `k` pairs are returned when the text has fewer distinct words.
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    words = []
    for token in text.split():
        word = token.strip(string.punctuation).lower()
        if word:
            words.append(word)
    distinct = []
    for word in words:
        if word not in distinct:
            distinct.append(word)
    counts = [(word, words.count(word)) for word in distinct]
    counts.sort(key=lambda pair: (-pair[1], pair[0]))
    return counts[:k]
