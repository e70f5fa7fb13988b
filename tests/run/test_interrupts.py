"""Issue 17, points 1 and 2: one run per OUT; interruption without orphans or tracebacks.

Everything runs the real command line in subprocesses, as a user's shell would: a second
process holds OUT's lock; `kill -9` of a `--workers 2` build must take its workers with
it; SIGTERM behaves like Ctrl-C (OUT unchanged, "add --resume", exit 143); Ctrl-C sent
to the whole process group (as a terminal does) gets no traceback from any worker; a
signal during the commit is reported after it, never cutting it; an interrupt Python
cannot raise where it lands (inside a ``__del__``) still ends the run with 130.

Waiting is by polling a condition (a checkpoint file, a worker process), never by
sleeping a fixed time.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from pipeline_files import PER_DOCUMENT
from test_faults import visible

from corpus.cli import cli

PIPELINE = PER_DOCUMENT + "[output]\naudit = false\n"
WORDS = ["the", "council", "approved", "new", "budget", "after", "long", "debate", "prices",
         "rose", "sharply", "across", "region", "museum", "will", "reopen", "next", "month",
         "with", "exhibition", "of", "early", "photographs"]
PROC = Path("/proc")
pytestmark = pytest.mark.skipif(not (PROC / "self" / "stat").exists(),
                                reason="reads processes from /proc (Linux)")


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    """~1.6 MB of English: past the size where a build starts worker processes."""
    base = tmp_path_factory.mktemp("interrupts")
    folder = base / "in"
    folder.mkdir()
    rng = random.Random(17)
    for n in range(200):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
                     for _ in range(60)]
        (folder / f"{n:04d}.txt").write_text(" ".join(sentences) + "\n", encoding="utf-8")
    (base / "p.toml").write_text(PIPELINE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def reference(corpus_dir, tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("ref") / "out"
    result = CliRunner().invoke(cli, build_args(corpus_dir, out, "-j", "1"))
    assert result.exit_code == 0, result.output
    return visible(out, comparable=True)


def build_args(corpus_dir: Path, out: Path, *extra: str) -> list[str]:
    return ["build", str(corpus_dir), "-o", str(out), "-p", str(corpus_dir.parent / "p.toml"),
            "-q", "--shard-files", "10", *extra]


def start(args: list[str], *, driver: Path | None = None, **kwargs) -> subprocess.Popen:
    head = [sys.executable, str(driver)] if driver else [sys.executable, "-m", "corpus"]
    return subprocess.Popen([*head, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kwargs)


def wait_for(condition: Callable[[], object], what: str, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def children(pid: int) -> set[int]:
    """Live processes whose parent is *pid*."""
    found = set()
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and fields[1] == str(pid) and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def workers_of(pid: int) -> set[int] | None:
    """The two pool workers of the build *pid*, once both are there."""
    found = children(pid)
    return found if len(found) >= 2 else None


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper is dead: it holds no memory)."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def _stat(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # state, ppid, ...


def checkpointed(out: Path) -> bool:
    return (out / ".corpus-state" / "checkpoint.pkl").exists()


# -- the lock -----------------------------------------------------------------------
HOLDER = """
import sys
from pathlib import Path
from corpus.run.lock import OutLock
OutLock(Path(sys.argv[1]), "test holder").acquire()
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_second_run_on_a_locked_out_stops_with_exit_1_and_the_holder(corpus_dir, tmp_path):
    out = tmp_path / "out"
    small = tmp_path / "small"
    small.mkdir()
    (small / "a.txt").write_text("The council approved the budget on Tuesday.\n", "utf-8")
    assert CliRunner().invoke(cli, ["build", str(small), "-o", str(out), "-q"]).exit_code == 0
    before = visible(out)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        for args in (["build", str(small), "-o", str(out)], ["translate", str(out)],
                     ["build", str(small), "-o", str(out), "--append"],
                     ["export", str(out)], ["spm", "train", str(out)]):
            proc = subprocess.run([sys.executable, "-m", "corpus", *args], capture_output=True,
                                  text=True, timeout=120)
            assert proc.returncode == 1, (args, proc.stderr)
            [line] = proc.stderr.strip().splitlines()
            assert line.startswith(f"Error: {out} is in use by another corpus run (test holder, "
                                   f"pid {holder.pid} on {socket.gethostname()}, since "), line
            assert ".corpus-lock" in line
            assert visible(out) == before
    finally:
        holder.kill()  # kill -9: the lock file stays behind, with a dead holder in it
        holder.wait()
    assert (out / ".corpus-lock").exists()
    again = CliRunner().invoke(cli, ["build", str(small), "-o", str(out), "-q"])
    assert again.exit_code == 0, again.output  # the stale lock was taken over
    assert not (out / ".corpus-lock").exists()  # and released


# The same holder on a file system without flock (some network mounts): flock fails with
# ENOLCK there, as it does here once replaced so.
NO_FLOCK = """
import errno, fcntl, os
def no_flock(fd, op):
    raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))
fcntl.flock = no_flock
"""


def test_without_flock_the_holder_in_the_file_decides(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", NO_FLOCK + HOLDER, str(out)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        second = subprocess.run([sys.executable, "-c", NO_FLOCK + HOLDER, str(out)],
                                capture_output=True, text=True, timeout=60, input="")
        assert second.returncode == 1 and "InUseError" in second.stderr
        assert f"pid {holder.pid} on {socket.gethostname()}" in second.stderr
    finally:
        holder.kill()
        holder.wait()
    # the holder is dead: its file is stale, and replaced
    third = subprocess.run([sys.executable, "-c", NO_FLOCK + HOLDER, str(out)],
                           capture_output=True, text=True, timeout=60, input="")
    assert third.returncode == 0 and third.stdout.strip() == "locked", third.stderr


