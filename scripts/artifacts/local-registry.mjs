// An npm registry on loopback for the artifact smoke test: our packages come from the packed
// tarballs (nothing can be published from here), every other request goes to the real
// registry. So `npm install @dspy-connect/client` runs exactly as a user types it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { basename } from "node:path";
import { Readable } from "node:stream";

const UPSTREAM = (process.env.DSPY_CONNECT_UPSTREAM_REGISTRY || "https://registry.npmjs.org").replace(/\/$/, "");

function manifestOf(tarball) {
  return JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }));
}

/** Starts the registry; resolves with its URL and a close(). */
export async function startLocalRegistry(tarballs) {
  const packages = new Map();
  for (const file of tarballs) {
    const manifest = manifestOf(file);
    const bytes = readFileSync(file);
    packages.set(manifest.name, {
      manifest,
      file,
      fileName: basename(file),
      integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
      shasum: createHash("sha1").update(bytes).digest("hex"),
    });
  }
  const byFile = new Map([...packages.values()].map((p) => [p.fileName, p]));
  let base = "";
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]);
    const ours = packages.get(path.slice(1));
    if (ours) {
      const { manifest } = ours;
      const version = {
        ...manifest,
        dist: { tarball: `${base}/-/tarballs/${ours.fileName}`, integrity: ours.integrity, shasum: ours.shasum },
      };
      const packument = { name: manifest.name, "dist-tags": { latest: manifest.version }, versions: { [manifest.version]: version } };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(packument));
      return;
    }
    const tarball = path.startsWith("/-/tarballs/") && byFile.get(path.slice("/-/tarballs/".length));
    if (tarball) {
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(tarball.file));
      return;
    }
    if (path.startsWith("/@dspy-connect/") || path.startsWith("/@dspy-connect%2f")) {
      // Never fall through to the public registry for our own scope.
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    void proxy(req, res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  return { url: base, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function proxy(req, res) {
  try {
    const upstream = await fetch(`${UPSTREAM}${req.url}`, {
      method: req.method,
      headers: { accept: req.headers.accept ?? "*/*", "accept-encoding": "identity" },
    });
    const headers = {};
    for (const name of ["content-type", "etag", "last-modified"]) {
      const value = upstream.headers.get(name);
      if (value) headers[name] = value;
    }
    res.writeHead(upstream.status, headers);
    if (upstream.body) Readable.fromWeb(upstream.body).pipe(res);
    else res.end();
  } catch (error) {
    res.writeHead(502, { "content-type": "text/plain" }).end(String(error));
  }
}
