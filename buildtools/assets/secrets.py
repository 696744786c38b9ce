"""What never ships: the file names and paths that look like secrets, wherever they stand in a
bundle (extra_source_dir, the build output, a page's files).

The list is modelled on gitrob's signatures (the filename, extension and path rules that
GitHub-scanning tools use to find credential files) and on gitleaks' path rule for PKCS #12
files; content rules (keys inside ordinary files) are out of scope. Rules that would refuse
ordinary web assets (gitrob's "contains backup/password/secret", *.log, *.asc) are left out.
Matching ignores case: `KEY.PEM` and `ID_RSA` are secrets too.
"""

from __future__ import annotations

import fnmatch
import re

# Whole file names (lower case), in any folder.
SECRET_NAMES = frozenset({
    # ssh
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk",
    "authorized_keys", "known_hosts",
    # credential stores of tools
    ".netrc", "_netrc", ".pgpass", ".git-credentials", ".gitconfig", ".htpasswd", ".npmrc",
    ".yarnrc.yml", ".pypirc", ".dockercfg", ".s3cfg", ".boto", ".my.cnf", ".muttrc",
    "credentials", "credentials.json", "credentials.xml", "credentials.yml", "credentials.yaml",
    "proftpdpasswd", "terraform.tfvars", "secret_token.rb", "master.key",
    # shell and database histories
    ".history", ".bash_history", ".zsh_history", ".sh_history", ".psql_history",
    ".mysql_history", ".irb_history",
    # environment files
    ".env", ".envrc",
})

# Globs over the file name (lower case).
SECRET_GLOBS = (
    ".env.*", "*.env",  # .env.production, prod.env
    "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",  # id_rsa.old, id_rsa~, id_ed25519.bak
    "*_rsa", "*_dsa", "*_ecdsa", "*_ed25519",  # deploy_rsa
    "*.pem", "*.key", "*.keypair", "*.ppk",  # private keys
    "*.p12", "*.pfx", "*.pkcs12", "*.jks", "*.keystore", "*.keyring", "*.keychain",
    "*.agilekeychain", "*.kdb", "*.kdbx", "*.kwallet",  # key bundles and password stores
    "*.ovpn", "*.tblk",  # VPN profiles with their keys
    "*.tfvars", "*.tfstate", "*.tfstate.backup",  # Terraform variables and state
    "client_secret*.json", "service-account*.json",  # Google OAuth and service accounts
    "*.sqldump", "*.pcap",  # database dumps, traffic captures
)

# Public halves of key pairs match the globs above but are no secret.
NOT_SECRET_GLOBS = ("*.pub",)

# Folders whose whole content is a secret (lower case), at any depth.
SECRET_FOLDERS = frozenset({".git", ".ssh", ".aws", ".gnupg", ".docker", ".kube", ".azure"})

# Paths (lower case, posix) whose last parts say what they are; .docker/config.json and
# .kube/config are covered by their folders above.
SECRET_PATH_ENDS = (
    ("gcloud", "credentials.db"),
    ("gcloud", "application_default_credentials.json"),
    (".gem", "credentials"),
    (".chef", "*.pem"),
    (".purple", "accounts.xml"),
)


def _any_of(globs: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{fnmatch.translate(glob)})" for glob in globs))


# One regular expression per list: a bundle of thousands of files is checked several times.
_SECRET = _any_of(SECRET_GLOBS)
_NOT_SECRET = _any_of(NOT_SECRET_GLOBS)


def looks_secret(relative: str) -> bool:
    """Whether a file at `relative` (a posix path inside a bundle or extra_source_dir) looks
    like a credential that must not be published."""
    parts = [part for part in relative.lower().split("/") if part]
    if not parts:
        return False
    if any(part in SECRET_FOLDERS for part in parts[:-1]):
        return True
    name = parts[-1]
    if _NOT_SECRET.match(name):
        return False
    if name in SECRET_NAMES or _SECRET.match(name):
        return True
    return any(_ends_with(parts, end) for end in SECRET_PATH_ENDS)


def _ends_with(parts: list[str], end: tuple[str, ...]) -> bool:
    last = parts[-len(end):]
    return len(last) == len(end) and all(
        fnmatch.fnmatchcase(part, glob) for part, glob in zip(last, end, strict=True))


def is_secret_folder(name: str) -> bool:
    return name.lower() in SECRET_FOLDERS
