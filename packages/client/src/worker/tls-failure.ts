import { Code, ConnectError } from "../errors.js";
import { ClosedBeforeHttp2Error } from "./closed-before-http2-error.js";

// Node's codes for a failed TLS handshake: OpenSSL's certificate checks, Node's own, and
// alerts (ERR_SSL_*) such as the worker's refusal of a missing client certificate.
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_SELF_SIGNED|INVALID_CA|INVALID_PURPOSE|HOSTNAME_MISMATCH)/;

const UNTRUSTED = "the worker's certificate is not signed by a CA the client trusts: set tls.ca to the CA that signed it";
const NO_CLIENT_CERT = "the worker requires a client certificate signed by its --tls-client-ca: set tls.cert and tls.key to one";
const HINTS: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED,
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED,
  CERT_HAS_EXPIRED: "the worker's certificate has expired: renew it, then send the worker SIGHUP to reload it",
  CERT_NOT_YET_VALID: "the worker's certificate is not valid yet: check both machines' clocks",
  ERR_TLS_CERT_ALTNAME_INVALID: "set tls.serverName to a name the certificate holds, or issue one for the url's host",
  ERR_SSL_WRONG_VERSION_NUMBER: "the worker does not speak TLS there: a worker started with --insecure takes an http:// url",
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: NO_CLIENT_CERT,
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: NO_CLIENT_CERT,
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "the worker refused the client certificate: is it signed by the worker's --tls-client-ca?",
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "the worker refused the client certificate: is it signed by the worker's --tls-client-ca?",
};

/**
 * Unavailable, saying it is a TLS or certificate problem and what to change, when one of
 * `errors` (or an error they were caused by) is a TLS failure; undefined otherwise.
 */
export function tlsFailure(errors: readonly unknown[], url: string, what: string): ConnectError | undefined {
  for (const error of errors) {
    const cause = tlsCause(error);
    if (cause) {
      const hint = HINTS[cause.code] ?? "check the certificates on both sides";
      return unavailable(`${what}: TLS handshake failed (${cause.code}: ${cause.message.trim()}); ${hint}`, cause);
    }
    // grpcio closes the connection without an alert when it refuses a client certificate.
    if (error instanceof ClosedBeforeHttp2Error) {
      const https = url.startsWith("https:");
      return unavailable(`${what}: ${error.message}; ${https ? CLOSED_AFTER_TLS : CLOSED_ON_PLAINTEXT}`, error);
    }
  }
  return undefined;
}

const CLOSED_AFTER_TLS =
  "a TLS or certificate problem: a worker started with --tls-client-ca does so when the client presents no " +
  "certificate (set tls.cert and tls.key) or one its CA did not sign";
const CLOSED_ON_PLAINTEXT = "a worker started with --tls-cert does so on a plaintext connection: use an https:// url and tls";

function unavailable(message: string, cause: Error): ConnectError {
  return new ConnectError(message, Code.Unavailable, undefined, undefined, cause);
}

function tlsCause(error: unknown): (Error & { code: string }) | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; depth++, e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && TLS_CODE.test(code)) return e as Error & { code: string };
  }
  return undefined;
}
