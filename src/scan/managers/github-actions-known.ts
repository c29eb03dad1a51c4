/**
 * Setup actions whose `with:` inputs name a tool version (`azure/setup-helm` `version: v3.13.3`,
 * `actions/setup-node` `node-version: 20`). Mirrors Renovate 44's github-actions "known actions"
 * (lib/modules/manager/github-actions/known-actions/*), mapped onto our datasources:
 * - Renovate github-releases / github-release-attachments → our `github-tags`, named by the
 *   releasing repository (`helm/helm`), so enrichment can look it up today;
 * - npm / pypi / docker / crate → ours of the same registry, named by the package;
 * - node / python (Renovate reads actions/node-versions, actions/python-versions) → our
 *   `node-version` / `python-version`, named `node` / `python`;
 * - registries we have no datasource for (Go, Rust, Ruby, Java, .NET, Dart, Gradle toolchains)
 *   → `none`, named as Renovate's depName (`go`, `rust`, ...): listed, not looked up.
 */
import type { DatasourceName } from "../types.js";

export interface KnownInput {
  /** The `with:` key holding the version. */
  input: string;
  /** Our dependency name (the lookup key for the datasource). */
  name: string;
  datasource: DatasourceName;
  /** The tool as Renovate names it, when it differs from `name` (`helm` for helm/helm). */
  tool?: string;
  /** Values that are not versions (e.g. `latest`, `PATH`): listed with skip_reason "invalid version". */
  invalid?: (value: string) => boolean;
  /**
   * Only emitted when the input is present (Renovate's multi-input actions). Single-input actions
   * are emitted even without the input, skipped as "unspecified version" (as Renovate does).
   */
  optional?: boolean;
  /** The value is a container image reference (`node_image: kindest/node:v1.29.2`). */
  image?: boolean;
  /** The dependency name is the value of this other input (`crate:` of cargo-install, `repo:`). */
  nameFrom?: string;
  /** Given every `with:` value, a reason to list the dependency as skipped (setup-java's distribution). */
  skipWhen?: (inputs: ReadonlyMap<string, string>) => string | null;
}

const gh = (input: string, repo: string, tool?: string, invalid?: (v: string) => boolean): KnownInput => ({
  input,
  name: repo,
  datasource: "github-tags",
  ...(tool ? { tool } : {}),
  ...(invalid ? { invalid } : {}),
});
const reg = (input: string, datasource: DatasourceName, name: string, invalid?: (v: string) => boolean): KnownInput => ({
  input,
  name,
  datasource,
  ...(invalid ? { invalid } : {}),
});
const opt = (k: KnownInput): KnownInput => ({ ...k, optional: true });

const GRADLE_ALIASES = new Set(["wrapper", "current", "release-candidate", "nightly", "release-nightly"]);

