"""TLS for TCP workers with grpcio's own TLS; the certificate files are re-read on SIGHUP."""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from pathlib import Path

import grpc

__all__ = ["CertificateReloader", "TlsFiles", "TlsFilesError"]

log = logging.getLogger("dspy_connect.worker.tls")


class TlsFilesError(Exception):
    """A certificate, key or CA file that cannot be read or used."""


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path
    client_ca: Path | None  # set: clients must present a certificate this CA signed

    def load(self) -> grpc.ServerCertificateConfiguration:
        """Reads and checks the files (they are only read, never changed)."""
        cert, key = _read(self.cert), _read(self.key)
        _check_pair(self.cert, self.key)
        # A rotation between the reads and the check would pair what was never checked.
        if (_read(self.cert), _read(self.key)) != (cert, key):
            raise TlsFilesError(f"{self.cert} or {self.key} changed while being read; try again")
        client_ca = None
        if self.client_ca is not None:
            client_ca = _read(self.client_ca)
            _check_ca(self.client_ca, client_ca)
        return grpc.ssl_server_certificate_configuration([(key, cert)], root_certificates=client_ca)


class CertificateReloader:
    """Server credentials whose certificate (and client CA) `reload()` replaces for new handshakes."""

    def __init__(self, files: TlsFiles) -> None:
        self._files = files
        self._initial = files.load()
        self._pending: grpc.ServerCertificateConfiguration | None = None

    def credentials(self) -> grpc.ServerCredentials:
        return grpc.dynamic_ssl_server_credentials(
            self._initial,
            self._fetch,  # pyright: ignore[reportArgumentType] (grpcio's stub omits the documented None: no change)
            require_client_authentication=self._files.client_ca is not None,
        )

    def reload(self) -> bool:
        """Re-reads the files; on a bad file logs why and keeps the configuration in use."""
        try:
            self._pending = self._files.load()
        except TlsFilesError as exc:
            log.error("TLS files not reloaded, the current certificate stays in use: %s", exc)  # noqa: TRY400 (no traceback: the message says it all)
            return False
        log.info("TLS files reloaded from %s: new connections use them", self._files.cert)
        return True

    def _fetch(self) -> grpc.ServerCertificateConfiguration | None:
        # grpcio asks before each new handshake; None keeps what it has.
        pending, self._pending = self._pending, None
        return pending


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TlsFilesError(f"cannot read {path}: {exc.strerror or exc}") from None


def _check_pair(cert: Path, key: Path) -> None:
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key)
    except ssl.SSLError as exc:
        raise TlsFilesError(f"{cert} and {key} are not a PEM certificate and its private key ({exc.reason or exc})") from None
    except OSError as exc:
        raise TlsFilesError(f"cannot read {cert} or {key}: {exc.strerror or exc}") from None


def _check_ca(path: Path, pem: bytes) -> None:
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_verify_locations(cadata=pem.decode("ascii"))
    except (ssl.SSLError, UnicodeDecodeError, ValueError) as exc:
        raise TlsFilesError(f"{path} is not a PEM CA certificate bundle ({exc})") from None
