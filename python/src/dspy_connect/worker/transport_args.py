"""The command-line options that choose how a TCP worker's connections are protected."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_transport_arguments", "check_transport_arguments"]


def add_transport_arguments(p: argparse.ArgumentParser) -> None:
    tls = p.add_argument_group("TLS for --tcp (files are re-read on SIGHUP)")
    tls.add_argument("--tls-cert", type=Path, metavar="PATH", help="PEM certificate chain the worker presents")
    tls.add_argument("--tls-key", type=Path, metavar="PATH", help="PEM private key of --tls-cert")
    tls.add_argument(
        "--tls-client-ca",
        type=Path,
        metavar="PATH",
        help="PEM CA bundle: clients must present a certificate it signed (mutual TLS)",
    )
    tls.add_argument(
        "--insecure",
        action="store_true",
        help="--tcp without TLS: only on loopback or a network that already encrypts (e.g. a mesh with mTLS)",
    )


def check_transport_arguments(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """TCP is TLS unless --insecure says otherwise; the TLS options go together and with --tcp only."""
    tls = args.tls_cert is not None or args.tls_key is not None or args.tls_client_ca is not None
    if not args.tcp:
        if tls or args.insecure:
            p.error("--tls-cert, --tls-key, --tls-client-ca and --insecure apply to --tcp only")
        return
    if args.insecure and tls:
        p.error("--insecure turns TLS off: give it or the --tls-* options, not both")
    if not args.insecure and not tls:
        p.error(
            "--tcp needs TLS (--tls-cert PATH --tls-key PATH) or, on loopback or a network "
            "that already encrypts, an explicit --insecure"
        )
    if tls and (args.tls_cert is None or args.tls_key is None):
        p.error("TLS needs both --tls-cert and --tls-key")
