"""
Section 7: the CLI the README installs, importing contacts into the *served* emulator.

The section builds a fresh virtualenv with the ``pip install`` of the README's main command
(between its ``main-command`` markers: ``pip install -e '.[cli,emulator]'``), checks that it
brought aiohttp, and runs that install's ``talkkit contacts import`` of an N-row CSV (default
concurrency, ``--json``) against that install's ``talkkit emulator serve``, in its own process:
over httpx's transport (``TALKKIT_TRANSPORT=httpx``: the same code path as an install without
aiohttp) and over the default one (aiohttp), and, as the practical limit, raw aiohttp posting the same rows from one process
at C=64 (``asyncio.gather`` over a semaphore, one session). Every run gets a fresh emulator, so its duplicate
checks start from an empty store; the runs alternate httpx, aiohttp, aiohttp, httpx, … so a
drift in the machine's load weighs on both alike.
"""

from __future__ import annotations

import csv
import json
import os
import re
import resource
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks._common import ROOT, Figure, Goal, Scale, Section, fmt

__all__ = ["import_rate", "readme_install_argv", "run_cli_import"]

GOAL_RATIO = 3.0
GOAL_RAW = 0.6  # the CLI ≥ 0.6× raw aiohttp, both at C=64 (#18)
RAW_CONCURRENCY = 64
# Raw aiohttp: every row's create POSTed at C=64 from one process, what a hand-written
# uploader reaches (argv: contacts URL, token, team, company, rows). Prints rows/s.
_RAW_AIOHTTP = """
import asyncio, sys, time
import aiohttp

async def main(url, token, team, company, rows, limit):
    headers = {"Authorization": f"Bearer {token}"}
    gate = asyncio.Semaphore(limit)
    async with aiohttp.ClientSession(headers=headers) as session:
        async def create(i):
            body = {"teamId": team, "companyId": company, "firstName": "Ada",
                    "lastName": f"Lovelace{i}", "email": f"user{i}@example.com"}
            async with gate, session.post(url, json=body) as response:
                response.raise_for_status()
                await response.read()
        started = time.perf_counter()
        await asyncio.gather(*(create(i) for i in range(rows)))
        print(rows / (time.perf_counter() - started))

url, token, team, company, rows, limit = sys.argv[1:]
asyncio.run(main(url, token, team, company, int(rows), int(limit)))
"""
TRANSPORTS = {  # name: (label, TALKKIT_TRANSPORT for the CLI; None: unset, the default)
    "httpx": ("httpx transport (as installed without aiohttp)", "httpx"),
    "aiohttp": ("default transport (aiohttp)", None),
}


def readme_install_argv() -> list[str]:
    """The ``pip install …`` of the README's main command, as arguments (``pip`` first)."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- main-command -->(.*?)<!-- /main-command -->", text, re.S)
    if block is None:
        raise RuntimeError("README.md has no <!-- main-command --> block")
    for part in block.group(1).replace("```bash", "").replace("```", "").split("&&"):
        argv = shlex.split(part)
        if argv[:2] == ["pip", "install"]:
            return argv
    raise RuntimeError("the README's main command has no `pip install`")


@contextmanager
def _readme_install(fresh: bool) -> Iterator[Path]:
    """A fresh virtualenv holding the README's install of talkkit; yields its Python."""
    if not fresh:  # --quick: this interpreter's talkkit (a smoke test, no download)
        yield Path(sys.executable)
        return
    with tempfile.TemporaryDirectory(prefix="talkkit-readme-") as venv:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
        python = Path(venv) / "bin" / "python"
        pip = [str(python), "-m", *readme_install_argv(), "-q", "--disable-pip-version-check"]
        subprocess.run(pip, cwd=ROOT, check=True, timeout=900)
        yield python


