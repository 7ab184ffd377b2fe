"""Find the text encoding of a file's bytes and turn them into UTF-8.

The rules, in order:

1. A byte-order mark decides: UTF-8 (``utf-8-sig``), UTF-16 or UTF-32.
2. Without one, NUL bytes in every other position mean UTF-16 (little or big endian);
   many control characters otherwise mean the file is not text at all.
3. Bytes that are valid UTF-8 are UTF-8. Bytes that are mostly valid UTF-8 (more bytes
   in valid multi-byte characters than in invalid sequences) are UTF-8 with a few bad
   bytes: each bad sequence becomes U+FFFD and its position is kept, so the reader can
   report the records that hold one.
4. Anything else is a legacy single-byte encoding: Windows-1252 (what Excel writes on
   Western systems) unless charset-normalizer finds the text cannot be read as that,
   and then its best guess among the other Windows code pages.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

REPLACEMENT = "\ufffd".encode()
LEGACY_DEFAULT = "cp1252"
_LEGACY_CANDIDATES = ["cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257"]
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# Control characters that text files do not hold (tab, line feed, form feed, carriage
# return and escape are left out): more than 1% of them in the first bytes means binary.
_TEXT_CONTROLS = bytes([*range(0, 9), 11, *range(14, 27), *range(28, 32)])


class NotTextError(ValueError):
    """The bytes are not text in any encoding a reader knows."""


@dataclass(frozen=True)
class Decoded:
    """A file's text as UTF-8 bytes.

    Args:
        data: the text, valid UTF-8, without a byte-order mark.
        encoding: the encoding of the file (a Python codec name).
        replaced: sorted offsets in `data` of the U+FFFD characters that stand for bytes
            that were not valid in `encoding`.
    """

    data: bytes
    encoding: str
    replaced: npt.NDArray[np.int64]

    @property
    def reason(self) -> str:
        """What a problem says about a record that holds a replaced character."""
        return f"bytes that are not valid {self.encoding} replaced"


def decode(raw: bytes) -> Decoded:
    """The text of `raw` as UTF-8, with the encoding it was found in.

    Raises:
        NotTextError: the bytes are binary.

    Examples:
        >>> decode("Zoë".encode("utf-16")).encoding
        'utf-16'
        >>> decode("Zoë".encode("cp1252")).data.decode()
        'Zoë'
        >>> found = decode("Zoë;Müller;\\xff".encode("utf-8") + b"\\xff")
        >>> found.encoding, found.replaced.tolist()
        ('utf-8', [15])
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            if encoding == "utf-8-sig":
                return _utf8(raw[len(bom) :], encoding, sure=True) or _transcode(raw, encoding)
            return _transcode(raw, encoding)
    sample = raw[:8192]
    nuls = sample.count(0)
    if nuls:
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        if odd > 0.4 * len(sample) / 2 and even == 0:
            return _transcode(raw, "utf-16-le")
        if even > 0.4 * len(sample) / 2 and odd == 0:
            return _transcode(raw, "utf-16-be")
    if len(sample.translate(None, _TEXT_CONTROLS)) < len(sample) * 0.99:
        raise NotTextError("not a text file (it holds binary data)")
    return _utf8(raw, "utf-8") or _transcode(raw, _legacy_encoding(raw))


def _utf8(raw: bytes, encoding: str, *, sure: bool = False) -> Decoded | None:
    """`raw` as UTF-8 with its invalid sequences replaced; None if it does not look like
    UTF-8 at all (unless `sure`: a byte-order mark said so)."""
    spans = _invalid_utf8(raw, sure=sure)
    if spans is None:
        return None
    if not spans:
        return Decoded(raw, encoding, np.empty(0, np.int64))
    pieces: list[bytes] = []
    replaced: list[int] = []
    done = size = 0
    for start, end in spans:
        pieces.append(raw[done:start])
        size += start - done
        replaced.append(size)
        pieces.append(REPLACEMENT)
        size += len(REPLACEMENT)
        done = end
    pieces.append(raw[done:])
    return Decoded(b"".join(pieces), encoding, np.array(replaced, np.int64))


def _invalid_utf8(raw: bytes, *, sure: bool) -> list[tuple[int, int]] | None:
    """Spans of invalid UTF-8 in `raw`; None when invalid bytes are at least as many as
    the bytes of valid multi-byte characters: the text is in another encoding."""
    spans: list[tuple[int, int]] = []
    array = np.frombuffer(raw, np.uint8)
    view = memoryview(raw)
    position = high = bad = 0
    while True:
        try:
            codecs.utf_8_decode(view[position:], "strict", True)
        except UnicodeDecodeError as error:
            start, end = position + error.start, position + error.end
            spans.append((start, end))
            bad += end - start
            high += int(np.count_nonzero(array[position:end] >= 0x80))
            position = end
            # Many errors early on settle it, so a large legacy file is not scanned
            # error by error.
            if not sure and len(spans) >= 64 and bad * 2 >= high:
                return None
        else:
            break
    high += int(np.count_nonzero(array[position:] >= 0x80))
    if spans and not sure and bad * 2 >= high:
        return None
    return spans


def _transcode(raw: bytes, encoding: str) -> Decoded:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        text = raw.decode(encoding, errors="replace")
        data = text.encode("utf-8")
        offsets = [m.start() for m in re.finditer(re.escape(REPLACEMENT), data)]
        return Decoded(data, encoding, np.array(offsets, np.int64))
    return Decoded(text.lstrip("\ufeff").encode("utf-8"), encoding, np.empty(0, np.int64))


def _legacy_encoding(raw: bytes) -> str:
    """Windows-1252 unless the non-ASCII text cannot be read as it."""
    from charset_normalizer import from_bytes

    array = np.frombuffer(raw, np.uint8)
    high = np.flatnonzero(array >= 0x80)[:200]
    snippets = [raw[max(0, int(p) - 60) : int(p) + 60] for p in high]
    results = from_bytes(b"\n".join(snippets), cp_isolation=_LEGACY_CANDIDATES)
    if any(LEGACY_DEFAULT in match.could_be_from_charset for match in results):
        return LEGACY_DEFAULT
    best = results.best()
    return best.encoding if best is not None else LEGACY_DEFAULT
