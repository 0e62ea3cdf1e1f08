"""Test-side access to LibreOffice: inspect workbooks and render sheets/documents to PNG.

Why a subprocess: the project's virtualenv Python cannot ``import uno`` (Debian ships the bridge only
for its own ``/usr/bin/python3``), so every call runs ``lo_uno_script.py`` under the system Python.
That script starts a private headless soffice for the call and always stops it again; this module adds
a hard timeout on top, works on copies of the inputs (LibreOffice would otherwise drop lock files next
to them) and turns failures into :class:`LibreOfficeError` carrying LibreOffice's own output.

Packages needed on the machine: see ``.ci/apt-packages.txt``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SYSTEM_PYTHON = Path(os.environ.get("XL_GONGKAI_UNO_PYTHON", "/usr/bin/python3"))
UNO_SCRIPT = Path(__file__).with_name("lo_uno_script.py")
DEFAULT_TIMEOUT = 120.0
# Grace period between the script's own deadline and our hard kill of its whole process group.
_KILL_GRACE = 20.0
_INSTALL_HINT = "install the Debian packages listed in .ci/apt-packages.txt"


class LibreOfficeError(RuntimeError):
    """LibreOffice (or the UNO bridge, or pdftoppm) failed; the message carries their output."""


def check_environment() -> None:
    """Fail loudly, with the fix, when the system lacks LibreOffice, its Python bridge or poppler."""
    if not SYSTEM_PYTHON.exists():
        raise LibreOfficeError(f"{SYSTEM_PYTHON} not found; {_INSTALL_HINT}")
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-I", "-c", "import uno"],
        capture_output=True,
        text=True,
        env=_clean_env(),
        check=False,
    )
    if probe.returncode != 0:
        raise LibreOfficeError(f"{SYSTEM_PYTHON} cannot import uno ({probe.stderr.strip()}); {_INSTALL_HINT}")
    for tool in ("pdftoppm", "pdfinfo"):
        if shutil.which(tool) is None:
            raise LibreOfficeError(f"{tool} not found; {_INSTALL_HINT}")


def _clean_env() -> dict[str, str]:
    """The venv's variables must not leak into Debian's Python or into soffice's embedded Python."""
    drop = {"VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONUSERBASE"}
    return {k: v for k, v in os.environ.items() if k not in drop}


# What soffice prints when it dies of its own accord (an abort in its main loop, the UNO bridge gone mid-call):
# a crash of LibreOffice, which stands in for Excel here, not a finding about the file or macro under test.
_OFFICE_CRASHED = ("Fatal exception: Signal", "Binary URP bridge disposed during call")


def _run_uno(command: str, args: dict[str, Any], work: Path, timeout: float, source: Path,
             undo: Callable[[], None] | None = None) -> dict[str, Any]:
    """Run one script command; errors name ``source`` (the caller's file), not the staged copy.

    LibreOffice on a busy machine now and then aborts in the middle of a long Basic run (seen in the ribbon
    flow's macro, which starts processes through Shell): such a crash is retried once, in a fresh profile
    and after ``undo``, and a second crash fails the test with both reports. Any other failure — an error the
    script reports, a wrong result, a timeout — fails at once.
    """
    try:
        return _run_uno_once(command, args, work, timeout, source, attempt=1)
    except LibreOfficeError as exc:
        if not any(sign in str(exc) for sign in _OFFICE_CRASHED):
            raise
        for lock in work.rglob(".~lock.*#"):  # left by the crashed soffice: the next one would refuse the file
            lock.unlink()
        if undo is not None:
            undo()
        try:
            return _run_uno_once(command, args, work, timeout, source, attempt=2)
        except LibreOfficeError as again:
            raise LibreOfficeError(f"{again}\n--- the first run crashed too ---\n{exc}") from None


