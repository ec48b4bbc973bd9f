#!/usr/bin/env python3
"""Checks a verifiable audit log export (`haven audit export --format log`) with nothing of
Haven's, as a practice's auditor could, from AUDIT.md §3 and §6 alone: the RFC 6962 root of the
events' bodies (hashlib) must be the one the checkpoint's Ed25519 signature covers
(`cryptography`), under the key id the signed-note rules give. A log whose oldest years were
dropped past their retention starts at `dropped_below`, and its header carries the heads of the
perfect subtrees of the dropped events, largest first, to go on from.

Usage: check-audit-export.py EXPORT.jsonl   (prints the number of events the checkpoint covers)
"""
import base64
import hashlib
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def sha256(data):
    return hashlib.sha256(data).digest()


def root(hashes):
    """RFC 6962 §2.1: split at the largest power of two below the count."""
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return sha256(b"\x01" + root(hashes[:k]) + root(hashes[k:]))


def root_after(start, heads, leaves):
    """The root once `leaves` follow the `start` events whose perfect subtrees are `heads`."""
    sizes = [1 << bit for bit in reversed(range(64)) if start >> bit & 1]
    assert len(sizes) == len(heads), "the dropped subtrees do not fit dropped_below"
    stack = list(zip(sizes, heads))
    for leaf in leaves:
        stack.append((1, leaf))
        while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
            (size, right), (_, left) = stack.pop(), stack.pop()
            stack.append((2 * size, sha256(b"\x01" + left + right)))
    folded = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        folded = sha256(b"\x01" + left + folded)
    return folded


lines = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
header, events, tail = lines[0], lines[1:-1], lines[-1]
assert header["format"] == "haven-audit-log/1"
start = header.get("dropped_below", 0)
leaves = []
for i, event in enumerate(events):
    assert event["seq"] == start + i, f"event {i} has seq {event['seq']}"
    leaves.append(sha256(b"\x00" + base64.b64decode(event["body"])))
if start:
    heads = [base64.b64decode(h) for h in header["dropped_subtrees"]]
    computed = root_after(start, heads, leaves)
else:
    computed = root(leaves)

note = tail["checkpoint"]
text, _, signatures = note.partition("\n\n")
origin, size, root_line = text.split("\n")[:3]
assert origin == header["origin"], "another log's checkpoint"
assert int(size) == start + len(leaves), "the checkpoint covers another number of events"
assert base64.b64decode(root_line) == computed, "the events do not give the signed root"
public = base64.b64decode(header["public_key"])
name = header["key_name"]
key_id = sha256(name.encode() + b"\n\x01" + public)[:4]
line = [s for s in signatures.splitlines() if s.startswith("\u2014 " + name + " ")][0]
blob = base64.b64decode(line.split(" ")[2])
assert blob[:4] == key_id, "the signature is under another key id"
Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], (text + "\n").encode())
print(start + len(leaves))
