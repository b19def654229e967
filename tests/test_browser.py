"""What a person sees: a real `datasette serve` driven through Debian's headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import urlopen

import pytest

from .utils import ROOT, rows

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


def start_datasette(*args: str):
    """`datasette serve ARGS` on a free port of 127.0.0.1; (process, base URL) once it answers."""
    port = free_port()
    datasette = Path(sys.executable).with_name("datasette")
    command = [str(datasette), "serve", *args, "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urlopen(base + "/-/versions.json", timeout=1)
            return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(process.stdout.read().decode() if process.stdout else "no output")


@pytest.fixture(scope="module")
def server(seed_db_path):
    process, base = start_datasette("-i", str(seed_db_path), "-m", str(ROOT / "metadata.yml"))
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
        "/claims/-/claims/story",
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
    # The lane's "claims" label is not covered by the first marks.
    label_right = page.evaluate(
        """[...document.querySelectorAll('.claims-timeline text')]
             .find(t => t.textContent === 'claims').getBoundingClientRect().right"""
    )
    assert label_right <= min(b[0] for b in boxes), (label_right, boxes)
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
    # Where the claims' day is the chart's first, its marks start right of the lane label.
    page.goto(server + "/claims/-/claims/compare/nk-troops-in-russia")
    edges = page.evaluate(
        """[[...document.querySelectorAll('.claims-timeline text')]
              .find(t => t.textContent === 'claims').getBoundingClientRect().right,
            Math.min(...[...document.querySelectorAll('rect.claims-tl-claim')]
              .map(r => r.getBoundingClientRect().left))]"""
    )
    assert edges[0] <= edges[1], edges
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
        "/claims/-/claims/story",
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


# --- Issue 17's pages, each at a desktop and a phone width -------------------------------

WIDTHS = [1280, 375]
SECRET = "browser-tests-secret"
UNTITLED = (
    "The defence ministry in Kyiv said on Monday that 500 soldiers had arrived at the "
    "border.\n\nLocal officials said the crossing was closed.\n"
)


def new_page(browser, width: int, base: str | None = None, actor: str | None = None):
    context = browser.new_context(viewport={"width": width, "height": 900})
    if actor and base:
        from datasette.app import Datasette

        signed = Datasette([], secret=SECRET).sign({"a": {"id": actor}}, "actor")
        context.add_cookies([{"name": "ds_actor", "value": signed, "url": base}])
    return context.new_page()


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the window"


def writable_copy(folder: Path, seed_db_path: Path) -> tuple[Path, list[str]]:
    """A mutable copy of the seed plus one untitled article, served with anna allowed to
    review and add (plugin settings in metadata on 0.65, in the config file on 1.0a)."""
    import datasette

    from .utils import run_cli

    db = folder / "claims.db"
    shutil.copy(seed_db_path, db)
    articles = folder / "articles"
    articles.mkdir()
    (articles / "note-without-title.txt").write_text(UNTITLED, encoding="utf-8")
    result = run_cli("load", db, articles)
    assert result.exit_code == 0, result.output
    grants = {"review_allow": {"id": "anna"}, "add_allow": {"id": "anna"}}
    config = folder / "settings.json"
    config.write_text(json.dumps({"plugins": {"datasette-claims": grants}}), encoding="utf-8")
    flag = "-m" if datasette.__version__.startswith("0.") else "-c"
    return db, [str(db), "--secret", SECRET, flag, str(config)]


@pytest.fixture(scope="module")
def writable(tmp_path_factory, seed_db_path):
    db, args = writable_copy(tmp_path_factory.mktemp("writable"), seed_db_path)
    process, base = start_datasette(*args)
    yield base, db
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize("width", WIDTHS)
def test_story_page_shows_who_says_what_and_where_they_disagree(server, browser, width):
    page = new_page(browser, width)
    watch = Watch(page)
    page.goto(server + "/claims/-/claims")
    page.get_by_role("link", name="Who says what").click()
    page.wait_for_url("**/claims/-/claims/story")
    shot(page, f"story-{width}")
    assert page.get_by_role("heading", name="Who says what", level=1).is_visible()
    conflicts = page.locator("td.claims-story-conflict")
    assert conflicts.count() >= 2  # the US assertion and Russia's denial of it
    assert all(conflicts.nth(n).is_visible() for n in range(conflicts.count()))
    assert "disagrees" in conflicts.first.inner_text()
    if width < 576:
        no_sideways_scroll(page)
        # A phone shows each institution's card with what it says, not every silent column.
        silent = page.evaluate(
            "[...document.querySelectorAll('td.claims-story-silent')]"
            ".filter(td => td.offsetParent !== null).length"
        )
        assert silent == 0
    # A cell leads to that institution's rows on the proposition's comparison page.
    russia = page.locator('td.claims-story-conflict a[href*="#institution-russia"]').first
    russia.click()
    page.wait_for_url("**/compare/**#institution-russia")
    assert page.locator("#institution-russia").is_visible()
    assert "Government of Russia" in page.inner_text("#institution-russia")
    # And back by topic: the comparison page links its topic's story.
    page.get_by_role("link", name=re.compile("^who says what on ")).click()
    page.wait_for_url("**/story?topic=**")
    assert page.locator("th[scope=col]").count() >= 2
    assert watch.errors == []
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_overview_opens_with_what_needs_a_person_and_a_status_bar(server, browser, width):
    page = new_page(browser, width)
    page.goto(server + "/claims/-/claims")
    shot(page, f"overview-{width}")
    awaiting = page.locator(".claims-awaiting")
    assert awaiting.is_visible()
    # It comes before the filters and the counts.
    assert awaiting.bounding_box()["y"] < page.locator(".claims-counts").bounding_box()["y"]
    bar = page.locator("svg.claims-status-bar")
    box = bar.bounding_box()
    assert box and box["width"] >= 200 and box["height"] >= 10
    segments = page.evaluate(
        """[...document.querySelectorAll('svg.claims-status-bar rect')].map(r =>
             [r.getBoundingClientRect().width, r.querySelector('title').textContent])"""
    )
    assert segments and all(w > 0 for w, _ in segments)
    assert any(t.startswith("Unverified:") for _, t in segments)
    # Its widths add up to the bar's.
    assert (
        abs(sum(w for w, _ in segments) - bar.evaluate("b => b.getBoundingClientRect().width")) < 3
    )
    page.get_by_role("link", name=re.compile(r"disputed proposition")).click()
    page.wait_for_url("**status=disputed**")
    assert "status = disputed" in page.inner_text(".claims-active-filters")
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_apply_button_is_styled_like_datasettes_own(server, browser, width):
    page = new_page(browser, width)
    page.goto(server + "/claims/-/claims")
    style = page.locator('form.claims-filters input[type="submit"]').evaluate(
        "b => { const s = getComputedStyle(b);"
        " return [s.backgroundColor, s.color, s.backgroundImage]; }"
    )
    # Datasette's buttons are blue (a colour on 0.65, a gradient on 1.0a) with white text;
    # the browser's default is grey with black text.
    painted = style[0] not in ("rgba(0, 0, 0, 0)", "rgb(239, 239, 239)", "rgb(240, 240, 240)")
    assert painted or style[2].startswith("linear-gradient"), style
    assert style[1] == "rgb(255, 255, 255)", style
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_lists_each_claims_status(server, browser, width):
    page = new_page(browser, width)
    page.goto(server + "/claims/-/claims/compare/nk-troops-in-russia")
    shot(page, f"compare-status-{width}")
    items = page.locator(".claims-comparison .claims-says li")
    assert items.count() >= 3
    for n in range(items.count()):
        assert items.nth(n).locator(".claims-badge").is_visible()
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_not_found_page_offers_a_way_back(server, browser, width):
    page = new_page(browser, width)
    response = page.goto(server + "/claims/-/claims/compare/no-such-proposition")
    assert response.status == 404
    shot(page, f"not-found-{width}")
    assert "no-such-proposition" in page.inner_text(".claims-lede")
    page.get_by_label("Search the claims").fill("Munition")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=Munition**")
    assert page.locator("table.claims-list tbody tr").count() >= 1
    page.go_back()
    page.get_by_role("link", name="All claims in claims").click()
    page.wait_for_url("**/claims/-/claims")
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_institution_page_adds_up_its_members(server, browser, width, seed_db_path):
    page = new_page(browser, width)
    page.goto(server + "/claims/-/claims/sources/south-korea")
    shot(page, f"institution-{width}")
    tree = rows(
        seed_db_path,
        """with recursive tree(id) as (select 'south-korea' union
             select s.id from sources s join tree t on s.parent_id = t.id)
           select (select count(*) from claims where source_id in (select id from tree)),
                  (select count(*) from tree) - 1,
                  (select count(*) from sources where parent_id = 'south-korea')""",
    )[0]
    claims, members, direct = tree
    shown = page.locator('.claims-track-record td[data-label="Claims"]').inner_text()
    assert int(shown) == claims
    assert page.locator(".claims-members li").count() == members
    assert members > direct  # grandchildren are listed too, under their parent
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_history_says_what_happened_in_words(server, browser, width):
    page = new_page(browser, width)
    page.goto(server + "/claims/-/claims/nis-3000-in-russia")
    what = page.evaluate(
        "[...document.querySelectorAll('.claims-history td[data-label=\"What\"]')]"
        ".map(td => td.textContent.trim())"
    )
    assert what and "created, status derived" in what
    assert not any(w in ("created status", "status status", "review status") for w in what)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_review_form_keeps_what_was_typed_after_an_error(writable, browser, width):
    base, _ = writable
    page = new_page(browser, width, base, actor="anna")
    page.goto(base + "/claims/-/claims/us-accuses-munitions")
    page.select_option("#review-status", "confirmed")
    page.fill("#review-note", f"Checked against the ministry's statement ({width})")
    page.get_by_role("button", name="Record review").click()  # no evidence: refused
    page.wait_for_load_state()
    shot(page, f"review-error-{width}")
    assert "Not recorded" in page.inner_text("body")
    assert page.input_value("#review-status") == "confirmed"
    assert page.input_value("#review-note") == f"Checked against the ministry's statement ({width})"
    no_sideways_scroll(page)
    page.close()


def _beside(page, selector: str) -> None:
    """Each tick box sits on the first line of its own label, just left of its text."""
    boxes = page.evaluate(
        """selector => [...document.querySelectorAll(selector)].map(l => {
              const i = l.querySelector('input').getBoundingClientRect();
              const t = l.querySelector('span').getBoundingClientRect();
              return [i.right, t.left, i.top, i.bottom, t.top]; })""",
        selector,
    )
    assert boxes
    for right, text_left, top, bottom, text_top in boxes:
        assert 0 <= text_left - right <= 16, boxes
        assert top - 12 <= text_top <= bottom, boxes


@pytest.mark.parametrize("width", WIDTHS)
def test_unlink_asks_for_a_confirmation_beside_its_box(writable, browser, width):
    base, db = writable
    page = new_page(browser, width, base, actor="anna")
    page.goto(base + "/claims/-/claims/us-accuses-munitions")
    shot(page, f"claim-forms-{width}")
    _beside(page, "label.claims-check")
    before = rows(db, "select proposition_id from claims where id = 'us-accuses-munitions'")
    page.get_by_role("button", name="Unlink from this proposition").click()
    # The browser refuses the form until the box is ticked: nothing is sent.
    assert page.evaluate("document.querySelector('#unlink-confirm').validity.valueMissing")
    assert rows(db, "select proposition_id from claims where id = 'us-accuses-munitions'") == before
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_split_form_ticks_sit_beside_their_claims(writable, browser, width):
    base, _ = writable
    page = new_page(browser, width, base, actor="anna")
    page.goto(base + "/claims/-/claims/compare/nk-troops-in-russia")
    shot(page, f"compare-forms-{width}")
    _beside(page, "form[action$='/split'] label.claims-check")
    no_sideways_scroll(page)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_merge_finds_the_proposition_by_words(tmp_path, seed_db_path, browser, width):
    db, args = writable_copy(tmp_path, seed_db_path)
    process, base = start_datasette(*args)
    try:
        page = new_page(browser, width, base, actor="anna")
        page.goto(base + "/claims/-/claims/compare/nk-troops-in-russia")
        page.get_by_label("Find propositions by words of their statement or claims").fill(
            "Munition"
        )
        page.get_by_role("button", name="Find").click()
        page.wait_for_url("**merge_q=Munition**")
        shot(page, f"merge-search-{width}")
        choice = page.locator('input[name="source"][value="nk-supplies-russia-with-munitions"]')
        assert choice.is_visible()
        choice.check()
        page.get_by_role("button", name="Merge the chosen proposition into this one").click()
        page.wait_for_load_state()
        assert "Merged “North Korea supplies Russia with munitions" in page.inner_text("body")
        moved = rows(
            db,
            "select count(*) from claims where proposition_id = ?",
            ["nk-supplies-russia-with-munitions"],
        )
        assert moved == [(0,)]
        page.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("width", WIDTHS)
def test_add_article_preview_untick_and_save(writable, browser, width):
    base, db = writable
    page = new_page(browser, width, base, actor="anna")
    page.goto(base + "/claims/-/claims/add")
    text = (
        f"The interior ministry said {width} police officers were sent to the port. "
        "An opposition lawmaker said the figure was far too low.\n"
    )
    page.fill("#add-text", text)
    page.fill("#add-title", f"Port report {width}")
    page.get_by_role("button", name="Preview the claims").click()
    page.wait_for_load_state()
    shot(page, f"add-preview-{width}")
    ticks = page.locator(".claims-add-preview input[type=checkbox]")
    found = ticks.count()
    assert found >= 2
    _beside(page, ".claims-add-preview label.claims-check")
    ticks.nth(1).uncheck()
    page.get_by_role("button", name="Save the article and the ticked claims").click()
    page.wait_for_load_state()
    saved = rows(
        db,
        "select count(*) from claims c join documents d on d.id = c.document_id where d.title = ?",
        [f"Port report {width}"],
    )
    assert saved == [(found - 1,)]  # every ticked claim, not the unticked one
    no_sideways_scroll(page)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_untitled_document_shows_its_file_name(writable, browser, width):
    base, db = writable
    claim_id, proposition = rows(
        db,
        "select c.id, c.proposition_id from claims c join documents d on d.id = c.document_id "
        "where d.path like '%note-without-title.txt' limit 1",
    )[0]
    page = new_page(browser, width, base)
    page.goto(base + f"/claims/-/claims/compare/{proposition}")
    says = " ".join(page.locator(".claims-says").all_inner_texts())
    assert "note-without-title.txt" in says
    assert not re.search(r"\bd-[0-9a-f]{16}\b", says)
    page.goto(base + f"/claims/-/claims/{claim_id}")
    assert "note-without-title.txt" in page.inner_text("body")
    page.close()


def test_claim_row_page_links_to_the_claim_page(server, browser):
    import datasette

    page = new_page(browser, 1280)
    page.goto(server + "/claims/claims/nis-3000-in-russia")
    if not datasette.__version__.startswith("0."):  # 1.0a: the row actions menu too
        page.locator("details.actions-menu-links > summary").first.click()
        page.get_by_role("menuitem", name=re.compile("^Claim page")).click()
        page.wait_for_url("**/claims/-/claims/nis-3000-in-russia")
        page.go_back()
    # Both versions: the link beside the id cell (0.65 has no row actions).
    page.locator("a.claims-row-link").click()
    page.wait_for_url("**/claims/-/claims/nis-3000-in-russia")
    page.close()


# --- Issue 28: pages a fact-checker can work in ------------------------------------------


def _labels_fit(page, selector: str) -> None:
    """Labels are not squeezed into a narrow column (0.65's `form label {width: 15%}`): a
    label whose text wraps uses at least half of its form's width."""
    found = page.evaluate(
        """selector => [...document.querySelectorAll(selector)].map(l => {
              const form = l.closest('form').getBoundingClientRect();
              const box = l.getBoundingClientRect();
              const line = parseFloat(getComputedStyle(l).lineHeight) || 20;
              return [l.textContent.trim().slice(0, 40), box.width, form.width,
                      box.height > line * 1.6]; })""",
        selector,
    )
    assert found, selector
    for text, width, form_width, wraps in found:
        assert not wraps or width >= form_width * 0.5, (text, width, form_width)
        assert width > 0.16 * form_width or not wraps, (text, width, form_width)


@pytest.mark.parametrize("width", WIDTHS)
def test_form_labels_take_the_width_of_what_they_say(writable, browser, width):
    base, _ = writable
    page = new_page(browser, width, base, actor="anna")
    page.goto(base + "/claims/-/claims/us-accuses-munitions")
    _labels_fit(page, "form label")  # the unlink confirmation, the link picker
    page.goto(base + "/claims/-/claims/compare/nk-troops-in-russia?merge_q=Munition")
    shot(page, f"labels-compare-{width}")
    _labels_fit(page, "form[action$='/merge'] label, form[action$='/split'] label")
    page.goto(base + "/claims/-/claims/add")
    page.fill(
        "#add-text",
        "The interior ministry said 300 police officers were sent to the port on Monday. "
        "An opposition lawmaker said the figure was far too low.\n",
    )
    page.get_by_role("button", name="Preview the claims").click()
    page.wait_for_load_state()
    shot(page, f"labels-add-preview-{width}")
    _labels_fit(page, ".claims-add-preview label")
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_story_page_keeps_names_in_view_and_counts_the_columns_to_the_right(server, browser, width):
    page = new_page(browser, width)
    watch = Watch(page)
    page.goto(server + "/claims/-/claims/story")
    shot(page, f"story-sticky-{width}")
    columns = page.locator("thead th[scope=col]").count() - 1
    assert columns >= 10  # the seed's propositions side by side
    if width < 576:
        no_sideways_scroll(page)  # cards: each institution lists what it says
        assert not page.locator(".claims-story-more").is_visible()
        assert watch.errors == []
        page.close()
        return
    hint = page.locator(".claims-story-more")
    off = page.evaluate(
        """(() => { const box = document.querySelector('.claims-story-box')
                       .getBoundingClientRect().right;
              return [...document.querySelectorAll('thead th[scope=col]')]
                .filter(th => th.getBoundingClientRect().right > box + 1).length; })()"""
    )
    assert off > 0 and hint.inner_text() == f"{off} more columns →"
    box = page.locator(".claims-story-box")
    # Scrolled sideways, the institutions stay at the box's left edge...
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; b.dispatchEvent(new Event('scroll')); }")
    page.wait_for_timeout(100)
    left = box.evaluate("b => b.getBoundingClientRect().left")
    first = page.locator("tbody th[scope=row]").first.bounding_box()
    assert abs(first["x"] - left) <= 2, (first, left)
    assert page.locator("tbody th[scope=row]").first.is_visible()
    assert not hint.is_visible()  # nothing is left to the right
    # ...and scrolled down, the propositions' header row stays at its top.
    box.evaluate("b => { b.scrollTop = b.scrollHeight; }")
    page.wait_for_timeout(100)
    top = box.evaluate("b => b.getBoundingClientRect().top")
    header = page.locator("thead th[scope=col]").nth(1).bounding_box()
    assert abs(header["y"] - top) <= 2, (header, top)
    shot(page, f"story-sticky-scrolled-{width}")
    assert watch.errors == []
    page.close()


