"""Ray driver for `losslens sweep --executor ray` (started by src/experiments/sweepExecutors.ts).

Connects to an existing cluster and runs each sweep point as a task that executes the
losslens CLI (`losslens sweep-point`) on its worker, then returns the finished cache entry's
text as the task's result; the TypeScript side verifies it and stores it. Ray retries a
task whose worker or node is lost (--max-retries); a point refused by its worker (another
results identity) or failed by losslens is reported, not retried.

Protocol: JSON lines. On stdin: {"op": "submit", "id", "config", "key", "identity",
"force"}, {"op": "cancel", "id"}; end of input means no more points. On stdout: {"event":
"ready", "nodes", "ray"}, {"event": "started", "id", "node", "pid", "attempt"}, {"event":
"result", "id", "node", "entry"}, {"event": "error", "id", "message"}, {"event":
"cancelled", "id"}, {"event": "fatal", "message"}. The driver exits when input has ended
and every submitted point has an answer. Everything else (Ray's own logging) goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# The protocol owns the real stdout; anything else that prints (Ray, libraries) lands on stderr.
PROTOCOL = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

EXIT_CODE_MISMATCH = 3  # `losslens sweep-point`: this node's results identity is not the caller's


def send(message: dict) -> None:
    PROTOCOL.write(json.dumps(message) + "\n")
    PROTOCOL.flush()


def die_with_parent() -> None:
    """In the CLI's process: exit when the Ray worker that started it dies (a lost worker leaves no orphan training)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG; Linux only
    except (OSError, AttributeError):
        pass


class PointRefused(Exception):
    """The worker would not or could not compute the point; retrying would not help."""


def run_point(point: dict, settings: dict, events) -> dict:
    """One sweep point on whichever node Ray chose: run the CLI, return the cache entry text."""
    import ray

    context = ray.get_runtime_context()
    node = context.get_node_id()
    events.put({"event": "started", "id": point["id"], "node": node, "pid": os.getpid()})
    cache_dir = settings["worker_cache_dir"] or os.environ.get("LOSSLENS_CACHE_DIR") or str(Path(tempfile.gettempdir()) / "losslens-ray-cache")
    command = [
        settings["worker_node"],
        str(Path(settings["worker_root"]) / "bin" / "losslens.js"),
        "sweep-point",
        "--config", json.dumps(point["config"]),
        "--cache-dir", cache_dir,
        "--identity", point["identity"],
    ] + (["--force"] if point.get("force") else [])
    # As pointEnvironment in src/experiments/sweepExecutors.ts: TensorFlow threads for the task's
    # CPUs, not one per core of the node, so points sharing a node do not oversubscribe it.
    threads = str(max(1, int(settings["cpus_per_point"])))
    env = {"TF_NUM_INTRAOP_THREADS": threads, "TF_NUM_INTEROP_THREADS": threads, **os.environ}
    completed = subprocess.run(command, capture_output=True, text=True, check=False, preexec_fn=die_with_parent, env=env)
    log = [line for line in completed.stderr.splitlines() if not line.startswith("{")]
    if completed.returncode == EXIT_CODE_MISMATCH:
        raise PointRefused(f"node {node[:12]} refused the point: {' '.join(log[-2:])}")
    try:
        outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise PointRefused(f"losslens sweep-point on node {node[:12]} exited with {completed.returncode}: {' | '.join(log[-3:]) or 'no output'}")
    if not outcome.get("path"):
        raise PointRefused(f"the point ended {outcome.get('status')} on node {node[:12]}: {outcome.get('message', '')}")
    if outcome["key"] != point["key"]:
        raise PointRefused(f"node {node[:12]} filed the point under key {outcome['key']}, the caller expected {point['key']}")
    return {"node": node, "entry": Path(outcome["path"]).read_text(encoding="utf-8")}


def failure_message(error: Exception) -> str:
    """A task's own exception (e.g. PointRefused) as its message; Ray's wrappers as their first line."""
    cause = getattr(error, "cause", None)
    if isinstance(cause, Exception):
        return str(cause)
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"


