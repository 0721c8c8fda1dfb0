"""Independent funnel limits for Evident's tests, by exact integer arithmetic.

For R ~ Binomial(n, a/b), b^n * P(R <= r) = sum_{k<=r} C(n, k) a^k (b - a)^(n - k), an
integer; each term follows from the one before exactly. The limit is Spiegelhalter's exact
binomial quantile with linear interpolation: the smallest r with P(R <= r) >= p, then
(r - alpha) / n with alpha = (P(R <= r) - p) / (P(R <= r) - P(R <= r - 1)).

    python3 bench/oracle/funnel/funnel.py 100000 3 10 0.025 0.975
"""

import sys
from fractions import Fraction


def limits(n, a, b, ps):
    ps = sorted(Fraction(p) for p in ps)
    scale = b ** n
    term = (b - a) ** n  # k = 0
    cumulative = 0
    previous = 0
    out = {}
    k = 0
    while ps and k <= n:
        cumulative += term
        for p in list(ps):
            if Fraction(cumulative, scale) >= p:
                upper = Fraction(cumulative, scale)
                lower = Fraction(previous, scale)
                alpha = (upper - p) / (upper - lower) if upper > lower else 0
                out[p] = (k, (k - alpha) / n)
                ps.remove(p)
        previous = cumulative
        if k < n:
            term = term * (n - k) * a // ((k + 1) * (b - a))
        k += 1
    return out


if __name__ == "__main__":
    n, a, b = (int(x) for x in sys.argv[1:4])
    for p, (r, limit) in sorted(limits(n, a, b, sys.argv[4:]).items()):
        print(f"p {float(p)}: r {r}, limit {float(limit):.15f}")
