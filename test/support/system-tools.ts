/**
 * Tests that need a Debian tool (tesseract, pdftoppm, chromium, tor) skip when it is missing on a developer's
 * machine, but never in CI: .ci/run installs every one, so there a missing tool must fail the run, not hide tests.
 */
export const IN_CI = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

/** Whether a suite that needs `present` tools is skipped here. */
export function skipWithout(present: boolean): boolean {
  return !present && !IN_CI;
}

/** The message of the test that fails in CI when a tool is missing. */
export function missingTool(tools: string, packages: string): string {
  return `${tools} not found: install the Debian package(s) ${packages} (.ci/run does)`;
}
