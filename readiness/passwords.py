"""Password hashing (Argon2) and the strength rule for consultant accounts."""

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password_of(account, password: str) -> bool:
    """Check ``password`` against the account's hash, or against a dummy hash when there
    is no such account, so both answers take the same time."""
    if account is None:
        verify_password(_dummy_hash(), password)
        return False
    return verify_password(account.password_hash, password)


@cache
def _dummy_hash() -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """A French reason to refuse this password, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Le mot de passe doit comporter au moins {MIN_LENGTH} caractères."
    # zxcvbn knows the common-password lists; a score under 3 means easy to guess.
    if zxcvbn(password, user_inputs=list(user_inputs))["score"] < 3:
        return "Ce mot de passe est trop courant ou trop facile à deviner. Choisissez-en un autre."
    return None
