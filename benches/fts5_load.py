#!/usr/bin/env python3
"""Loads `imr-search export --format ndjson` into SQLite FTS5, one row per decision.

Usage: python3 benches/fts5_load.py EXPORT.ndjson OUT.db

The table has the rationale, item and case summary as porter-stemmed full
text, plus outcome, drug (generic), drug_class and letter id columns (UNINDEXED:
filters, not searched), the fairest like-for-like with imr-search's index.
"""

import json
import sqlite3
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(dst)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute(
        "CREATE VIRTUAL TABLE d USING fts5("
        "rationale, item, case_summary, "
        "letter_id UNINDEXED, decision_index UNINDEXED, outcome UNINDEXED, "
        "drug UNINDEXED, drug_class UNINDEXED, tokenize = 'porter')"
    )
    rows = []
    with open(src, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            drug = d.get("drug") or {}
            rows.append((
                d.get("rationale") or "",
                d.get("item") or "",
                d.get("case_summary") or "",
                d.get("letter_id"),
                d.get("index"),
                d.get("outcome"),
                drug.get("generic") if isinstance(drug, dict) else drug,
                drug.get("class") if isinstance(drug, dict) else d.get("drug_class"),
            ))
            if len(rows) >= 10000:
                db.executemany("INSERT INTO d VALUES (?,?,?,?,?,?,?,?)", rows)
                rows.clear()
    db.executemany("INSERT INTO d VALUES (?,?,?,?,?,?,?,?)", rows)
    db.commit()
    db.execute("INSERT INTO d(d) VALUES('optimize')")
    db.commit()
    db.close()


if __name__ == "__main__":
    main()
