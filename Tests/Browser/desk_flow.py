#!/usr/bin/env python3
"""A caseworker's referral across two desks, in a real browser (headless Debian chromium).

Run by scripts/test-browser.sh against the desks of scripts/desk-demo.sh (its --ready-file):

    python3 Tests/Browser/desk_flow.py --ready READY.json --artifacts test-artifacts/desk --scratch DIR

An IOM caseworker logs in, sees a note with a phone number refused and a form without consent
kept by the browser, then writes a referral with consent to the health delegation; the health
caseworker, in a second browser session, sees it appear in the inbox without reloading, accepts,
starts and completes it; IOM's "my referrals" shows each state as it happens, without reloading,
and its referral page the whole trail; the Arabic desk (?lang=ar) is right to left. Every wait
is on a DOM condition with a timeout; a screenshot is kept at each step (and of every session,
with its page, on failure).
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException, StaleElementReferenceException, TimeoutException, WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 30  # seconds any one DOM condition may take
WIDTH, HEIGHT = 1280, 1000  # the browser window
ARABIC = re.compile("[\u0600-\u06FF]")

# The referral: codes from the protocol's vocabularies (TansiqMessages), a pseudonymous case code.
RECEIVER = "health-delegation-agadir"
CATEGORY = "health"
PRIORITY = "urgent"
REASONS = ["medical-consultation"]
CONSENT_SCOPE = ["share-with-receiver"]
OUTCOME = "service-provided"
NOTE = "Premier rendez-vous de suivi; interprète en bambara souhaité."
PHONE = "0612345678"
PERSONAL_NOTE = f"Rappeler la personne au {PHONE} avant le rendez-vous."


class Step:
    """Numbered screenshots of the sessions, in the artifacts directory."""

    def __init__(self, directory):
        self.directory = directory
        self.number = 0

    def shot(self, session, name):
        self.number += 1
        path = os.path.join(self.directory, f"{self.number:02d}-{session.name}-{name}.png")
        # The whole page: the viewport is made as tall as the page for the shot (Chrome DevTools'
        # device metrics), which keeps right-to-left pages where they are drawn.
        driver = session.driver
        height = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]["height"]
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": WIDTH, "height": int(min(max(height, HEIGHT), 6000)), "deviceScaleFactor": 1, "mobile": False,
        })
        try:
            driver.save_screenshot(path)
        finally:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        print(f"    screenshot {path}", flush=True)


class Session:
    """One browser session (its own profile, so its own cookies) on one desk."""

    def __init__(self, name, desk, scratch):
        self.name = name
        self.base = desk["url"].rstrip("/")
        self.desk = desk
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in (
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            f"--window-size={WIDTH},{HEIGHT}", "--lang=fr-FR", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-sync",
            f"--user-data-dir={os.path.join(scratch, 'profile-' + name)}",
        ):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
        self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(WAIT)
        self.driver.set_script_timeout(WAIT)

    def wait(self, condition, what, timeout=WAIT):
        try:
            # A page replaced under a condition (after a form's redirect) is looked at again.
            return WebDriverWait(
                self.driver, timeout, poll_frequency=0.1,
                ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
            ).until(condition)
        except TimeoutException:
            raise AssertionError(f"{self.name}: {what} within {timeout} s (at {self.driver.current_url})") from None

    def open(self, path):
        self.driver.get(self.base + path)
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete", f"{path} loaded")

    def find(self, selector):
        return self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, selector)), f"'{selector}' present")

    def login(self, worker, password):
        self.open("/login")
        self.find("#login-worker").send_keys(worker)
        self.find("#login-password").send_keys(password)
        self.wait(EC.element_to_be_clickable((By.CSS_SELECTOR, "#login-submit")), "the login button clickable").click()
        self.wait(lambda d: "/login" not in d.current_url, f"{worker} logged in (left /login)")
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete", "the inbox loaded")

    def mark_page(self):
        """Marks the loaded document: a reload or a navigation would lose the mark."""
        self.driver.execute_script("window.__tansiqSamePage = 'kept';")

    def assert_same_page(self, what):
        mark = self.driver.execute_script("return window.__tansiqSamePage || null;")
        assert mark == "kept", f"{self.name}: the page was reloaded while waiting for {what}; it must update live"

    def text(self, element):
        return (element.get_attribute("textContent") or "").strip()

    def row_state(self, referral_id):
        """The state shown in the row of `referral_id`, or None while the row is absent."""
        rows = self.driver.find_elements(By.CSS_SELECTOR, f'tr[data-referral-id="{referral_id}"]')
        if not rows:
            return None
        cells = rows[0].find_elements(By.CSS_SELECTOR, '[data-field="state"]')
        return self.text(cells[0]) if cells else ""

    def wait_row_state(self, referral_id, state):
        seen = []

        def shows(_):
            current = self.row_state(referral_id)
            if not seen or seen[-1] != current:
                seen.append(current)
            return current == state

        try:
            self.wait(shows, f"the row of referral {referral_id} showing '{state}' live")
        except AssertionError as error:
            raise AssertionError(f"{error}; the row showed {seen}") from None
        self.assert_same_page(f"'{state}'")

    def referral_state(self):
        """The state the referral page shows, or None while there is none."""
        elements = self.driver.find_elements(By.CSS_SELECTOR, "#referral-state")
        return self.text(elements[0]) if elements else None

    def act(self, action, fields=None):
        """Presses the action's button on the referral page, after filling its fields."""
        for selector, value in (fields or {}).items():
            choose(self.find(selector), [value])
        button = self.wait(
            EC.element_to_be_clickable((By.CSS_SELECTOR, f'button[data-action="{action}"]')), f"the '{action}' button clickable"
        )
        button.click()

    def quit(self):
        try:
            self.driver.quit()
        except WebDriverException:
            pass


