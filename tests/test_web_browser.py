"""End to end in a real browser: Debian's Chromium driven by Playwright, against `brevgen serve`.

One server and one browser for the module. axe-core (vendored from the npm registry in
tests/vendor/axe-core) is injected into every page the tests visit and must report no violation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from web_support import PASSWORD, start_server, stop

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process, base = start_server(tmp_path_factory.mktemp("web-data"))
    yield base
    stop(process)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, accept_downloads=True, locale="da-DK")
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core in the page and its same-origin frames (the letter previews)."""
    for frame in page.frames:
        frame.evaluate(AXE)
    result = page.evaluate("async () => JSON.stringify((await axe.run(document, {resultTypes: ['violations']})).violations)")
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]} for v in json.loads(result)]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def log_in(page: Page, username: str = "anna") -> None:
    page.goto("/login")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/")


def test_partial_grant_typed_previewed_issued_and_downloaded(page: Page, tmp_path):
    page.goto("/sager/ny")
    assert "/login" in page.url  # no page without login
    assert_accessible(page)
    log_in(page)
    assert_accessible(page)

    page.goto("/sager/ny")
    assert_accessible(page)
    page.get_by_label("Bestemmelse").select_option("sel-85")
    page.get_by_label("Afgørelse").select_option("partly_granted")
    page.get_by_label("Sagsnummer").fill("2026-0900")
    page.get_by_role("button", name="Opret brev").click()
    page.wait_for_url("**/sager/*")

    page.get_by_label("Brevets dato").fill("2026-05-11")
    page.get_by_label("Brevets dato").dispatch_event("change")
    page.wait_for_load_state("load")
    expect(page.get_by_label("Brevets dato")).to_have_value("2026-05-11")
    page.get_by_label("Ansøgning modtaget").fill("2026-03-02")
    page.get_by_label("Der er søgt om").fill("socialpædagogisk støtte 6 timer om ugen")
    page.get_by_label("Det bevilgede (omfang)").fill("socialpædagogisk støtte 3 timer om ugen")
    page.get_by_label("Startdato").fill("2026-06-01")
    page.get_by_label("Leverandør").fill("Bostøtten i Eksempel Kommune")
    page.get_by_role("button", name="Tilføj fakta").click()
    page.get_by_label("Fakta 1").fill("Du bor alene i din egen lejlighed.")
    page.get_by_role("button", name="Tilføj hensyn").click()
    page.get_by_label("Hensyn 1").fill("Du har brug for støtte til økonomi og aftaler hver uge.")
    page.get_by_role("button", name="Tilføj dokument").click()
    page.get_by_label("Dokumentets titel (dokument 1)").fill("Din ansøgning")
    page.get_by_label("Dokumentets dato (dokument 1)").fill("2026-03-02")

    page.get_by_label("Navn (modtager 1)").fill("Fiktiv Borger Jensen")
    page.get_by_label("Adresse (én linje pr. linje, uden postnummer og by)").first.fill("Eksempelvej 12")
    page.get_by_label("Postnummer (modtager 1)").fill("9999")
    page.get_by_label("By (modtager 1)").fill("Eksempelby")
    page.get_by_label("Forsendelse (modtager 1)").select_option("digital")
    page.get_by_role("button", name="Tilføj modtager").click()
    page.get_by_label("Modtagerens rolle (modtager 2)").select_option("guardian")
    page.get_by_label("Navn (modtager 2)").fill("Fiktiv Værge Hansen")
    page.get_by_label("Adresse (én linje pr. linje, uden postnummer og by)").nth(1).fill("Prøvegade 3")
    page.get_by_label("Postnummer (modtager 2)").fill("9998")
    page.get_by_label("By (modtager 2)").fill("Testrup")
    page.get_by_label("Forsendelse (modtager 2)").select_option("post")

    page.get_by_label("Helhedsvurderingen er foretaget").check()
    page.get_by_role("button", name="Tilføj anden hjælp").click()
    page.get_by_label("Anden hjælp 1").fill("hjælp til rengøring efter serviceloven § 83")

    # The phrase picker: a chosen phrase with an empty parameter is marked at its field.
    page.get_by_label("Antal timer er fastsat ud fra kvalitetsstandarden").check()
    timer = page.locator("#f-param-begrundelse-valgt-timer-timer")
    expect(timer).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-param-begrundelse-valgt-timer-timer-fejl")).to_contain_text("Udfyld")
    timer.fill("3")
    page.locator("#f-param-begrundelse-valgt-timer-niveau").fill("2")
    expect(timer).not_to_have_attribute("aria-invalid", "true")

    # The preview: both letters, deadlines per channel, and the phone-call warning that goes away.
    preview = page.locator("#preview")
    expect(preview.locator("#advarsler")).to_contain_text("Ring til borgeren")
    expect(preview.locator("#ingen-fejl")).to_be_visible()
    expect(preview.locator("iframe.letter")).to_have_count(2)
    expect(preview.locator("table.deadlines")).to_contain_text("8. juni 2026")
    expect(preview.locator("table.deadlines")).to_contain_text("17. juni 2026")
    letter = page.frame_locator("iframe.letter >> nth=0")
    expect(letter.locator("body")).to_contain_text("3 timers støtte om ugen")
    page.get_by_label("Borgeren er ringet op").check()
    expect(preview.locator("#advarsler")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name="Dan brev").click()
    page.wait_for_url("**/udgaver/1")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="2026-0900_afgoerelse_2-vaerge.pdf").click()
    target = tmp_path / "brev.pdf"
    download_info.value.save_as(target)
    from conftest import pdf_text

    text = pdf_text(target)
    assert "Fiktiv Værge Hansen" in text and "3 timers støtte om ugen" in text
    assert "17. juni 2026" in text  # the guardian's paper-post complaint deadline


def test_every_page_passes_axe(page: Page):
    log_in(page, "admin")
    for path in ("/", "/sager/ny", "/bibliotek", "/bibliotek?provision=sel-85&decision=partly_granted",
                 "/referencer?dato=2028-01-01", "/pjecer"):
        page.goto(path)
        assert_accessible(page)
    page.goto("/pjecer")
    page.get_by_role("link").filter(has_text="sagsforloeb-voksen").click()
    expect(page.locator("#pjece-lix")).to_be_visible()
    assert_accessible(page)
    # The leaflet preview follows the source.
    source = page.get_by_label("Markdown-kilde")
    source.fill(source.input_value() + "\n\nEn helt ny sætning om Testrupvej.\n")
    expect(page.frame_locator("iframe.letter").locator("body")).to_contain_text("Testrupvej")
    page.goto("/nope")
    assert_accessible(page)


def test_failed_save_is_said_not_hidden(page: Page):
    """When a save fails (server error or lost connection), the caseworker is told at once,
    and the message goes when a later save succeeds: an old preview never passes as current."""
    log_in(page)
    page.goto("/sager/ny")
    page.get_by_label("Bestemmelse").select_option("sel-85")
    page.get_by_label("Afgørelse").select_option("rejected")
    page.get_by_label("Sagsnummer").fill("2026-0901")
    page.get_by_role("button", name="Opret brev").click()
    page.wait_for_url("**/sager/*")
    page.route("**/gem", lambda route: route.fulfill(status=500, body="fejl"))
    page.get_by_label("Der er søgt om").fill("socialpædagogisk støtte")
    problem = page.locator("#save-problem")
    expect(problem).to_contain_text("kunne ikke gemmes")
    assert_accessible(page)
    page.unroute("**/gem")
    page.get_by_label("Der er søgt om").fill("socialpædagogisk støtte 2 timer om ugen")
    expect(problem).to_have_count(0)
