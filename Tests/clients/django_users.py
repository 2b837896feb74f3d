#!/usr/bin/env python3
"""Files written by a real Django `manage.py dumpdata`, for the end-to-end test of
`AuthAPI import-django FILE`. Nothing here is hand-made: Django's own hashers compute every
password hash and Django's own serializer writes every file, so the test checks the importer
against what a Django deployment would really hand over, not against our idea of it.

    django_users.py OUTDIR        # writes the three files below into OUTDIR, prints "ok"

OUTDIR (created if missing) receives:

  auth_users.json    `dumpdata auth.User --indent 2` of a project on the stock
                     django.contrib.auth User model (users 3, 7, 8, 12, 15).
  custom_users.json  `dumpdata accounts.User --indent 2` of a project whose AUTH_USER_MODEL is
                     a custom `accounts.User(AbstractBaseUser, PermissionsMixin)` keyed by email,
                     with an `is_verified` flag, like the tutorial seed's (users 1, 2, 5).
  expected.json      {"auth_users.json": [...], "custom_users.json": [...]}: per user its id,
                     email, hasher ("pbkdf2_sha256" | "argon2" | "bcrypt_sha256" | "unusable"),
                     is_active, is_staff, is_superuser, is_verified (custom model only),
                     first_name, last_name, date_joined, last_login -- all read back from the
                     dumped files, so the Swift test asserts without copying the data.

Every usable password is the same plain text: $DJANGO_TEST_PASSWORD, default
"correct horse battery staple". Hashers keep Django's defaults (argon2: m=102400, t=2, p=8).

Django settings can be configured once per process and the two files need different
AUTH_USER_MODELs, so the script re-invokes itself: `--mode auth OUTDIR` and
`--mode custom OUTDIR`, each in its own subprocess with its own temporary project directory
(an SQLite database, and for the custom mode the `accounts` app and its generated migration).
The parent then writes expected.json. On any failure: traceback on stderr, exit status 1.
"""
import argparse
import datetime
import importlib
import json
import os
import subprocess
import sys
import tempfile
import traceback

PASSWORD = os.environ.get("DJANGO_TEST_PASSWORD", "correct horse battery staple")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
]

UTC = datetime.timezone.utc

# What each file should hold, by pk: the hasher we asked for. The parent checks the dumps
# against it, so a Django that silently picked another hasher fails here, not in the Swift test.
PLANNED = {
    "auth_users.json": {3: "pbkdf2_sha256", 7: "argon2", 8: "bcrypt_sha256", 12: "pbkdf2_sha256",
                        15: "unusable"},
    "custom_users.json": {1: "pbkdf2_sha256", 2: "argon2", 5: "bcrypt_sha256"},
}

# The custom user model, written into the temporary project as accounts/models.py.
ACCOUNTS_MODELS = '''
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("an email is required")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    is_verified = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()
'''

ACCOUNTS_APPS = '''
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
'''


def configure(project_dir, custom):
    """settings.configure for a throwaway project in project_dir, then django.setup()."""
    import django
    from django.conf import settings

    apps = ["django.contrib.contenttypes", "django.contrib.auth"]
    extra = {}
    if custom:
        apps.append("accounts")
        extra["AUTH_USER_MODEL"] = "accounts.User"
    settings.configure(
        SECRET_KEY="django-users-fixture-not-a-secret",
        INSTALLED_APPS=apps,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                               "NAME": os.path.join(project_dir, "db.sqlite3")}},
        PASSWORD_HASHERS=PASSWORD_HASHERS,
        USE_TZ=True,
        TIME_ZONE="UTC",
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        **extra,
    )
    django.setup()


def run_auth(outdir):
    """Stock django.contrib.auth User: migrate, create users via the ORM, dumpdata auth.User."""
    with tempfile.TemporaryDirectory(prefix="django-auth-") as project_dir:
        configure(project_dir, custom=False)
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import User
        from django.core.management import call_command

        call_command("migrate", verbosity=0)

        # Created out of pk order, leaving gaps, so the importer cannot assume dense ids.
        # User(...).save() rather than create_user, which would lower-case the email's domain:
        # the mixed-case address is stored exactly as typed, as a form or the admin would.
        User(pk=7, username="argon2", email="argon2@example.com",
             password=make_password(PASSWORD, hasher="argon2"),
             date_joined=datetime.datetime(2022, 1, 2, 3, 4, 5, tzinfo=UTC)).save()
        User(pk=3, username="pbkdf2", email="pbkdf2@example.com", first_name="Pat", last_name="Kdf",
             password=make_password(PASSWORD, hasher="pbkdf2_sha256"),
             last_login=datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
             date_joined=datetime.datetime(2021, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)).save()
        User(pk=12, username="staff.person", email="Staff.Person@Example.COM",
             password=make_password(PASSWORD, hasher="pbkdf2_sha256"), is_staff=True,
             is_superuser=True,
             date_joined=datetime.datetime(2020, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)).save()
        User(pk=8, username="bcrypt", email="bcrypt@example.com",
             password=make_password(PASSWORD, hasher="bcrypt_sha256"),
             date_joined=datetime.datetime(2023, 7, 8, 9, 10, 11, tzinfo=UTC)).save()
        unusable = User(pk=15, username="unusable", email="unusable@example.com", is_active=False,
                        date_joined=datetime.datetime(2023, 8, 9, 10, 11, 12, tzinfo=UTC))
        unusable.set_unusable_password()
        unusable.save()

        call_command("dumpdata", "auth.User", indent=2,
                     output=os.path.join(outdir, "auth_users.json"), verbosity=0)


