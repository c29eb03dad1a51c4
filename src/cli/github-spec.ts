/** Constants of the `github:OWNER/REPO[@REF]` scan target, apart so `scan` can name them without loading Octokit. */
export const GITHUB_PREFIX = "github:";
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";
