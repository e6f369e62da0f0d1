#!/usr/bin/env python3
"""Turns the statements a server sent (PostgreSQL's log with log_statement=all) into a
pgbench script: each `execute` with its logged parameters written in as literals, in
order, so that pgbench runs exactly the server's SQL for one request (read_path.sh's
"sql:" rows).

    replay.py server.log > script.sql
"""
import re
import sys

PREFIX = re.compile(r"^\S+ \S+ \S+ \[\d+\] (?:\S+@\S+ )?(LOG|DETAIL|ERROR|STATEMENT):  ")
PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")
SKIP = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SET|SHOW|LISTEN|UNLISTEN)\b", re.I)


def messages(lines):
    """(kind, text) per log message, continuation lines joined."""
    kind, text = None, []
    for line in lines:
        m = PREFIX.match(line)
        if m:
            if kind:
                yield kind, "\n".join(text)
            kind, text = m.group(1), [line[m.end():].rstrip("\n")]
        elif kind:
            text.append(line.rstrip("\n"))
    if kind:
        yield kind, "\n".join(text)


def statements(lines):
    out = []
    for kind, text in messages(lines):
        if kind == "LOG":
            m = re.match(r"(?:execute [^:]*|statement): (.*)", text, re.S)
            if m and not SKIP.match(m.group(1)):
                out.append([m.group(1), {}])
        elif kind == "DETAIL" and text.startswith("parameters:") and out:
            out[-1][1] = dict(PARAM.findall(text))
    for query, params in out:
        query = re.sub(r"\$(\d+)\b", lambda m: params.get(m.group(1), m.group(0)), query)
        # pgbench reads one command per line.
        yield " ".join(part.strip() for part in query.splitlines()).rstrip(";") + ";"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        for statement in statements(f.readlines()):
            print(statement)
