import { ProbotOctokit, run } from "probot";
import app from "../index.js";

// `npm start`: with APP_ID and a private key it serves the app; without them (outside production)
// Probot serves its GitHub App setup flow from app.yml on PORT.
// COWABUNGA_GITHUB_THROTTLE=false turns off Octokit's client-side throttling (which spaces writes 1 s
// apart, GitHub's advice for github.com) for a GitHub Enterprise Server without rate limits, and for tests.
const throttle = !/^(false|0|off|no)$/i.test(process.env.COWABUNGA_GITHUB_THROTTLE?.trim() ?? "");
await run(
  app,
  throttle ? {} : { Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { enabled: false } })) },
);
