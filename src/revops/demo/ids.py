"""Each tool's own id format, derived from the demo company's canonical ids.

Salesforce ids are 18 characters: a 3-character key prefix naming the object (`001`
Account, `003` Contact, `006` Opportunity…), a 2-character pod part, a base-62 record
number padded to 15 characters, and a 3-character suffix that makes the id unique even
when compared without case. HubSpot object ids are long decimal numbers; Stripe ids are a
type prefix and 14 random-looking base-62 characters.

Every function here is vectorised over NumPy arrays, so a million ids take well under a
second.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BASE62 = np.frombuffer(BASE62.encode("ascii"), dtype=np.uint8)
_SUFFIX = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)
_SEQUENCE_DIGITS = 10
# Canonical record numbers are offset so the ids look like a mature org's
# (`0018d00000B0001AAA`), where the high digits of the sequence are already in use.
SEQUENCE_START = 11 * 62**4


def salesforce_id(prefix: str, n: npt.ArrayLike, *, pod: str = "8d") -> npt.NDArray[np.str_]:
    """The 18-character Salesforce ids of record numbers `n` of the object `prefix`.

    The suffix is Salesforce's case-safety checksum: for each 5-character chunk of the
    15-character id, the number whose bit i is set when character i is an upper-case
    letter, written as a letter of `ABCDEFGHIJKLMNOPQRSTUVWXYZ012345`.

    Examples:
        >>> salesforce_id("001", [0, 61, 62]).tolist()
        ['0018d0000000000AAA', '0018d000000000zAAA', '0018d0000000010AAA']
        >>> salesforce_id("003", [11 * 62**4]).tolist()
        ['0038d00000B0000AAB']
    """
    key = prefix + pod
    if len(prefix) != 3 or len(pod) != 2 or not key.isascii() or not key.isalnum():
        raise ValueError(f"a key prefix is 3 and a pod 2 ASCII letters or digits: {key!r}")
    numbers = np.asarray(n, dtype=np.int64)
    flat = numbers.ravel()
    if flat.size and (flat.min() < 0 or flat.max() >= 62**_SEQUENCE_DIGITS):
        raise ValueError("Salesforce record numbers run from 0 to 62**10 - 1")
    codes = np.empty((flat.size, 18), dtype=np.uint8)
    codes[:, :5] = np.frombuffer(key.encode("ascii"), dtype=np.uint8)
    rest = flat.copy()
    for position in range(14, 14 - _SEQUENCE_DIGITS, -1):
        rest, digit = np.divmod(rest, 62)
        codes[:, position] = _BASE62[digit]
    upper = (codes[:, :15] >= ord("A")) & (codes[:, :15] <= ord("Z"))
    chunks = upper.reshape(-1, 3, 5).astype(np.int64) @ (1 << np.arange(5, dtype=np.int64))
    codes[:, 15:] = _SUFFIX[chunks]
    ids = codes.view("S18").ravel().astype(np.str_)
    return ids.reshape(numbers.shape)


def canonical_number(ids: pd.Series) -> npt.NDArray[np.int64]:
    """The record number of canonical ids (`acc-000123` → 123); -1 where missing.

    Raises:
        ValueError: an id is not `<kind>-<digits>`.

    Examples:
        >>> canonical_number(pd.Series(["acc-000123", "", None, "team-07"])).tolist()
        [123, -1, -1, 7]
    """
    text = ids.fillna("").astype(str).to_numpy()
    try:
        raw = text.astype(np.bytes_)
    except UnicodeEncodeError as error:
        raise ValueError(f"canonical ids are ASCII: {error.object!r}") from None
    width = max(raw.dtype.itemsize, 1)
    codes = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(raw.size, width)
    length = (codes != 0).sum(axis=1)
    positions = np.arange(width)
    is_dash = codes == ord("-")
    dash = np.where(is_dash.any(axis=1), width - 1 - np.argmax(is_dash[:, ::-1], axis=1), -1)
    in_number = (positions > dash[:, None]) & (positions < length[:, None])
    is_digit = (codes >= ord("0")) & (codes <= ord("9"))
    valid = (length == 0) | ((dash > 0) & (length > dash + 1) & (is_digit | ~in_number).all(1))
    if not valid.all():
        raise ValueError(f"canonical ids look like acc-000123, not {text[~valid][0]!r}")
    value = np.zeros(raw.size, dtype=np.int64)
    for column in range(width):
        digit = codes[:, column].astype(np.int64) - ord("0")
        value = np.where(in_number[:, column], value * 10 + digit, value)
    return np.where(length == 0, -1, value)


def salesforce_ids(canonical: pd.Series, prefix: str) -> pd.Series:
    """Salesforce ids of the canonical ids in `canonical`, as strings; `""` where missing.

    The same canonical id always gets the same Salesforce id, so references between
    exported objects (`AccountId`, `OwnerId`…) resolve.

    Examples:
        >>> salesforce_ids(pd.Series(["acc-000001", ""]), "001").tolist()
        ['0018d00000B0001AAB', '']
    """
    number = canonical_number(canonical)
    present = number >= 0
    out = np.full(number.size, "", dtype=object)
    out[present] = salesforce_id(prefix, number[present] + SEQUENCE_START)
    return pd.Series(out, index=canonical.index, dtype=object)


def hubspot_id(n: npt.ArrayLike, *, lead: int = 51) -> npt.NDArray[np.str_]:
    """HubSpot object ids of record numbers `n`: `lead` followed by nine digits.

    Examples:
        >>> hubspot_id([7, 123456]).tolist()
        ['51000000007', '51000123456']
    """
    numbers = np.asarray(n, dtype=np.int64)
    if numbers.size and (numbers.min() < 0 or numbers.max() >= 10**9):
        raise ValueError("HubSpot record numbers run from 0 to 10**9 - 1")
    return (lead * 10**9 + numbers).astype(np.str_)


def stripe_id(prefix: str, n: npt.ArrayLike, rng: np.random.Generator) -> npt.NDArray[np.str_]:
    """Stripe ids (`cus_`, `sub_`, `si_`, `price_`, `prod_`, `in_`…) of record numbers `n`.

    Fourteen random-looking base-62 characters: three drawn from a key taken from `rng`
    and eleven that encode `n` through a keyed bijection of 64-bit integers, so distinct
    numbers always get distinct ids and the same generator state gives the same ids.

    Examples:
        >>> ids = stripe_id("cus", [1, 2], np.random.default_rng(0))
        >>> [len(i) for i in ids], ids[0].startswith("cus_"), ids[0] != ids[1]
        ([18, 18], True, True)
    """
    numbers = np.asarray(n, dtype=np.int64).ravel()
    key = rng.integers(0, 2**63, size=2, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        body = _mix(numbers.astype(np.uint64) + key[0])
        head = _mix(body ^ key[1])
    codes = np.empty((numbers.size, 14), dtype=np.uint8)
    for position in range(2, -1, -1):
        head, digit = np.divmod(head, np.uint64(62))
        codes[:, position] = _BASE62[digit.astype(np.int64)]
    for position in range(13, 2, -1):
        body, digit = np.divmod(body, np.uint64(62))
        codes[:, position] = _BASE62[digit.astype(np.int64)]
    tails = codes.view("S14").ravel().astype(np.str_)
    return np.char.add(f"{prefix.rstrip('_')}_", tails)


def random_uuid(rng: np.random.Generator, size: int) -> npt.NDArray[np.str_]:
    """`size` version-4 UUID strings drawn from `rng` (HubSpot's form and event ids).

    Examples:
        >>> u = random_uuid(np.random.default_rng(0), 2)
        >>> [len(x) for x in u], u[0][14]
        ([36, 36], '4')
    """
    return uuid_text(random_uuid_bytes(rng, size))


def random_uuid_bytes(rng: np.random.Generator, size: int) -> npt.NDArray[np.uint8]:
    """The 16 bytes of each of `size` version-4 UUIDs drawn from `rng`, one row each:
    a sixth of the memory of their text, which :func:`uuid_text` writes."""
    raw = rng.integers(0, 256, size=(size, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    return raw


def uuid_text(raw: npt.NDArray[np.uint8]) -> npt.NDArray[np.str_]:
    """The UUID strings (`8-4-4-4-12` lower-case hex digits) of rows of 16 bytes."""
    size = raw.shape[0]
    hexdigits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    text = np.empty((size, 36), dtype=np.uint8)
    nibbles = np.stack([raw >> 4, raw & 0x0F], axis=2).reshape(size, 32)
    slots = [i for i in range(36) if i not in (8, 13, 18, 23)]
    text[:, slots] = hexdigits[nibbles]
    text[:, [8, 13, 18, 23]] = ord("-")
    return text.view("S36").ravel().astype(np.str_)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """SplitMix64's finaliser: a bijection of 64-bit integers that scatters the bits."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))
