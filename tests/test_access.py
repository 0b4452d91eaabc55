"""Access: read-only unless an update token is configured; a missing or wrong token answers the same 401 whether
or not updates are enabled; the token is never echoed or logged; CORS never allows credentials.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_utils import TOKEN, LiveServer, live_server

from stancekb.settings import Settings
from stancekb.store import open_store

STANCEKB = Path(sys.executable).parent / "stancekb"
GRAPH = "https://example.org/access/g"
TURTLE = '<https://example.org/access/alice> <http://xmlns.com/foaf/0.1/name> "Alice" .'
WRONG = "wrong-token-guess-7d3e"

Write = tuple[str, str, dict[str, str], str | None, str | None]
"""A request that writes: method, path, params, content type, body."""
Servers = tuple[LiveServer, LiveServer]
WRITES: list[Write] = [
    ("POST", "/sparql", {}, "application/sparql-update", f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {TURTLE} }} }}"),
    ("POST", "/sparql", {}, "application/x-www-form-urlencoded", "update=CLEAR%20ALL"),
    ("PUT", "/graph-store", {"graph": GRAPH}, "text/turtle", TURTLE),
    ("POST", "/graph-store", {"graph": GRAPH}, "text/turtle", TURTLE),
    ("POST", "/graph-store", {}, "text/turtle", TURTLE),
    ("DELETE", "/graph-store", {"graph": GRAPH}, None, None),
    ("PUT", "/graph-store/some/graph", {}, "text/turtle", TURTLE),
]
CREDENTIALS = [
    None,
    f"Bearer {WRONG}",
    "Bearer",
    "Basic dXNlcjpwYXNz",
    WRONG,
    f"bearer {TOKEN}x",
    f"Bearer {TOKEN[:-1]}",
]


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    """A server with updates enabled (the token) and one without, each over an empty store."""
    with (
        live_server(open_store("oxigraph:"), update_token=TOKEN) as enabled,
        live_server(open_store("oxigraph:")) as disabled,
    ):
        yield enabled, disabled


def send(http: httpx.Client, write: Write, authorization: str | None) -> httpx.Response:
    method, path, params, content_type, body = write
    headers = {
        name: value for name, value in (("content-type", content_type), ("authorization", authorization)) if value
    }
    return http.request(method, path, params=params, content=body, headers=headers)


def answer(response: httpx.Response) -> tuple[int, str, str | None, dict]:
    """What a client learns from a refusal: status, media type, challenge and body."""
    return (
        response.status_code,
        response.headers["content-type"],
        response.headers.get("www-authenticate"),
        response.json(),
    )


@pytest.mark.parametrize("write", WRITES, ids=[f"{w[0]} {w[1]} {w[3]}" for w in WRITES])
def test_a_missing_or_wrong_token_answers_the_same_401_with_or_without_updates(servers: Servers, write: Write) -> None:
    enabled, disabled = servers
    with enabled.client() as on, disabled.client() as off:
        for authorization in CREDENTIALS:
            refused = answer(send(on, write, authorization))
            assert refused[0] == 401 and refused[2] is not None and refused[2].startswith("Bearer"), refused
            assert answer(send(off, write, authorization)) == refused, authorization
            assert WRONG not in str(refused) and TOKEN not in str(refused)
    assert len(enabled.store) == 0 and len(disabled.store) == 0


def test_the_right_token_writes_and_is_not_echoed(servers: Servers) -> None:
    enabled, disabled = servers
    put = WRITES[2]
    with enabled.client() as on, disabled.client() as off:
        response = send(on, put, f"Bearer {TOKEN}")
        assert response.status_code == 201 and TOKEN not in str(response.headers) + response.text
        assert len(enabled.store) == 1
        refused = send(off, put, f"Bearer {TOKEN}")  # no token configured: no token is right
        assert refused.status_code == 401 and TOKEN not in refused.text
        assert send(on, WRITES[5], f"Bearer {TOKEN}").status_code == 204
    assert len(enabled.store) == 0 and len(disabled.store) == 0


def test_the_token_is_not_in_any_description(servers: Servers) -> None:
    enabled, _ = servers
    with enabled.client() as http:
        pages = [http.get(path) for path in ("/sparql", "/openapi.json", "/docs", "/", "/nowhere")]
    assert all(TOKEN not in page.text for page in pages)
    settings = Settings(update_token=TOKEN)
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.model_dump())


def test_cors_never_allows_credentials_nor_the_token_header(servers: Servers) -> None:
    """(The wildcard origin without credentials is checked in tests/test_sparql_protocol.py.)"""
    enabled, _ = servers
    origin = {"origin": "https://evil.example"}
    with enabled.client() as http:
        read = http.get("/sparql", params={"query": "ASK {}"}, headers={**origin, "cookie": "session=1"})
        assert "access-control-allow-credentials" not in read.headers
        # a page of another site cannot send the bearer token: Authorization is not an allowed header
        request_headers = {"access-control-request-method": "PUT", "access-control-request-headers": "authorization"}
        with_token = http.options("/graph-store", headers={**origin, **request_headers})
        assert with_token.status_code == 400
        assert "authorization" not in with_token.headers.get("access-control-allow-headers", "").lower()
        assert "access-control-allow-credentials" not in with_token.headers


def test_cors_with_configured_origins_names_only_them() -> None:
    with live_server(open_store("oxigraph:"), cors_origins=["https://app.example"]) as server, server.client() as http:
        allowed = http.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://app.example"})
        other = http.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-credentials" not in allowed.headers
    assert "access-control-allow-origin" not in other.headers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_stancekb_serve_never_logs_the_token(tmp_path: Path) -> None:
    """The real command, its logs at info level (access log included), through right, wrong and failing writes."""
    port = free_port()
    env = {**os.environ, "STANCEKB_LOAD_KB": "false"}
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [STANCEKB, "--store", "oxigraph:", "serve", "--port", str(port), "--update-token", TOKEN],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=5)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and process.poll() is None, log.read_text()
                    time.sleep(0.2)
            with httpx.Client(base_url=url, timeout=60) as http:
                assert send(http, WRITES[2], f"Bearer {TOKEN}").status_code == 201
                assert send(http, WRITES[2], f"Bearer {WRONG}").status_code == 401
                bad: Write = ("PUT", "/graph-store", {"graph": GRAPH}, "text/turtle", "<a> <b")
                assert send(http, bad, f"Bearer {TOKEN}").status_code == 400
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    logged = log.read_text()
    assert "PUT /graph-store" in logged, logged  # the access log was written, and it holds no token
    assert TOKEN not in logged and WRONG not in logged
