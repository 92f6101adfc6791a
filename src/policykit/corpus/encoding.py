"""Decode the bytes of a text file and say what was done.

Rules, in order (:func:`decode_bytes`):

1. **Byte-order mark.** UTF-32 and UTF-16 (either byte order) and UTF-8 files that start with a
   byte-order mark are decoded with it; the mark is removed and the encoding is recorded as
   ``utf-32``, ``utf-16`` or ``utf-8-sig`` (the Python codecs that read such a file).
2. **UTF-8.** A file that is valid UTF-8 is UTF-8.
3. **Mostly UTF-8.** A file with at least as many valid multi-byte UTF-8 characters as invalid
   bytes is UTF-8 with a few stray bytes from another encoding (typically Windows-1252 text
   pasted into a UTF-8 file). Up to :data:`MIXED_MAX_BAD_BYTES` such bytes (or one per
   :data:`MIXED_BYTES_PER_BAD` bytes of a large file) are decoded one by one as cp1252; the
   encoding is recorded as ``utf-8+cp1252`` and :class:`DecodeResult.note` names every byte
   by character offset (into the decoded text) and byte offset (into the file). More bad bytes
   than that are refused with the fix: the file mixes encodings and no single reading is right.
4. **Legacy encodings.** Otherwise GB18030 (only when the text looks Chinese, see
   :func:`looks_chinese`) and then cp1252, as before.

The decoded text never gains or loses characters relative to the bytes' meaning: each invalid
byte becomes exactly one character, so the offsets reported are those of ``Corpus.raw``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from policykit.errors import InputError

#: Text encodings tried in order for files without a byte-order mark.
TEXT_ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "gb18030", "cp1252")
#: Byte-order marks, longest first (the UTF-32-LE mark starts with the UTF-16-LE one).
BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xfe\xff", "utf-16"), (b"\xff\xfe", "utf-16"),
)
#: At most this many invalid bytes are repaired in a mostly-UTF-8 file ...
MIXED_MAX_BAD_BYTES = 20
#: ... or one invalid byte per this many bytes of a larger file.
MIXED_BYTES_PER_BAD = 10_000
#: The encoding recorded for a UTF-8 file whose few invalid bytes were read as cp1252.
MIXED_ENCODING = "utf-8+cp1252"

_SUPPORTED_LIST = ".txt, .md, .html/.htm, .pdf, .docx"
_ESCAPED = re.compile("[\udc80-\udcff]")


class MixedEncodingWarning(UserWarning):
    """A text file was decoded as UTF-8 although some of its bytes are not UTF-8."""


@dataclass(frozen=True)
class DecodeResult:
    """Decoded text, the encoding used, and what had to be repaired.

    Attributes
    ----------
    text : str
        The decoded text (byte-order mark removed).
    encoding : str
        ``utf-8``, ``utf-8-sig``, ``utf-16``, ``utf-32``, ``utf-8+cp1252``, ``gb18030`` or ``cp1252``.
    note : str or None
        For ``utf-8+cp1252``: which bytes were not UTF-8, where, and how they were read.
    bad_offsets : tuple of int
        Character offsets (into ``text``) of the repaired bytes.
    """

    text: str
    encoding: str
    note: str | None = None
    bad_offsets: tuple[int, ...] = ()


def looks_chinese(text: str) -> bool:
    """True when the non-ASCII characters of ``text`` are mostly common GB2312 characters.

    Real Chinese text in GBK/GB18030 uses GB2312 characters almost exclusively; cp1252 bytes
    misread as GB18030 mostly produce rare GBK-only characters (an accented letter followed by
    an ASCII letter forms a pair whose second byte is below 0xA1, outside GB2312).
    """
    non_ascii = [c for c in text[:200000] if ord(c) > 127][:5000]
    if not non_ascii:
        return True
    common = 0
    for c in non_ascii:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(non_ascii) >= 0.8


def _control_share(text: str) -> float:
    """Share of characters that are control characters other than ordinary whitespace."""
    if not text:
        return 0.0
    sample = text[:20000]
    bad = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    return bad / len(sample)


def _looks_utf16(data: bytes) -> bool:
    """True when ``data`` reads as UTF-16 text without a byte-order mark (NUL every other byte)."""
    sample = data[:4000]
    if len(sample) < 16:
        return False
    half = len(sample) // 2
    for nul_at, codec in ((1, "utf-16-le"), (0, "utf-16-be")):
        if sample[nul_at::2].count(0) >= 0.9 * half and sample[1 - nul_at::2].count(0) <= 0.1 * half:
            try:
                text = sample[: 2 * half].decode(codec)
            except UnicodeDecodeError:
                continue
            if _control_share(text) <= 0.01:
                return True
    return False


def _binary_error(path, data: bytes) -> InputError:
    if _looks_utf16(data):
        return InputError(path, "the file looks like UTF-16 text without a byte-order mark "
                          "(every other byte is NUL), which cannot be read unambiguously",
                          "re-save it as UTF-8 (e.g. `iconv -f UTF-16LE -t UTF-8 in.txt > out.txt`), "
                          "or as UTF-16 with a byte-order mark")
    return InputError(path, "the file looks binary (it contains NUL bytes), not text",
                      f"pass a text document ({_SUPPORTED_LIST}), or convert it to plain text first")


def _repair_mixed(escaped: str, path) -> DecodeResult:
    """Decode each escaped (invalid) byte of a mostly-UTF-8 text as cp1252."""
    chars = list(escaped)
    positions = [m.start() for m in _ESCAPED.finditer(escaped)]
    described = []
    for pos in positions:
        byte = ord(chars[pos]) - 0xDC00
        try:
            ch = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            ch = "\ufffd"
        chars[pos] = ch
        described.append((pos, byte, ch))
    text = "".join(chars)
    parts = []
    for pos, byte, ch in described[:10]:
        boff = len(escaped[:pos].encode("utf-8", "surrogateescape"))
        parts.append(f"character {pos} (byte {boff}: 0x{byte:02X} read as {ch!r})")
    more = f" and {len(described) - 10} more" if len(described) > 10 else ""
    note = (f"{len(described)} byte(s) are not valid UTF-8 and were read as cp1252: "
            f"{', '.join(parts)}{more}")
    return DecodeResult(text, MIXED_ENCODING, note, tuple(positions))


def decode_bytes_detailed(data: bytes, path: str | Path | None = None) -> DecodeResult:
    """Decode the bytes of a text file (see the module docstring for the rules).

    Parameters
    ----------
    data : bytes
        The file's bytes.
    path : str or Path, optional
        The file (named in errors and warnings).

    Returns
    -------
    DecodeResult

    Raises
    ------
    InputError
        If the bytes are empty, look binary (NUL bytes, control characters), are UTF-16
        without a byte-order mark, mix UTF-8 with too many invalid bytes, or decode in none of
        the encodings.
    """
    if not data.strip():
        raise InputError(path, "the file is empty (no text to read)",
                         "remove it from the inputs, or check that it was saved/exported completely")
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(path, f"the file starts with a {codec.upper()} byte-order mark but is not "
                                 f"valid {codec.upper()} (byte {exc.start})",
                                 "re-save it as UTF-8 from the program that made it") from None
            text = text.lstrip("\ufeff") if codec != "utf-8-sig" else text
            return _checked(DecodeResult(text, codec), path)
    if b"\x00" in data:
        raise _binary_error(path, data)
    try:
        return _checked(DecodeResult(data.decode("utf-8"), "utf-8"), path)
    except UnicodeDecodeError:
        pass
    escaped = data.decode("utf-8", "surrogateescape")
    n_bad = len(_ESCAPED.findall(escaped))
    n_valid = sum(1 for c in escaped if ord(c) > 127) - n_bad
    if n_valid >= n_bad:
        limit = max(MIXED_MAX_BAD_BYTES, len(data) // MIXED_BYTES_PER_BAD)
        if n_bad > limit:
            first = [m.start() for m in _ESCAPED.finditer(escaped)][:5]
            raise InputError(path, f"the file is mostly UTF-8 ({n_valid} valid non-ASCII characters) but "
                             f"{n_bad} bytes are not valid UTF-8 (first at character offsets "
                             f"{', '.join(map(str, first))}): it mixes encodings, and no single reading is right",
                             "convert the parts written in another encoding to UTF-8 and save the file "
                             "as UTF-8 (or drop the bad bytes: `iconv -c -f UTF-8 -t UTF-8 in.txt > out.txt`)")
        return _checked(_repair_mixed(escaped, path), path)
    fallback: DecodeResult | None = None
    for enc in ("gb18030", "cp1252"):
        try:
            decoded = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "gb18030" and not looks_chinese(decoded):
            fallback = DecodeResult(decoded, enc)  # use only if cp1252 fails too
            continue
        return _checked(DecodeResult(decoded, enc), path)
    if fallback is not None:
        return _checked(fallback, path)
    raise InputError(path, "the bytes are not text in UTF-8, GB18030 or cp1252 (binary or unknown encoding)",
                     "convert the file to UTF-8 text (e.g. `iconv -f <encoding> -t UTF-8`), "
                     f"or pass a supported document ({_SUPPORTED_LIST})")


def _checked(res: DecodeResult, path) -> DecodeResult:
    if _control_share(res.text) > 0.01:
        raise InputError(path, f"the file looks binary (control characters after decoding as {res.encoding}), not text",
                         f"pass a text document ({_SUPPORTED_LIST}), or convert it to plain text first")
    if not res.text.strip():
        raise InputError(path, "the file is empty (only whitespace)",
                         "remove it from the inputs, or check that it was saved/exported completely")
    return res


def decode_bytes(data: bytes, path: str | Path | None = None) -> tuple[str, str]:
    """Decode the bytes of a text file: ``(text, encoding)``.

    Like :func:`decode_bytes_detailed`; a mostly-UTF-8 file's repair is announced with a
    :class:`MixedEncodingWarning` naming the file and the bytes.
    """
    res = decode_bytes_detailed(data, path)
    if res.note:
        warn_mixed(path, res.note)
    return res.text, res.encoding


def warn_mixed(path, note: str) -> None:
    """Warn that ``path`` was decoded as UTF-8 with some bytes read as cp1252."""
    import warnings

    warnings.warn(f"{path}: decoded as UTF-8, but {note}. Check these characters; re-save the file "
                  "as UTF-8 to silence this warning.", MixedEncodingWarning, stacklevel=3)