def _has(python: Path, module: str) -> bool:
    code = f"import importlib.util as u; print(u.find_spec({module!r}) is not None)"
    found = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return found.stdout.strip() == "True"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def _served_emulator(python: Path) -> Iterator[tuple[str, int]]:
    """``talkkit emulator serve`` on a free port: yields its root URL and process id."""
    port = _free_port()
    process = subprocess.Popen(
        [python, "-m", "talkkit.cli", "emulator", "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("`talkkit emulator serve` did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _company(root: str) -> str:
    """A company in the emulator's team, for the imported contacts."""
    import anyio

    from talkkit import AsyncTalkturo
    from talkkit.emulator import TALKTURO_TEAM_ID, TALKTURO_TOKEN

    async def create() -> str:
        base = root + "/api"
        async with AsyncTalkturo(TALKTURO_TOKEN, base_url=base, team_id=TALKTURO_TEAM_ID) as c:
            return (await c.companies.create(name="Benchmark Inc.")).id

    return anyio.run(create)


def _write_csv(path: Path, rows: int) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["first_name", "last_name", "email"])
        for i in range(rows):
            writer.writerow(["Ada", f"Lovelace{i}", f"user{i}@example.com"])
    return path


def _import(
    python: Path, csv_path: Path, transport: str | None
) -> tuple[float, float, float, float]:
    """One import into a fresh served emulator: rows/s, wall s, CLI CPU s, emulator CPU s."""
    from talkkit.emulator import TALKTURO_TEAM_ID, TALKTURO_TOKEN

    with _served_emulator(python) as (root, pid):
        company = _company(root)
        env = {k: v for k, v in os.environ.items() if k != "TALKKIT_TRANSPORT"}
        env |= {
            "TALKTURO_TOKEN": TALKTURO_TOKEN,
            "TALKTURO_BASE_URL": root + "/api",
            "TALKTURO_TEAM_ID": TALKTURO_TEAM_ID,
        }
        if transport is not None:
            env["TALKKIT_TRANSPORT"] = transport
        argv = [str(python), "-m", "talkkit.cli", "contacts", "import", str(csv_path)]
        argv += ["--company-id", company, "--concurrency", str(RAW_CONCURRENCY), "--json"]
        server_cpu = _cpu_seconds(pid)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_cpu = _cpu_seconds(pid) - server_cpu
    if done.returncode != 0:
        raise RuntimeError(f"contacts import failed ({done.returncode}): {done.stderr[-500:]}")
    rate = import_rate(done.stdout)
    cli_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    return rate, wall, cli_cpu, server_cpu


def import_rate(output: str) -> float:
    """
    Rows per second of the import itself, from ``talkkit contacts import --json``'s summary:
    rows done ÷ the job's seconds (without the process's start).

    Raises:
        RuntimeError: The import did not create every row.
    """
    summary = json.loads(output)
    if summary["done"] != summary["total"]:
        raise RuntimeError(f"contacts import did not create every row: {summary}")
    return float(summary["done"]) / float(summary["elapsed_seconds"])


def _raw_import(python: Path, rows: int) -> tuple[float, float, float, float]:
    """Raw aiohttp into a fresh served emulator: rows/s, wall s, client CPU s, emulator CPU s."""
    from talkkit.emulator import TALKTURO_TEAM_ID, TALKTURO_TOKEN

    with _served_emulator(python) as (root, pid):
        company = _company(root)
        argv = [str(python), "-c", _RAW_AIOHTTP, root + "/api/crm/contacts", TALKTURO_TOKEN]
        argv += [TALKTURO_TEAM_ID, company, str(rows), str(RAW_CONCURRENCY)]
        server_cpu = _cpu_seconds(pid)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=900)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_cpu = _cpu_seconds(pid) - server_cpu
    if done.returncode != 0:
        raise RuntimeError(f"raw aiohttp import failed ({done.returncode}): {done.stderr[-500:]}")
    client_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    return float(done.stdout.strip()), wall, client_cpu, server_cpu


