"""Checks every inbound text and number passes: no invisible characters, sane dates.

Whatever arrives, as JSON from a portal or as XML from customs or an ERP, is
refused with the field's name when a text holds a control character, a
zero-width or bidirectional-control character (U+200B, U+202E …), a private-use
or unpaired surrogate code point, or a line break where none belongs: such
characters make two numbers that look the same differ, or a name display as
something else. Only free-text notes may span lines.
"""

from __future__ import annotations

import re
import typing
import unicodedata
from datetime import date, timedelta
from decimal import Decimal

# Unicode categories never accepted: controls, format characters (zero-width,
# bidirectional controls), private use, surrogates, line and paragraph separators.
REFUSED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
LINE_BREAKS = {"\n", "\r", "\t"}
# Fields whose text may span lines.
MULTILINE_FIELDS = {
    "note",
    "reason",
    "arrival_note",
    "detail",
    "description",
    "remark",
    "check_info",
    "notes",
}

# Business dates: nothing before the customs system existed, and no event (a
# release, a posting) later than tomorrow anywhere on earth.
EARLIEST = date(2000, 1, 1)
LATEST_EXPIRY = date(2100, 12, 31)


def check_texts(value: object, field: str) -> object:
    """Check a text, or every text inside a tuple or list; return it unchanged."""
    if isinstance(value, str):
        return check_text(value, field)
    if isinstance(value, tuple | list):
        for item in value:
            if isinstance(item, str):
                check_text(item, field)
    return value


def check_text(value: str, field: str) -> str:
    """Refuse a text with an invisible or control character; return it unchanged."""
    multiline = field in MULTILINE_FIELDS
    for position, char in enumerate(value):
        if multiline and char in LINE_BREAKS:
            continue
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            raise ValueError(
                f"holds the invisible or control character U+{ord(char):04X} "
                f"at position {position}"
            )
    return value


# Quantities, prices and weights: at most 15 digits before the point and 9
# after it, which every customs number format fits (N19,5 at most).
MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 9


# A number as text: digits with an optional sign, point and exponent; no
# thousands separators, underscores, spaces or hexadecimal.
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def check_number_text(value: object, annotation: object) -> object:
    """Refuse text given for a number unless it is written as plain digits."""
    written = isinstance(value, str) and _is_decimal(annotation)
    if written and not NUMBER.fullmatch(str(value).strip()):
        raise ValueError(f"{value!r} is not a number written in digits")
    return value


def _is_decimal(annotation: object) -> bool:
    if annotation is Decimal:
        return True
    return any(_is_decimal(a) for a in typing.get_args(annotation))


def check_number(value: Decimal) -> Decimal:
    """Refuse a number that is not finite or has more digits than any customs field."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a number")
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    fraction = max(0, -exponent)
    integer = len(digits) + exponent
    if fraction > MAX_FRACTION_DIGITS or integer > MAX_INTEGER_DIGITS:
        raise ValueError(
            f"{value} has more than {MAX_INTEGER_DIGITS} digits before the point or "
            f"{MAX_FRACTION_DIGITS} after it"
        )
    return value


def check_event_date(value: date) -> date:
    """Refuse a business date in the future (beyond tomorrow) or before 2000."""
    if value < EARLIEST or value > date.today() + timedelta(days=1):
        raise ValueError(
            f"{value.isoformat()} is not a possible date for something that happened"
        )
    return value


def check_expiry(value: date) -> date:
    """Refuse a validity date before 2000 or after 2100."""
    if value < EARLIEST or value > LATEST_EXPIRY:
        raise ValueError(f"{value.isoformat()} is outside 2000-01-01 … 2100-12-31")
    return value
