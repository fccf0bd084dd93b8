#!/usr/bin/env python3
"""Reads a plot file over and over, as a viewer or a sync tool would, and reports what it saw.

  plot_file_poller.py PATH SECONDS

Each read opens the file and reads it whole. A read is "partial" when the bytes are not a
complete SVG, PNG or PDF (by the file's extension): an SVG ends with </svg>, a PNG with its
IEND chunk, a PDF with %%EOF. "vanished" counts reads that found no file after one had been
seen (a rename over the old file never leaves a gap). Each new inode is one replacement;
its time (seconds from the start) is listed. Prints one JSON object and exits.
"""
import json
import os
import sys
import time

path, seconds = sys.argv[1], float(sys.argv[2])
kind = os.path.splitext(path)[1].lower()


def complete(data):
    if kind == ".svg":
        return data.startswith(b"<svg") and data.rstrip().endswith(b"</svg>")
    if kind == ".png":
        return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    if kind == ".pdf":
        return data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    raise SystemExit("unknown kind " + kind)


start = time.monotonic()
reads = partial = vanished = 0
seen = False
inodes = {}
examples = []
while time.monotonic() - start < seconds:
    try:
        with open(path, "rb") as f:
            inode = os.fstat(f.fileno()).st_ino
            data = f.read()
    except FileNotFoundError:
        if seen:
            vanished += 1
        time.sleep(0.002)
        continue
    seen = True
    reads += 1
    if inode not in inodes:
        inodes[inode] = round(time.monotonic() - start, 3)
    if not complete(data):
        partial += 1
        if len(examples) < 3:
            examples.append(len(data))
    time.sleep(0.002)

print(json.dumps({
    "reads": reads,
    "partial": partial,
    "partial_sizes": examples,
    "vanished": vanished,
    "replacements": sorted(inodes.values()),
}), flush=True)
