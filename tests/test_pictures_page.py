"""The picture pages and files over HTTP, and the pages in headless Chromium, against a real server.

The browser is the query page tests' (Debian's Chromium through chromedriver, any host but 127.0.0.1
unresolvable, its network log read): each page must render the first source's actors and edges in the DOM,
show a quote on click, re-request the picture when a filter changes, and look like a picture in a screenshot
(many colours, much ink); and the network log must show no request but to the test server.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import test_query_page
from PIL import Image
from rdflib import URIRef
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait
from server_utils import LiveServer
from test_query_page import assert_all_local, assert_no_console_errors, references, requested_urls

from stancekb.pictures import Filters, PictureJob

server = test_query_page.server
"""The query page tests' fixture: a server on 127.0.0.1 holding the packaged KB."""
browser = test_query_page.browser
"""The query page tests' fixture: headless Chromium kept off the network but for 127.0.0.1."""

SKR = "https://w3id.org/stancekb/id/"
RSA = SKR + "rutte-stands-alone-new-nato/"
PICTURES = ["stance-map", "network", "timeline"]
PRESENT = {
    "stance-map": f"[data-holder='{SKR}giedrimas-jeglinskas'][data-column='{SKR}topic-secretary-general-role']",
    "network": f".edge[data-source='{SKR}european-nations'][data-target='{SKR}united-states']",
    "timeline": f".item[data-id='{RSA}meeting-white-house']",
}
"""For each page: an element of the first source's that must be drawn, and that is clicked for its details."""
SHOWN = {
    "stance-map": "The real challenge for him now is to become that Trump whisperer",
    "network": "84,000 troops",
    "timeline": "scheduled to meet with Trump at the White House on Thursday",
}
"""What the details panel then shows: a quote, the troops quantity, the source's words."""
ACTORS = {
    "stance-map": ["Giedrimas Jeglinskas", "Giuseppe Spatafora", "a NATO official", "Mark Rutte"],
    "network": ["Mark Rutte", "Donald Trump", "NATO", "United States", "European nations", "a NATO official"],
    "timeline": ["Rutte's meeting with Trump at", "emergency meetings on Ukraine"],
}


def test_each_picture_has_a_page_an_svg_a_png_and_a_model(server: LiveServer) -> None:
    with server.client() as client:
        for name in PICTURES:
            page = client.get(f"/pictures/{name}")
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            loaded = references(page.text).loaded
            assert loaded
            for url in loaded:
                assert not urlsplit(url).netloc, f"{url} is not on this server"
                assert client.get(f"/pictures/{url}").status_code == 200, f"{url} is not served"
            svg = client.get(f"/pictures/{name}.svg", params={"source": "rutte-stands-alone-new-nato"})
            assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
            assert ET.fromstring(svg.content).get("data-picture") == name
            same = PictureJob(name, Filters(URIRef(f"{SKR}rutte-stands-alone-new-nato")))(server.store)
            assert svg.text == same.svg, "the server's SVG is not the library's drawing"
            model = client.get(f"/pictures/{name}.json", params={"time": "now"}).json()
            assert model["picture"] == name and model["filters"]["time"] == "now" and model["model"]
        image = client.get("/pictures/timeline.png")  # the cheapest to render: PNG is the same path for all
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(image.content)).format == "PNG"
        links = references(client.get("/").text).links
    assert {f"pictures/{name}" for name in PICTURES} <= set(links), "the query page does not link the pictures"


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ("time=later", 400, "time: 'later' is not one of all, now, before, dated"),
        ("by=colour", 400, "by: 'colour' is not one of topic, target"),
        ("source=not%20an%20iri", 400, "source: 'not an iri' is not an identifier"),
        ("source=nothing-here", 404, f"source: no source document {SKR}nothing-here"),
        ("colour=red", 400, "unknown parameter 'colour'"),
        ("time=now&time=before", 400, "the parameter 'time' is given more than once"),
    ],
)
def test_bad_parameters_are_problems(server: LiveServer, query: str, status: int, detail: str) -> None:
    with server.client() as client:
        for suffix in (".svg", ".png", ".json"):
            response = client.get(f"/pictures/network{suffix}?{query}")
            assert response.status_code == status, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["detail"].startswith(detail), response.json()["detail"]


