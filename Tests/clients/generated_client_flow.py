#!/usr/bin/env python3
"""Generates a Python client from the served OpenAPI document with openapi-python-client
(PyPI) and runs the core flow through it, as a team that consumes the API would:
signup -> verify-email -> login -> me -> refresh -> logout, plus a field error and an
`otp_invalid` error, each of which must come back as the right generated model.

  --api URL        the running API (its /api/schema/ is fetched)
  --mail-dir DIR   where the loopback SMTP sink writes received mail (*.eml)
  --work DIR       a scratch folder for the generated package

Prints one line per step and "generated client flow: ok"; exits non-zero otherwise.
"""
import argparse
import importlib
import os
import subprocess
import sys
import urllib.request

from sink_mail import wait_for_code

PASSWORD = "correct horse battery staple"


def check(condition, step, detail=None):
    if not condition:
        print("FAIL %s: %r" % (step, detail), flush=True)
        sys.exit(1)
    print("ok   %s" % step, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", required=True)
    parser.add_argument("--mail-dir", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()

    spec = os.path.join(args.work, "openapi.json")
    with urllib.request.urlopen(args.api + "/api/schema/") as response, open(spec, "wb") as f:
        f.write(response.read())
    package = os.path.join(args.work, "auth_client")
    generated = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", spec, "--meta", "none",
         "--output-path", package, "--overwrite"], capture_output=True, text=True)
    warnings = [line for line in (generated.stdout + generated.stderr).splitlines() if "warning" in line.lower()]
    check(generated.returncode == 0 and os.path.isdir(package), "client generated", generated.stdout + generated.stderr)
    check(not warnings, "generated without warnings", warnings)
    sys.path.insert(0, args.work)
    client_module = importlib.import_module("auth_client")
    from auth_client.api.accounts import get_me, login, signup, verify_email
    from auth_client.api.tokens import logout, refresh_token
    from auth_client.models import (Error, FieldErrors, LoginRequest, RefreshRequest, SignupRequest, User,
                                    UserWithTokens, VerifyEmailRequest)

    client = client_module.Client(base_url=args.api, raise_on_unexpected_status=True)
    address = "generated@example.com"

    r = signup.sync_detailed(client=client, body=SignupRequest(email=address, password="short"))
    check(r.status_code == 400 and isinstance(r.parsed, FieldErrors), "weak password: FieldErrors", (r.status_code, r.parsed))
    check(r.parsed["password"] and all(isinstance(m, str) for m in r.parsed["password"]), "field messages are strings", r.parsed)

    r = signup.sync_detailed(client=client, body=SignupRequest(email=address, password=PASSWORD, first_name="Gen"))
    check(r.status_code == 201 and isinstance(r.parsed, UserWithTokens) and r.parsed.email == address, "signup", r.parsed)

    r = verify_email.sync_detailed(client=client, body=VerifyEmailRequest(email=address, otp="000000"))
    # The defect: this used to come back as FieldErrors with string values.
    check(r.status_code == 400 and isinstance(r.parsed, Error), "wrong code: Error, not FieldErrors", r.parsed)
    check(r.parsed.code == "otp_invalid" and isinstance(r.parsed.detail, str), "wrong code: otp_invalid", r.parsed)

    code = wait_for_code(args.mail_dir, address)
    check(code is not None, "verification mail arrived", args.mail_dir)
    r = verify_email.sync_detailed(client=client, body=VerifyEmailRequest(email=address, otp=code))
    check(r.status_code == 200 and isinstance(r.parsed, UserWithTokens) and r.parsed.is_verified, "verify-email", r.parsed)

    r = login.sync_detailed(client=client, body=LoginRequest(email=address, password=PASSWORD))
    check(r.status_code == 200 and isinstance(r.parsed, UserWithTokens), "login", r.parsed)
    tokens = r.parsed

    authed = client_module.AuthenticatedClient(base_url=args.api, token=tokens.access, raise_on_unexpected_status=True)
    r = get_me.sync_detailed(client=authed)
    check(r.status_code == 200 and isinstance(r.parsed, User) and r.parsed.first_name == "Gen", "me", r.parsed)

    r = refresh_token.sync_detailed(client=client, body=RefreshRequest(refresh=tokens.refresh))
    check(r.status_code == 200 and r.parsed.access and r.parsed.refresh != tokens.refresh, "refresh", r.parsed)

    r = refresh_token.sync_detailed(client=client, body=RefreshRequest(refresh=tokens.refresh))
    check(r.status_code == 401 and isinstance(r.parsed, Error) and r.parsed.code == "token_not_valid", "replayed refresh: Error", r.parsed)

    r = login.sync_detailed(client=client, body=LoginRequest(email=address, password=PASSWORD))
    tokens = r.parsed
    r = logout.sync_detailed(client=client, body=RefreshRequest(refresh=tokens.refresh))
    check(r.status_code == 205, "logout", r.status_code)
    r = get_me.sync_detailed(client=client_module.AuthenticatedClient(base_url=args.api, token=tokens.access))
    check(r.status_code == 401 and isinstance(r.parsed, Error) and r.parsed.code == "token_not_valid", "me after logout", r.parsed)
    print("generated client flow: ok", flush=True)


if __name__ == "__main__":
    main()
