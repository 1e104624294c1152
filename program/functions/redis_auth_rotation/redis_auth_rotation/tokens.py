"""The Redis AUTH token: how a new one is made, and the rules every token must meet.

ElastiCache's rules, from both of its documents, so that a token passes either
reading: the API reference (ModifyReplicationGroup ``AuthToken``: printable
ASCII, 16 to 128 characters, none of ``/`` ``"`` ``@`` ``%``) and the user guide
("Authenticating with AUTH": the only non-alphanumeric characters allowed are
``! & # $ ^ < > -``). No space is printable-and-allowed by either. New tokens
use letters and digits only, 64 of them (about 380 bits), with at least one
upper-case letter, one lower-case letter and one digit.

No message here ever carries a token: errors name the rule that failed.
"""

from __future__ import annotations

import secrets
import string

TOKEN_LENGTH = 64
MIN_LENGTH, MAX_LENGTH = 16, 128
GENERATED_ALPHABET = string.ascii_letters + string.digits
ALLOWED_PUNCTUATION = "!&#$^<>-"
ALLOWED = frozenset(GENERATED_ALPHABET + ALLOWED_PUNCTUATION)


class TokenRuleError(ValueError):
    """A token breaks ElastiCache's AUTH token rules; the message names the rule, never the token."""


def check_token(token: str) -> None:
    """Raise TokenRuleError unless ElastiCache accepts ``token`` as an AUTH token."""
    if not isinstance(token, str):
        raise TokenRuleError("the AUTH token is not a string (the secret must hold the bare token)")
    if not MIN_LENGTH <= len(token) <= MAX_LENGTH:
        raise TokenRuleError(f"the AUTH token has {len(token)} characters: ElastiCache takes {MIN_LENGTH}-{MAX_LENGTH}")
    if any(c not in ALLOWED for c in token):
        raise TokenRuleError(f"the AUTH token holds a character ElastiCache refuses: only letters, digits and "
                             f"{ALLOWED_PUNCTUATION} are allowed")


def generate_token(length: int = TOKEN_LENGTH) -> str:
    """A new random token of letters and digits, mixing upper case, lower case and digits."""
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(f"token length {length} is outside {MIN_LENGTH}..{MAX_LENGTH}")
    while True:
        token = "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(length))
        if (any(c.isupper() for c in token) and any(c.islower() for c in token)
                and any(c.isdigit() for c in token)):
            return token
