from polymod import eval_many, eval_mod


def test_coefficients_are_lowest_power_first():
    assert eval_mod([1, 2, 3], 10, 1000003) == 321


def test_result_is_reduced_into_range_even_for_negative_coefficients():
    assert eval_mod([-5], 3, 7) == 2
    assert eval_mod([0, -1], 4, 11) == 7


def test_large_values_match_exact_arithmetic():
    coeffs = [123456789012, -98765, 5, 77]
    x, mod = 10**11 + 3, 1_000_000_007
    exact = sum(c * x**i for i, c in enumerate(coeffs)) % mod
    assert eval_mod(coeffs, x, mod) == exact


def test_empty_polynomial_is_zero_and_eval_many_keeps_order():
    assert eval_mod([], 5, 13) == 0
    assert eval_many([0, 1], [1, 2, 3], 13) == [1, 2, 3]
