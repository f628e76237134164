#!/usr/bin/python3
"""Date-format translation data: many human date formats -> "YYYY-MM-DD".

Dates are uniform over 1950-01-01 .. 2049-12-31, so a two-digit year has one
meaning (50-99 -> 19xx, 00-49 -> 20xx). Every format is unambiguous: no
source string is produced by two different dates (`check` verifies this
over every date, format and letter case).

Vocabularies (a contract shared with the C program through vocab.h):
  source: id 0 = padding, id 1 + i = SRC_CHARS[i]
  target: id 0 = "<s>", id 1 = "</s>", id 2 + i = TGT_CHARS[i]

Held-out data: a fixed random set of HELDOUT_DATES dates (chosen from
HELDOUT_SEED) never appears in training with any format; heldout.tsv has
one (source, target) pair per held-out date.

usage: dates.py sample [N]      print N random training pairs
       dates.py formats         one example of every format for one date
       dates.py check           verify vocabulary and unambiguity
       dates.py heldout [FILE]  (re)write heldout.tsv
"""

import datetime
import os
import random
import sys

FIRST_DATE = datetime.date(1950, 1, 1)
LAST_DATE = datetime.date(2049, 12, 31)
NUM_DATES = (LAST_DATE - FIRST_DATE).days + 1  # 36525

# Every character any format below can produce (checked by `check`).
SRC_CHARS = (" ,-./0123456789"
             "ABCDEFGHIJLMNOPRSTUVWY"
             "abcdefghijlmnoprstuvwy")
TGT_CHARS = "0123456789-"
START_ID, END_ID = 0, 1
TGT_TOKENS = ["<s>", "</s>"] + list(TGT_CHARS)
VS = 1 + len(SRC_CHARS)
VT = len(TGT_TOKENS)  # 13
MAX_OUT = 12  # greedy decoding stops after this many output tokens

HELDOUT_SEED = 20240611
HELDOUT_DATES = 3000
HELDOUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "heldout.tsv")

_SRC_INDEX = {c: i + 1 for i, c in enumerate(SRC_CHARS)}
# English names, spelled out (not from the locale).
_MONTHS = ["January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December"]
_MONS = [m[:3] for m in _MONTHS]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
         "Sunday"]  # datetime.date.weekday(): Monday = 0
_DYS = [d[:3] for d in _DAYS]


