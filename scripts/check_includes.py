#!/usr/bin/env python3
"""Fails when an #include breaks the dependency rules of docs/architecture.md.

Two rules: a folder includes only from the folders it may depend on, and each
third-party library is included only by its adapter folder.

The folder rule sees through headers: a file's allowed set applies to every
repository header reachable through its chain of quoted includes, so a cli/
file that includes sandbox/x.h, which includes worker/y.h, breaks it as if it
included worker/y.h itself (the report names the chain).

Usage: check_includes.py [ROOT]   (ROOT defaults to the repository)
"""
import collections
import os
import re
import sys

ALLOWED = {
    "common": set(),
    "dockerfile": {"common"},
    "image": {"common"},
    "cache": {"common", "image"},
    "protocol": {"common"},
    "metrics": {"common"},
    "registry": {"common", "image"},
    "sandbox": {"common", "image"},
    "snapshot": {"common", "image"},
    "coordinator": {"common", "dockerfile", "image", "cache", "protocol", "registry", "metrics"},
    "worker": {"common", "image", "protocol", "sandbox", "snapshot", "metrics"},
    "cli": {"common", "protocol", "dockerfile", "image", "registry", "sandbox", "snapshot"},
    "tests": None,  # anything
    "bench": None,
}
# third-party header prefix -> the folders that may include it
ADAPTERS = {
    "zmq": {"protocol"},
    "rocksdb/": {"cache"},
    "openssl/": {"image"},
    "archive.h": {"image"},
    "archive_entry.h": {"image"},
    "curl/": {"registry"},
    "isa-l": {"image"},
    "zstd.h": {"image"},
    "spdlog/": {"common"},
    "CLI/": {"common"},
    "google/protobuf": {"protocol"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_SUFFIXES = (".h", ".cc", ".hpp", ".cpp")


def read_includes(path):
    """[(lineno, kind, header)] of one file; kind is '"' or '<'."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                out.append((lineno, m.group(1), m.group(2)))
    return out


class Graph:
    """The quoted includes of the repository's files, read once each."""

    def __init__(self, root):
        self.root = root
        self.cache = {}

    def includes(self, rel):
        if rel not in self.cache:
            self.cache[rel] = read_includes(os.path.join(self.root, rel))
        return self.cache[rel]

    def repo_header(self, header):
        """`header` as a repository path when it names a file of the repository."""
        top = header.split("/")[0]
        if top in ALLOWED and os.path.isfile(os.path.join(self.root, header)):
            return os.path.normpath(header)
        return None

    def reachable(self, rel):
        """{header: chain} for every repository header reachable from `rel`
        through quoted includes; a chain is the list of headers from the one
        `rel` includes to the reached one (the shortest, breadth first)."""
        seen = {}
        queue = collections.deque()
        for _, kind, header in self.includes(rel):
            h = self.repo_header(header) if kind == '"' else None
            if h and h not in seen:
                seen[h] = [h]
                queue.append(h)
        while queue:
            h = queue.popleft()
            for _, kind, header in self.includes(h):
                nxt = self.repo_header(header) if kind == '"' else None
                if nxt and nxt not in seen and nxt != rel:
                    seen[nxt] = seen[h] + [nxt]
                    queue.append(nxt)
        return seen


def folder_rule_message(folder, allowed):
    return f"({folder}/ depends only on {sorted(allowed) or 'std'})"


def main(root):
    errors = []
    graph = Graph(root)
    for folder in ALLOWED:
        base = os.path.join(root, folder)
        for dirpath, _, files in os.walk(base):
            for name in sorted(files):
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                allowed = ALLOWED[folder]
                direct_lines = {}
                for lineno, kind, header in graph.includes(rel):
                    top = header.split("/")[0]
                    if kind == '"' and top in ALLOWED and top != folder:
                        direct_lines.setdefault(os.path.normpath(header), lineno)
                        if allowed is not None and top not in allowed:
                            errors.append(f"{rel}:{lineno}: {folder}/ may not include {header} "
                                          + folder_rule_message(folder, allowed))
                    elif kind == '"':
                        direct_lines.setdefault(os.path.normpath(header), lineno)
                    for prefix, owners in ADAPTERS.items():
                        if header.startswith(prefix) and folder not in owners and allowed is not None:
                            errors.append(f"{rel}:{lineno}: {header} belongs to the adapter in "
                                          f"{'/'.join(sorted(owners))}/; use that module's header")
                if allowed is None:
                    continue
                for header, chain in sorted(graph.reachable(rel).items()):
                    top = header.split("/")[0]
                    if len(chain) < 2 or top == folder or top in allowed:
                        continue
                    lineno = direct_lines.get(chain[0], 0)
                    errors.append(f"{rel}:{lineno}: {folder}/ may not include {header}, which it "
                                  f"reaches through {' -> '.join(chain)} "
                                  + folder_rule_message(folder, allowed))
    for e in errors:
        print(e)
    print(f"include graph: {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
