"""The audit's bookkeeping, on disk: the files of the folder in order, the reports that pair up (the same agency
and year twice, the year before), and what pairing adds to each file — so that the parent process keeps
nothing per file in memory, whatever the number of files (a national audit has hundreds of thousands).

An SQLite database in the audit's private working folder (the standard library's ``sqlite3``), with a small
page cache: it answers "which groups have more than one report", "which reports have one of the year before"
and "what was added to file 123" without a Python object per file. It lives and goes with the working folder.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CACHE_KB = 1024  # SQLite's page cache: the ledger of 150 000 files is tens of MB on disk, read in order
_SCHEMA = """
CREATE TABLE files(key BLOB, path BLOB);
CREATE TABLE reports(seq INTEGER PRIMARY KEY, akey TEXT, year INTEGER, path BLOB, name BLOB, agency TEXT,
                     errors INTEGER, content TEXT, at INTEGER);
CREATE TABLE extras(seq INTEGER, ord INTEGER, findings TEXT, counts TEXT);
CREATE TABLE previous(seq INTEGER PRIMARY KEY, why TEXT);
CREATE TABLE blamed(agency TEXT, errors INTEGER, seq INTEGER);
CREATE TABLE prints(fp INTEGER, seq INTEGER, section TEXT, para INTEGER, akey TEXT, year INTEGER);
"""


def _blob(path: str) -> bytes:
    return path.encode("utf-8", "surrogatepass")


def _text(blob: bytes) -> str:
    return blob.decode("utf-8", "surrogatepass")


class Ledger:
    """The bookkeeping of one audit, in ``folder`` (the private working folder)."""

    def __init__(self, folder: Path) -> None:
        self.db = sqlite3.connect(os.fspath(folder / "ledger.db"), isolation_level=None)
        self.db.executescript(f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-{CACHE_KB};"
                              "PRAGMA temp_store=FILE;" + _SCHEMA)
        self.db.execute("BEGIN")

    def close(self) -> None:
        self.db.close()

    def commit(self) -> None:
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    # -- the files, in the order the results list them -------------------------------------------------
    def add_file(self, path: str, parts: tuple[str, ...]) -> None:
        """A file (or an entry that stands for one) to audit; ``parts`` is its path's parts, which order it as
        paths order: part by part (the NUL that joins them sorts before any character of a name)."""
        self.db.execute("INSERT INTO files VALUES (?, ?)", (_blob("\0".join(parts)), _blob(path)))

    def file_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM files").fetchone()[0])

    def files(self) -> Iterator[str]:
        for (path,) in self.db.execute("SELECT path FROM files ORDER BY key"):
            yield _text(path)

    # -- the reports that pair up -------------------------------------------------------------------------
    def add_report(self, seq: int, akey: str, year: int, path: str, name: str, agency: str, errors: int,
                   content: str, at: int) -> None:
        """A report that may pair up: its agency (as a key, and as it names itself) and year, its path and its name
        as the results show it, its own 错误, what it holds (a digest), and where its line is."""
        self.db.execute("INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (seq, akey, year, _blob(path), _blob(name), agency, errors, content, at))

    def index(self) -> None:
        self.db.execute("CREATE INDEX reports_group ON reports(akey, year, seq)")

    def groups(self, *, twins: bool) -> Iterator[tuple[str, int]]:
        """(agency key, year) of the groups in the order their first report comes: with ``twins``, those of
        more than one report; otherwise those whose agency has a report of the year before."""
        if twins:
            query = ("SELECT akey, year FROM reports GROUP BY akey, year HAVING count(*) > 1 ORDER BY min(seq)")
        else:
            query = ("SELECT g.akey, g.year FROM (SELECT akey, year, min(seq) AS first FROM reports "
                     "GROUP BY akey, year) AS g WHERE EXISTS (SELECT 1 FROM reports AS p WHERE p.akey = g.akey "
                     "AND p.year = g.year - 1) ORDER BY g.first")
        yield from self._lazy(query)

    def _lazy(self, query: str) -> Iterator[Any]:
        cursor = self.db.cursor()  # a cursor of its own: the caller queries the ledger while this one runs
        yield from cursor.execute(query)

    def members(self, akey: str, year: int) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT seq, path, name, agency, errors, content, at FROM reports WHERE akey = ? "
                               "AND year = ? ORDER BY seq", (akey, year)).fetchall()
        return [{"seq": seq, "path": _text(path), "name": _text(name), "agency": agency, "errors": errors,
                 "content": content, "at": at} for seq, path, name, agency, errors, content, at in rows]

    # -- what pairing adds to a file ----------------------------------------------------------------------
    def add_extra(self, seq: int, order: int, findings: str, counts: str) -> None:
        self.db.execute("INSERT INTO extras VALUES (?, ?, ?, ?)", (seq, order, findings, counts))

    def extras(self) -> Iterator[tuple[int, str, str]]:
        """(seq, findings, counts) of every addition, by file and then in the order added."""
        cursor = self.db.cursor()
        yield from cursor.execute("SELECT seq, findings, counts FROM extras ORDER BY seq, ord, rowid")

    def cross_errors(self, seq: int) -> int:
        """The 错误 the cross-year rules found in a report (0 when it was not compared, or not yet)."""
        found = self.db.execute("SELECT counts FROM extras WHERE seq = ? AND ord = 1", (seq,)).fetchone()
        return int(json.loads(found[0])["errors"]) if found else 0

    def set_previous(self, seq: int, why: str) -> None:
        self.db.execute("INSERT INTO previous VALUES (?, ?)", (seq, why))

    def previous(self) -> Iterator[tuple[int, str]]:
        cursor = self.db.cursor()
        yield from cursor.execute("SELECT seq, why FROM previous ORDER BY seq")

    # -- the agencies with the most 错误 (the front sheet) ------------------------------------------------
    def blame(self, agency: str, errors: int, seq: int) -> None:
        self.db.execute("INSERT INTO blamed VALUES (?, ?, ?)", (agency, errors, seq))

    def most_blamed(self, top: int) -> list[tuple[str, int]]:
        """The ``top`` agencies by 错误, ties in the order they first had one (as ``Counter.most_common``)."""
        rows = self.db.execute("SELECT agency, sum(errors) AS n FROM blamed GROUP BY agency "
                               "ORDER BY n DESC, min(seq) LIMIT ?", (top,)).fetchall()
        return [(agency, int(n)) for agency, n in rows]

    # -- the fingerprints of the reports' text (copying across agencies, ``audit_quality``) -------------------
    def add_prints(self, seq: int, akey: str, year: int, prints: dict[str, list[list[int]]]) -> None:
        """The fingerprints of each paragraph (numbered in order) of each text part of a report."""
        self.db.executemany("INSERT INTO prints VALUES (?, ?, ?, ?, ?, ?)",
                            ((fp, seq, section, para, akey, year) for section, paras in prints.items()
                             for para, fps in enumerate(paras) for fp in fps))

    def shared(self, max_agencies: int, min_common: int) -> Iterator[tuple[int, int, str, int, int]]:
        """(seq, other seq, section, paragraph, other paragraph) of the paragraphs of one section of reports of
        different agencies and the same year that share at least ``min_common`` fingerprints held by at most
        ``max_agencies`` agencies (what more hold is common wording, not a copy), in order of the reports, the
        section and the paragraphs; read as they come, nothing held."""
        self.db.execute("CREATE INDEX IF NOT EXISTS prints_fp ON prints(fp, akey)")
        self.db.execute("DROP TABLE IF EXISTS temp.rare")
        self.db.execute("CREATE TEMP TABLE rare AS SELECT fp FROM prints GROUP BY fp "
                        "HAVING count(DISTINCT akey) BETWEEN 2 AND ?", (max_agencies,))
        query = """
            SELECT a.seq, b.seq, a.section, a.para, b.para
            FROM temp.rare AS c JOIN prints AS a ON a.fp = c.fp
                                JOIN prints AS b ON b.fp = c.fp AND b.section = a.section AND b.year = a.year
                                                 AND a.seq < b.seq AND a.akey <> b.akey
            GROUP BY a.seq, b.seq, a.section, a.para, b.para HAVING count(*) >= ?
            ORDER BY a.seq, b.seq, a.section, a.para, b.para"""
        cursor = self.db.cursor()  # a cursor of its own: the caller queries the ledger while this one runs
        for a, b, section, pa, pb in cursor.execute(query, (min_common,)):
            yield int(a), int(b), str(section), int(pa), int(pb)

    def report_at(self, seq: int) -> tuple[str, str, int] | None:
        """(agency, name, where its line is) of a report."""
        row = self.db.execute("SELECT agency, name, at FROM reports WHERE seq = ?", (seq,)).fetchone()
        return (row[0], _text(row[1]), int(row[2])) if row else None
