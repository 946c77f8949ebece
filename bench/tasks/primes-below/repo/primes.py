"""Prime numbers for the key-size tables."""


def primes_below(n):
    """The primes p with 2 <= p < n, ascending."""
    primes = []
    for candidate in range(2, n):
        is_prime = True
        for divisor in range(2, candidate):
            if candidate % divisor == 0:
                is_prime = False
        if is_prime:
            primes.append(candidate)
    return primes
