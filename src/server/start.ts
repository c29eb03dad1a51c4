import { run } from "probot";
import app from "../index.js";
import { appOctokitClass } from "./octokit.js";

// `npm start`: with APP_ID and a private key it serves the app; without them (outside production)
// Probot serves its GitHub App setup flow from app.yml on PORT.
// Every GitHub request goes through the app's Octokit (src/server/octokit.ts): rate limits retried as
// GitHub documents them, with a cap; creates never re-POSTed blindly.
// COWABUNGA_GITHUB_THROTTLE=false turns off Octokit's client-side throttling (which spaces writes 1 s
// apart, GitHub's advice for github.com) for a GitHub Enterprise Server without rate limits, and for tests.
const throttle = !/^(false|0|off|no)$/i.test(process.env.COWABUNGA_GITHUB_THROTTLE?.trim() ?? "");
await run(app, { Octokit: appOctokitClass({ throttle }) });