@pytest.fixture(scope="module")
def stories_server(tmp_path_factory):
    """The six-article corpus: reports of one story, loaded by the loader."""
    from .utils import run_cli

    db = tmp_path_factory.mktemp("stories") / "corpus.db"
    result = run_cli("load", db, ROOT / "tests" / "corpus")
    assert result.exit_code == 0, result.output
    process, base = start_datasette("-i", str(db))
    yield base, db
    process.terminate()
    process.wait(timeout=10)


# --- The "Extract claims" enrichment (datasette-enrichments) -----------------------------

SLOW_EXTRACTOR = '''
import time

from datasette import hookimpl

from datasette_claims.extract import EnglishExtractor, Extractor


class SlowRules(Extractor):
    """The English rules, a moment per article, so the progress bar is seen running."""

    name = "slow-rules"
    default = False
    languages = ("en",)

    def extract(self, document):
        time.sleep(0.5)
        return EnglishExtractor().extract(document)


@hookimpl
def register_claim_extractors(datasette):
    return [SlowRules()]
'''


@pytest.fixture(scope="module")
def enrichable(tmp_path_factory):
    import datasette

    pytest.importorskip("datasette_enrichments")
    from .test_enrichment import make_articles

    folder = tmp_path_factory.mktemp("enrichable")
    db = make_articles(folder / "news.db")
    plugins = folder / "plugins"
    plugins.mkdir()
    (plugins / "slow_rules.py").write_text(SLOW_EXTRACTOR, encoding="utf-8")
    settings = {"plugins": {"datasette-claims": {"add_allow": {"id": "root"}}}}
    if datasette.__version__.startswith("0."):
        flag = "-m"  # 0.65: datasette-enrichments lets root enrich
    else:
        flag = "-c"
        settings["permissions"] = {"enrichments": {"id": "root"}}
    config = folder / "settings.json"
    config.write_text(json.dumps(settings), encoding="utf-8")
    process, base = start_datasette(
        str(db), "--secret", SECRET, flag, str(config), "--plugins-dir", str(plugins)
    )
    yield base, db
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize("width", WIDTHS)
def test_story_page_opens_with_the_largest_story(stories_server, browser, width):
    base, db = stories_server
    page = new_page(browser, width)
    page.goto(base + "/corpus/-/claims/story")
    shot(page, f"story-largest-{width}")
    (story, size), *_ = rows(
        db, "select id, propositions from stories order by propositions desc, documents desc"
    )
    assert "(the largest story)" in page.inner_text(".claims-story-about")
    shown = page.evaluate(
        "[...document.querySelectorAll('thead th[scope=col] a')].map(a => a.getAttribute('href'))"
    )
    members = {
        p
        for (p,) in rows(
            db, "select proposition_id from story_propositions where story_id = ?", [story]
        )
    }
    assert len(shown) == min(size, 20)
    assert {h.rsplit("/", 1)[-1] for h in shown} <= members
    if width < 576:
        no_sideways_scroll(page)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_names_where_ids_were(writable, browser, width):
    base, _ = writable
    page = new_page(browser, width, base, actor="anna")
    page.goto(base + "/claims/-/claims/nis-3000-in-russia")
    shot(page, f"names-claim-{width}")
    why = " ".join(page.locator('.claims-history td[data-label="Why"]').all_inner_texts())
    assert "“North Korean soldiers are in Russia.”" in why
    assert "proposition nk-troops-in-russia" not in why
    # The link picker lists propositions by statement, its own one chosen.
    picker = page.locator("fieldset.claims-link-choices")
    assert "North Korean soldiers are in Russia." in picker.inner_text()
    assert "(id)" not in page.inner_text("body")
    assert picker.locator("input[type=radio]:checked").get_attribute("value") == (
        "nk-troops-in-russia"
    )
    page.get_by_label("Find another proposition by words").fill("Vertrag")
    page.get_by_role("button", name="Find").first.click()
    page.wait_for_url("**link_q=Vertrag**")
    assert "treaty" in page.locator("fieldset.claims-link-choices").inner_text()
    # Merge candidates by title, no slug beside them.
    page.goto(base + "/claims/-/claims/compare/nk-troops-in-russia?merge_q=Munition")
    merge = page.locator("form[action$='/merge'] fieldset").inner_text()
    assert "North Korea supplies Russia" in merge and "nk-supplies" not in merge
    no_sideways_scroll(page)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_add_page_styles_its_boxes_marks_forecasts_and_links_what_it_saved(
    writable, browser, width
):
    base, db = writable
    page = new_page(browser, width, base, actor="anna")
    page.goto(base + "/claims/-/claims/add")
    styles = page.evaluate(
        """['#add-title', '#add-url', '#add-language'].map(s => {
              const c = getComputedStyle(document.querySelector(s));
              return [c.borderTopWidth, c.borderTopStyle, c.borderTopColor, c.paddingTop,
                      c.borderTopLeftRadius]; })"""
    )
    assert styles[1] == styles[0] and styles[2] == styles[0], styles
    page.fill("#add-date", "2024-10-24")
    page.fill(
        "#add-text",
        f"Russland bestreitet, dass Nordkorea Munition liefert ({width}). Der südkoreanische "
        "Geheimdienst erwartet, dass bis Dezember 10.000 Soldaten in Russland sein werden.\n",
    )
    page.get_by_role("button", name="Preview the claims").click()
    page.wait_for_load_state()
    shot(page, f"add-names-{width}")
    preview = page.inner_text(".claims-add-preview")
    assert "(Government of Russia)" in preview and "(russia)" not in preview
    assert page.locator(".claims-add-preview .claims-forecast").count() >= 1
    page.get_by_role("button", name="Save the article and the ticked claims").click()
    page.wait_for_load_state()
    shot(page, f"add-saved-{width}")
    added = page.locator(".claims-added")
    assert added.is_visible()
    added.get_by_role("link", name=re.compile(r"claims?$")).click()
    page.wait_for_url("**document=**")
    assert page.locator("table.claims-list tbody tr").count() >= 2
    no_sideways_scroll(page)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_add_without_permission_says_how_to_get_it(writable, browser, width):
    base, _ = writable
    page = new_page(browser, width)
    response = page.goto(base + "/claims/-/claims/add")
    assert response.status == 403
    shot(page, f"add-forbidden-{width}")
    assert "not signed in" in page.inner_text("body")
    assert "add_allow" in page.inner_text("pre.claims-grant")
    no_sideways_scroll(page)
    page.get_by_role("link", name="All claims in claims").click()
    page.wait_for_url("**/claims/-/claims")


