"""Polynomials over the integers modulo a prime."""


def eval_mod(coeffs, x, mod):
    """coeffs[0] + coeffs[1]*x + coeffs[2]*x**2 + ... modulo mod, as an int in range(mod)."""
    x %= mod
    total = 0
    for c in coeffs:
        total = (total * x + c) % mod
    return total


def eval_many(coeffs, xs, mod):
    """eval_mod at every x, in order."""
    return [eval_mod(coeffs, x, mod) for x in xs]