def run_cli_import(scale: Scale) -> Section:
    """Rows/s of the README install's ``talkkit contacts import`` on each transport."""
    rows, reps = scale.cli_import_rows, scale.cli_import_reps
    section = Section(
        "cli_import",
        f"7. The README's install: `talkkit contacts import` into `talkkit emulator serve` "
        f"({fmt(rows)} rows)",
    )
    labels = {name: label for name, (label, _) in TRANSPORTS.items()}
    labels["raw"] = f"raw aiohttp, one process, C={RAW_CONCURRENCY} (the practical limit)"
    rates = {name: Figure(label, "rows/s") for name, label in labels.items()}
    walls = {name: Figure(label, "s") for name, label in labels.items()}
    cli_cpu = {name: Figure(label, "µs/row") for name, label in labels.items()}
    emu_cpu = {name: Figure(label, "µs/row") for name, label in labels.items()}
    names = list(labels)
    order = [name for rep in range(reps) for name in (names if rep % 2 == 0 else names[::-1])]
    install = shlex.join(readme_install_argv())
    where = f"A fresh virtualenv with `{install}` (the README's main command), nothing else."
    if scale.cli_import_venv:
        print(f"  building a virtualenv with `{install}`", flush=True)
    else:
        where = "The talkkit of the Python running the suite (not a fresh virtualenv)."
    with _readme_install(scale.cli_import_venv) as python, tempfile.TemporaryDirectory() as tmp:
        brings = _has(python, "aiohttp")
        path = _write_csv(Path(tmp) / "contacts.csv", rows)
        for name in order:
            if name == "raw":
                rate, wall, client, server = _raw_import(python, rows)
            else:
                rate, wall, client, server = _import(python, path, TRANSPORTS[name][1])
            rates[name].samples.append(rate)
            walls[name].samples.append(wall)
            cli_cpu[name].samples.append(client / rows * 1e6)
            emu_cpu[name].samples.append(server / rows * 1e6)
            print(f"  cli import [{name}]: {rate:,.0f} rows/s", flush=True)
    section.table.append(
        ["client", "rows/s: median", "min", "max", "wall s", "client CPU µs/row",
         "emulator CPU µs/row"]
    )  # fmt: skip
    for name, rate in rates.items():
        section.table.append(
            [
                rate.name,
                fmt(rate.median),
                fmt(rate.min),
                fmt(rate.max),
                f"{walls[name].median:.1f}",
                fmt(cli_cpu[name].median),
                fmt(emu_cpu[name].median),
            ]
        )
        section.data[name] = {
            "rows_per_s": rate.samples,
            "wall_s": walls[name].samples,
            "cli_cpu_us_per_row": cli_cpu[name].samples,
            "emulator_cpu_us_per_row": emu_cpu[name].samples,
        }
    fast, slow = rates["aiohttp"].median, rates["httpx"].median
    ratio = fast / slow
    cpu_ratio = cli_cpu["httpx"].median / cli_cpu["aiohttp"].median
    section.table.append(
        ["ratio aiohttp ÷ httpx (CPU: httpx ÷ aiohttp)", f"**{ratio:.2f}×**", "", "", "",
         f"{cpu_ratio:.2f}×", ""]
    )  # fmt: skip
    limit = fast / rates["raw"].median
    section.table.append(
        [f"ratio CLI (aiohttp) ÷ raw aiohttp at C={RAW_CONCURRENCY}", f"**{limit:.2f}×**", "",
         "", "", "", ""]
    )  # fmt: skip
    section.goals.append(
        Goal(f"the README's `{install}` installs aiohttp", "yes" if brings else "no", brings)
    )
    section.goals.append(
        Goal(
            f"the README's CLI ≥ {GOAL_RAW:g}× raw aiohttp, both at C={RAW_CONCURRENCY} "
            "into `talkkit emulator serve`",
            f"{limit:.2f}× ({fmt(fast)} vs {fmt(rates['raw'].median)} rows/s)",
            limit >= GOAL_RAW,
        )
    )
    section.goals.append(
        Goal(
            f"the README's CLI, `talkkit contacts import` of {fmt(rows)} rows into `talkkit "
            f"emulator serve`: default transport (aiohttp) ≥ {GOAL_RATIO:g}× httpx's",
            f"{ratio:.2f}× ({fmt(fast)} vs {fmt(slow)} rows/s)",
            ratio >= GOAL_RATIO,
        )
    )
    section.notes.append(
        f"{where} {reps} run(s) per transport, alternating, each into a fresh `talkkit emulator serve` "
        "of that install (its own process, default options: Talkturo has no rate limit) "
        "holding one company created first. CLI = `talkkit contacts import FILE.csv "
        f"--company-id C --concurrency {RAW_CONCURRENCY} --json` (no journal, progress lines on "
        "stderr). rows/s = rows done ÷ the CLI's own `elapsed_seconds` (interpreter start "
        "excluded; wall s includes it). CPU per row: the CLI process's and the emulator's over "
        "the same run; the CLI's is less sensitive to other load on the machine than rows/s. "
        "Both processes share the machine's cores, so the emulator's own cost per row bounds "
        "what either transport can reach."
    )
    return section
