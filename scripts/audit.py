"""`make audit`: known vulnerabilities in the pinned requirements, or why they could not be checked.

pip-audit resolves requirements-dev.txt (which includes requirements.txt) in a scratch virtualenv
and asks a vulnerability service about every package: PyPI's per-release JSON API, or else OSV's.
Before that, this asks each service about one pinned release. Where neither answers (no network,
or a pinned release the service does not know), the audit is skipped, saying why, and this exits
0. Where one does, pip-audit runs with --strict: any known vulnerability, or a package it could
not check, fails. AUDIT_SERVICE=pypi or osv names the service instead of asking.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = "requirements-dev.txt"
PIP_AUDIT = "pip-audit==2.10.1"
PROBE_TIMEOUT = 15


def _first_pin() -> tuple[str, str]:
    """Name and version of the first ``name==version`` line of requirements.txt."""
    text = (ROOT / "requirements.txt").read_text()
    return re.search(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", text, re.MULTILINE).groups()


def _probes(name: str, version: str) -> dict[str, urllib.request.Request]:
    query = {"package": {"name": name, "ecosystem": "PyPI"}, "version": version}
    return {
        "pypi": urllib.request.Request(f"https://pypi.org/pypi/{name}/{version}/json"),
        "osv": urllib.request.Request(
            "https://api.osv.dev/v1/query", json.dumps(query).encode(), {"Content-Type": "application/json"}
        ),
    }


def answering_service() -> tuple[str | None, str]:
    """The first service that answers for a pinned release, or None and why none did."""
    name, version = _first_pin()
    failures = []
    for service, request in _probes(name, version).items():
        try:
            # Fixed https URLs of the two services, never user input.
            with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT) as response:  # noqa: S310
                json.load(response)
        except Exception as exc:  # any failure means: this service can't audit us now
            failures.append(f"{service}: {exc}")
        else:
            return service, ""
    return None, f"no vulnerability service answers for {name} {version} ({'; '.join(failures)})"


def main() -> int:
    service = os.environ.get("AUDIT_SERVICE") or None
    if service is None:
        service, why = answering_service()
        if service is None:
            print(f"make audit skipped: {why}")
            return 0
    if subprocess.run([sys.executable, "-m", "pip_audit", "--version"], capture_output=True).returncode:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", PIP_AUDIT], check=True)
    command = ["-m", "pip_audit", "-r", REQUIREMENTS, "--strict", "--vulnerability-service", service]
    command += ["--progress-spinner", "off", "--desc", "on"]
    print(f"python {' '.join(command)}", flush=True)
    return subprocess.run([sys.executable, *command], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
