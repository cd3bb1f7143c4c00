/** A child process group the client may have to kill: a worker, a zygote, the LM server. */
export interface ProcessGroup {
  signalGroup(signal: NodeJS.Signals): void;
}

/** Every child group alive now: killOnExit SIGKILLs them if Node exits without close(). */
export type LiveProcesses = Set<ProcessGroup>;
