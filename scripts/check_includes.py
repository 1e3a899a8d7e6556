#!/usr/bin/env python3
"""Fails when an #include breaks the dependency rules of ../shared/STYLE.md.

Two rules: a folder includes only from the folders it may depend on, and each
third-party library is included only by its adapter folder.
"""
import os
import re
import sys

ALLOWED = {
    "common": set(),
    "dockerfile": {"common"},
    "image": {"common"},
    "cache": {"common", "image"},
    "protocol": {"common"},
    "registry": {"common", "image"},
    "coordinator": {"common", "dockerfile", "image", "cache", "protocol", "registry"},
    "worker": {"common", "image", "protocol"},
    "cli": {"common", "protocol", "dockerfile", "image", "cache", "registry", "coordinator", "worker"},
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


def main(root):
    errors = []
    for folder in ALLOWED:
        base = os.path.join(root, folder)
        for dirpath, _, files in os.walk(base):
            for name in files:
                if not name.endswith((".h", ".cc", ".hpp", ".cpp")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        header = m.group(2)
                        top = header.split("/")[0]
                        allowed = ALLOWED[folder]
                        if m.group(1) == '"' and top in ALLOWED and top != folder:
                            if allowed is not None and top not in allowed:
                                errors.append(f"{rel}:{lineno}: {folder}/ may not include {header} "
                                              f"({folder}/ depends only on {sorted(allowed) or 'std'})")
                        for prefix, owners in ADAPTERS.items():
                            if header.startswith(prefix) and folder not in owners and allowed is not None:
                                errors.append(f"{rel}:{lineno}: {header} belongs to the adapter in "
                                              f"{'/'.join(sorted(owners))}/; use that module's header")
    for e in errors:
        print(e)
    print(f"include graph: {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
