#!/usr/bin/env bash
# What the tests need beyond the build: python3, aiosmtpd (the loopback SMTP server the
# end-to-end tests start) and schemathesis (schema fuzzing). Installs only what is missing.
set -euo pipefail
here="$(dirname "$0")"
command -v python3 >/dev/null || "$here/apt-install.sh" python3
# aiosmtpd: the loopback SMTP server; schemathesis: the schema fuzzer run by the tests.
python3 -c 'import aiosmtpd, schemathesis' 2>/dev/null && exit 0
echo "installing aiosmtpd and schemathesis (PyPI)"
python3 -m pip --version >/dev/null 2>&1 || "$here/apt-install.sh" python3-pip
python3 -m pip install --quiet aiosmtpd schemathesis 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages aiosmtpd schemathesis
python3 -c 'import aiosmtpd, schemathesis'
