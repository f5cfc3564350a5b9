#!/usr/bin/python3
"""Compares Stagematch's national register number check with python-stdnum's be.nn.

    /usr/bin/python3 national_number_crosscheck.py VERDICTS_PROGRAM

Generates numbers of every kind with a fixed seed (valid ones born in the 1900s and in the
2000s, bis numbers, unknown dates, impossible dates, wrong check digits, births in years still
to come), asks both implementations about each at two reference years, and exits 1 on any
disagreement, printing the first ones. VERDICTS_PROGRAM reads "YEAR NUMBER" lines and answers
1 (accepted) or 0 per line (tests/support/national_number_verdicts.cpp).

What stdnum decides: the check digits, the century they mean, and that the "2" prefix of a
birth from 2000 counts only up to this year (it reads "this year" from datetime.date.today(),
which this script sets to the reference year, so both sides judge by the same year). The
stdnum of Debian 12 (1.18) does not judge the birth date in be.nn.validate; its
get_birth_date does read an ordinary date, and refuses a month above 12 or a day the month
does not have. So the expected verdict for a number is:
  - a date written as a date: be.nn.is_valid and get_birth_date reads the date;
  - a date with a code that this stdnum does not know yet (a bis number's month + 20 or + 40,
    or 00 for an unknown month or day): be.nn.is_valid alone. The generator writes such codes
    only with an otherwise possible month and a day from 00 to 31.
Ordinary dates are real calendar dates (never 30 February), so where Stagematch allows any
day up to 31 both sides agree by construction.
"""

import calendar
import collections
import datetime
import random
import subprocess
import sys
import types

try:
    import stdnum.be.nn as nn
except ImportError:
    sys.exit("national_number_crosscheck: python3-stdnum is missing (apt-get install python3-stdnum)")

SEED = 20261206
REFERENCE_YEARS = (2026, 2040)
PER_KIND = {
    "valid_1900": 300,
    "valid_2000": 300,
    "bis": 200,
    "unknown_date": 120,
    "impossible_date": 220,
    "wrong_check": 220,
    "future_year": 220,
}


def with_reference_year(year):
    """Makes stdnum's be.nn read `year` as this year."""

    class Date(datetime.date):
        @classmethod
        def today(cls):
            return cls(year, 6, 30)

    nn.datetime = types.SimpleNamespace(date=Date, datetime=datetime.datetime)


def check_digits(first9, born_from_2000):
    base = int(first9) + (2000000000 if born_from_2000 else 0)
    return "%02d" % (97 - base % 97)


def number(year, month, day, serial):
    first9 = "%02d%02d%02d%03d" % (year % 100, month, day, serial)
    return first9 + check_digits(first9, year >= 2000)


def ordinary_date(rng, year):
    month = rng.randint(1, 12)
    return month, rng.randint(1, calendar.monthrange(year, month)[1])


def birth_year(rng, last_year):
    return rng.choice([rng.randint(1900, 1999), rng.randint(2000, last_year)])


def generate(rng):
    """[(kind, number)] for every kind; years up to the first reference year."""
    this_year = REFERENCE_YEARS[0]
    out = []
    for _ in range(PER_KIND["valid_1900"]):
        year = rng.randint(1900, 1999)
        out.append(("valid_1900", number(year, *ordinary_date(rng, year), rng.randint(1, 998))))
    for _ in range(PER_KIND["valid_2000"]):
        year = rng.randint(2000, this_year)
        out.append(("valid_2000", number(year, *ordinary_date(rng, year), rng.randint(1, 998))))
    for _ in range(PER_KIND["bis"]):
        year = birth_year(rng, this_year)
        month = rng.randint(0, 12) + rng.choice([20, 40])
        out.append(("bis", number(year, month, rng.randint(0, 31), rng.randint(1, 998))))
    for _ in range(PER_KIND["unknown_date"]):
        year = birth_year(rng, this_year)
        month, day = rng.choice([(0, 0), (0, rng.randint(1, 31)), (rng.randint(1, 12), 0)])
        out.append(("unknown_date", number(year, month, day, rng.randint(1, 998))))
    impossible_months = list(range(13, 20)) + list(range(33, 40)) + list(range(53, 100))
    for _ in range(PER_KIND["impossible_date"]):
        year = birth_year(rng, this_year)
        if rng.random() < 0.5:
            month, day = rng.choice(impossible_months), rng.randint(1, 28)
        else:
            month, day = rng.randint(1, 12), rng.randint(32, 99)
        out.append(("impossible_date", number(year, month, day, rng.randint(1, 998))))
    for _ in range(PER_KIND["wrong_check"]):
        year = birth_year(rng, this_year)
        good = number(year, *ordinary_date(rng, year), rng.randint(1, 998))
        first9 = good[:9]
        right = {check_digits(first9, False), check_digits(first9, True)}
        wrong = rng.choice(["%02d" % c for c in range(100) if "%02d" % c not in right])
        out.append(("wrong_check", first9 + wrong))
    for _ in range(PER_KIND["future_year"]):
        year = rng.randint(this_year + 1, 2099)
        month, day = rng.choice([ordinary_date(rng, year), (rng.randint(20, 32), rng.randint(0, 31))])
        out.append(("future_year", number(year, month, day, rng.randint(1, 998))))
    # The edges: this year and the next, in both centuries.
    for year in (this_year, this_year + 1, this_year - 100, this_year - 99):
        out.append(("valid_2000" if 2000 <= year <= this_year else
                    "future_year" if year > this_year else "valid_1900",
                    number(year, 3, 1, 33)))
    return out


def has_date_code(value):
    month, day = int(value[2:4]), int(value[4:6])
    return month == 0 or 20 <= month <= 32 or 40 <= month <= 52 or day == 0


def stdnum_verdict(value):
    if not nn.is_valid(value):
        return False
    if has_date_code(value):
        return True
    try:
        nn.get_birth_date(value)
    except Exception:  # stdnum's InvalidComponent: no such date
        return False
    return True


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cases = generate(random.Random(SEED))
    lines = "".join("%d %s\n" % (year, value) for year in REFERENCE_YEARS for _, value in cases)
    answer = subprocess.run([sys.argv[1]], input=lines, capture_output=True, text=True, check=True)
    ours = answer.stdout.split()
    asked = [(year, kind, value) for year in REFERENCE_YEARS for kind, value in cases]
    if len(ours) != len(asked):
        sys.exit("national_number_crosscheck: %d answers for %d numbers" % (len(ours), len(asked)))
    disagreements = []
    accepted = 0
    for (year, kind, value), mine in zip(asked, ours):
        with_reference_year(year)
        expected = stdnum_verdict(value)
        accepted += expected
        if (mine == "1") != expected:
            disagreements.append((year, kind, value, mine == "1", expected))
    for year, kind, value, mine, expected in disagreements[:20]:
        print("disagree in %d: %s %s: Stagematch %s, stdnum %s" % (
            year, kind, value, "accepts" if mine else "refuses", "accepts" if expected else "refuses"))
    print("national register numbers: %d numbers at %d reference years, %d comparisons "
          "(stdnum accepts %d), %d disagreements %s" % (
              len(cases), len(REFERENCE_YEARS), len(asked), accepted, len(disagreements),
              dict(collections.Counter(kind for _, kind, _, _, _ in disagreements))))
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
