export { DnsServer } from "./dns-server.js";
export { labUnsupported } from "./lab-support.js";
export { type LabHost, NetnsLab } from "./namespaces.js";
export { HostWorker, type HostWorkerOptions, WORKER_PORT, workerArgs } from "./netns-worker.js";