def read_commands(commands: queue.Queue) -> None:
    for line in sys.stdin:
        line = line.strip()
        if line:
            commands.put(json.loads(line))
    commands.put({"op": "end"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--address", required=True, help="the cluster's GCS address, e.g. 127.0.0.1:6379")
    parser.add_argument("--cpus-per-point", type=float, default=1)
    parser.add_argument("--max-retries", type=int, default=3)
    parser.add_argument("--worker-root", required=True, help="the losslens checkout on the workers")
    parser.add_argument("--worker-node", default="node", help="Node.js on the workers")
    parser.add_argument("--worker-cache-dir", default=None)
    parser.add_argument("--node-ip-address", default=None, help="this machine's address in the cluster, when Ray cannot tell")
    args = parser.parse_args()

    try:
        import ray
        from ray.util.queue import Queue
    except ImportError as error:
        send({"event": "fatal", "message": f"ray is not installed in {sys.executable} ({error}); run scripts/setup.sh or pip install ray"})
        return 1
    try:
        extra = {"_node_ip_address": args.node_ip_address} if args.node_ip_address else {}
        ray.init(address=args.address, log_to_driver=False, logging_level="WARNING", **extra)
    except Exception as error:  # noqa: BLE001 - any failure to connect ends the sweep with its reason
        send({"event": "fatal", "message": f"cannot connect to the Ray cluster at {args.address}: {error}"})
        return 1

    nodes = [
        {"id": n["NodeID"], "address": n["NodeManagerAddress"], "cpus": n.get("Resources", {}).get("CPU", 0)}
        for n in ray.nodes()
        if n.get("Alive")
    ]
    send({"event": "ready", "nodes": nodes, "ray": ray.__version__})
    # The events queue is an actor; it must not hold a CPU that a point could use.
    events = Queue(actor_options={"num_cpus": 0})
    settings = {"worker_root": args.worker_root, "worker_node": args.worker_node, "worker_cache_dir": args.worker_cache_dir, "cpus_per_point": args.cpus_per_point}
    task = ray.remote(run_point).options(num_cpus=args.cpus_per_point, max_retries=args.max_retries, retry_exceptions=False)

    commands: queue.Queue = queue.Queue()
    threading.Thread(target=read_commands, args=(commands,), daemon=True).start()
    running: dict = {}  # ObjectRef -> point id
    refs: dict = {}  # point id -> ObjectRef
    cancelled: set = set()
    attempts: dict = {}  # point id -> started events seen (a retry after a lost worker starts again)
    ended = False

    def drain_events() -> None:
        try:
            size = events.qsize()
            batch = events.get_nowait_batch(size) if size else []
        except Exception:  # noqa: BLE001 - a racing or busy queue only means no news this round
            return
        for event in batch:
            if event["id"] in refs and event["id"] not in cancelled:
                attempts[event["id"]] = attempts.get(event["id"], -1) + 1
                send({**event, "attempt": attempts[event["id"]]})

    while not ended or running:
        try:
            while True:
                command = commands.get_nowait()
                if command["op"] == "end":
                    ended = True
                elif command["op"] == "submit":
                    ref = task.remote({k: command[k] for k in ("id", "config", "key", "identity", "force") if k in command}, settings, events)
                    running[ref] = command["id"]
                    refs[command["id"]] = ref
                elif command["op"] == "cancel" and command["id"] in refs and refs[command["id"]] in running:
                    cancelled.add(command["id"])
                    ray.cancel(refs[command["id"]])
        except queue.Empty:
            pass
        drain_events()
        if not running:
            if not ended:
                threading.Event().wait(0.1)
            continue
        done, _ = ray.wait(list(running), num_returns=len(running), timeout=0.2, fetch_local=True)
        drain_events()
        for ref in done:
            point_id = running.pop(ref)
            try:
                value = ray.get(ref)
                send({"event": "result", "id": point_id, "node": value["node"], "entry": value["entry"]})
            except Exception as error:  # noqa: BLE001 - a point's failure is reported, never raised
                if point_id in cancelled or isinstance(error, getattr(ray.exceptions, "TaskCancelledError", ())):
                    send({"event": "cancelled", "id": point_id})
                else:
                    send({"event": "error", "id": point_id, "message": failure_message(error)})
    ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
