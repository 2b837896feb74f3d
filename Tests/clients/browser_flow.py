#!/usr/bin/env python3
"""Drives a real headless Chromium (selenium + Debian's chromium-driver) through the cookie
flow of a front end on its own origin: signup -> verify -> me -> PATCH me -> refresh ->
sessions -> csrf -> logout, all by fetch(..., {credentials: "include"}) from the page, and
checks that a page on an unlisted origin is blocked by the browser.

  --api URL          the API's origin as the page calls it (e.g. http://api.example.test:8001)
  --page URL         the page's origin (served here, from this folder's page.html)
  --evil URL         an origin not in AUTH_CORS_ORIGINS, served from the same page
  --mail-dir DIR     where the loopback SMTP sink writes received mail (*.eml)
  --shared-cookie    the csrftoken cookie must be readable by the page (AUTH_CSRF_COOKIE_DOMAIN)

*.example.test names are mapped to 127.0.0.1 inside Chromium. Prints one line per step and
"browser flow: ok" at the end; exits non-zero with the failing step otherwise.
"""
import argparse
import functools
import http.server
import json
import os
import sys
import tempfile
import threading
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from sink_mail import wait_for_code

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "correct horse battery staple"


class Failure(Exception):
    pass


def check(condition, step, detail):
    if not condition:
        raise Failure("%s: %s" % (step, json.dumps(detail, default=str)))
    print("ok   %s" % step, flush=True)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_page(port):
    handler = functools.partial(QuietHandler, directory=HERE)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--host-resolver-rules=MAP *.example.test 127.0.0.1", "--no-first-run",
                "--user-data-dir=" + tempfile.mkdtemp(prefix="chromium-")):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def call(driver, method, path, body=None, csrf=None):
    """Runs window.api in the page; a fetch the browser blocks comes back as {"error": ...}."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.api(arguments[0], arguments[1], arguments[2] === null ? undefined : arguments[2], arguments[3])"
        ".then(done).catch(e => done({error: String(e)}));",
        method, path, body, csrf)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", required=True)
    parser.add_argument("--page", required=True)
    parser.add_argument("--evil", required=True)
    parser.add_argument("--mail-dir", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--shared-cookie", action="store_true")
    args = parser.parse_args()
    server = serve_page(urllib.parse.urlsplit(args.page).port)
    driver = browser()
    p = "/api/accounts"
    try:
        driver.set_script_timeout(20)
        driver.get(args.page + "/page.html?api=" + urllib.parse.quote(args.api, safe=""))

        r = call(driver, "POST", p + "/signup/", {"email": args.email, "password": PASSWORD})
        check(r.get("status") == 201 and r["json"].get("email") == args.email, "signup", r)
        check("access" not in r["json"] and "refresh" not in r["json"], "signup: tokens only in cookies", r)
        csrf = r.get("csrf")
        check(bool(csrf), "signup: X-CSRFToken readable by the page", r)
        if args.shared_cookie:
            cookies = driver.execute_script("return document.cookie")
            check("csrftoken=" + csrf in cookies, "signup: csrftoken cookie readable on the sibling sub-domain", cookies)

        code = wait_for_code(args.mail_dir, args.email)
        check(code is not None, "verification mail arrived", args.mail_dir)
        r = call(driver, "POST", p + "/verify-email/", {"email": args.email, "otp": code}, csrf)
        check(r.get("status") == 200 and r["json"].get("is_verified") is True, "verify-email", r)
        csrf = r.get("csrf") or csrf

        r = call(driver, "GET", p + "/me/")
        check(r.get("status") == 200 and r["json"].get("email") == args.email, "me by cookie", r)
        r = call(driver, "PATCH", p + "/me/", {"first_name": "Ada"})
        check(r.get("status") == 403 and r["json"].get("code") == "csrf_failed", "PATCH me without the CSRF token", r)
        r = call(driver, "PATCH", p + "/me/", {"first_name": "Ada"}, csrf)
        check(r.get("status") == 200 and r["json"].get("first_name") == "Ada", "PATCH me", r)

        r = call(driver, "POST", p + "/token/refresh/", {}, csrf)
        check(r.get("status") == 200 and r["json"] == {}, "refresh by cookie", r)
        check(bool(r.get("csrf")) and r["csrf"] != csrf, "refresh: a new CSRF token", r)
        csrf = r["csrf"]
        r = call(driver, "GET", p + "/me/")
        check(r.get("status") == 200, "me after refresh", r)

        r = call(driver, "GET", p + "/sessions/")
        sessions = r.get("json") or []
        check(r.get("status") == 200 and len(sessions) == 1 and sessions[0]["current"] is True,
              "sessions: one, the signup session continued by verify-email", r)

        r = call(driver, "GET", p + "/csrf/")
        check(r.get("status") == 200 and r["json"].get("csrftoken") == csrf and r.get("csrf") == csrf,
              "GET csrf keeps the current token", r)

        # A page on an origin the API does not list: the browser blocks it (no CORS headers).
        driver.get(args.evil + "/page.html?api=" + urllib.parse.quote(args.api, safe=""))
        r = call(driver, "PATCH", p + "/me/", {"first_name": "Mallory"}, "guess")
        check("error" in r, "unlisted origin: PATCH blocked by the browser", r)
        r = call(driver, "GET", p + "/me/")
        check("error" in r, "unlisted origin: reading me blocked by the browser", r)
        r = call(driver, "POST", p + "/logout/", {}, csrf)
        check("error" in r, "unlisted origin: logout blocked by the browser", r)

        driver.get(args.page + "/page.html?api=" + urllib.parse.quote(args.api, safe=""))
        r = call(driver, "GET", p + "/me/")
        check(r.get("status") == 200 and r["json"].get("first_name") == "Ada", "still logged in, unchanged", r)
        r = call(driver, "POST", p + "/logout/", {}, csrf)
        check(r.get("status") == 205, "logout by cookie", r)
        r = call(driver, "GET", p + "/me/")
        check(r.get("status") == 401, "me after logout", r)
        if args.shared_cookie:
            cookies = driver.execute_script("return document.cookie")
            check("csrftoken=" not in cookies, "logout cleared the shared csrftoken cookie", cookies)
        print("browser flow: ok", flush=True)
        return 0
    except Failure as failure:
        print("FAIL %s" % failure, flush=True)
        return 1
    finally:
        driver.quit()
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
