from primes import primes_below


def test_small_primes():
    assert primes_below(20) == [2, 3, 5, 7, 11, 13, 17, 19]


def test_the_bound_itself_is_excluded():
    assert primes_below(7) == [2, 3, 5]
    assert primes_below(8) == [2, 3, 5, 7]


def test_nothing_below_three_but_two():
    assert primes_below(0) == []
    assert primes_below(2) == []
    assert primes_below(3) == [2]


def test_squares_of_primes_are_not_prime():
    result = primes_below(130)
    assert 121 not in result and 49 not in result and 127 in result
    assert len(result) == 31