def choose(element, values):
    """Selects `values` in a <select> (single or multiple), ticks them in a group of inputs,
    or types the value into a text field."""
    tag = element.tag_name.lower()
    if tag == "select":
        select = Select(element)
        if select.is_multiple:
            select.deselect_all()
        for value in values:
            select.select_by_value(value)
        return
    if tag == "input" and (element.get_attribute("type") or "text") not in ("checkbox", "radio"):
        element.clear()
        element.send_keys(values[0])
        return
    for value in values:
        box = element.find_element(By.CSS_SELECTOR, f'input[value="{value}"]')
        if not box.is_selected():
            box.click()


def login_of(desk, role):
    for login in desk["logins"]:
        if login["role"] == role:
            return login
    raise AssertionError(f"no {role} login on the desk of {desk['agency']}")


def fill_referral(iom, case_reference, note, priority=PRIORITY):
    """IOM's form: the receiver from the live directory, the codes, the case code and a note."""
    iom.open("/referrals/new")
    receiver_option = f'#referral-receiver option[value="{RECEIVER}"]'

    def receiver_listed(driver):
        if driver.find_elements(By.CSS_SELECTOR, receiver_option):
            return True
        driver.refresh()  # the directory comes from the health delegation's service status
        return False

    iom.wait(receiver_listed, f"the health delegation offered as a receiver ('{receiver_option}')")
    # An agency offering several categories may be listed once per category.
    for_category = iom.driver.find_elements(By.CSS_SELECTOR, f'{receiver_option}[data-category="{CATEGORY}"]')
    if for_category:
        for_category[0].click()
    else:
        choose(iom.find("#referral-receiver"), [RECEIVER])
    assert iom.find("#referral-receiver").get_attribute("value") == RECEIVER
    choose(iom.find("#referral-category"), [CATEGORY])
    choose(iom.find("#referral-priority"), [priority])
    choose(iom.find("#referral-reason"), REASONS)
    choose(iom.find("#referral-consent-scope"), CONSENT_SCOPE)
    case = iom.find("#referral-case")
    case.clear()
    case.send_keys(case_reference)
    note_field = iom.find("#referral-note")
    note_field.clear()
    note_field.send_keys(note)