def test_an_unknown_picture_is_not_found(server: LiveServer) -> None:
    with server.client() as client:
        for path in ("/pictures/pie", "/pictures/pie.svg"):
            response = client.get(path)
            assert response.status_code == 404
            assert "the pictures are: stance-map, network, timeline" in response.json()["detail"]


def ink(screenshot: Path) -> tuple[int, float]:
    """Distinct colours in a screenshot, and the share of its pixels that are not white."""
    image = Image.open(screenshot).convert("RGB")
    colours = image.getcolors(1 << 24) or []
    white = sum(count for count, colour in colours if min(colour) >= 250)
    return len(colours), 1 - white / (image.width * image.height)


@pytest.mark.parametrize("name", PICTURES)
def test_page_renders_the_first_sources_picture_in_chromium(
    server: LiveServer, browser: webdriver.Chrome, tmp_path: Path, name: str
) -> None:
    requested_urls(browser)  # forget earlier pages' requests
    browser.get(f"{server.url}/pictures/{name}")
    wait = WebDriverWait(browser, 30)
    target = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, f"#picture svg {PRESENT[name]}")))
    svg = browser.find_element(By.CSS_SELECTOR, "#picture svg")
    assert svg.get_dom_attribute("data-picture") == name
    drawn = svg.get_attribute("textContent") or ""
    for actor in ACTORS[name]:
        assert actor in drawn, f"{actor!r} is not drawn"
    if name == "network":
        region = svg.find_element(By.CSS_SELECTOR, ".region")
        assert f"{RSA}meeting-paris" in (region.get_dom_attribute("data-nodes") or "").split()
        paris = svg.find_element(By.CSS_SELECTOR, f".node[data-id='{RSA}meeting-paris']").rect
        white_house = svg.find_element(By.CSS_SELECTOR, f".node[data-id='{RSA}meeting-white-house']").rect
        box = region.find_element(By.TAG_NAME, "rect").rect
        assert box["x"] <= paris["x"] <= box["x"] + box["width"]
        assert not box["x"] <= white_house["x"] <= box["x"] + box["width"], "the White House meeting is in the region"
    sources = Select(browser.find_element(By.ID, "source"))
    wait.until(lambda _: len(sources.options) > 1)
    assert "Rutte Stands Alone in the 'New NATO'" in [option.text for option in sources.options]

    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
    browser.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", target
    )  # SVG elements under others' labels are clicked through their event, as a mouse click would reach them
    details = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#details-body .entry")))
    assert SHOWN[name] in browser.find_element(By.ID, "details-body").text
    assert "Rutte Stands Alone in the 'New NATO'" in details.text

    screenshot = tmp_path / f"{name}.png"
    assert browser.save_screenshot(str(screenshot))
    colours, share = ink(screenshot)
    assert colours > 100 and share > 0.05, f"the screenshot looks empty: {colours} colours, {share:.1%} ink"

    Select(browser.find_element(By.ID, "time")).select_by_value("before")
    wait.until(ec.staleness_of(svg))
    redrawn = browser.find_element(By.CSS_SELECTOR, "#picture svg")
    assert "time: before" in (redrawn.get_attribute("textContent") or "")
    assert browser.find_element(By.ID, "download-svg").get_dom_attribute("href") == f"{name}.svg?time=before"
    urls = requested_urls(browser)
    assert f"{server.url}/pictures/{name}.svg?time=before" in urls
    assert_all_local(urls, server)
    assert_no_console_errors(browser)


def test_page_shows_the_servers_problem(server: LiveServer, browser: webdriver.Chrome) -> None:
    browser.get(f"{server.url}/pictures/network")
    wait = WebDriverWait(browser, 30)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#picture svg")))
    browser.execute_script(
        "const o = document.createElement('option'); o.value = 'nothing-here'; o.textContent = 'gone';"
        "const s = document.getElementById('source'); s.append(o); s.value = 'nothing-here';"
        "s.dispatchEvent(new Event('change', {bubbles: true}));"
    )
    error = wait.until(ec.visibility_of_element_located((By.ID, "error")))
    assert error.text.startswith("404 Not found: source: no source document"), error.text
    assert browser.find_element(By.ID, "status").text == "The picture could not be drawn."
