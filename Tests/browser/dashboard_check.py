#!/usr/bin/env python3
"""The dashboard in a real browser: starts `keel demo` (sample traffic on the embedded default), signs in
with the demo's viewer key in headless Chromium, opens every page, saves a screenshot of each, and fails
if a page answers with an error, the browser reports one, or a chart has no data.

Usage: python3 Tests/browser/dashboard_check.py --keel .build/debug/keel [--out DIR] [--requests 40] [--folder DIR]
       [--database-url postgres://…]
Needs Chromium and its driver (Debian: apt-get install chromium chromium-driver) and selenium
(pip install -r Tests/browser/requirements.txt).
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import Select, WebDriverWait

# Each page, with the charts it must draw (SVGs carrying data-points).
PAGES = [
    ("overview", "/dashboard?hours=1", 4),
    ("overview-day", "/dashboard", 4),
    ("routes", "/dashboard/routes", 0),
    ("requests", "/dashboard/requests", 0),
    ("requests-failed", "/dashboard/requests?failed=true", 0),
    ("operations", "/dashboard/operations", 0),
    ("workflows", "/dashboard/workflows", 0),
    ("evaluations", "/dashboard/evaluations", 0),
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_demo(keel, folder, port, requests, database_url):
    """`keel demo` in `folder`, serving on after its workload; returns the process, its viewer key and its admin key."""
    log = open(os.path.join(folder, "demo.txt"), "w+")
    command = [keel, "demo", "--port", str(port), "--requests", str(requests)]
    if database_url:
        command += ["--database-url", database_url]
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        if process.poll() is not None:
            log.seek(0)
            sys.exit(f"keel demo exited with {process.returncode}:\n{log.read()}")
        log.seek(0)
        text = log.read()
        match = re.search(r"read-only viewer key: (\S+?)\)", text)
        admin = re.search(r"with the admin key (\S+?)\.\s", text)
        if match and admin:
            return process, match.group(1), admin.group(1)
        time.sleep(0.2)
    process.kill()
    sys.exit("keel demo did not finish its sample workload in 2 minutes")


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def document_status(driver, url):
    """The HTTP status of the last document the browser loaded from `url`, from its network log."""
    status = None
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.responseReceived" and message["params"]["type"] == "Document":
            if message["params"]["response"]["url"] == url:
                status = message["params"]["response"]["status"]
    return status


def screenshot(driver, path):
    """The whole page (up to 1,800 pixels high), not just the window."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    metrics = {"width": 1280, "height": max(min(height, 1800), 600), "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.save_screenshot(path)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def check_page(driver, base, name, path, charts, out, problems):
    url = base + path
    driver.get(url)
    status = document_status(driver, url)
    if driver.current_url != url:
        problems.append(f"{name}: {url} went to {driver.current_url}")
    if status != 200:
        problems.append(f"{name}: {url} answered {status}")
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    if errors:
        problems.append(f"{name}: the browser reported {errors}")
    if not driver.find_elements(By.CSS_SELECTOR, "main h1"):
        problems.append(f"{name}: no heading, the page did not render")
    drawn = driver.find_elements(By.CSS_SELECTOR, "svg[data-points]")
    if len(drawn) < charts:
        problems.append(f"{name}: {len(drawn)} charts, expected {charts}")
    for chart in drawn:
        if int(chart.get_attribute("data-points")) == 0:
            problems.append(f"{name}: the chart '{chart.get_attribute('aria-label')}' has no data")
    screenshot(driver, os.path.join(out, f"{name}.png"))
    print(f"{name}: {status}, {len(drawn)} charts, {path}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keel", default=".build/debug/keel")
    parser.add_argument("--out", default=None, help="where the screenshots go (a temporary folder by default)")
    parser.add_argument("--requests", type=int, default=40, help="chat requests in the demo's sample workload")
    parser.add_argument("--folder", default=None, help="where the demo runs (its log under .keel is kept); a new temporary folder by default")
    parser.add_argument("--database-url", default=None, help="run the demo on this PostgreSQL database instead of SQLite")
    args = parser.parse_args()
    keel = os.path.abspath(args.keel)
    folder = os.path.abspath(args.folder) if args.folder else tempfile.mkdtemp(prefix="keel-browser-")
    out = os.path.abspath(args.out or os.path.join(folder, "screenshots"))
    os.makedirs(out, exist_ok=True)
    port = free_port()
    demo, viewer_key, admin_key = start_demo(keel, folder, port, args.requests, args.database_url)
    driver = None
    problems = []
    try:
        driver = browser()
        base = f"http://127.0.0.1:{port}"
        # Without a key every page sends the browser to sign in.
        driver.get(base + "/dashboard/routes")
        if not driver.current_url.endswith("/dashboard/login"):
            problems.append(f"without a key /dashboard/routes went to {driver.current_url}, not the sign-in page")
        screenshot(driver, os.path.join(out, "login.png"))
        driver.find_element(By.NAME, "key").send_keys(viewer_key)
        driver.find_element(By.CSS_SELECTOR, "form button").click()
        # The click returns before the redirect's page has loaded: wait for it (or time out and say where it went).
        try:
            WebDriverWait(driver, 10).until(lambda d: d.current_url == base + "/dashboard")
        except TimeoutException:
            pass
        if driver.current_url != base + "/dashboard":
            problems.append(f"signing in went to {driver.current_url}, not the overview")
        for name, path, charts in PAGES:
            check_page(driver, base, name, path, charts, out, problems)
        # A request's own page, with its attempt timeline: the newest request that reached an upstream.
        driver.get(base + "/dashboard/requests?status=200")
        links = driver.find_elements(By.CSS_SELECTOR, "table a[href^='/dashboard/requests/']")
        if links:
            check_page(driver, base, "request", links[0].get_attribute("href").removeprefix(base), 0, out, problems)
            if not driver.find_elements(By.CSS_SELECTOR, "svg[aria-label='attempts'] rect"):
                problems.append("request: no attempt on its timeline")
        else:
            problems.append("requests: no request to open")
        # The demo's two evaluation runs: each one's page, then the two compared through the page's form.
        driver.get(base + "/dashboard/evaluations")
        runs = [link.get_attribute("href").removeprefix(base) for link in driver.find_elements(By.CSS_SELECTOR, "table a[href^='/dashboard/evaluations/eval_']")]
        if len(runs) < 2:
            problems.append(f"evaluations: {len(runs)} runs listed, the demo makes two")
        for number, path in enumerate(runs[:2], 1):
            check_page(driver, base, f"evaluation-{number}", path, 0, out, problems)
            if not driver.find_elements(By.XPATH, "//h2[starts-with(., 'Labels')]"):
                problems.append(f"evaluation-{number}: no label matrix")
        if len(runs) >= 2:
            driver.get(base + "/dashboard/evaluations")
            Select(driver.find_element(By.NAME, "base")).select_by_value(runs[1].rsplit("/", 1)[1])
            Select(driver.find_element(By.NAME, "candidate")).select_by_value(runs[0].rsplit("/", 1)[1])
            driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
            WebDriverWait(driver, 10).until(lambda d: "/dashboard/evaluations/compare" in d.current_url)
            check_page(driver, base, "comparison", driver.current_url.removeprefix(base), 0, out, problems)
            if "McNemar" not in driver.page_source or "regressed" not in driver.page_source:
                problems.append("comparison: no McNemar p-value or regressed cases")
        # The drift page sums every team's traffic: a viewer is sent to sign in, an admin sees each monitored route.
        driver.get(base + "/dashboard/drift")
        if "/dashboard/login" not in driver.current_url:
            problems.append(f"drift: a viewer's /dashboard/drift went to {driver.current_url}, not the sign-in page")
        driver.find_element(By.NAME, "key").send_keys(admin_key)
        driver.find_element(By.CSS_SELECTOR, "form button").click()
        WebDriverWait(driver, 10).until(lambda d: d.current_url == base + "/dashboard")
        check_page(driver, base, "drift", "/dashboard/drift", 0, out, problems)
        shown = driver.find_element(By.TAG_NAME, "main").text
        if "gpt-4o-mini" not in shown or "triage: drifting" not in shown:
            problems.append("drift: the demo's monitored routes (gpt-4o-mini, and triage drifting) are not on the page")
        # What the demo left for operators and reviewers: the readiness of its routes, and the cases it held.
        check_page(driver, base, "readiness", "/dashboard/readiness", 0, out, problems)
        page = driver.find_element(By.TAG_NAME, "main").text
        for shown in ("triage: not ready: 1 of 5 checks fail", "Data readiness", "rehearsal triage-outage.yaml passed", "the route is drifting"):
            if shown not in page:
                problems.append(f"readiness: '{shown}' is not on the page")
        check_page(driver, base, "reviews", "/dashboard/reviews", 0, out, problems)
        held = driver.find_elements(By.CSS_SELECTOR, "table a[href^='/dashboard/reviews/rev_']")
        if len(held) < 3:
            problems.append(f"reviews: {len(held)} held cases listed, the demo holds three")
        elif held:
            check_page(driver, base, "review", held[0].get_attribute("href").removeprefix(base), 0, out, problems)
    finally:
        if driver:
            driver.quit()
        demo.terminate()
        demo.wait(timeout=30)
    print(f"screenshots in {out}")
    if problems:
        sys.exit("dashboard check failed:\n  " + "\n  ".join(problems))
    print("dashboard check passed")


if __name__ == "__main__":
    main()