def test_a_rejected_run_leaves_no_empty_out(tmp_path):
    out = tmp_path / "new"
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "nothing*"), "-o", str(out)])
    assert result.exit_code == 2
    assert not out.exists()


# -- signals and workers --------------------------------------------------------------
def test_kill_9_of_the_parent_takes_the_workers_with_it(corpus_dir, tmp_path):
    out = tmp_path / "out"
    # no pipes: a worker that outlived its parent would hold them open
    proc = subprocess.Popen([sys.executable, "-m", "corpus", *build_args(corpus_dir, out, "-j",
                                                                         "2")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers = wait_for(lambda: workers_of(proc.pid), "two worker processes")
    finally:
        proc.kill()
        proc.wait(timeout=60)
    try:
        wait_for(lambda: not any(alive(w) for w in workers), "the workers to die", timeout=30)
    finally:
        for worker in workers:  # an orphan of a failed run must not outlive the test
            if alive(worker):
                os.kill(worker, signal.SIGKILL)


def test_sigterm_is_like_ctrl_c_and_resume_completes(corpus_dir, reference, tmp_path):
    out = tmp_path / "out"
    proc = start(build_args(corpus_dir, out, "-j", "2"))
    wait_for(lambda: checkpointed(out) and workers_of(proc.pid), "a checkpoint")
    workers = children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr + stdout
    assert stderr.strip().splitlines() == [
        f"Interrupted; {out} is unchanged. Add --resume to the same command to continue from "
        "the last checkpoint."]
    assert visible(out) == {}  # nothing of the interrupted run is visible
    assert not any(alive(w) for w in workers)
    # the run's own staging folder is kept for --resume, and named after it
    [staging] = out.glob(".staging-*")
    assert staging.name.startswith(f".staging-{proc.pid}-")
    resumed = subprocess.run([sys.executable, "-m", "corpus",
                              *build_args(corpus_dir, out, "-j", "2", "--resume")],
                             capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert visible(out, comparable=True) == reference
    assert not list(out.glob(".staging-*")) and not (out / ".corpus-lock").exists()


def test_ctrl_c_to_the_process_group_prints_no_worker_traceback(corpus_dir, tmp_path):
    out = tmp_path / "out"
    proc = start(build_args(corpus_dir, out, "-j", "2"), start_new_session=True)
    wait_for(lambda: checkpointed(out) and workers_of(proc.pid), "a checkpoint")
    workers = children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does: every process gets it
    _, stderr = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert "Add --resume" in stderr
    assert not any(alive(w) for w in workers)


# Runs the real CLI; the first commit of a build sends this process SIGTERM, as if the
# user pressed it just then.
COMMIT_DRIVER = """
import os, signal, sys
import corpus.writers.staging as staging
real = staging.Staging.commit
def commit(self, *args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)
    return real(self, *args, **kwargs)
staging.Staging.commit = commit
from corpus.cli import main
main()
"""


def test_a_signal_during_the_commit_waits_for_it(corpus_dir, reference, tmp_path):
    driver = tmp_path / "driver.py"
    driver.write_text(COMMIT_DRIVER, encoding="utf-8")
    out = tmp_path / "out"
    proc = start(build_args(corpus_dir, out, "-j", "1"), driver=driver)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 143, stderr
    assert stderr.strip().splitlines() == [
        f"Interrupted after the run completed: {out} holds the complete new corpus"]
    assert visible(out, comparable=True) == reference  # not cut half-way
    assert not (out / ".corpus-state" / "committing").exists()


# Runs the real CLI; while the 5th document is written, SIGINT arrives inside a __del__,
# where Python cannot raise it (it used to print "Exception ignored" and go on to exit 0).
DEL_DRIVER = """
import os, signal
import corpus.writers.corpus_writer as cw

class Bomb:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10000):
            pass

real_add = cw.CorpusWriter.add
calls = [0]
def add(self, doc):
    calls[0] += 1
    if calls[0] == 5:
        Bomb()
    return real_add(self, doc)
cw.CorpusWriter.add = add
from corpus.cli import main
main()
"""


def test_an_interrupt_python_swallows_still_interrupts(corpus_dir, tmp_path):
    driver = tmp_path / "driver.py"
    driver.write_text(DEL_DRIVER, encoding="utf-8")
    out = tmp_path / "out"
    proc = start(build_args(corpus_dir, out, "-j", "1"), driver=driver)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert "Add --resume" in stderr
    assert not (out / "manifest.json").exists()


# A pool whose manager thread an interrupt left blocked: the command line must still end.
STUCK_DRIVER = """
import sys, threading
import corpus.cli as cli_module
held = threading.Lock()
held.acquire()
threading.Thread(target=held.acquire, name="stuck-pool-thread").start()  # never returns
def interrupted(*args, **kwargs):
    print("Interrupted; OUT is unchanged.", file=sys.stderr)
    raise SystemExit(130)
cli_module.cli = interrupted
cli_module.main()
"""


def test_an_interrupted_command_ends_although_a_thread_is_stuck(tmp_path):
    driver = tmp_path / "stuck.py"
    driver.write_text(STUCK_DRIVER, encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(driver)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 130
    assert done.stderr.strip() == "Interrupted; OUT is unchanged."  # flushed before the end
    assert time.monotonic() - started < 30  # bounded: EXIT_SECONDS, not forever
