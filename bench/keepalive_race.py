"""Reproduce the keep-alive race behind the load test's transport errors (docs/security.md, "Load test").

Serves the app (no KB, in a thread, on 127.0.0.1) with uvicorn's keep-alive set to ``--keep-alive`` seconds,
and runs ``--clients`` httpx clients that each reuse their connection after an idle time just under httpx's
own 5 s expiry, while the client loop is kept busy 30 ms at a time (as 32 load-test clients keep it). With
uvicorn's default 5 s, some requests fail with ``ReadError`` or "server disconnected without sending a
response"; with the server's ``KEEP_ALIVE_SECONDS`` none do.

    .venv/bin/python bench/keepalive_race.py --keep-alive 5
    .venv/bin/python bench/keepalive_race.py            # the server's own setting
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import threading
import time

import httpx
import uvicorn

from stancekb.api.main import KEEP_ALIVE_SECONDS, create_app, server_config
from stancekb.settings import Settings

IDLE = (4.9, 5.0)
"""Seconds a client leaves its connection idle between requests: just under httpx's 5 s expiry."""


async def client_loop(client: httpx.AsyncClient, rounds: int, errors: list[str]) -> int:
    """Send ``rounds`` requests with an idle pause after each; return how many were answered 200."""
    answered = 0
    for _ in range(rounds):
        try:
            response = await client.get("/sparql", params={"query": "ASK {}"})
            answered += response.status_code == 200
        except httpx.HTTPError as error:
            errors.append(f"{type(error).__name__}: {error}")
        await asyncio.sleep(random.uniform(*IDLE))
    return answered


async def busy(stop: asyncio.Event) -> None:
    """Keep the client's event loop busy, so that it processes responses late, as under load."""
    while not stop.is_set():
        time.sleep(0.03)
        await asyncio.sleep(0.001)


async def race(url: str, clients: int, rounds: int) -> tuple[int, list[str]]:
    """Run the clients; return the requests answered and the errors."""
    errors: list[str] = []
    stop = asyncio.Event()
    blocker = asyncio.create_task(busy(stop))
    async with httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=clients)) as client:
        answered = await asyncio.gather(*(client_loop(client, rounds, errors) for _ in range(clients)))
    stop.set()
    await blocker
    return sum(answered), errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep-alive", type=float, default=KEEP_ALIVE_SECONDS, help="uvicorn's keep-alive (s)")
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings = Settings(load_kb=False, host="127.0.0.1", port=port, base_url=f"http://127.0.0.1:{port}")
    config = server_config(create_app(settings), settings, log_level="warning", timeout_keep_alive=args.keep_alive)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        answered, errors = asyncio.run(race(f"http://127.0.0.1:{port}", args.clients, args.rounds))
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
    kinds = sorted({error[:80] for error in errors})
    print(f"keep-alive {args.keep_alive:g} s: {answered} answered, {len(errors)} errors {kinds}")


if __name__ == "__main__":
    main()
