"""Bytes → str, robustly: BOMs, UTF-16/32 without BOM, legacy charsets, binary.

Order matters for speed and for correctness:

1. a BOM decides (UTF-8/16/32);
2. a NUL pattern on one byte parity means UTF-16 (or UTF-32) without BOM;
3. magic numbers and control bytes mean binary (a single stray NUL does not);
4. valid UTF-8 is taken as is (the fast path: one C-speed decode, no detection);
5. *mostly* valid UTF-8 is decoded with replacement and the count is noted;
6. a declared charset (HTML meta) is used when the bytes do not contradict it;
7. otherwise charset-normalizer guesses from a bounded sample, and the guess is checked
   by decoding the whole input.

Rejections are values (``Decoded.status``), never exceptions.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

REPLACEMENT = "\ufffd"

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Strong signatures: these bytes never start a text file.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"\x7fELF", "ELF executable"),
    (b"\xca\xfe\xba\xbe", "Java class or Mach-O binary"),
    (b"\xcf\xfa\xed\xfe", "Mach-O binary"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x1a\x45\xdf\xa3", "Matroska/WebM media"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\x00asm", "WebAssembly module"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office (OLE) document"),
)
# Weak signatures are ASCII; they count only when control bytes follow soon.
_WEAK_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"OggS", "Ogg media"),
    (b"fLaC", "FLAC audio"),
    (b"ID3", "MP3 audio"),
    (b"RIFF", "RIFF media"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
    (b"BZh", "bzip2 archive"),
    (b"MZ", "Windows executable"),
)

# C0 controls that do not occur in text. Tab, LF, VT, FF, CR, SUB (the DOS end-of-file
# mark) and ESC (terminal colours) are allowed.
_CONTROL = bytes([*range(0, 9), *range(14, 26), *range(28, 32), 127])
_TEXT_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")

# Detected encodings that have a strict superset decoding the same bytes the same way
# and more (GB2312 text often holds GBK/GB18030 characters; HTML treats latin-1 as cp1252).
# Keys are ``codecs.lookup`` names, as ``codec_name`` returns them.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "iso8859-1": "cp1252",
    "ascii": "utf-8",
}
_UTF8_NAMES = {"utf-8", "ascii", "utf-8-sig"}
_MAX_CANDIDATES = 3


@dataclass(slots=True)
class Decoded:
    """The outcome of decoding: ``text`` and ``encoding``, or a ``dropped:`` status."""

    text: str = ""
    encoding: str = ""
    notes: list[str] = field(default_factory=list)
    status: str | None = None


NOT_CHARSETS = frozenset({
    "unicode-escape", "raw-unicode-escape", "punycode", "idna", "utf-7", "undefined",
    "unicode-internal", "palmos", "mbcs", "oem",
})


def codec_name(label: str | None) -> str | None:
    """The Python codec name for a charset label (``Windows-1251`` → ``cp1251``)."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("x-user-defined", "unicode"):  # HTML oddities, not real byte encodings
        return None
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    # A page's charset is data, not an instruction: only real text encodings count, never
    # Python's transform codecs (unicode_escape turns scraped "\\n" into newlines).
    if not getattr(info, "_is_text_encoding", True) or info.name in NOT_CHARSETS:
        return None
    return info.name


def _replaced(text: str, data: bytes, encoding: str) -> int:
    """How many U+FFFD a replacing decode inserted (not counting ones already there)."""
    n = text.count(REPLACEMENT)
    if n and encoding.startswith("utf"):
        n -= data.count(REPLACEMENT.encode(encoding.replace("-sig", "")))
    return max(n, 0)


def _decode_replacing(data: bytes, encoding: str, notes: list[str]) -> str:
    text = data.decode(encoding, "replace")
    if bad := _replaced(text, data, encoding):
        notes.append(f"replaced {bad} undecodable byte sequences with U+FFFD")
    return text


