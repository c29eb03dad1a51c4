/**
 * One "process of the fleet" for the Redis throttling test: a Probot built from the environment (as
 * `cowabunga worker` builds it; REDIS_URL turns on Bottleneck clustering), which makes one write request
 * to GitHub at the agreed time and prints when it was answered. argv: <goAtEpochMs> <label>.
 */
import { createProbot } from "probot";

const goAt = Number(process.argv[2]);
const label = process.argv[3] ?? `l-${process.pid}`;
const probot = createProbot({ env: process.env });
const octokit = await probot.auth(42);
// Warm up outside the measured window: the installation token (an auth request).
await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "throttle" });
const wait = goAt - Date.now();
if (wait > 0) await new Promise((r) => setTimeout(r, wait));
const sent = Date.now();
await octokit.request("POST /repos/{owner}/{repo}/labels", { owner: "acme", repo: "throttle", name: label, color: "ededed" });
process.stdout.write(`${JSON.stringify({ sent, done: Date.now() })}\n`);
process.exit(0);
