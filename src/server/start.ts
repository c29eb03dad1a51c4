import { run } from "probot";
import app from "../index.js";

// `npm start`: with APP_ID and a private key it serves the app; without them (outside production)
// Probot serves its GitHub App setup flow from app.yml on PORT.
await run(app);
