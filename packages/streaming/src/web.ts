// The browser side (`@dspy-connect/streaming/web`): reads a run a server route streams with
// toSSEResponse. No Node imports and nothing from @dspy-connect/client at run time: it
// bundles for a page (Vite, esbuild) as is. The event types are the server's own.

export type { EventHandler, EventStream } from "./stream/event-stream.js";
export type {
  BranchTakenEvent,
  CustomEvent,
  DoneEvent,
  ErrorEvent,
  ErrorInfo,
  ItemCompleteEvent,
  ItemErrorEvent,
  ObservationEvent,
  ParallelCompleteEvent,
  ParallelStartEvent,
  PipelineCompleteEvent,
  ProgressEvent,
  StatusEvent,
  StepCompleteEvent,
  StepErrorEvent,
  StepStartEvent,
  StreamEvent,
  TerminalEvent,
  ThoughtEvent,
  TokenEvent,
  ToolErrorEvent,
  ToolOutputEvent,
  ToolStartEvent,
  TrialEvent,
} from "./stream/event-types.js";
export { fetchStream, type ReadEventsOptions, readEvents } from "./web/read-events.js";
export { RunError } from "./web/run-error.js";
