"""MS-OVBA 2.4.1 compression and decompression (the "CompressedContainer" format).

VBA stores the ``dir`` stream and every module's source in this LZ77 variant. We write our own
so that the template can be built from source on any machine, byte for byte reproducibly.

Format recap: a signature byte ``0x01`` followed by chunks. Each chunk covers at most 4096
decompressed bytes and starts with a 16-bit header (bits 0-11: chunk size - 3, bits 12-14: ``0b011``,
bit 15: 1 = compressed). A compressed chunk is a series of token sequences: one flag byte, then up to
eight tokens, each a literal byte (flag bit 0) or a 16-bit copy token (flag bit 1). How a copy
token's bits are split between offset and length depends on how far into the chunk it sits.
"""

from __future__ import annotations

CHUNK_SIZE = 4096
"""Decompressed bytes per chunk (MS-OVBA 2.4.1.1.3)."""

_SIGNATURE = 0x01
_MAX_CHUNK_BODY = 4096  # CompressedChunkSize is at most 4098, header included
_HEADER_COMPRESSED = 0xB000  # flag bit 15 set, signature 0b011 in bits 12-14
_HEADER_RAW = 0x3FFF  # flag clear, signature 0b011, size field 4095 (= 4098 - 3)
_MIN_MATCH = 3
_MAX_CHAIN = 64  # candidates examined per position: plenty for source text, keeps it fast


def _bit_count(difference: int) -> int:
    """Offset bits of a copy token written ``difference`` bytes into a chunk (MS-OVBA 2.4.1.3.19.1).

    ``difference`` is at least 1, so ``ceil(log2(difference))`` is ``(difference - 1).bit_length()``.
    """
    return max((difference - 1).bit_length(), 4)


def _longest_match(chunk: bytes, pos: int, candidate: int, limit: int) -> int:
    """Length of the common run at ``candidate`` and ``pos``, at most ``limit``.

    Overlapping runs (candidate + length > pos) are fine: the decompressor copies byte by byte, so
    comparing against the original data gives exactly what it will produce.
    """
    length = 0
    while (
        length + 8 <= limit
        and chunk[candidate + length : candidate + length + 8] == chunk[pos + length : pos + length + 8]
    ):
        length += 8
    while length < limit and chunk[candidate + length] == chunk[pos + length]:
        length += 1
    return length


def _compress_chunk(chunk: bytes) -> bytes:
    """Token sequences for one chunk (greedy parse, 3-byte hash chains limited to this chunk)."""
    size = len(chunk)
    out = bytearray()
    head: dict[bytes, int] = {}
    prev = [-1] * size

    def remember(i: int) -> None:
        if i + _MIN_MATCH <= size:
            key = chunk[i : i + _MIN_MATCH]
            prev[i] = head.get(key, -1)
            head[key] = i

    pos = 0
    while pos < size:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= size:
                break
            best_len = 0
            best_pos = -1
            if pos + _MIN_MATCH <= size:
                bit_count = _bit_count(pos)
                limit = min((0xFFFF >> bit_count) + _MIN_MATCH, size - pos)
                candidate = head.get(chunk[pos : pos + _MIN_MATCH], -1)
                tries = _MAX_CHAIN
                while candidate >= 0 and tries:
                    # Cheap reject: a longer match must agree at the byte just past the best one.
                    if best_len == 0 or chunk[candidate + best_len] == chunk[pos + best_len]:
                        length = _longest_match(chunk, pos, candidate, limit)
                        if length > best_len:
                            best_len, best_pos = length, candidate
                            if length == limit:
                                break
                    candidate = prev[candidate]
                    tries -= 1
            if best_len >= _MIN_MATCH:
                token = ((pos - best_pos - 1) << (16 - bit_count)) | (best_len - _MIN_MATCH)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                for i in range(pos, pos + best_len):
                    remember(i)
                pos += best_len
            else:
                out.append(chunk[pos])
                remember(pos)
                pos += 1
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer.

    A chunk whose compressed form would not fit in 4096 bytes is stored raw. A raw chunk always
    holds 4096 bytes (MS-OVBA 2.4.1.3.10), so an incompressible *final* chunk longer than about
    3640 bytes gets zero padding, exactly as the spec's own algorithm does. Source text always
    compresses, so this never happens for VBA modules; ``vbaproject`` double-checks anyway.
    """
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK_SIZE):
        chunk = data[start : start + CHUNK_SIZE]
        body = _compress_chunk(chunk)
        if len(body) <= _MAX_CHUNK_BODY:
            out += (_HEADER_COMPRESSED | (len(body) + 2 - 3)).to_bytes(2, "little")
            out += body
        else:
            out += _HEADER_RAW.to_bytes(2, "little")
            out += chunk.ljust(CHUNK_SIZE, b"\x00")
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer; raise ``ValueError`` on malformed input.

    Written to agree with ``oletools.olevba.decompress_stream`` on every valid container, but
    stricter: truncated chunks, bad signatures and copy tokens pointing before the start of the
    data are errors rather than silently tolerated.
    """
    if not container or container[0] != _SIGNATURE:
        raise ValueError("not an MS-OVBA compressed container (signature byte 0x01 missing)")
    out = bytearray()
    pos = 1
    end_of_data = len(container)
    while pos < end_of_data:
        if pos + 2 > end_of_data:
            raise ValueError(f"truncated chunk header at offset {pos}")
        header = int.from_bytes(container[pos : pos + 2], "little")
        if (header >> 12) & 0b111 != 0b011:
            raise ValueError(f"bad chunk signature at offset {pos}")
        chunk_end = pos + (header & 0x0FFF) + 3
        if chunk_end > end_of_data:
            raise ValueError(f"chunk at offset {pos} runs past the end of the container")
        chunk_start = len(out)
        pos += 2
        if not header >> 15:
            if chunk_end - pos != CHUNK_SIZE:
                raise ValueError(f"raw chunk at offset {pos - 2} does not hold {CHUNK_SIZE} bytes")
            out += container[pos:chunk_end]
            pos = chunk_end
            continue
        while pos < chunk_end:
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not (flags >> bit) & 1:
                    out.append(container[pos])
                    pos += 1
                    continue
                if pos + 2 > chunk_end:
                    raise ValueError(f"truncated copy token at offset {pos}")
                token = int.from_bytes(container[pos : pos + 2], "little")
                pos += 2
                difference = len(out) - chunk_start
                if difference == 0:
                    raise ValueError(f"copy token at the start of a chunk (offset {pos - 2})")
                bit_count = _bit_count(difference)
                length = (token & (0xFFFF >> bit_count)) + 3
                source = len(out) - ((token >> (16 - bit_count)) + 1)
                if source < 0:
                    raise ValueError(f"copy token at offset {pos - 2} points before the data")
                if source + length <= len(out):
                    out += out[source : source + length]
                else:  # overlapping copy: repeats the last bytes, must go one at a time
                    for i in range(source, source + length):
                        out.append(out[i])
        if len(out) - chunk_start > CHUNK_SIZE:
            raise ValueError(f"chunk ending at offset {chunk_end} decompresses to over {CHUNK_SIZE} bytes")
    return bytes(out)
