#!/usr/bin/env bash
# What the tests need beyond the build: python3, aiosmtpd (the loopback SMTP server the
# end-to-end tests start), schemathesis (schema fuzzing), openapi-python-client (a client
# generated from the served document), selenium with Debian's chromium and chromium-driver
# (the browser flows), argon2-cffi (Django's Argon2 library, to check our hashes against),
# PyJWT with cryptography and djangorestframework-simplejwt with Django (resource servers that
# verify our tokens by the JWKS), pyotp (an authenticator app's TOTP, for MFA), bcrypt (Django's
# bcrypt_sha256 hasher, for the import), prometheus-client (its text parser reads /metrics), openssl
# (certificates for the TLS tests), faketime (libfaketime: a replica whose clock is off, for
# the clock-skew fault), and authlib with requests (an OpenID Connect relying party nobody here
# wrote, for the provider). Installs only what is missing.
set -euo pipefail
here="$(dirname "$0")"
command -v python3 >/dev/null || "$here/apt-install.sh" python3
"$here/apt-install.sh" chromium chromium-driver openssl faketime
modules="aiosmtpd schemathesis selenium openapi_python_client argon2 jwt cryptography django rest_framework_simplejwt pyotp bcrypt prometheus_client authlib requests"
packages="aiosmtpd schemathesis selenium openapi-python-client argon2-cffi PyJWT[crypto] Django djangorestframework-simplejwt pyotp bcrypt prometheus-client Authlib requests"
python3 -c "import ${modules// /, }" 2>/dev/null && exit 0
echo "installing $packages (PyPI)"
python3 -m pip --version >/dev/null 2>&1 || "$here/apt-install.sh" python3-pip
python3 -m pip install --quiet $packages 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages $packages
python3 -c "import ${modules// /, }"
