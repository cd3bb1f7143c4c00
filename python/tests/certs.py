"""Throwaway certificates for TLS tests, made with the openssl command line (EC P-256 keys)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Authority", "Issued", "make_authority"]

NEW_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
SERVER_EXTENSIONS = "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
CLIENT_EXTENSIONS = "extendedKeyUsage=clientAuth\n"


@dataclass(frozen=True)
class Issued:
    cert: Path
    key: Path


@dataclass(frozen=True)
class Authority:
    """A CA in `folder` that signs server certificates for 127.0.0.1 and localhost, and client ones."""

    folder: Path
    name: str

    @property
    def cert(self) -> Path:
        return self.folder / f"{self.name}.pem"

    @property
    def key(self) -> Path:
        return self.folder / f"{self.name}.key"

    def server(self, name: str, days: int = 1) -> Issued:
        """days=-1: valid from now, but its notAfter is a day ago (expired)."""
        return self._issue(name, "localhost", SERVER_EXTENSIONS, days)

    def client(self, name: str) -> Issued:
        return self._issue(name, name, CLIENT_EXTENSIONS, 1)

    def _issue(self, name: str, common_name: str, extensions: str, days: int) -> Issued:
        out = Issued(self.folder / f"{name}.pem", self.folder / f"{name}.key")
        csr, ext = self.folder / f"{name}.csr", self.folder / f"{name}.ext"
        ext.write_text(extensions)
        _openssl("req", *NEW_KEY, "-keyout", out.key, "-out", csr, "-subj", f"/CN={common_name}")
        _openssl(
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            self.cert,
            "-CAkey",
            self.key,
            "-days",
            str(days),
            "-extfile",
            ext,
            "-out",
            out.cert,
        )
        return out


def make_authority(folder: Path, name: str) -> Authority:
    ca = Authority(folder, name)
    _openssl(
        "req", "-x509", *NEW_KEY, "-keyout", ca.key, "-out", ca.cert, "-subj", f"/CN={name}", "-days", "1",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
    )  # fmt: skip
    return ca


def _openssl(*args: str | Path) -> None:
    openssl = shutil.which("openssl")
    assert openssl, "the TLS tests need the openssl command line (Debian's openssl package)"
    subprocess.run([openssl, *map(str, args)], check=True, capture_output=True, timeout=30)
