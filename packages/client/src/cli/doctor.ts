import { existsSync } from "node:fs";
import { join } from "node:path";
import { CLIENT_VERSION, WORKER_VERSION } from "../version.js";
import { managedEnvDir } from "../worker/managed-env.js";
import { resolveWorkerCommand, SETUP_COMMAND } from "../worker/worker-command.js";
import { importLocalLm, LOCAL_LM_INSTALL } from "./local-model.js";
import { probePython } from "./python-probe.js";
import { findUv } from "./uv.js";

export interface DoctorCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What a client started here would use, and whether it would work. */
export async function doctor(env: NodeJS.ProcessEnv = process.env): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [
    {
      name: "client",
      ok: true,
      detail: `@dspy-connect/client ${CLIENT_VERSION} on Node ${process.version} (${process.platform} ${process.arch})`,
    },
  ];
  const command = resolveWorkerCommand(undefined, env);
  const probe = await probePython(command.argv);
  const where = `${command.argv.join(" ")} (from ${command.source})`;
  if (typeof probe === "string") {
    checks.push({ name: "python", ok: false, detail: `${where} does not run: ${probe}. Run \`${SETUP_COMMAND}\`` });
  } else {
    checks.push({ name: "python", ok: true, detail: `${probe.executable}, Python ${probe.python}, from ${command.source}` });
    const worker = probe.worker;
    checks.push({
      name: "worker",
      ok: worker === WORKER_VERSION,
      detail:
        worker === WORKER_VERSION
          ? `dspy-connect-worker ${worker}, dspy ${probe.dspy}`
          : `${worker ? `dspy-connect-worker ${worker}` : "no dspy-connect-worker"} in ${where}; this client needs ${WORKER_VERSION}. Run \`${SETUP_COMMAND}\``,
    });
  }
  checks.push({ name: "managed env", ok: true, detail: managedEnvDir(CLIENT_VERSION, env) });
  const uv = await findUv(env);
  checks.push({ name: "uv", ok: true, detail: uv ?? `not found (${SETUP_COMMAND} installs it from PyPI with python3 -m pip)` });
  checks.push(...(await lmChecks(env)));
  return checks;
}

async function lmChecks(env: NodeJS.ProcessEnv): Promise<DoctorCheck[]> {
  const lm = env.DSPY_CONNECT_LM || "local";
  const lmDetail = `${lm}${env.DSPY_CONNECT_LM ? " (from DSPY_CONNECT_LM)" : " (the default: the embedded model)"}`;
  if (lm !== "local") return [{ name: "lm", ok: true, detail: lmDetail }];
  if (env.DSPY_CONNECT_LOCAL_API_BASE) {
    return [{ name: "lm", ok: true, detail: `${lmDetail}, served at ${env.DSPY_CONNECT_LOCAL_API_BASE}` }];
  }
  const localLm = await importLocalLm();
  // Informational: an app that passes a hosted model to createClient never needs the package.
  if (!localLm) return [{ name: "lm", ok: true, detail: `${lmDetail} needs its package (${LOCAL_LM_INSTALL}); hosted models don't` }];
  const name = env.DSPY_CONNECT_LOCAL_MODEL || localLm.DEFAULT_LOCAL_MODEL;
  const known = localLm.findLocalModel(name);
  const path = known ? join(localLm.modelCacheDir(env), known.fileName) : name;
  const cached = existsSync(path);
  return [
    { name: "lm", ok: true, detail: lmDetail },
    {
      name: "local model",
      ok: cached || known !== undefined,
      detail: cached
        ? `${name} at ${path}`
        : known
          ? `${name} not fetched yet (the first client fetches it; \`${SETUP_COMMAND} --local-lm\` does it now)`
          : `${name}: no such file`,
    },
  ];
}