def refuse_personal_data(iom, step, case_reference):
    """A phone number in the note: the desk refuses the referral before anything is sent, with
    an error that does not repeat the number."""
    fill_referral(iom, case_reference, PERSONAL_NOTE)
    consent = iom.find("#referral-consent")
    if not consent.is_selected():
        consent.click()
    iom.find("#referral-submit").click()
    flash = iom.wait(
        lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, '#flash[data-kind="error"]')), False),
        "an error (#flash data-kind=error) for a note holding a phone number")
    message = iom.text(flash)
    assert message, "the refusal says what is wrong"
    assert PHONE not in iom.driver.page_source, "the refused phone number is shown again"
    assert not re.search(r"/referrals/(?!new)[^/?#]+", iom.driver.current_url), "a referral was sent"
    print(f"    refused: {message}", flush=True)
    step.shot(iom, "form-refused-personal-data")


def send_referral(iom, step, case_reference, priority):
    """A referral with consent, sent at once; returns its id."""
    fill_referral(iom, case_reference, NOTE, priority)
    consent = iom.find("#referral-consent")
    if not consent.is_selected():
        consent.click()
    iom.find("#referral-submit").click()
    pattern = re.compile(r"/referrals/([^/?#]+)(?:[?#].*)?$")

    def on_referral_page(driver):
        match = pattern.search(driver.current_url)
        return match.group(1) if match and match.group(1) != "new" else None

    referral_id = iom.wait(on_referral_page, "the referral page after sending (/referrals/{id})")
    step.shot(iom, f"referral-sent-{priority}")
    return referral_id


def overview_cell(commune, state, column):
    """The count in the overview's state × receiver cell, 0 when empty."""
    cells = commune.driver.find_elements(
        By.CSS_SELECTOR, f'#matrix-receiver td[data-state="{state}"][data-column="{column}"] a')
    return int(commune.text(cells[0])) if cells else 0


def wait_overview(commune, condition, what, timeout=WAIT):
    """Waits for the overview to show `condition` live (the page is not reloaded)."""
    started = time.monotonic()
    commune.wait(lambda d: condition(), what, timeout)
    commune.assert_same_page(what)
    return time.monotonic() - started


def write_referral(iom, step, case_reference):
    """The referral, with consent: refused by the browser until consent is ticked."""
    fill_referral(iom, case_reference, NOTE)
    # Without consent the form is not sent: the browser keeps it, the checkbox says why.
    consent = iom.find("#referral-consent")
    assert consent.get_attribute("type") == "checkbox", "#referral-consent must be a checkbox"
    assert consent.get_attribute("required") is not None, "#referral-consent must be required"
    assert not consent.is_selected(), "#referral-consent must start unticked"
    iom.find("#referral-submit").click()
    assert iom.driver.execute_script("return arguments[0].validity.valueMissing;", consent), \
        "the form without consent must be refused by the browser (consent valueMissing)"
    assert iom.driver.current_url.split("?")[0].endswith("/referrals/new"), "the form without consent was sent"
    step.shot(iom, "form-refused-without-consent")

    consent.click()
    assert consent.is_selected()
    step.shot(iom, "form-filled")
    iom.find("#referral-submit").click()
    pattern = re.compile(r"/referrals/([^/?#]+)(?:[?#].*)?$")

    def on_referral_page(driver):
        match = pattern.search(driver.current_url)
        return match.group(1) if match and match.group(1) != "new" else None

    referral_id = iom.wait(on_referral_page, "the referral page after sending (/referrals/{id})")
    iom.find("#referral-state")
    state = iom.referral_state()
    assert state in ("requested", "received"), f"a new referral is requested or received, not '{state}'"
    step.shot(iom, "referral-sent")
    return referral_id


def check_arabic(session, step, path):
    session.open(path + ("&" if "?" in path else "?") + "lang=ar")
    html = session.find("html")
    assert html.get_attribute("lang") == "ar", f"{session.name}: html lang is '{html.get_attribute('lang')}', not 'ar'"
    assert html.get_attribute("dir") == "rtl", f"{session.name}: html dir is '{html.get_attribute('dir')}', not 'rtl'"
    for selector in ("html", "body"):
        direction = session.driver.execute_script(
            "return getComputedStyle(document.querySelector(arguments[0])).direction;", selector)
        assert direction == "rtl", f"{session.name}: computed direction of {selector} is '{direction}'"
    body = session.text(session.find("body"))
    assert ARABIC.search(body), f"{session.name}: the Arabic desk shows no Arabic text"
    step.shot(session, "arabic-" + (path.strip("/").split("/")[0] or "home"))


