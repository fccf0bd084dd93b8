"""An independent reader and locker of datalogd's SQLite stores, on Python's sqlite3 module.

  sqlite_peer.py read FILE           print every row of `records` (and `runs`) as JSON
  sqlite_peer.py lock FILE SECONDS   hold the write lock SECONDS, printing "locked" when held
"""
import json
import sqlite3
import sys
import time


def read(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    con.row_factory = sqlite3.Row
    records = [
        dict(row)
        for row in con.execute(
            "SELECT time, time_us, run, run_no, seq, receipt, stamped, type, id, value, units,"
            " extra FROM records ORDER BY run_no, seq"
        )
    ]
    runs = [dict(row) for row in con.execute("SELECT run_no, run FROM runs ORDER BY run_no")]
    print(json.dumps({"records": records, "runs": runs}))


def lock(path, seconds):
    con = sqlite3.connect(path, isolation_level=None, timeout=5)
    con.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    time.sleep(seconds)
    con.execute("COMMIT")
    print("released", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read(sys.argv[2])
    elif sys.argv[1] == "lock":
        lock(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit(f"unknown mode {sys.argv[1]}")
