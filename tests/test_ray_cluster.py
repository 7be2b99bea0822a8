"""A real two-node Ray cluster on this machine: a head and a second node (each with one CPU, its own temp
dir, both on 127.0.0.1), a 20-report batch with abstractive summaries run against it with ``--engine ray``;
read tasks, translation batches, summary batches and document tasks must have run on both nodes (the
run's per-node counters), the driver's own CPU time must be under 20% of the run's CPU time, and the
outputs must equal the local engine's byte for byte.

The cluster lives in its own network and PID namespaces (``unshare -n -p``, root): its ports cannot clash
with anything else on the machine, and when the script ends (or the test kills it) every Ray process of
the cluster dies with it. Where namespaces are not allowed, the nodes run in the machine's namespaces on
127.0.0.1 with a free port, and only the processes of this cluster (found by its temp dir) are killed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .conftest import ROOT, TINY_CONFIG, run_main

pytestmark = [pytest.mark.ray, pytest.mark.slow, pytest.mark.usefixtures("tiny_models")]

REPORT = (
    "各位代表:\n一、{n}年工作回顾\n全市生产总值增长{n}.5%。就业保持稳定，新增城镇就业{n}万人。今年以来，我们坚持稳中求进工作"
    "总基调，统筹推进疫情防控和经济社会发展，全市经济运行总体平稳。{n}项重点工程开工建设，完成投资{n}亿元。\n二、下一步工作\n"
    "（一）扩大有效投资。一是抓好重点项目。全力推进{n}个省市重点项目建设，力争全年完成投资{n}0亿元。二是优化营商环境。"
    "深化放管服改革，推动更多事项一网通办。"
)

# Starts the two nodes, runs the command after "--", and always stops both nodes (in an EXIT trap).
CLUSTER_SCRIPT = r"""#!/bin/bash
set -u
TMP=$1; PORT=$2; ISOLATED=$3; shift 4
if [ "$ISOLATED" = 1 ]; then
  ip link set lo up || exit 92
  export RAY_AUTH_MODE=disabled  # a private network namespace: nothing else can reach these nodes
fi
stop() { [ "$ISOLATED" = 1 ] && ray stop --force >/dev/null 2>&1; }  # in a PID namespace: only ours
trap stop EXIT
NODE="--num-cpus=1 --node-ip-address=127.0.0.1 --disable-usage-stats --object-store-memory=200000000"
ray start --head $NODE --port=$PORT --temp-dir=$TMP/head --include-dashboard=false >$TMP/head.log 2>&1 \
  || { tail -20 $TMP/head.log; exit 90; }
ray start --address=127.0.0.1:$PORT $NODE --temp-dir=$TMP/node2 >$TMP/node2.log 2>&1 \
  || { tail -20 $TMP/node2.log; exit 91; }
"$@"
"""

UNSHARE = ["unshare", "--net", "--pid", "--fork", "--mount-proc", "--kill-child"]


def _isolation() -> bool:
    """True when this machine lets us make network + PID namespaces (root, or user namespaces)."""
    if not shutil.which("unshare"):
        return False
    res = subprocess.run([*UNSHARE, "sh", "-c", "ip link set lo up"], capture_output=True, timeout=30)
    return res.returncode == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kill_cluster_processes(marker: str) -> None:
    """Without namespaces: kill, by pid, the processes whose command line names this cluster's temp dir."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker in cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                os.kill(int(cmdline.parent.name), signal.SIGKILL)
        except OSError:
            pass


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".json", ".md", ".html")}


def test_two_node_cluster_runs_every_stage_on_both_nodes_with_local_outputs(tmp_path):
    pytest.importorskip("ray", reason="Ray not installed (pip install -e '.[ray]')")
    # the `ray` command of this interpreter's environment (a venv's bin/ need not be on PATH: `make test`)
    path = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    if not shutil.which("ray", path=path):
        pytest.skip("the `ray` command is not installed beside this Python nor on PATH")
    reports = tmp_path / "reports"
    reports.mkdir()
    for i in range(20):
        (reports / f"r{i:02d}.txt").write_text(REPORT.format(n=i + 2), encoding="utf-8")
    local = tmp_path / "local"
    res = run_main("run", str(reports), "--config", str(TINY_CONFIG), "--out", str(local), "--no-cache", "-q")
    assert res.returncode == 0, res.stderr

    isolated = _isolation()  # else: the machine's own loopback, a free port (said in the test's output)
    port = 6379 if isolated else _free_port()
    cluster = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))  # short: Ray's socket paths must fit 107 bytes
    script = tmp_path / "cluster.sh"
    script.write_text(CLUSTER_SCRIPT, encoding="utf-8")
    out = tmp_path / "ray-out"
    command = [
        "bash", str(script), str(cluster), str(port), "1" if isolated else "0", "--",
        sys.executable, "-m", "pipeline", "run", str(reports), "--config", str(TINY_CONFIG), "--out", str(out),
        "--no-cache", "-q", "--engine", "ray", "--set", f"ray.address=127.0.0.1:{port}", "--set", "batch_documents=20",
        # each node has one CPU, so each node holds exactly one translator actor, then one summarizer actor
        # (whatever the timing: an actor waits for the CPU its node frees); two read or document tasks at a time
        "--set", "ray.pool_size=2", "--set", "ray.num_cpus_per_actor=1", "--set", "ray.batch_size=8",
        "--set", "ray.summarizer_pool_size=2", "--set", "ray.num_cpus_per_summarizer=1",
        "--set", "ray.num_cpus_per_task=0.5",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": path}  # the nodes' workers import this checkout
    if not isolated:
        print("note: no network/PID namespaces here; the cluster runs on the machine's 127.0.0.1")
    try:
        res = subprocess.run([*UNSHARE, *command] if isolated else command, env=env, capture_output=True,
                             text=True, timeout=300)
    finally:
        if not isolated:
            _kill_cluster_processes(str(cluster))
        shutil.rmtree(cluster, ignore_errors=True)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]

    stats = json.loads((out / ".ray" / "stats.json").read_text(encoding="utf-8"))
    nodes = stats["nodes"]
    assert len(nodes) == 2, nodes
    for node, counts in nodes.items():  # every heavy stage ran on both nodes
        for what in ("read_tasks", "translation_batches", "summary_batches", "document_tasks"):
            assert counts.get(what, 0) > 0, (node, counts)
    assert sum(c["document_tasks"] for c in nodes.values()) == 20
    assert sum(c["read_tasks"] for c in nodes.values()) == 20
    assert sum(c["summary_batches"] for c in nodes.values()) == 20
    print(f"driver CPU share on the 2-node cluster: {stats['driver_cpu_share']:.1%}\n{json.dumps(stats, indent=1)}")
    assert stats["worker_cpu_seconds"] > 0 and 0 < stats["driver_cpu_share"] < 0.2  # the driver only coordinates

    ours, theirs = _outputs(out), _outputs(local)
    assert len(theirs) == 20 * 3 + 3  # md, json, html per report; index.md, digest.md, digest.html
    assert ours == theirs
    methods = {s.get("method") for p in local.glob("r*.json")
               for s in [json.loads(p.read_text(encoding="utf-8")).get("summary") or {}]}
    assert "abstractive" in methods  # the summaries really came from the summarizer model
