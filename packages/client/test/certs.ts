import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A certificate and its key: file paths (for the worker's flags) and PEM contents (for the client). */
export interface Issued {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: string;
  readonly key: string;
}

const NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const CA_EXTENSIONS = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"];
const serverExtensions = (altNames: string) => `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth\n`;
const CLIENT_EXTENSIONS = "extendedKeyUsage=clientAuth\n";

/** A throwaway CA, made with the openssl command line, that signs server and client certificates. */
export class Authority {
  readonly folder: string;
  readonly certPath: string;
  private readonly keyPath: string;

  // No parameter properties: bench/tls.ts runs this file with Node's type stripping.
  constructor(folder: string, name: string) {
    this.folder = folder;
    this.certPath = join(folder, `${name}.pem`);
    this.keyPath = join(folder, `${name}.key`);
    openssl(
      "req",
      "-x509",
      ...NEW_KEY,
      ...CA_EXTENSIONS,
      "-keyout",
      this.keyPath,
      "-out",
      this.certPath,
      "-subj",
      `/CN=${name}`,
      "-days",
      "1",
    );
  }

  get cert(): string {
    return readFileSync(this.certPath, "utf8");
  }

  /**
   * For 127.0.0.1 and localhost unless `altNames` (openssl's form, "DNS:svc.test") says else.
   * days -1: valid from now, but its notAfter was a day ago (expired).
   */
  server(name: string, days = 1, altNames = "DNS:localhost,IP:127.0.0.1"): Issued {
    return this.issue(name, altNames.split(",")[0]!.split(":")[1]!, serverExtensions(altNames), days);
  }

  client(name: string): Issued {
    return this.issue(name, name, CLIENT_EXTENSIONS, 1);
  }

  private issue(name: string, commonName: string, extensions: string, days: number): Issued {
    const [certPath, keyPath, csr, ext] = ["pem", "key", "csr", "ext"].map((suffix) => join(this.folder, `${name}.${suffix}`));
    writeFileSync(ext!, extensions);
    openssl("req", ...NEW_KEY, "-keyout", keyPath!, "-out", csr!, "-subj", `/CN=${commonName}`);
    openssl(
      "x509",
      "-req",
      "-in",
      csr!,
      "-CA",
      this.certPath,
      "-CAkey",
      this.keyPath,
      "-days",
      String(days),
      "-extfile",
      ext!,
      "-out",
      certPath!,
    );
    return { certPath: certPath!, keyPath: keyPath!, cert: readFileSync(certPath!, "utf8"), key: readFileSync(keyPath!, "utf8") };
  }
}

/** A new private folder for one test file's certificates. */
export function certFolder(): string {
  return mkdtempSync(join(tmpdir(), "dspy-connect-tls-"));
}

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { stdio: "pipe", timeout: 30_000 });
}
