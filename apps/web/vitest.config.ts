export { default } from "@dspy-connect/test-support/vitest";
