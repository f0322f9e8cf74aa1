"""Load benchmark (a script, not a test): N concurrent reviewers drive the real web app through gradio_client.

    python benchmarks/bench_load.py [--reviewers 20] [--duration 120] [--home DIR]

1. Prepares an ASSISTANT_HOME with the CDC index (built here unless --home already holds one) and a
   users.toml with one account per simulated reviewer (argon2 hashes, `assistant.auth.add_user`).
2. Starts the app (`python ui.py --auth users.toml`) on 127.0.0.1 on a free port, as a separate process.
3. Each reviewer signs in with its own account (so every draft belongs to that reviewer), reads a case in
   (/on_read_case), then loops until the duration is over: lookup (/on_chat without a case: the closest
   guideline passages), draft (/on_draft) and save (/on_edit with a changed rationale, which saves a revision).
4. Reports p50/p95/max latency per action, errors, and checks afterwards — with the app stopped — that every
   save the app acknowledged is in the drafts database, under the right reviewer, with the right text.

The endpoints are the app's own (Gradio names them after the handler functions); ui.py is unchanged.
Needs ../shared/corpus/cdc-opioids-2022.pdf (or ASSISTANT_SHARED_DIR) when it builds the index.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "tests" / "fixtures" / "cases").glob("*.txt"))
LOOKUPS = [
    "offer naloxone to patients at increased risk for opioid overdose",
    "tapering opioids slowly 10% per month",
    "urine drug testing before starting opioids",
    "benzodiazepines concurrently with opioids",
    "nonopioid therapies for chronic low back pain",
    "prescription drug monitoring program review",
]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))]


def prepare_home(home: Path, reviewers: int) -> Path:
    from assistant.auth import add_user
    from assistant.config import Settings
    from assistant.index.store import build_index, read_current_manifest

    shared = Path(os.environ.get("ASSISTANT_SHARED_DIR", ROOT.parent / "shared")) / "corpus"
    settings = Settings(home=home, corpus_mirror=shared)
    if read_current_manifest(settings) is None:
        t0 = time.perf_counter()
        result = build_index(settings)
        print(f"built the CDC index: {result.manifest.chunk_count} passages in {time.perf_counter() - t0:.1f} s",
              flush=True)
    from assistant.auth import load_users

    users = home / "users.toml"
    existing = load_users(users) if users.exists() else {}
    for n in range(reviewers):
        if f"reviewer{n:02d}" not in existing:
            add_user(users, f"reviewer{n:02d}", f"password-{n:02d}-load")
    return users


def start_app(home: Path, users: Path, port: int, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ASSISTANT_HOME": str(home)}
    shared = Path(os.environ.get("ASSISTANT_SHARED_DIR", ROOT.parent / "shared")) / "corpus"
    env["ASSISTANT_CORPUS_MIRROR"] = str(shared)
    log = open(log_path, "wb")
    process = subprocess.Popen([sys.executable, str(ROOT / "ui.py"), "--home", str(home), "--host", "127.0.0.1",
                                "--port", str(port), "--auth", str(users)], stdout=log, stderr=subprocess.STDOUT,
                               env=env)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the app exited with {process.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the app did not answer within 180 s")


def dropdown_value(output):
    if isinstance(output, dict):
        return output.get("value")
    return output


def badge_revision(badge: str) -> int | None:
    found = re.search(r"Saved revision (\d+)", badge or "")
    return int(found.group(1)) if found else None


class Reviewer(threading.Thread):
    def __init__(self, n: int, url: str, stop_at: float, latencies, errors, saves, lock):
        super().__init__(daemon=True)
        self.n, self.url, self.stop_at = n, url, stop_at
        self.name_ = f"reviewer{n:02d}"
        self.latencies, self.errors, self.saves, self.lock = latencies, errors, saves, lock
        self.rng = random.Random(n)

    def timed(self, action: str, fn):
        t0 = time.perf_counter()
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - counted and reported
            with self.lock:
                self.errors[action].append(f"{self.name_}: {type(exc).__name__}: {str(exc)[:200]}")
            return None
        with self.lock:
            self.latencies[action].append(time.perf_counter() - t0)
        return result

    def run(self) -> None:
        from gradio_client import Client

        client = self.timed("sign-in", lambda: Client(self.url, auth=(self.name_, f"password-{self.n:02d}-load"),
                                                      verbose=False))
        if client is None:
            return
        case_text = CASES[self.n % len(CASES)].read_text(encoding="utf-8")
        view = None
        for _attempt in range(5):  # two reviewers reading in at once can collide on a fresh case id: retry
            view = self.timed("read case", lambda: client.predict(case_text, None, api_name="/on_read_case"))
            if view is not None:
                break
        if view is None:
            return
        case_id = dropdown_value(view[0])
        edits = 0
        while time.monotonic() < self.stop_at:
            self.timed("lookup", lambda: client.predict(self.rng.choice(LOOKUPS), None, [], api_name="/on_chat"))
            if time.monotonic() >= self.stop_at:
                break
            decision = self.rng.choice(["Upheld", "Overturned"])
            drafted = self.timed("draft", lambda: client.predict(case_id, 0, decision, api_name="/on_draft"))
            if drafted is None or time.monotonic() >= self.stop_at:
                continue
            _, ca_line, reviewer_line, text, rows, _ = drafted
            edits += 1
            new_text = f"{text} Reviewer {self.name_} edit {edits}."
            badge = self.timed("save", lambda: client.predict(case_id, 0, decision, ca_line, reviewer_line, new_text,
                                                              rows, api_name="/on_edit"))
            if badge is not None:
                revision = badge_revision(badge)
                with self.lock:
                    if revision is None:
                        self.errors["save"].append(f"{self.name_}: no 'Saved revision' in the answer: {badge[:200]}")
                    else:
                        self.saves.append((self.name_, case_id, revision, new_text))
        client.close()


def verify_saves(home: Path, saves: list[tuple[str, str, int, str]]) -> tuple[int, list[str]]:
    from assistant.storage import DraftStore

    store = DraftStore(home / "drafts.sqlite3")
    problems = []
    try:
        histories: dict[tuple[str, str], dict[int, str]] = {}
        for reviewer, case_id, revision, text in saves:
            key = (reviewer, case_id)
            if key not in histories:
                histories[key] = {d.revision: d.rationale.rationale for d in store.item_history(reviewer, case_id, 0)}
            if histories[key].get(revision) != text:
                problems.append(f"{reviewer} {case_id} revision {revision}: expected the saved text, found "
                                f"{(histories[key].get(revision) or 'nothing')[:80]!r}")
    finally:
        store.close()
    return len(saves) - len(problems), problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load (default 120)")
    parser.add_argument("--home", type=Path, help="an ASSISTANT_HOME to reuse (a temporary one by default)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        home = args.home or Path(tmp) / "home"
        users = prepare_home(home, args.reviewers)
        port = free_port()
        log_path = Path(tmp) / "app.log"
        t0 = time.perf_counter()
        app = start_app(home, users, port, log_path)
        print(f"app up on 127.0.0.1:{port} in {time.perf_counter() - t0:.1f} s", flush=True)
        url = f"http://127.0.0.1:{port}/"
        try:
            from gradio_client import Client

            t0 = time.perf_counter()
            warm = Client(url, auth=("reviewer00", "password-00-load"), verbose=False)
            warm.predict(LOOKUPS[0], None, [], api_name="/on_chat")  # opens the index and loads the model
            warm.close()
            print(f"warm-up (index open + model load on first request): {time.perf_counter() - t0:.1f} s", flush=True)

            latencies, errors, saves, lock = defaultdict(list), defaultdict(list), [], threading.Lock()
            started = time.monotonic()
            stop_at = started + args.duration
            threads = [Reviewer(n, url, stop_at, latencies, errors, saves, lock) for n in range(args.reviewers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=args.duration + 300)
            elapsed = time.monotonic() - started
            hung = sum(t.is_alive() for t in threads)
            active = len({s[0] for s in saves})
        finally:
            app.terminate()
            try:
                app.wait(timeout=30)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait(timeout=10)

        print(f"\n{args.reviewers} reviewers (own accounts), {elapsed:.0f} s of load, app queue concurrency 8, "
              f"{os.cpu_count()} CPU cores")
        print(f"{'action':<10} {'calls':>6} {'p50 s':>8} {'p95 s':>8} {'max s':>8} {'errors':>7}")
        for action in ("sign-in", "read case", "lookup", "draft", "save"):
            values = latencies.get(action, [])
            if values:
                print(f"{action:<10} {len(values):>6} {statistics.median(values):>8.2f} {percentile(values, 0.95):>8.2f} "
                      f"{max(values):>8.2f} {len(errors.get(action, [])):>7}")
            else:
                print(f"{action:<10} {0:>6} {'-':>8} {'-':>8} {'-':>8} {len(errors.get(action, [])):>7}")
        total_errors = sum(len(v) for v in errors.values())
        for action, messages in errors.items():
            for message in messages[:3]:
                print(f"  error [{action}] {message}")
        found, problems = verify_saves(home, saves)
        print(f"errors: {total_errors}; reviewers that saved drafts: {active}/{args.reviewers}; "
              f"threads still running at the end: {hung}")
        print(f"saves acknowledged: {len(saves)}; read back from the drafts DB afterwards: {found}; "
              f"lost or wrong: {len(problems)}")
        for problem in problems[:5]:
            print(f"  {problem}")
        return 0 if not problems and not total_errors and not hung else 1


if __name__ == "__main__":
    raise SystemExit(main())
