"""The secret filter (buildtools.assets.secrets): a table of what looks like a credential and
what is an ordinary web asset, case ignored."""

from __future__ import annotations

import pytest

from buildtools.assets import looks_secret

SECRETS = [
    ".env", ".ENV", ".env.production", "prod.env", "config/staging.env", ".envrc",
    "id_rsa", "ID_RSA", "id_rsa.old", "id_ed25519.bak", "keys/deploy_rsa", "id_ecdsa",
    "server.pem", "KEY.PEM", "certs/Server.Key", "bundle.p12", "Bundle.PFX", "store.jks",
    "vault.kdbx", "client.ovpn", "prod.tfvars", "terraform.tfstate",
    ".netrc", "_netrc", ".pgpass", ".git-credentials", "credentials", "aws/credentials",
    "credentials.json", "client_secret_1234.apps.googleusercontent.com.json",
    ".docker/config.json", ".kube/config", ".npmrc", ".NPMRC", ".pypirc", ".htpasswd",
    ".dockercfg", ".s3cfg", ".bash_history", ".gem/credentials",
    ".git/config", ".ssh/anything", ".aws/config", ".gnupg/pubring.kbx", "sub/.GIT/HEAD",
    ".config/gcloud/credentials.db",
]
NOT_SECRETS = [
    "img/TestImg.png", "environment.json", "docs/key.txt", "id_rsa.pub", "keys/deploy_rsa.pub",
    "index.html", "assets/index-B9jXQm3a.js", "envelope.svg", "keynote.png", "pemmican.jpg",
    "credentials-help.html", "config.json", "docker/config.json", "kube/config", "robots.txt",
    ".well-known/security.txt", "sounds/key-press.mp3",
]


@pytest.mark.parametrize("path", SECRETS)
def test_these_look_secret(path: str) -> None:
    assert looks_secret(path) is True


@pytest.mark.parametrize("path", NOT_SECRETS)
def test_these_are_ordinary_files(path: str) -> None:
    assert looks_secret(path) is False
