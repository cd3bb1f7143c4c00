// The page: vanilla TypeScript and the DOM, no framework. Reading a live run needs nothing
// but `fetchStream` from @dspy-connect/streaming/web; each panel is a plain loop over events.
import { agentPanel } from "./agent.ts";
import { askPanel } from "./ask.ts";
import { batchPanel } from "./batch.ts";
import { pipelinePanel } from "./pipeline.ts";

askPanel();
agentPanel();
pipelinePanel();
batchPanel();
document.body.dataset.ready = "true";
