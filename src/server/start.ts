// `npm start`: the embedded shape (webhooks, API, dashboard and jobs in one process); see src/app/cluster.ts.
// With APP_ID and a private key it serves the app; without them (outside production) Probot serves its
// GitHub App setup flow from app.yml on PORT. COWABUNGA_GITHUB_THROTTLE=false turns off Octokit's
// client-side throttling (for a GitHub Enterprise Server without rate limits, and for tests).
import { runServer } from "../app/cluster.js";

await runServer("all");