/** Action path (`owner/repo[/sub]`, no @ref) → the version inputs it takes. */
export const KNOWN_ACTIONS: Readonly<Record<string, readonly KnownInput[]>> = {
  // docker
  "zizmorcore/zizmor-action": [reg("version", "docker", "ghcr.io/zizmorcore/zizmor")],
  "aws-actions/amazon-ecs-render-task-definition": [{ input: "image", name: "", datasource: "docker", image: true }],
  "renovatebot/github-action": [reg("renovate-version", "docker", "ghcr.io/renovatebot/renovate")],
  // toolchains without a datasource of ours
  "dart-lang/setup-dart": [reg("sdk", "none", "dart")],
  "actions/setup-dotnet": [reg("dotnet-version", "none", "dotnet-sdk", (v) => v.includes("\n"))],
  "actions/setup-go": [reg("go-version", "none", "go")],
  "WillAbides/setup-go-faster": [reg("go-version", "none", "go")],
  "gradle/actions/setup-gradle": [reg("gradle-version", "none", "gradle", (v) => GRADLE_ALIASES.has(v))],
  "actions/setup-java": [
    {
      ...reg("java-version", "none", "java-jdk"),
      // Renovate looks up only Temurin/AdoptOpenJDK builds; others are listed as unsupported.
      skipWhen: (w) => (["temurin", "adopt"].includes((w.get("distribution") ?? "").toLowerCase()) ? null : "unsupported distribution"),
    },
  ],
  "ruby/setup-ruby": [reg("ruby-version", "none", "ruby")],
  "dtolnay/rust-toolchain": [reg("toolchain", "none", "rust")],
  "moonrepo/setup-rust": [reg("channel", "none", "rust")],
  "actions-rust-lang/setup-rust-toolchain": [reg("toolchain", "none", "rust")],
  // node / python
  "actions/setup-node": [reg("node-version", "node-version", "node")],
  "actions/setup-python": [reg("python-version", "python-version", "python")],
  // GitHub releases
  "aquaproj/aqua-installer": [gh("aqua_version", "aquaproj/aqua", "aqua")],
  "aquasecurity/setup-trivy": [gh("version", "aquasecurity/trivy")],
  "aquasecurity/trivy-action": [gh("version", "aquasecurity/trivy")],
  "astral-sh/ruff-action": [gh("version", "astral-sh/ruff", "ruff")],
  "astral-sh/setup-uv": [gh("version", "astral-sh/uv")],
  "azure/setup-helm": [gh("version", "helm/helm", "helm")],
  "azure/setup-kubectl": [gh("version", "kubernetes/kubernetes", "kubectl")],
  "bufbuild/buf-setup-action": [gh("version", "bufbuild/buf", "buf")],
  "cargo-bins/cargo-binstall": [gh("version", "cargo-bins/cargo-binstall")],
  "cue-lang/setup-cue": [gh("version", "cue-lang/cue", "cue")],
  "dagger/dagger-for-github": [gh("version", "dagger/dagger", "dagger")],
  "docker/setup-buildx-action": [gh("version", "docker/buildx", "buildx")],
  "docker/setup-compose-action": [gh("version", "docker/compose")],
  "docker/setup-docker-action": [gh("version", "moby/moby", "docker")],
  "extractions/setup-just": [gh("just-version", "casey/just", "just")],
  "foundry-rs/foundry-toolchain": [gh("version", "foundry-rs/foundry", "foundry")],
  "GitTools/actions/gitversion/setup": [gh("versionSpec", "GitTools/GitVersion", "gitversion")],
  "golangci/golangci-lint-action": [gh("version", "golangci/golangci-lint")],
  "goreleaser/goreleaser-action": [gh("version", "goreleaser/goreleaser")],
  "hashicorp/setup-packer": [gh("version", "hashicorp/packer", "packer")],
  "hashicorp/setup-terraform": [gh("terraform_version", "hashicorp/terraform", "terraform")],
  "helm/chart-releaser-action": [gh("version", "helm/chart-releaser", "chart-releaser")],
  "helm/chart-testing-action": [gh("version", "helm/chart-testing", "chart-testing")],
  "j178/prek-action": [gh("prek-version", "j178/prek", "prek")],
  "jfrog/setup-jfrog-cli": [gh("version", "jfrog/jfrog-cli", "jfrog-cli")],
  "julia-actions/setup-julia": [gh("version", "JuliaLang/julia", "julia")],
  "jwlawson/actions-setup-cmake": [gh("cmake-version", "Kitware/CMake", "cmake")],
  "mozilla-actions/sccache-action": [gh("version", "mozilla/sccache", "sccache")],
  "opentofu/setup-opentofu": [gh("tofu_version", "opentofu/opentofu", "opentofu")],
  "peaceiris/actions-hugo": [gh("hugo-version", "gohugoio/hugo", "hugo")],
  "prefix-dev/setup-pixi": [gh("pixi-version", "prefix-dev/pixi")],
  "pulumi/actions": [gh("pulumi-version", "pulumi/pulumi", "pulumi")],
  "pypa/hatch": [gh("version", "pypa/hatch")],
  "raven-actions/actionlint": [gh("version", "rhysd/actionlint", "actionlint")],
  "reviewdog/action-setup": [gh("reviewdog_version", "reviewdog/reviewdog", "reviewdog")],
  "sigstore/cosign-installer": [gh("cosign-release", "sigstore/cosign")],
  "stCarolas/setup-maven": [gh("maven-version", "apache/maven", "maven")],
  "subosito/flutter-action": [gh("flutter-version", "flutter/flutter", "flutter")],
  "superfly/flyctl-actions/setup-flyctl": [gh("version", "superfly/flyctl", "flyctl")],
  "swift-actions/setup-swift": [gh("swift-version", "swiftlang/swift", "swift")],
  "UpCloudLtd/upcloud-cli-action": [gh("version", "UpCloudLtd/upcloud-cli")],
  "terraform-linters/setup-tflint": [gh("tflint_version", "terraform-linters/tflint", "tflint", (v) => v === "latest")],
  "jdx/mise-action": [gh("version", "jdx/mise")],
  // GitHub releases, several inputs
  "conda-incubator/setup-miniconda": [
    opt(gh("miniforge-version", "conda-forge/miniforge", "miniforge")),
    opt(reg("python-version", "python-version", "python")),
  ],
  "crystal-lang/install-crystal": [opt(gh("crystal", "crystal-lang/crystal")), opt(gh("shards", "crystal-lang/shards"))],
  "erlef/setup-beam": [
    opt(gh("otp-version", "erlang/otp")),
    opt(gh("elixir-version", "elixir-lang/elixir")),
    opt(gh("gleam-version", "gleam-lang/gleam")),
    opt(gh("rebar3-version", "erlang/rebar3")),
  ],
  "jaxxstorm/action-install-gh-release": [{ input: "tag", name: "", datasource: "github-tags", nameFrom: "repo" }],
  "sigoden/install-binary": [{ input: "tag", name: "", datasource: "github-tags", nameFrom: "repo" }],
  "moonrepo/setup-toolchain": [opt(gh("moon-version", "moonrepo/moon")), opt(gh("proto-version", "moonrepo/proto"))],
  "helm/kind-action": [
    opt(gh("version", "kubernetes-sigs/kind")),
    opt({ input: "node_image", name: "", datasource: "docker", image: true }),
    opt(gh("kubectl_version", "kubernetes/kubernetes", "kubectl")),
  ],
  "graalvm/setup-graalvm": [opt(reg("java-version", "none", "java-jdk")), opt(gh("version", "graalvm/graalvm-ce-builds"))],
  // npm
  "biomejs/setup-biome": [reg("version", "npm", "@biomejs/biome")],
  "cloudflare/wrangler-action": [reg("wranglerVersion", "npm", "wrangler")],
  "cycjimmy/semantic-release-action": [reg("semantic_version", "npm", "semantic-release")],
  "denoland/setup-deno": [reg("deno-version", "npm", "deno")],
  "expo/expo-github-action": [reg("eas-version", "npm", "eas-cli")],
  "jakebailey/pyright-action": [reg("version", "npm", "pyright", (v) => v === "PATH")],
  "oven-sh/setup-bun": [reg("bun-version", "npm", "bun")],
  "pnpm/action-setup": [reg("version", "npm", "pnpm")],
  "pnpm/setup": [reg("version", "npm", "pnpm")],
  "supabase/setup-cli": [reg("version", "npm", "supabase")],
  // pypi
  "abatilo/actions-poetry": [reg("poetry-version", "pypi", "poetry")],
  "pdm-project/setup-pdm": [reg("version", "pypi", "pdm")],
  "PyO3/maturin-action": [reg("maturin-version", "pypi", "maturin")],
  "snok/install-poetry": [reg("version", "pypi", "poetry")],
  // crates
  "baptiste0928/cargo-install": [{ input: "version", name: "", datasource: "crates", nameFrom: "crate" }],
};

