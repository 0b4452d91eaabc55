"""The query page at the server's root, its examples and the API docs, all served by the server alone.

The browser tests drive Debian's Chromium through Debian's chromedriver (selenium, told where both are, so it
downloads nothing) against a real server on 127.0.0.1 holding the packaged KB, and read Chromium's network
log to check that no request went to another host. Without Debian's chromium and chromium-driver packages
(listed in scripts/system-packages-test.txt) the browser tests fail and name them.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import URIRef
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.wait import WebDriverWait
from server_utils import LiveServer, live_server
from test_competency_questions import compact

from stancekb.load import load_packaged_kb
from stancekb.resources import query_files
from stancekb.store import open_store

BROWSER_PACKAGES = "chromium chromium-driver"
"""The Debian packages of Chromium and chromedriver (in scripts/system-packages-test.txt)."""
QUESTION = "03-blocs-without-us"
"""The competency question the browser runs: which blocs form without the United States."""
LOADING = {"script": "src", "img": "src", "link": "href"}
"""The attribute that names what an HTML element makes the browser load."""
NETWORK_SCHEMES = {"http", "https", "ws", "wss", "ftp"}
REST_LINKS = {"actors", "stances", "meetings", "dependencies", "topics", "sources", "docs"}


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """A server on 127.0.0.1 holding the packaged KB."""
    store = open_store("oxigraph:")
    report = load_packaged_kb(store)
    assert report.committed, report.validation.text()
    with live_server(store) as running:
        yield running
    store.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Headless Chromium with a new profile, kept off the network but for 127.0.0.1, logging its requests."""
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        pytest.fail(
            f"Chromium or chromedriver is missing: install the Debian packages {BROWSER_PACKAGES} "
            f"(apt-get install {BROWSER_PACKAGES}, or scripts/bootstrap --test)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        # Any host name but 127.0.0.1 resolves to nothing: a request elsewhere fails here and shows in the log.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(browser: webdriver.Chrome) -> list[str]:
    """The URLs the browser requested since the last call (Chromium's DevTools network log)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def assert_all_local(urls: list[str], server: LiveServer) -> None:
    """Every network request went to the test server (Chromium's ``chrome:`` pages and ``data:`` URLs go nowhere)."""
    sent = [url for url in urls if urlsplit(url).scheme in NETWORK_SCHEMES]
    assert any(url.startswith(f"{server.url}/") for url in sent), f"no request reached the server: {urls}"
    elsewhere = [url for url in sent if not url.startswith(f"{server.url}/")]
    assert not elsewhere, f"requests left the server: {elsewhere}"


def assert_no_console_errors(browser: webdriver.Chrome) -> None:
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, f"the page logged errors: {errors}"


def result_rows(browser: webdriver.Chrome) -> list[dict[str, str]]:
    """The result table's rows, each value as the expected answers write it: IRIs compacted, literals' text."""
    table = browser.find_element(By.CSS_SELECTOR, "#output table")
    names = [th.text.removeprefix("?") for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    rows = []
    for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
        row = {}
        for name, cell in zip(names, tr.find_elements(By.TAG_NAME, "td"), strict=True):
            if links := cell.find_elements(By.TAG_NAME, "a"):
                row[name] = compact(URIRef(links[0].get_dom_attribute("href")))
            elif values := cell.find_elements(By.CLASS_NAME, "value"):
                row[name] = values[0].text
        rows.append(row)
    return rows


class References(HTMLParser):
    """What an HTML page loads and links to, and which of its form controls have a label."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.links: list[str] = []
        self.labelled: set[str] = set()
        self.controls: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and (href := attributes.get("href")):
            self.links.append(href)
        elif tag in LOADING and (url := attributes.get(LOADING[tag])):
            self.loaded.append(url)
        elif tag == "label" and (target := attributes.get("for")):
            self.labelled.add(target)
        elif tag in ("input", "select", "textarea"):
            self.controls.add(attributes.get("id") or "")


def references(html: str) -> References:
    parser = References()
    parser.feed(html)
    return parser


def test_root_answers_the_page_and_its_assets(server: LiveServer) -> None:
    with server.client() as client:
        response = client.get("/")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        page = references(response.text)
        assert page.loaded, "the page loads no assets"
        for url in page.loaded:
            assert not urlsplit(url).scheme and not urlsplit(url).netloc, f"{url} is not on this server"
            assert client.get(f"/{url}").status_code == 200, f"{url} is not served"
        assert set(page.links) >= REST_LINKS, f"links into the REST layer are missing: {REST_LINKS - set(page.links)}"
        assert page.controls and page.controls <= page.labelled, f"unlabelled controls: {page.controls - page.labelled}"


def test_examples_are_the_competency_questions(server: LiveServer) -> None:
    with server.client() as client:
        response = client.get("/examples.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    examples = response.json()
    files = query_files()
    assert [example["name"] for example in examples] == [entry.name.removesuffix(".rq") for entry in files]
    for example, entry in zip(examples, files, strict=True):
        text = entry.read_text(encoding="utf-8")
        assert example["query"] == text
        assert example["question"] == text.partition("\n")[0].removeprefix("# Question: ")


def test_docs_load_swagger_ui_from_this_server(server: LiveServer) -> None:
    with server.client() as client:
        response = client.get("/docs")
        assert response.status_code == 200
        loaded = references(response.text).loaded
        remote = [url for url in loaded if urlsplit(url).netloc]
        assert not remote, (
            f"/docs loads {remote}: FastAPI's own docs page answers, with Swagger UI from a CDN; "
            "create_app must pass docs_url=None and redoc_url=None so that routes/page.py's /docs answers"
        )
        for url in loaded:
            assert client.get(url).status_code == 200, f"{url} is not served"
    assert '"validatorUrl": null' in response.text, "Swagger UI would load its validator badge from elsewhere"


def test_page_runs_a_competency_question_in_chromium(
    server: LiveServer, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    example = next(entry for entry in query_files() if entry.name == f"{QUESTION}.rq")
    question = example.read_text(encoding="utf-8").partition("\n")[0].removeprefix("# Question: ")
    expected = json.loads((example.parent / f"{QUESTION}.expected.json").read_text(encoding="utf-8"))["rows"]
    browser.get(f"{server.url}/")
    wait = WebDriverWait(browser, 30)

    button = wait.until(ec.element_to_be_clickable((By.XPATH, f"//ol[@id='examples']//button[. = '{question}']")))
    button.click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#output table")))

    assert button.get_dom_attribute("aria-current") == "true"
    assert browser.find_element(By.ID, "query").get_property("value") == example.read_text(encoding="utf-8")
    assert browser.find_element(By.ID, "status").text.startswith(f"{len(expected)} rows")
    got = Counter(frozenset(row.items()) for row in result_rows(browser))
    want = Counter(frozenset(row.items()) for row in expected)
    assert got == want, f"missing: {list(want - got)}\nunexpected: {list(got - want)}"

    screenshot = tmp_path / "query-page.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and screenshot.stat().st_size > 10_000
    assert_all_local(requested_urls(browser), server)
    assert_no_console_errors(browser)


def test_page_shows_the_servers_problem_for_a_bad_query(server: LiveServer, browser: webdriver.Chrome) -> None:
    browser.get(f"{server.url}/")
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys("SELECT * WHERE { ?s ?p }", Keys.CONTROL, Keys.ENTER)  # the keyboard shortcut runs it
    error = WebDriverWait(browser, 30).until(ec.visibility_of_element_located((By.ID, "error")))
    assert error.get_dom_attribute("role") == "alert"
    assert error.text.startswith("400 SPARQL syntax error"), error.text
    assert browser.find_element(By.ID, "status").text == "The query failed."
    assert_all_local(requested_urls(browser), server)


def test_docs_page_renders_in_chromium_without_leaving_the_server(
    server: LiveServer, browser: webdriver.Chrome
) -> None:
    browser.get(f"{server.url}/docs")
    title = WebDriverWait(browser, 30).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, ".swagger-ui .info .title"))
    )
    assert title.text.startswith("StanceKB")
    assert_all_local(requested_urls(browser), server)
