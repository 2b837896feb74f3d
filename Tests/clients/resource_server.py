#!/usr/bin/env python3
"""A resource server that nobody here wrote, verifying the service's access tokens by its JWKS:
PyJWT's PyJWKClient, and djangorestframework-simplejwt configured as a resource server
(ALGORITHM + JWK_URL, no signing secret of ours). Tokens come one per line on standard input;
for each, one JSON line: {"pyjwt": user_id or "error: ...", "simplejwt": user_id or "error: ..."}.

    resource_server.py --jwks URL --algorithm ES256 --issuer swift-auth < tokens
"""
import argparse
import json
import sys

import django
import jwt
from django.conf import settings


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jwks", required=True)
    parser.add_argument("--algorithm", required=True)
    parser.add_argument("--issuer", default=None)
    args = parser.parse_args()

    settings.configure(
        SECRET_KEY="a-resource-server-knows-no-signing-secret",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework_simplejwt"],
        DATABASES={},
        SIMPLE_JWT={
            "ALGORITHM": args.algorithm,
            "JWK_URL": args.jwks,
            "ISSUER": args.issuer,
            "USER_ID_CLAIM": "user_id",
            "LEEWAY": 1,
        },
    )
    django.setup()
    from rest_framework_simplejwt.tokens import AccessToken

    # A fresh PyJWT client per token: keys rotate between lines, and a client caches the set.
    for line in sys.stdin:
        token = line.strip()
        if not token:
            continue
        result = {}
        try:
            client = jwt.PyJWKClient(args.jwks, cache_jwk_set=False)
            key = client.get_signing_key_from_jwt(token)
            claims = jwt.decode(token, key.key, algorithms=[args.algorithm], issuer=args.issuer,
                                options={"require": ["exp", "iat", "jti"]})
            result["pyjwt"] = claims["user_id"]
        except Exception as error:  # noqa: BLE001 - every refusal is reported, not raised
            result["pyjwt"] = "error: %s" % type(error).__name__
        try:
            # simplejwt's own PyJWKClient: it fetches the set again for a kid it has not seen.
            result["simplejwt"] = AccessToken(token)["user_id"]
        except Exception as error:  # noqa: BLE001
            result["simplejwt"] = "error: %s" % type(error).__name__
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