def _run_uno_once(command: str, args: dict[str, Any], work: Path, timeout: float, source: Path,
                  attempt: int) -> dict[str, Any]:
    if not SYSTEM_PYTHON.exists():
        raise LibreOfficeError(f"{SYSTEM_PYTHON} not found; {_INSTALL_HINT}")
    result_path = work / f"result-{attempt}.json"
    office_dir = work / f"office-{attempt}"
    office_dir.mkdir()
    cmd = [
        str(SYSTEM_PYTHON),
        "-I",
        str(UNO_SCRIPT),
        command,
        json.dumps(args, ensure_ascii=False),
        str(result_path),
        str(office_dir),
        str(timeout),
    ]
    # A new session makes the script a process-group leader; soffice (oosplash + soffice.bin) joins
    # that group, so one killpg by the script's pid takes everything down if the script hangs.
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_clean_env(),
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout + _KILL_GRACE)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        stdout, stderr = proc.communicate()
        raise LibreOfficeError(
            f"LibreOffice {command} of {source} exceeded {timeout + _KILL_GRACE:.0f}s and was killed\n"
            f"{_tail(stderr)}\n{_tail(_read(office_dir / 'soffice.log'))}"
        ) from None
    if proc.returncode < 0:  # killed by a signal: its own cleanup never ran
        _kill_group(proc.pid)
    try:
        payload = json.loads(result_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise LibreOfficeError(
            f"LibreOffice {command} of {source} produced no result (exit code {proc.returncode})\n"
            f"--- stdout ---\n{_tail(stdout)}\n--- stderr ---\n{_tail(stderr)}\n"
            f"--- soffice ---\n{_tail(_read(office_dir / 'soffice.log'))}"
        ) from None
    if not payload.get("ok"):
        raise LibreOfficeError(
            f"LibreOffice {command} of {source} failed: {payload.get('error')}\n"
            f"{payload.get('traceback', '')}"
            f"--- soffice ---\n{_tail(payload.get('soffice_log', ''))}\n--- stderr ---\n{_tail(stderr)}"
        )
    return payload["result"]


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _tail(data: bytes | str, limit: int = 4000) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return text[-limit:]


def _staged_copy(path: Path, workdir: Path) -> Path:
    """Copy the input so LibreOffice's lock and backup files never appear beside the caller's file."""
    src = Path(path)
    if not src.is_file():
        raise LibreOfficeError(f"no such file: {src}")
    stage = workdir / "input"
    stage.mkdir()
    dst = stage / src.name
    shutil.copyfile(src, dst)
    return dst


# --------------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------------


def inspect_workbook(path: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """What LibreOffice sees in a workbook once loaded (macros kept, never executed).

    Keys: ``sheets`` [{name, visible, protected, code_name}], ``workbook_protected`` (structure),
    ``workbook_code_name``, ``named_ranges`` {name: content}, ``sheet_named_ranges`` {sheet: {..}},
    ``basic`` {library: {module: source}}, ``basic_info`` (VBA mode, project name, module types),
    and per sheet name: ``cells`` {A1: {type, string, value, formula?, locked, hidden_formula,
    validation}}, ``merged`` [A1 ranges], ``validations`` [{range, ...}], ``conditional_formats``
    [{ranges, entries}], ``used_area``, ``scanned_area``, ``print_areas``, ``page_setup``.
    ``filter`` is the import filter LibreOffice picked.
    """
    with tempfile.TemporaryDirectory(prefix="xlgk-lo-") as tmp:
        work = Path(tmp)
        staged = _staged_copy(Path(path), work)
        return _run_uno("inspect", {"path": str(staged)}, work, timeout, Path(path))


def run_basic(
    path: str | os.PathLike[str],
    calls: list[list[Any]],
    *,
    remove: tuple[str, ...] = (),
    add: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    undo: Callable[[], None] | None = None,
) -> list[Any]:
    """Run macros of a copy of the workbook in LibreOffice Basic; what each call returned.

    ``remove`` modules LibreOffice cannot compile, ``add`` modules ({name: source}), ``env`` variables the
    office process has (what ``Environ`` returns in a macro). See ``cmd_run_basic`` in lo_uno_script.py.
    ``undo`` clears what the macros leave outside the copy (a log folder) before a run that LibreOffice's
    own crash made the harness repeat (``_run_uno``).
    """
    with tempfile.TemporaryDirectory(prefix="xlgk-lo-") as tmp:
        work = Path(tmp)
        staged = _staged_copy(Path(path), work)
        args = {"path": str(staged), "calls": calls, "remove": list(remove), "add": add or {},
                "office_env": env or {}}
        return list(_run_uno("run_basic", args, work, timeout, Path(path), undo=undo)["returned"])


def export_sheet_pdf(
    path: str | os.PathLike[str],
    sheet_name: str,
    out_pdf: str | os.PathLike[str],
    timeout: float = DEFAULT_TIMEOUT,
) -> Path:
    """Export one sheet to PDF with its own page style (paper, orientation, fit-to-pages, print area)."""
    out = Path(out_pdf).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlgk-lo-") as tmp:
        work = Path(tmp)
        staged = _staged_copy(Path(path), work)
        tmp_pdf = work / "sheet.pdf"
        args = {"path": str(staged), "sheet": sheet_name, "out_pdf": str(tmp_pdf)}
        _run_uno("export_sheet_pdf", args, work, timeout, Path(path))
        if not tmp_pdf.is_file() or tmp_pdf.stat().st_size == 0:
            raise LibreOfficeError(f"LibreOffice wrote no PDF for sheet {sheet_name!r} of {path}")
        shutil.move(str(tmp_pdf), out)
    return out


def render_sheet_png(
    path: str | os.PathLike[str],
    sheet_name: str,
    out_png: str | os.PathLike[str],
    dpi: int = 110,
    timeout: float = DEFAULT_TIMEOUT,
) -> Path:
    """Render the first printed page of one sheet to ``out_png`` (the input file is left untouched)."""
    out = Path(out_png).resolve()
    if out.suffix.lower() != ".png":
        raise ValueError(f"out_png must end in .png: {out}")
    with tempfile.TemporaryDirectory(prefix="xlgk-pdf-") as tmp:
        pdf = export_sheet_pdf(path, sheet_name, Path(tmp) / "sheet.pdf", timeout=timeout)
        _pdftoppm(pdf, out, page=1, dpi=dpi)
    return out


def convert_to_pdf(
    path: str | os.PathLike[str], outdir: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT
) -> Path:
    """Convert any document LibreOffice opens (.xlsx/.xlsm, .docx, ...) to ``outdir/<stem>.pdf``."""
    src = Path(path)
    out_dir = Path(outdir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{src.stem}.pdf"
    with tempfile.TemporaryDirectory(prefix="xlgk-lo-") as tmp:
        work = Path(tmp)
        staged = _staged_copy(src, work)
        tmp_pdf = work / "out.pdf"
        _run_uno("convert_to_pdf", {"path": str(staged), "out_pdf": str(tmp_pdf)}, work, timeout, src)
        if not tmp_pdf.is_file() or tmp_pdf.stat().st_size == 0:
            raise LibreOfficeError(f"LibreOffice wrote no PDF for {src}")
        shutil.move(str(tmp_pdf), out)
    return out


def save_word_as_libreoffice(
    path: str | os.PathLike[str], out: str | os.PathLike[str], old: str | None = None, new: str = "",
    timeout: float = DEFAULT_TIMEOUT,
) -> Path:
    """Open a Word document in LibreOffice Writer, type ``new`` over the one table cell that reads ``old`` (when
    given), and save it as .docx to ``out``: a clerk's edit, made by a real word processor."""
    src = Path(path)
    target = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="xlgk-lo-") as tmp:
        work = Path(tmp)
        staged = _staged_copy(src, work)
        saved = work / "saved.docx"
        _run_uno("edit_text_cell", {"path": str(staged), "old": old, "new": new, "out": str(saved)}, work, timeout,
                 src)
        shutil.move(str(saved), target)
    return target


def pdf_page_count(pdf: str | os.PathLike[str]) -> int:
    proc = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False, timeout=60)
    if proc.returncode != 0:
        raise LibreOfficeError(f"pdfinfo failed on {pdf}: {proc.stderr.strip()}")
    for line in proc.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split(":", 1)[1])
    raise LibreOfficeError(f"pdfinfo reported no page count for {pdf}")