def _sample(data: bytes, size: int) -> bytes:
    """A bounded sample for statistics: head, middle and tail, cut at line breaks."""
    if len(data) <= size:
        return data
    part = size // 4
    pieces = [data[: 2 * part]]
    for start in (len(data) // 2, len(data) - part):
        piece = data[start : start + part]
        cut = piece.find(b"\n")
        pieces.append(piece[cut + 1 :] if 0 <= cut < part // 2 else piece)
    head = pieces[0]
    cut = head.rfind(b"\n")
    if cut > part:
        pieces[0] = head[: cut + 1]
    return b"\n".join(pieces)


def binary_reason(head: bytes, sample: bytes | None = None) -> str | None:
    """Why these bytes are not text (magic number, control bytes), or ``None``."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if head[4:8] == b"ftyp":
        return "MP4/QuickTime media"
    if head[257:262] == b"ustar":
        return "tar archive"
    for magic, what in _WEAK_MAGIC:
        if head.startswith(magic) and len(head[:64].translate(None, _CONTROL)) < len(head[:64]):
            return what
    sample = head if sample is None else sample
    ctrl = len(sample) - len(sample.translate(None, _CONTROL))
    if ctrl > max(2, len(sample) // 100):
        return f"{ctrl} control bytes in {len(sample)}"
    return None


def _wide_encoding(head: bytes) -> str | None:
    """UTF-16/32 without BOM, told by where the NUL bytes fall (ASCII, spaces, digits)."""
    n = len(head) - len(head) % 4
    if n < 8:
        return None
    head = head[:n]
    quarter = n // 4
    z = [head[i::4].count(0) for i in range(4)]
    if z[3] == quarter and z[2] >= quarter * 0.9 and z[0] < quarter * 0.5:
        return "utf-32-le"
    if z[0] == quarter and z[1] >= quarter * 0.9 and z[3] < quarter * 0.5:
        return "utf-32-be"
    half = n // 2
    even, odd = z[0] + z[2], z[1] + z[3]
    if odd >= max(4, half * 0.05) and even <= odd * 0.1:
        return "utf-16-le"
    if even >= max(4, half * 0.05) and odd <= even * 0.1:
        return "utf-16-be"
    return None


def _plausible(text: str) -> bool:
    """Decoded text that is mostly printable (used to confirm a structural guess)."""
    sample = text[:4096]
    if not sample:
        return True
    bad = len(_TEXT_CONTROL_RE.findall(sample)) + sample.count(REPLACEMENT)
    bad += sum(1 for c in sample if 0xD800 <= ord(c) <= 0xDFFF or 0xE000 <= ord(c) <= 0xF8FF)
    return bad <= len(sample) * 0.05


def _mostly_utf8(data: bytes) -> bool:
    """Valid UTF-8 multibyte characters far outnumber the invalid sequences."""
    text = data.decode("utf-8", "replace")
    bad = _replaced(text, data, "utf-8")
    if bad == 0:
        return True
    multibyte_extra = len(text.encode("utf-8", "surrogatepass")) - len(text) - 2 * bad
    return multibyte_extra >= 8 * bad


def _contradicted(sample: bytes, encoding: str) -> str | None:
    """A better encoding for *sample* than the declared one, when the bytes say so."""
    matches = from_bytes(sample)
    best = matches.best()
    if best is None or codec_name(best.encoding) == encoding:
        return None
    declared_text = sample.decode(encoding, "replace")
    guessed_text = sample.decode(best.encoding, "replace")
    if declared_text == guessed_text:
        return None
    if mess_ratio(declared_text, 1.0) > mess_ratio(guessed_text, 1.0) + 0.1:
        return codec_name(best.encoding)
    return None


def decode(
    data: bytes,
    *,
    declared: str | None = None,
    forced: str | None = None,
    detect_bytes: int = 65536,
) -> Decoded:
    """Decode *data*; *declared* is a charset label found in the document (HTML meta)."""
    if not data:
        return Decoded(status="dropped:empty")
    notes: list[str] = []
    if forced:
        return Decoded(_decode_replacing(data, forced, notes), codec_name(forced) or forced, notes)

    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = _decode_replacing(data[len(bom) :], encoding, notes)
            return Decoded(text, encoding, [f"{encoding} byte order mark", *notes])

    head = data[:detect_bytes]
    wide = _wide_encoding(head)
    if wide:
        text = _decode_replacing(data, wide, notes)
        if _plausible(text):
            return Decoded(text, wide, [f"{wide} without byte order mark", *notes])
        notes.clear()

    sample = _sample(data, detect_bytes)
    why = binary_reason(head, sample)
    if why:
        return Decoded(status="dropped:binary", notes=[why])

    declared_codec = codec_name(declared)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared_codec and declared_codec not in _UTF8_NAMES and not text.isascii():
            notes.append(f"declared charset {declared!r} but the bytes are UTF-8")
        return Decoded(text, "utf-8", notes)

    if _mostly_utf8(sample) and _mostly_utf8(data):
        text = _decode_replacing(data, "utf-8", notes)
        return Decoded(text, "utf-8", notes)

    if declared_codec and declared_codec not in _UTF8_NAMES:
        for codec in dict.fromkeys(
            (_SUPERSETS.get(declared_codec, declared_codec), declared_codec)
        ):
            try:
                text = data.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
            if _contradicted(sample, codec) is None:
                return Decoded(text, codec, notes)
            notes.append(f"declared charset {declared!r} contradicted by the bytes")
            break
        else:
            notes.append(f"declared charset {declared!r} does not fit the bytes")
    elif declared_codec:
        notes.append(f"declared charset {declared!r} but the bytes are not UTF-8")
    return _mixed(data, detect_bytes, notes) or _detect(data, sample, notes)


def _mixed(data: bytes, detect_bytes: int, notes: list[str]) -> Decoded | None:
    """Lines in UTF-8 and lines in one legacy encoding (concatenated files, mail digests).

    Applies only when some lines are valid UTF-8 with non-ASCII characters (so they are
    really UTF-8) and the others fit one detected legacy encoding without errors.
    """
    lines = data.splitlines(keepends=True)
    invalid: list[bytes] = []
    utf8_lines = 0
    for line in lines:
        try:
            utf8_lines += not line.decode("utf-8").isascii()
        except UnicodeDecodeError:
            invalid.append(line)
    if not utf8_lines or not invalid:
        return None
    best = from_bytes(b"".join(invalid)[:detect_bytes]).best()
    legacy = codec_name(best.encoding) if best is not None else None
    if legacy is None or legacy in _UTF8_NAMES:
        return None
    legacy = _SUPERSETS.get(legacy, legacy)
    try:
        legacy_text = {line: line.decode(legacy) for line in invalid}
    except UnicodeDecodeError:
        return None
    parts = [legacy_text[line] if line in legacy_text else line.decode("utf-8") for line in lines]
    note = f"mixed encodings: {len(invalid)} lines decoded as {legacy}, the others as UTF-8"
    return Decoded("".join(parts), f"utf-8+{legacy}", [*notes, note])


def _detect(data: bytes, sample: bytes, notes: list[str]) -> Decoded:
    candidates: list[str] = []
    for match in from_bytes(sample):
        name = codec_name(match.encoding)
        if name is None:
            continue
        for candidate in (_SUPERSETS.get(name), name):
            if candidate and candidate not in candidates:
                candidates.append(candidate)
        if len(candidates) >= _MAX_CANDIDATES:
            break
    best: tuple[int, str, str] | None = None
    for encoding in candidates:
        text = data.decode(encoding, "replace")
        bad = _replaced(text, data, encoding)
        if bad == 0:
            if not _plausible(text):
                return Decoded(status="dropped:binary", notes=[*notes, "decodes to control bytes"])
            return Decoded(text, encoding, [*notes, f"detected {encoding}"])
        if best is None or bad < best[0]:
            best = (bad, encoding, text)
    # Text-like bytes that no single encoding fits cleanly (a file mixing two encodings):
    # keep the best reading, with the damage counted, rather than lose the whole input.
    if best is not None and best[0] <= max(1, len(data) // 20) and _plausible(best[2]):
        bad, encoding, text = best
        return Decoded(
            text,
            encoding,
            [*notes, f"detected {encoding}", f"replaced {bad} undecodable byte sequences"],
        )
    return Decoded(status="dropped:undecodable", notes=[*notes, "no text encoding fits the bytes"])
