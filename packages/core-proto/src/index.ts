// The dspy-connect wire contract. Everything here is generated from proto/ by buf;
// regenerate with `./dev generate`.
export * from "./gen/dspy_connect/v1/common_pb.js";
export * from "./gen/dspy_connect/v1/pipeline_pb.js";
export * from "./gen/dspy_connect/v1/run_pb.js";
export * from "./gen/dspy_connect/v1/tool_names_pb.js";
export * from "./gen/dspy_connect/v1/worker_pb.js";
export {
  Health,
  type HealthCheckRequest,
  HealthCheckRequestSchema,
  type HealthCheckResponse,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
} from "./gen/grpc/health/v1/health_pb.js";