def _ordinal(d):
    if d in (11, 12, 13):
        return f"{d}th"
    return f"{d}" + {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")


# name -> (function of date, has letters). Lengths range from 6 ("1/1/50")
# to 29 ("Wednesday, September 24, 2036").
FORMATS = {
    "us_short":       (lambda t: f"{t.month}/{t.day}/{t.year % 100:02d}", False),
    "us_long":        (lambda t: f"{t.month}/{t.day}/{t.year}", False),
    "eu_dots_short":  (lambda t: f"{t.day}.{t.month}.{t.year % 100:02d}", False),
    "eu_dots":        (lambda t: f"{t.day:02d}.{t.month:02d}.{t.year}", False),
    "ymd_slash":      (lambda t: f"{t.year}/{t.month:02d}/{t.day:02d}", False),
    "compact":        (lambda t: f"{t.year}{t.month:02d}{t.day:02d}", False),
    "iso":            (lambda t: f"{t.year}-{t.month:02d}-{t.day:02d}", False),
    "d_month_y":      (lambda t: f"{t.day} {_MONTHS[t.month - 1]} {t.year}", True),
    "d_mon_y":        (lambda t: f"{t.day} {_MONS[t.month - 1]} {t.year}", True),
    "d_mon_y_dash":   (lambda t: f"{t.day:02d}-{_MONS[t.month - 1]}-{t.year}", True),
    "month_d_y":      (lambda t: f"{_MONTHS[t.month - 1]} {t.day}, {t.year}", True),
    "mon_d_y":        (lambda t: f"{_MONS[t.month - 1]} {t.day}, {t.year}", True),
    "mon_d_yy":       (lambda t: f"{_MONS[t.month - 1]} {t.day}, {t.year % 100:02d}", True),
    "dy_mon_d_y":     (lambda t: f"{_DYS[t.weekday()]}, {_MONS[t.month - 1]} {t.day} {t.year}", True),
    "dy_d_mon_yy":    (lambda t: f"{_DYS[t.weekday()]} {t.day} {_MONS[t.month - 1]} {t.year % 100:02d}", True),
    "day_d_month_y":  (lambda t: f"{_DAYS[t.weekday()]}, {t.day} {_MONTHS[t.month - 1]} {t.year}", True),
    "day_month_d_y":  (lambda t: f"{_DAYS[t.weekday()]}, {_MONTHS[t.month - 1]} {t.day}, {t.year}", True),
    "ordinal":        (lambda t: f"the {_ordinal(t.day)} of {_MONTHS[t.month - 1]} {t.year}", True),
}
FORMAT_NAMES = list(FORMATS)
CASES = ("as_is", "lower", "upper")
CASE_WEIGHTS = (0.6, 0.2, 0.2)  # for formats with letters


def date_of(index):
    """The index-th date, 0 <= index < NUM_DATES."""
    return FIRST_DATE + datetime.timedelta(days=index)


def render(date, fmt, case="as_is"):
    """Source string of `date` in format `fmt` with letter case `case`."""
    text = FORMATS[fmt][0](date)
    if case == "lower":
        return text.lower()
    if case == "upper":
        return text.upper()
    return text


def target(date):
    return date.isoformat()  # YYYY-MM-DD


def encode_source(text):
    """Source ids (1 + index in SRC_CHARS) of a string; ValueError on a
    character outside SRC_CHARS or an empty string."""
    if not text:
        raise ValueError("empty source string")
    ids = []
    for pos, ch in enumerate(text):
        i = _SRC_INDEX.get(ch)
        if i is None:
            raise ValueError(f"character {ch!r} at position {pos} of {text!r} "
                             f"is not in the source vocabulary")
        ids.append(i)
    return ids


def encode_target(text):
    """Target ids of "YYYY-MM-DD" followed by </s> (no <s>)."""
    return [2 + TGT_CHARS.index(ch) for ch in text] + [END_ID]


def decode_target(ids):
    """String of target ids, stopping at </s>; <s> renders as '^' (only a
    badly trained model emits it)."""
    out = []
    for i in ids:
        if i == END_ID:
            break
        out.append("^" if i == START_ID else TGT_CHARS[i - 2])
    return "".join(out)


def heldout_date_indices():
    """The fixed, sorted set of date indices never used in training."""
    rng = random.Random(HELDOUT_SEED)
    return sorted(rng.sample(range(NUM_DATES), HELDOUT_DATES))


def _random_pair(rng, index):
    date = date_of(index)
    fmt = rng.choice(FORMAT_NAMES)
    case = (rng.choices(CASES, CASE_WEIGHTS)[0] if FORMATS[fmt][1]
            else "as_is")
    return render(date, fmt, case), target(date)


def heldout_pairs():
    """One (source, target) pair per held-out date, format and case drawn
    deterministically."""
    rng = random.Random(HELDOUT_SEED + 1)
    return [_random_pair(rng, i) for i in heldout_date_indices()]


def training_stream(seed):
    """Infinite deterministic stream of (source, target) pairs over the
    dates that are not held out."""
    held = set(heldout_date_indices())
    train = [i for i in range(NUM_DATES) if i not in held]
    rng = random.Random(seed)
    while True:
        yield _random_pair(rng, rng.choice(train))


def write_heldout(path=HELDOUT_PATH):
    pairs = heldout_pairs()
    with open(path, "w") as f:
        for src, tgt in pairs:
            f.write(f"{src}\t{tgt}\n")
    return len(pairs)


def read_heldout(path=HELDOUT_PATH):
    with open(path) as f:
        return [tuple(line.rstrip("\n").split("\t")) for line in f]


def check():
    """Verifies: every produced character is in SRC_CHARS and every
    SRC_CHARS character is produced; no source string maps to two dates;
    heldout.tsv (if present) matches the generator and shares no date with
    training."""
    seen, produced = {}, set()
    lengths = {}
    for index in range(NUM_DATES):
        date = date_of(index)
        for fmt, (_, letters) in FORMATS.items():
            for case in (CASES if letters else ("as_is",)):
                src = render(date, fmt, case)
                produced.update(src)
                prev = seen.setdefault(src, date)
                if prev != date:
                    raise AssertionError(f"{src!r} is both {prev} and {date}")
                lo, hi = lengths.get(fmt, (99, 0))
                lengths[fmt] = (min(lo, len(src)), max(hi, len(src)))
    missing = produced - set(SRC_CHARS)
    unused = set(SRC_CHARS) - produced
    assert not missing, f"characters missing from SRC_CHARS: {sorted(missing)}"
    assert not unused, f"SRC_CHARS characters never produced: {sorted(unused)}"
    assert len(set(SRC_CHARS)) == len(SRC_CHARS)
    if os.path.exists(HELDOUT_PATH):
        assert read_heldout() == heldout_pairs(), "heldout.tsv is stale"
    held = {date_of(i).isoformat() for i in heldout_date_indices()}
    stream = training_stream(0)
    for _ in range(20000):
        assert next(stream)[1] not in held
    print(f"{len(seen)} distinct sources, {NUM_DATES} dates, "
          f"{len(FORMATS)} formats; SRC_CHARS ({len(SRC_CHARS)}) is exact")
    for fmt, (lo, hi) in lengths.items():
        print(f"  {fmt:15s} length {lo:2d}..{hi:2d}")


def main(argv):
    cmd = argv[1] if len(argv) > 1 else "sample"
    if cmd == "sample":
        n = int(argv[2]) if len(argv) > 2 else 20
        stream = training_stream(1)
        for _ in range(n):
            print("%-32s %s" % next(stream))
    elif cmd == "formats":
        date = datetime.date(2026, 11, 24)
        for fmt, (_, letters) in FORMATS.items():
            cases = CASES if letters else ("as_is",)
            print(f"{fmt:15s} " + " | ".join(render(date, fmt, c) for c in cases))
    elif cmd == "check":
        check()
    elif cmd == "heldout":
        path = argv[2] if len(argv) > 2 else HELDOUT_PATH
        print(f"wrote {write_heldout(path)} pairs to {path}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
