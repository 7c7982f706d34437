"""Value objects and code checks shared by every document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from aggregates.common.errors import MalformedCodeError, ValidationError

CUSTOMS_CODE = re.compile(r"[0-9A-Z]{10}")
HS_CODE = re.compile(r"[0-9]{8,10}")

# GB 32100-2015: the 31 characters a unified social credit code may use (no I, O,
# S, V, Z), and the weights of its first 17 characters for the check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Quantities and amounts are D(19,5) / D(25,5) in the customs schemas.
MAX_SCALE = 5
MAX_QUANTITY = Decimal("1e14")


E = TypeVar("E", bound=StrEnum)


def coded(enumeration: type[E], value: object, *, field: str) -> E:
    """The member of a code table, or a refusal naming the field and the codes."""
    try:
        return enumeration(value)  # type: ignore[arg-type]
    except ValueError:
        codes = ", ".join(str(member.value) for member in enumeration)
        raise ValidationError(
            f"{field} {value!r} is not in its code table ({codes})",
            rule="R-DOC-6",
            field=field,
        ) from None


class Direction(StrEnum):
    """Goods flow: I into the zone (进区), E out of the zone (出区)."""

    IN = "I"
    OUT = "E"


def check_customs_code(code: str, *, field: str = "customs_code") -> str:
    """Return a 10-character customs code (海关编码) or refuse it."""
    if not isinstance(code, str) or not CUSTOMS_CODE.fullmatch(code):
        raise MalformedCodeError(
            f"customs code must be 10 characters of 0-9 and A-Z, got {code!r}",
            rule="R-DOC-7",
            field=field,
        )
    return code


def credit_code_check_character(first17: str) -> str:
    """Compute the GB 32100 check character of the first 17 characters."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(code: str, *, field: str = "credit_code") -> str:
    """Return an 18-character unified social credit code or refuse it (GB 32100)."""
    if not isinstance(code, str) or len(code) != 18:
        raise MalformedCodeError(
            f"unified social credit code must have 18 characters, got {code!r}",
            rule="R-DOC-7",
            field=field,
        )
    bad = [char for char in code if char not in CREDIT_CODE_ALPHABET]
    if bad:
        raise MalformedCodeError(
            f"unified social credit code {code!r} contains {bad[0]!r}, which GB 32100 "
            f"does not allow",
            rule="R-DOC-7",
            field=field,
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise MalformedCodeError(
            f"unified social credit code {code!r} has check character {code[17]!r}, "
            f"expected {expected!r}",
            rule="R-DOC-7",
            field=field,
        )
    return code


def check_hs_code(code: str, *, field: str = "hs_code") -> str:
    """Return an HS code (商品编码) of 8 to 10 digits or refuse it."""
    if not isinstance(code, str) or not HS_CODE.fullmatch(code):
        raise MalformedCodeError(
            f"HS code must be 8 to 10 digits, got {code!r}", field=field
        )
    return code


def check_text(
    value: str, *, field: str, max_length: int, required: bool = True
) -> str:
    """Return a text field, refusing empty required values and over-long ones."""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text", field=field, rule="R-DOC-6")
    if required and not value.strip():
        raise ValidationError(f"{field} is required", field=field, rule="R-DOC-6")
    if len(value) > max_length:
        raise ValidationError(
            f"{field} is longer than {max_length} characters",
            field=field,
            rule="R-DOC-6",
        )
    return value


def to_decimal(
    value: Decimal | int | str, *, field: str, positive: bool = True
) -> Decimal:
    """Return a finite decimal of at most five decimal places, or refuse it.

    ``positive`` refuses zero and negatives; otherwise only negatives are refused.
    """
    if isinstance(value, float | bool):
        raise ValidationError(
            f"{field} must be a decimal string or integer, not {type(value).__name__}",
            field=field,
        )
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(
            f"{field} is not a number: {value!r}", field=field
        ) from None
    if not number.is_finite():
        raise ValidationError(f"{field} must be finite, got {value!r}", field=field)
    if number.as_tuple().exponent < -MAX_SCALE:  # type: ignore[operator]
        raise ValidationError(
            f"{field} has more than {MAX_SCALE} decimal places: {value!r}", field=field
        )
    if number >= MAX_QUANTITY:
        raise ValidationError(f"{field} is too large: {value!r}", field=field)
    if positive and number <= 0:
        raise ValidationError(
            f"{field} must be greater than zero, got {value}", field=field
        )
    if number < 0:
        raise ValidationError(f"{field} must not be negative, got {value}", field=field)
    return number


@dataclass(frozen=True)
class Enterprise:
    """An enterprise as the register knows it: customs code, credit code and name."""

    customs_code: str
    credit_code: str
    name: str


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day if it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    last = (following - date(year, month, 1)).days
    return date(year, month, min(day.day, last))
