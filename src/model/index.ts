export * from "./common.js";
export * from "./risk.js";
export * from "./test-result.js";
export * from "./dependency.js";
export * from "./issue.js";
export * from "./record.js";
export * from "./health.js";