const KNOWN_BY_LOWER = new Map(Object.entries(KNOWN_ACTIONS).map(([k, v]) => [k.toLowerCase(), v]));

/**
 * The version inputs of the action a `uses:` value names, or undefined. GitHub resolves
 * owner/repo case-insensitively, so the lookup is too (Renovate's is case-sensitive); an explicit
 * `https://host/` prefix (GHES) is allowed, as in Renovate.
 */
export function knownActionInputs(uses: string): readonly KnownInput[] | undefined {
  const noRef = uses.trim().replace(/@.*$/, "");
  return KNOWN_BY_LOWER.get(noRef.replace(/^https?:\/\/[^/]+\//, "").toLowerCase());
}

/** GitHub-hosted runner images Renovate 44's github-runners datasource knows (deprecated ones marked). */
export const GITHUB_RUNNERS: Readonly<Record<string, ReadonlyArray<{ version: string; deprecated?: boolean }>>> = {
  ubuntu: [
    { version: "26.04" },
    { version: "26.04-arm" },
    { version: "24.04" },
    { version: "24.04-arm" },
    { version: "22.04" },
    { version: "22.04-arm" },
    { version: "20.04", deprecated: true },
    { version: "18.04", deprecated: true },
    { version: "16.04", deprecated: true },
  ],
  macos: [
    { version: "26" },
    { version: "26-intel" },
    { version: "26-xlarge" },
    { version: "15" },
    { version: "15-intel" },
    { version: "15-large" },
    { version: "15-xlarge" },
    { version: "14" },
    { version: "14-large" },
    { version: "14-xlarge" },
    { version: "13", deprecated: true },
    { version: "13-large", deprecated: true },
    { version: "13-xlarge", deprecated: true },
    { version: "12-large", deprecated: true },
    { version: "12", deprecated: true },
    { version: "11", deprecated: true },
    { version: "10.15", deprecated: true },
  ],
  windows: [{ version: "2025" }, { version: "2022" }, { version: "11-arm" }, { version: "2019", deprecated: true }, { version: "2016", deprecated: true }],
};

const RUNNER_LABEL = /^\s*([a-zA-Z]+)-(\S+)/;

/**
 * A `runs-on:` label naming a GitHub-hosted runner image (`ubuntu-22.04`, `macos-latest`), as
 * Renovate's extractRunner reads it; null for self-hosted labels, expressions and unknown images.
 */
export function parseRunnerLabel(label: string): { os: string; version: string; deprecated: boolean } | null {
  const m = RUNNER_LABEL.exec(label);
  if (!m) return null;
  const [, os, version] = m;
  const known = Object.hasOwn(GITHUB_RUNNERS, os) ? GITHUB_RUNNERS[os] : undefined;
  if (!known) return null;
  if (version === "latest") return { os, version, deprecated: false };
  const hit = known.find((r) => r.version === version);
  return hit ? { os, version, deprecated: hit.deprecated === true } : null;
}