@pytest.mark.slow
def test_extract_claims_from_a_table_of_articles_through_the_enrichment(enrichable, browser):
    base, db = enrichable
    page = new_page(browser, 1280, base, actor="root")
    watch = Watch(page)
    page.goto(base + "/news/articles")
    page.locator("details.actions-menu-links > summary").first.click()
    page.locator('details.actions-menu-links a[href$="/-/enrich/news/articles"]').click()
    page.wait_for_url("**/-/enrich/news/articles")
    page.get_by_role("link", name="Extract claims").click()
    page.wait_for_url("**/-/enrich/news/articles/datasette-claims-extract")
    shot(page, "enrich-form")
    page.select_option("select[name=text_column]", "body")
    page.select_option("select[name=title_column]", "headline")
    page.select_option("select[name=date_column]", "published")
    page.select_option("select[name=extractor]", "slow-rules")
    page.locator("input[type=submit][value='Enrich data']").click()
    page.wait_for_url("**/news/articles?_enrichment_job=*")
    # The enrichments progress bar runs to all five rows done, none failed.
    progress = page.locator("job-progress")
    progress.wait_for(timeout=10_000)
    sync_api.expect(progress.locator(".completed-count")).to_have_text("5", timeout=30_000)
    assert progress.locator(".error-count").inner_text() == "0"
    shot(page, "enrich-done")
    page.goto(base + "/news/-/claims")
    overview = page.inner_text("body").lower()
    claims = rows(db, "select text from claims")
    assert len(claims) >= 5
    for (text,) in claims:  # every claim the job stored is on the overview
        assert text.rstrip(".").lower() in overview, text
    assert rows(db, "select count(distinct origin_pk) from documents") == [(5,)]
    assert not watch.errors, watch.errors
    page.close()
