/**
 * Screenshot an HTML report for the docs:  npx tsx scripts/screenshot-report.ts report.html report.png [width]
 * Uses the same headless Chromium helper as the browser tests (CHROMIUM_PATH or /usr/bin/chromium).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromiumAvailable, chromiumMissingReason, launchChromium } from "../test/helpers/browser.js";

async function main(argv: string[]): Promise<number> {
  const [htmlArg, pngArg, widthArg] = argv;
  if (!htmlArg || !pngArg) {
    console.error("usage: tsx scripts/screenshot-report.ts <report.html> <out.png> [viewport-width]");
    return 2;
  }
  const html = path.resolve(htmlArg);
  if (!existsSync(html)) {
    console.error(`no such file: ${html}`);
    return 1;
  }
  if (!chromiumAvailable()) {
    console.error(chromiumMissingReason());
    return 1;
  }
  const width = widthArg ? Number.parseInt(widthArg, 10) : 1400;
  const browser = await launchChromium({ viewport: { width: Number.isFinite(width) && width > 0 ? width : 1400, height: 900 } });
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
    await page.goto(pathToFileURL(html).href, { waitUntil: "load" });
    await page.screenshot({ path: path.resolve(pngArg), fullPage: true });
    console.log(`wrote ${path.resolve(pngArg)}`);
    return 0;
  } finally {
    await browser.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
