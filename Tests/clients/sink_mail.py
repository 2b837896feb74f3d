"""Reads the mail that the loopback SMTP sink (scripts/smtp_sink.py) received, as a user reads
their inbox: the clients here take their verification codes from it."""
import email
import email.policy
import glob
import os
import re
import time


def wait_for_code(mail_dir, address, timeout=20):
    """The code of the first mail to `address` in `mail_dir` (its one run of six digits in the
    plain-text part), waiting up to `timeout` seconds; None when none arrives."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for name in sorted(glob.glob(os.path.join(mail_dir, "*.eml"))):
            with open(name, "rb") as f:
                message = email.message_from_bytes(f.read(), policy=email.policy.default)
            if message["X-Envelope-To"].strip().lower() != address.lower():
                continue
            codes = re.findall(r"(?<!\d)\d{6}(?!\d)", message.get_body(preferencelist=("plain",)).get_content())
            if len(codes) == 1:
                return codes[0]
        time.sleep(0.1)
    return None
