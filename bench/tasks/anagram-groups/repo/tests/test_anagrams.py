from anagrams import group_anagrams


def test_groups_in_order_of_first_appearance():
    assert group_anagrams(["tea", "ate", "tan", "eat", "nat", "bat"]) == [
        ["tea", "ate", "eat"],
        ["tan", "nat"],
        ["bat"],
    ]


def test_letter_counts_matter_not_just_the_letters():
    assert group_anagrams(["aab", "abb", "bab"]) == [["aab"], ["abb", "bab"]]


def test_case_sensitive_and_duplicates_kept():
    assert group_anagrams(["Ab", "ba", "ab", "ab"]) == [["Ab"], ["ba", "ab", "ab"]]


def test_empty_words_and_empty_input():
    assert group_anagrams(["", "x", ""]) == [["", ""], ["x"]]
    assert group_anagrams([]) == []
