// The acknowledgment sender of bench:fleet, on a thread of its own: the main thread serves the fake GitHub
// and registries, and a busy event loop there must not count as the app's latency. Open loop: delivery i
// leaves at start + i / rate whether or not earlier ones were answered (no coordinated omission).
// Plain JavaScript so that it runs in a worker thread without a TypeScript loader.
/* global performance, fetch, AbortSignal, setTimeout */
import { createHmac, randomUUID } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";

const { url, secret, rate, deliveries } = workerData;
const latencies = [];
const statuses = {};
let failed = 0;
let running = true;
const pending = [];

parentPort.on("message", (m) => {
  if (m === "stop") running = false;
});

async function deliver(event, body) {
  const started = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  await res.text();
  return { status: res.status, ms: performance.now() - started };
}

const interval = 1000 / rate;
const start = performance.now();
for (let i = 0; running; i++) {
  const wait = start + i * interval - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  if (!running) break;
  const d = deliveries[i % deliveries.length];
  pending.push(
    deliver(d.event, d.body).then(
      (r) => {
        latencies.push(r.ms);
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (latencies.length % 50 === 0) parentPort.postMessage({ progress: latencies.slice(-50) });
      },
      () => {
        failed++;
      },
    ),
  );
}
await Promise.all(pending);
parentPort.postMessage({ done: { latencies, statuses, failed } });
