#!/usr/bin/env python3
"""An OpenID Connect relying party that nobody here wrote: authlib makes the authorization URL
(PKCE S256, state, nonce), a plain `requests` session plays the browser through the provider's
sign-in pages (no JavaScript needed), authlib exchanges the code (client_secret_basic) and
validates the ID token against the provider's JWKS (iss, aud, nonce, exp, signature), then calls
userinfo. Prints one JSON object: what the test checks."""
import argparse
import json
import re
import sys
from urllib.parse import urljoin

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import CodeIDToken


def hidden(page, name):
    match = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), page)
    if not match:
        sys.exit("no hidden %s in the page:\n%s" % (name, page))
    return match.group(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()

    metadata = requests.get(args.issuer + "/.well-known/openid-configuration", timeout=10).json()
    assert metadata["issuer"] == args.issuer, metadata["issuer"]
    client = OAuth2Session(args.client_id, args.client_secret, scope="openid email profile", redirect_uri=args.redirect_uri,
                           code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
    verifier = generate_token(64)
    nonce = generate_token(24)
    url, state = client.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)

    browser = requests.Session()
    started = browser.get(url, allow_redirects=False, timeout=10)
    assert started.status_code == 302, (started.status_code, started.text)
    page = browser.get(started.headers["Location"], timeout=10)
    assert page.status_code == 200, page.text
    action = re.search(r'<form id="login" method="post" action="([^"]*)"', page.text).group(1)
    signed_in = browser.post(urljoin(args.issuer, action), data={
        "interaction": hidden(page.text, "interaction"), "csrf": hidden(page.text, "csrf"),
        "email": args.email, "password": args.password,
    }, allow_redirects=False, timeout=10)
    assert signed_in.status_code == 303, (signed_in.status_code, signed_in.text)
    callback = signed_in.headers["Location"]
    assert callback.startswith(args.redirect_uri), callback

    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    jwks = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    claims = JsonWebToken(["RS256"]).decode(
        token["id_token"], jwks, claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": args.issuer}},
        claims_params={"nonce": nonce, "client_id": args.client_id})
    claims.validate()
    userinfo = client.get(metadata["userinfo_endpoint"], timeout=10)
    print(json.dumps({
        "state_kept": callback.find("state=") > 0,
        "iss_in_callback": "iss=" in callback,
        "token_type": token.get("token_type"), "scope": token.get("scope"), "has_refresh": "refresh_token" in token,
        "id_token": dict(claims), "userinfo_status": userinfo.status_code, "userinfo": userinfo.json(),
    }))


if __name__ == "__main__":
    main()