def run_custom(outdir):
    """Custom accounts.User: write the app, makemigrations, migrate, create users, dumpdata."""
    with tempfile.TemporaryDirectory(prefix="django-custom-") as project_dir:
        app_dir = os.path.join(project_dir, "accounts")
        os.makedirs(app_dir)
        for name, text in (("__init__.py", ""), ("apps.py", ACCOUNTS_APPS),
                           ("models.py", ACCOUNTS_MODELS)):
            with open(os.path.join(app_dir, name), "w") as handle:
                handle.write(text)
        sys.path.insert(0, project_dir)
        configure(project_dir, custom=True)
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.core.management import call_command

        call_command("makemigrations", "accounts", verbosity=0)
        importlib.invalidate_caches()  # the migration module was written after startup
        call_command("migrate", verbosity=0)

        User = get_user_model()

        def create(pk, email, hasher, **extra):
            user = User.objects.create_user(email, PASSWORD, id=pk, **extra)
            # create_user hashes with the first of PASSWORD_HASHERS; rehash with the one wanted.
            user.password = make_password(PASSWORD, hasher=hasher)
            user.save(update_fields=["password"])

        create(5, "bcrypt-custom@example.com", "bcrypt_sha256", is_verified=True,
               date_joined=datetime.datetime(2023, 2, 3, 4, 5, 6, tzinfo=UTC))
        create(1, "verified@example.com", "pbkdf2_sha256", is_verified=True, first_name="Vera",
               last_login=datetime.datetime(2024, 6, 7, 8, 9, 10, 654321, tzinfo=UTC),
               date_joined=datetime.datetime(2021, 4, 5, 6, 7, 8, 987654, tzinfo=UTC))
        create(2, "unverified@example.com", "argon2", is_verified=False,
               date_joined=datetime.datetime(2022, 9, 10, 11, 12, 13, tzinfo=UTC))

        call_command("dumpdata", "accounts.User", indent=2,
                     output=os.path.join(outdir, "custom_users.json"), verbosity=0)


def hasher_of(encoded):
    """The hasher name as Django would see it: '!' starts an unusable password."""
    if encoded.startswith("!"):
        return "unusable"
    return encoded.split("$", 1)[0]


def expected_for(path, planned, model):
    """expected.json's entries for one dumped file, read from the file itself."""
    with open(path) as handle:
        objects = json.load(handle)
    entries = []
    for obj in objects:
        if obj["model"] != model:
            raise AssertionError("%s: unexpected model %r" % (path, obj["model"]))
        fields = obj["fields"]
        entry = {"id": obj["pk"], "email": fields["email"], "hasher": hasher_of(fields["password"])}
        for key in ("is_active", "is_staff", "is_superuser", "is_verified"):
            if key in fields:
                entry[key] = fields[key]
        for key in ("first_name", "last_name", "date_joined", "last_login"):
            entry[key] = fields[key]
        entries.append(entry)
    got = {entry["id"]: entry["hasher"] for entry in entries}
    if got != planned:
        raise AssertionError("%s: hashers %r, planned %r" % (path, got, planned))
    return entries


def run_all(outdir):
    """Both modes in subprocesses, then expected.json from what they dumped."""
    for mode in ("auth", "custom"):
        result = subprocess.run([sys.executable, os.path.abspath(__file__), "--mode", mode, outdir])
        if result.returncode != 0:
            raise RuntimeError("--mode %s exited with status %d" % (mode, result.returncode))
    expected = {
        "auth_users.json": expected_for(os.path.join(outdir, "auth_users.json"),
                                        PLANNED["auth_users.json"], "auth.user"),
        "custom_users.json": expected_for(os.path.join(outdir, "custom_users.json"),
                                          PLANNED["custom_users.json"], "accounts.user"),
    }
    with open(os.path.join(outdir, "expected.json"), "w") as handle:
        json.dump(expected, handle, indent=2)
        handle.write("\n")
    print("ok")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["auth", "custom"], default=None)
    parser.add_argument("outdir")
    args = parser.parse_args()
    outdir = os.path.abspath(args.outdir)
    try:
        os.makedirs(outdir, exist_ok=True)
        if args.mode == "auth":
            run_auth(outdir)
        elif args.mode == "custom":
            run_custom(outdir)
        else:
            run_all(outdir)
    except Exception:  # noqa: BLE001 - any failure is the test's failure
        traceback.print_exc()
        sys.exit(1)


if __name__ == "__main__":
    main()