def run(ready, artifacts, scratch):
    desks = ready["desks"]
    step = Step(artifacts)
    case_reference = f"IOM-2026-{random.randrange(10**5, 10**6)}"
    sessions = []
    try:
        iom = Session("iom", desks["iom"], scratch)
        sessions.append(iom)
        health = Session("health", desks["health"], scratch)
        sessions.append(health)
        commune = Session("commune", desks["commune"], scratch)
        sessions.append(commune)

        print("==> both caseworkers log in", flush=True)
        iom.open("/login")
        step.shot(iom, "login")
        login = login_of(desks["iom"], "caseworker")
        iom.login(login["worker"], login["password"])
        step.shot(iom, "home")
        login = login_of(desks["health"], "caseworker")
        health.login(login["worker"], login["password"])
        health.open("/")
        health.mark_page()
        step.shot(health, "inbox-before")

        login = login_of(desks["commune"], "supervisor")
        commune.login(login["worker"], login["password"])
        commune.find("#nav-overview").click()
        commune.find("#overview-live")
        commune.mark_page()
        step.shot(commune, "overview-before")

        print(f"==> IOM writes a referral with consent to {RECEIVER} (case {case_reference})", flush=True)
        refuse_personal_data(iom, step, case_reference)
        referral_id = write_referral(iom, step, case_reference)
        print(f"    referral {referral_id}", flush=True)

        print("==> the health caseworker sees it arrive without reloading", flush=True)
        health.wait(lambda d: health.row_state(referral_id) is not None, f"referral {referral_id} appearing in the inbox live")
        health.assert_same_page("the new referral")
        health.wait_row_state(referral_id, "received")
        step.shot(health, "inbox-live-received")

        iom.open("/")
        iom.mark_page()
        iom.wait_row_state(referral_id, "received")
        step.shot(iom, "my-referrals-received")
        wait_overview(commune, lambda: overview_cell(commune, "received", RECEIVER) >= 1,
                      "the overview counting the referral 'received' at the health delegation")
        step.shot(commune, "overview-received")
        assert case_reference not in commune.driver.page_source, "the overview shows the case code"

        health.open(f"/referrals/{referral_id}")
        page = health.text(health.find("body"))
        assert case_reference in page, "the health delegation's referral page shows the case code"
        step.shot(health, "referral-received")
        for action, state, fields in (
            ("accept", "accepted", None),
            ("start", "in-progress", None),
            ("complete", "completed", {"#complete-outcome": OUTCOME}),
        ):
            print(f"==> health: {action}; IOM sees '{state}' live", flush=True)
            health.act(action, fields)
            health.wait(lambda d: health.referral_state() == state, f"the referral page showing '{state}' after {action}")
            flash = health.driver.find_elements(By.CSS_SELECTOR, "#flash")
            if flash:
                print(f"    flash ({flash[0].get_attribute('data-kind')}): {health.text(flash[0])}", flush=True)
            step.shot(health, f"referral-{state}")
            shown = time.monotonic()
            iom.wait_row_state(referral_id, state)
            step.shot(iom, f"my-referrals-{state}")
            if state != "completed":
                wait_overview(commune, lambda: overview_cell(commune, state, RECEIVER) >= 1,
                                     f"the overview counting the referral '{state}'")
                print(f"    overview shows '{state}' {time.monotonic() - shown:.2f} s after the health desk did", flush=True)
            else:
                wait_overview(commune, lambda: overview_cell(commune, "in-progress", RECEIVER) == 0,
                              "the overview no longer counting the completed referral as open")
            step.shot(commune, f"overview-{state}")

        print("==> IOM's referral page holds the whole trail", flush=True)
        iom.open(f"/referrals/{referral_id}")
        iom.wait(lambda d: iom.referral_state() == "completed", "IOM's referral page showing 'completed'")
        trail = iom.driver.find_elements(By.CSS_SELECTOR, "#trail")
        if trail:
            moves = [row.get_attribute("data-trail-state") for row in trail[0].find_elements(By.CSS_SELECTOR, "tr[data-trail-state]")]
            assert moves == ["received", "accepted", "in-progress", "completed"], f"IOM's trail shows {moves}"
        else:
            print("    (no #trail on the referral page: the trail is not checked)", flush=True)
        step.shot(iom, "referral-trail")

        print("==> a 'stat' referral nobody decides on appears overdue on the overview when its deadline passes", flush=True)
        stat_id = send_referral(iom, step, f"IOM-2026-{random.randrange(10**5, 10**6)}", "stat")
        overdue_row = f'#overdue tr[data-referral-id="{stat_id}"]'
        wait_overview(commune, lambda: overview_cell(commune, "received", RECEIVER) >= 1, "the stat referral counted 'received'")
        assert not commune.driver.find_elements(By.CSS_SELECTOR, overdue_row), "the stat referral is overdue before its deadline"
        step.shot(commune, "overview-before-deadline")
        wait_overview(commune, lambda: bool(commune.driver.find_elements(By.CSS_SELECTOR, overdue_row)),
                      "the stat referral appearing overdue once its decision deadline passed", timeout=120)
        row = commune.driver.find_elements(By.CSS_SELECTOR, overdue_row)[0]
        assert row.get_attribute("data-deadline") == "decide", f"overdue for '{row.get_attribute('data-deadline')}'"
        late = commune.text(row.find_elements(By.CSS_SELECTOR, '[data-field="late"]')[0])
        assert late == RECEIVER, f"the overview says {late} is late"
        step.shot(commune, "overview-overdue")

        print("==> the Arabic desk and overview are right to left", flush=True)
        check_arabic(iom, step, "/")
        check_arabic(health, step, f"/referrals/{referral_id}")
        check_arabic(commune, step, "/overview")

        print("==> the facts of the pilot, with the report's charts", flush=True)
        commune.open("/facts?lang=en")
        commune.find("#facts-total")
        commune.find("#chart-flows svg")
        assert commune.driver.find_elements(By.CSS_SELECTOR, "#facts-csv"), "the facts page links its CSV"
        step.shot(commune, "facts")

        print("==> the health delegation's agent stops: the overview shows it silent", flush=True)
        commune.open("/overview")
        commune.mark_page()
        health.quit()
        sessions.remove(health)
        os.kill(desks["health"]["pid"], signal.SIGTERM)
        silent_row = f'#silent tr[data-agency="{RECEIVER}"]'
        wait_overview(commune, lambda: bool(commune.driver.find_elements(By.CSS_SELECTOR, silent_row)),
                      "the health delegation shown silent", timeout=60)
        step.shot(commune, "overview-silent")
        print("==> desk flow passed", flush=True)
    except BaseException:
        for session in sessions:
            try:
                session.driver.save_screenshot(os.path.join(artifacts, f"failure-{session.name}.png"))
                with open(os.path.join(artifacts, f"failure-{session.name}.html"), "w", encoding="utf-8") as page:
                    page.write(session.driver.page_source)
                print(f"    {session.name} was at {session.driver.current_url}", file=sys.stderr)
            except Exception:  # the browser itself may be what failed
                pass
        raise
    finally:
        for session in sessions:
            session.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready", required=True, help="the JSON file scripts/desk-demo.sh --ready-file wrote")
    parser.add_argument("--artifacts", default="test-artifacts/desk", help="where the screenshots go")
    parser.add_argument("--scratch", required=True, help="a directory for the browser profiles")
    arguments = parser.parse_args()
    # SIGTERM (the script's timeout) unwinds like an error, so that the browsers are closed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    shutil.rmtree(arguments.artifacts, ignore_errors=True)
    os.makedirs(arguments.artifacts)
    with open(arguments.ready, encoding="utf-8") as file:
        ready = json.load(file)
    started = time.monotonic()
    try:
        run(ready, arguments.artifacts, arguments.scratch)
    except (AssertionError, WebDriverException) as error:
        print(f"FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        print(f"    screenshots and pages in {arguments.artifacts}", file=sys.stderr)
        return 1
    print(f"    {time.monotonic() - started:.1f} s; screenshots in {arguments.artifacts}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
