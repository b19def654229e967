"""What a person sees: a real `datasette serve` driven through Debian's headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import urlopen

import pytest

from .utils import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"

if not Path(CHROMIUM).exists():
    if os.environ.get("CLAIMS_REQUIRE_BROWSER"):
        raise RuntimeError("CLAIMS_REQUIRE_BROWSER is set but Debian's chromium is not installed")
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )

sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(seed_db_path):
    port = free_port()
    datasette = Path(sys.executable).with_name("datasette")
    args = [
        str(datasette),
        "serve",
        "-i",
        str(seed_db_path),
        "-m",
        str(ROOT / "metadata.yml"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError(process.stdout.read().decode() if process.stdout else "no output")
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


class Watch:
    """Collects console errors and every request host while a page is used."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.hosts: set[str] = set()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.hosts.add(urlparse(r.url).hostname or r.url))


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_newcomer_walk(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page)
    page.goto(server + "/")
    shot(page, "01-home")
    page.get_by_role("link", name="claims", exact=True).first.click()
    page.wait_for_url("**/claims")
    # The database page's action menu links to the overview.
    page.locator("details.actions-menu-links > summary").click()
    menu_link = page.locator('details.actions-menu-links a[href$="/claims/-/claims"]')
    assert "Claims overview" in menu_link.inner_text()
    menu_link.click()
    page.wait_for_url("**/claims/-/claims")
    shot(page, "02-overview")
    assert page.get_by_role("heading", name="Claims", level=1).is_visible()

    # Filter by status through the form, then clear.
    page.select_option("#claims-status", "unverified")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**status=unverified**")
    assert "status = unverified" in page.inner_text(".claims-active-filters")

    # The disputed munitions proposition's comparison page.
    page.goto(server + "/claims/-/claims")
    page.locator('a.claims-more[href$="/compare/nk-supplies-russia-with-munitions"]').click()
    page.wait_for_url("**/compare/nk-supplies-russia-with-munitions")
    shot(page, "03-compare-disputed")
    assert "Disputed" in page.inner_text(".claims-lede")
    assert (
        "Government of Russia denies what Government of the United States asserts"
        in page.inner_text(".claims-disagreements")
    )

    # A claim, then its source, then back.
    page.get_by_role("link", name="Russland weist das zurück").click()
    page.wait_for_url("**/claims/russia-denies-munitions")
    shot(page, "04-claim")
    assert page.inner_text("mark") == "Russland weist das zurück"
    page.locator(".claims-facts a").first.click()
    page.wait_for_url("**/sources/russia")
    shot(page, "05-source")
    assert page.get_by_role("heading", name="Government of Russia").is_visible()
    page.go_back()
    page.wait_for_url("**/claims/russia-denies-munitions")

    # Paging through the overview with the "Next page" link.
    page.goto(server + "/claims/-/claims?_size=10")
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url("**_next=**")
    assert page.locator("table.claims-list tbody tr").count() == 10

    assert watch.errors == []
    assert watch.hosts == {"127.0.0.1"}
    page.close()


@pytest.mark.parametrize(
    "path",
    [
        "/claims/-/claims",
        "/claims/-/claims/nis-3000-in-russia",
        "/claims/-/claims/compare/nk-troops-in-russia",
        "/claims/-/claims/sources/south-korea",
    ],
)
def test_phone_width_and_basic_accessibility(server, browser, path):
    page = browser.new_page(viewport={"width": 375, "height": 740})
    watch = Watch(page)
    page.goto(server + path)
    shot(page, "phone-" + path.strip("/").replace("/", "_"))
    # No sideways scrolling of the whole page; wide tables scroll in their own box.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the phone"
    # Headings do not skip levels.
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4')].map(h => +h.tagName[1])")
    assert levels and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    # Every form field has a label.
    unlabeled = page.evaluate(
        """[...document.querySelectorAll(
               'input:not([type=hidden]):not([type=submit]), select, textarea')]
             .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
             .map(el => el.outerHTML)"""
    )
    assert unlabeled == []
    # Status badges have at least 4.5:1 contrast.
    ratios = page.evaluate(
        """(() => {
          const lum = c => { const v = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(x => {
              x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
            return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
          return [...document.querySelectorAll('.claims-badge')].map(b => {
            const s = getComputedStyle(b); const a = lum(s.color), z = lum(s.backgroundColor);
            return (Math.max(a, z) + 0.05) / (Math.min(a, z) + 0.05); });
        })()"""
    )
    assert ratios and min(ratios) >= 4.5, ratios
    assert watch.errors == []
    page.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_timeline_marks_do_not_hide_each_other_and_stay_readable(server, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server + "/claims/-/claims/compare/nk-supplies-russia-with-munitions")
    shot(page, f"timeline-disputed-{width}")
    boxes = page.evaluate(
        """[...document.querySelectorAll('rect.claims-tl-claim')].map(r => {
             const b = r.getBoundingClientRect(); return [b.left, b.right, b.top, b.bottom]; })"""
    )
    assert len(boxes) >= 2  # the US assertion and Russia's denial
    for n, a in enumerate(boxes):
        for b in boxes[n + 1 :]:
            overlap = min(a[1], b[1]) - max(a[0], b[0])
            assert overlap <= 0.5, f"two claim marks overlap by {overlap:.1f}px: {a} {b}"
    # Labels never shrink below a readable size: the chart scrolls in its box instead.
    sizes = page.evaluate(
        """[...document.querySelectorAll('.claims-timeline text')].map(t =>
             t.getBoundingClientRect().height)"""
    )
    assert sizes and min(sizes) >= 9, sizes
    # Each mark can be reached from the keyboard and says who and what.
    labels = page.evaluate(
        "[...document.querySelectorAll('rect.claims-tl-claim')]"
        ".map(r => r.getAttribute('aria-label'))"
    )
    assert any("denies" in label for label in labels)
    assert any("asserts" in label for label in labels)
    page.close()


def test_a_month_forecast_is_labelled_with_its_month(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/claims/-/claims/compare/nk-troops-in-russia")
    ticks = page.evaluate(
        "[...document.querySelectorAll('.claims-timeline text')].map(t => t.textContent)"
    )
    assert "2024-12" in ticks and "2024-12-01" not in ticks, ticks
    page.close()


@pytest.mark.parametrize(
    "path",
    [
        "/claims/-/claims",
        "/claims/-/claims/sources/south-korea",
        "/claims/-/claims/compare/nk-troops-in-russia",
        "/claims/-/claims/nis-3000-in-russia",
    ],
)
def test_at_phone_width_every_table_value_keeps_its_label(server, browser, path):
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(server + path)
    shot(page, "labels-" + path.strip("/").replace("/", "_"))
    missing = page.evaluate(
        """[...document.querySelectorAll('.claims table.rows-and-columns td')]
             .filter(td => td.offsetParent !== null)
             .filter(td => !getComputedStyle(td, '::before').content
                               .replace(/^(none|normal|"")$/, ''))
             .map(td => td.textContent.trim().slice(0, 40))"""
    )
    assert missing == [], f"values without a label at 375 px: {missing[:5]}"
    page.close()
