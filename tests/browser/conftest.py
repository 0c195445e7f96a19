"""A live server and a headless Debian Chromium driven by Playwright."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

TAP_TARGET = 44  # px: the smallest height a thumb hits reliably (WCAG 2.5.5, Apple, Google)
SMALL_TAP_TARGETS = """min => [...document.querySelectorAll(
    "button, .button, .link-button, input[type=radio] + label, input[type=checkbox] + label"
  )].map(el => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.width > 0 && getComputedStyle(el).visibility !== "hidden")
  .filter(([el, box]) => box.height < min)
  .map(([el, box]) => el.tagName + " « " + el.textContent.trim().slice(0, 40) + " » "
    + box.height.toFixed(1) + " px")"""


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port for the duration of a test."""
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it with apt-get")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def answer_step(page, step, answers: dict) -> None:
    """Answer one wizard step in the browser: text and numbers typed, choices set as given
    (a several-of question's other boxes unticked); questions not shown are skipped."""
    for question in step.questions:
        if question.id not in answers or not page.locator(f"[name={question.id}]").count():
            continue
        value = answers[question.id]
        if question.type in ("text", "integer", "decimal"):
            page.fill(f"#{question.id}", str(value))
        elif question.type == "single":
            page.check(f"input[name={question.id}][value='{value}']")
        else:
            for box in page.locator(f"input[name={question.id}]").all():
                box.set_checked(box.get_attribute("value") in value)


def styled(page) -> None:
    """Wait for the page's load event: an element can be in the DOM (what wait_for_selector
    waits for) before style.css applies, and a size measured then is the unstyled page's."""
    page.wait_for_load_state("load")


def page_width(page) -> int:
    """The width the page lays out to (more than the viewport: it scrolls sideways)."""
    styled(page)
    return page.evaluate("document.documentElement.scrollWidth")


def small_tap_targets(page) -> list[str]:
    """The page's visible buttons, link-buttons and choice labels lower than 44 px."""
    styled(page)
    return page.evaluate(SMALL_TAP_TARGETS, TAP_TARGET)
