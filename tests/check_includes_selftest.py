#!/usr/bin/env python3
"""Runs scripts/check_includes.py on tests/include_graph_fixture, a tree that
breaks the folder rule once directly and once through a header, and fails
unless the checker reports exactly those (and the fixture's header that
breaks it directly), with the chain of the indirect one."""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
checker = os.path.join(os.path.dirname(here), "scripts", "check_includes.py")
fixture = os.path.join(here, "include_graph_fixture")
run = subprocess.run([sys.executable, checker, fixture], capture_output=True, text=True)
lines = [l for l in run.stdout.splitlines() if not l.startswith("include graph:")]
expected = [
    "cli/direct.cc:3: cli/ may not include worker/job.h",
    "cli/indirect.cc:3: cli/ may not include worker/job.h, which it reaches through "
    "sandbox/leaky.h -> worker/job.h",
    "sandbox/leaky.h:3: sandbox/ may not include worker/job.h",
]
failures = []
if run.returncode != 1:
    failures.append(f"exit status {run.returncode}, expected 1")
for want in expected:
    if not any(l.startswith(want) for l in lines):
        failures.append(f"missing: {want}")
for line in lines:
    if not any(line.startswith(want) for want in expected):
        failures.append(f"unexpected: {line}")
if failures:
    print("check_includes.py output:\n" + run.stdout + run.stderr)
    for f in failures:
        print("FAIL: " + f)
    sys.exit(1)
print(f"check_includes self-test: {len(expected)} expected violations reported")
