"""Interrupts a tslab kernel twice while runWithProgress trains, and reports what followed.

Prints one JSON object: the progress texts seen, whether the kernel still answered, and
the training checkpoints left in the cache. Used by interrupt.test.ts.
"""

import json
import os
import sys
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel

root, cache = Path(sys.argv[1]), Path(sys.argv[2])
config = '{ epochs: 2, trainSamples: 25600, testSamples: 64, seed: 4242 }'
km, kc = start_new_kernel(kernel_name="tslab", cwd=str(root), env={**os.environ, "LOSSLENS_CACHE_DIR": str(cache)})


def messages(msg_id: str, until: float):
    while time.monotonic() < until:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.1, until - time.monotonic()))
        except Exception:
            return
        if msg["parent_header"].get("msg_id") == msg_id:
            yield msg


def execute(code: str, seconds: float) -> list[str]:
    msg_id = kc.execute(code)
    seen = []
    for msg in messages(msg_id, time.monotonic() + seconds):
        content = msg["content"]
        if msg["msg_type"] == "stream":
            seen.append(content["text"])
        if msg["msg_type"] == "error":
            seen.append(f"error: {content['evalue']}")
        if msg["msg_type"] == "status" and content["execution_state"] == "idle":
            break
    return seen


report = {}
try:
    execute(f'import {{ runWithProgress }} from "{root / "dist"}";', 60)
    training = kc.execute(f"const result = await runWithProgress({config});")
    progress = []
    for msg in messages(training, time.monotonic() + 120):
        text = msg["content"].get("data", {}).get("text/plain", "")
        if text:
            progress.append(text)
        if "batch" in text and len(progress) >= 2:
            break
    km.interrupt_kernel()
    km.interrupt_kernel()
    streams = []
    for msg in messages(training, time.monotonic() + 30):
        text = msg["content"].get("data", {}).get("text/plain", "")
        if text:
            progress.append(text)
        if msg["msg_type"] == "stream":
            streams.append(msg["content"]["text"])
        if msg["msg_type"] == "error":
            streams.append("\n".join([msg["content"]["evalue"], *msg["content"]["traceback"]]))
        if "interrupted" in text:
            break
    # Anything printed after the progress line said "interrupted" (a stack, for instance).
    for msg in messages(training, time.monotonic() + 2):
        if msg["msg_type"] in ("stream", "error"):
            streams.append(msg["content"].get("text") or msg["content"].get("evalue", ""))
    report["progress"] = progress
    report["streams"] = streams
    report["alive"] = execute('console.log("still here")', 30)
    report["checkpoints"] = sorted(p.name for p in cache.glob("*.checkpoint.json"))
    report["results"] = sorted(p.name for p in cache.glob("*.json") if not p.name.endswith(".checkpoint.json"))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print(json.dumps(report))