def pdf_to_pngs(
    pdf: str | os.PathLike[str],
    out_prefix: str | os.PathLike[str],
    first: int = 1,
    last: int = 2,
    dpi: int = 110,
) -> list[Path]:
    """Render pages ``first..last`` (clamped to the page count) to ``<out_prefix>-<n>.png``.

    Why one pdftoppm run per page: its own multi-page naming zero-pads by the page count, which
    makes the file names depend on the document length.
    """
    pages = pdf_page_count(pdf)
    prefix = Path(out_prefix).resolve()
    prefix.parent.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for page in range(max(1, first), min(last, pages) + 1):
        target = prefix.parent / f"{prefix.name}-{page}.png"
        _pdftoppm(Path(pdf), target, page=page, dpi=dpi)
        out.append(target)
    return out


def _pdftoppm(pdf: Path, out_png: Path, page: int, dpi: int) -> None:
    out_png.parent.mkdir(parents=True, exist_ok=True)
    stem = out_png.with_suffix("")  # pdftoppm -singlefile appends ".png" itself
    pages = ["-f", str(page), "-l", str(page), "-singlefile"]
    cmd = ["pdftoppm", "-png", "-r", str(dpi), *pages, str(pdf), str(stem)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    except FileNotFoundError:
        raise LibreOfficeError(f"pdftoppm not found; {_INSTALL_HINT}") from None
    if proc.returncode != 0 or not out_png.is_file():
        raise LibreOfficeError(f"pdftoppm failed ({proc.returncode}) on {pdf}: {proc.stderr.strip()}")


# --------------------------------------------------------------------------------------------------
# PNG reading, so tests can check renders without Pillow
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PngImage:
    width: int
    height: int
    channels: int
    rows: list[bytes]  # unfiltered scanlines, ``width * channels`` bytes each (8-bit samples)

    def pixel(self, x: int, y: int) -> tuple[int, ...]:
        i = x * self.channels
        return tuple(self.rows[y][i : i + self.channels])

    def distinct_colours(self, limit: int = 4096) -> int:
        """Distinct pixel values (counting stops at ``limit``): 1 means a flat, empty-looking page."""
        seen: set[bytes] = set()
        ch = self.channels
        for row in self.rows:
            for i in range(0, len(row), ch):
                seen.add(row[i : i + ch])
            if len(seen) >= limit:
                return limit
        return len(seen)

    def ink_fraction(self, threshold: int = 200) -> float:
        """Share of pixels darker than ``threshold`` in every colour channel (text, borders)."""
        dark = 0
        ch = min(self.channels, 3)
        step = self.channels
        for row in self.rows:
            for i in range(0, len(row), step):
                if max(row[i : i + ch]) < threshold:
                    dark += 1
        return dark / (self.width * self.height)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def read_png(path: str | os.PathLike[str]) -> PngImage:
    """Decode an 8-bit, non-interlaced PNG (what pdftoppm writes) into raw scanlines."""
    data = Path(path).read_bytes()
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError(f"{path} is not a PNG")
    pos = len(PNG_SIGNATURE)
    idat = bytearray()
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _comp, _filt, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in _CHANNELS or interlace:
                kind_desc = f"depth {depth}, colour type {colour}, interlace {interlace}"
                raise ValueError(f"{path}: unsupported PNG ({kind_desc})")
            channels = _CHANNELS[colour]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        ftype = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(ftype, line, prev, channels)
        rows.append(bytes(line))
        prev = line
    return PngImage(width, height, channels, rows)


def _unfilter(ftype: int, line: bytearray, prev: bytearray, bpp: int) -> None:
    n = len(line)
    if ftype == 0:
        return
    if ftype == 1:
        for i in range(bpp, n):
            line[i] = (line[i] + line[i - bpp]) & 0xFF
    elif ftype == 2:
        for i in range(n):
            line[i] = (line[i] + prev[i]) & 0xFF
    elif ftype == 3:
        for i in range(n):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
    elif ftype == 4:
        for i in range(n):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[i] = (line[i] + pred) & 0xFF
    else:
        raise ValueError(f"bad PNG filter type {ftype}")
