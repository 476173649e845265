import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Config } from '../../config/schema.ts';
import { ensurePrivateDir, openToOthers } from '../../shared/private-files.ts';
import { type CheckResult, fail, ok, warn } from './check.ts';

const run = promisify(execFile);

/** Everything a command printed, or null when it cannot be run. */
async function outputOf(binary: string, args: string[]): Promise<string | null> {
  try {
    const { stdout, stderr } = await run(binary, args, { timeout: 10_000 });
    return `${stdout}${stderr}`.trim();
  } catch {
    return null;
  }
}

async function versionOf(binary: string, args: string[] = ['--version']): Promise<string | null> {
  const output = await outputOf(binary, args);
  return output === null ? null : (output.split('\n')[0] ?? '');
}

export function checkNode(): CheckResult {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
  return supported
    ? ok('node', `Node.js ${process.versions.node}`)
    : fail('node', `Node.js ${process.versions.node} is not supported`, 'install Node.js 20.19+ or 22.12+');
}

export function checkDataDir(config: Config): CheckResult {
  try {
    if (!existsSync(config.dataDir)) ensurePrivateDir(config.dataDir);
    accessSync(config.dataDir, constants.W_OK);
    const open = openToOthers(config.dataDir, 5);
    const mode = (path: string) =>
      `${path} (mode ${(statSync(path).mode & 0o777).toString(8).padStart(4, '0')})`;
    if (open.some((entry) => entry.path === config.dataDir))
      return fail(
        'data directory',
        `${mode(config.dataDir)} is open to other users; it holds the secret key, the database and the evidence`,
        `chmod -R go-rwx ${config.dataDir} (leakwatch also does it when it opens the embedded database)`,
      );
    if (open.length > 0)
      return warn(
        'data directory',
        `${config.dataDir} is owner-only, but files in it are open to others: ${open.map((entry) => mode(entry.path)).join(', ')}`,
        `chmod -R go-rwx ${config.dataDir}`,
      );
    return ok('data directory', `${config.dataDir} is writable and owner-only`);
  } catch (error) {
    return fail(
      'data directory',
      `${config.dataDir} is not writable: ${(error as NodeJS.ErrnoException).code}`,
      'set LEAKWATCH_DATA_DIR to a writable directory, or fix its permissions',
    );
  }
}

export async function checkChromium(config: Config): Promise<CheckResult> {
  const version = await versionOf(config.browser.executablePath);
  if (version) return ok('chromium', `${version} at ${config.browser.executablePath}`);
  return fail(
    'chromium',
    `no working Chromium at ${config.browser.executablePath} (needed by the browser engine for JavaScript leak sites)`,
    'install it: apt-get install chromium — or set LEAKWATCH_CHROMIUM_PATH to your Chromium binary',
  );
}

export async function checkTorBinary(config: Config): Promise<CheckResult> {
  const version = await versionOf(config.tor.binary);
  if (version) return ok('tor binary', version);
  return warn(
    'tor binary',
    `no tor binary found as "${config.tor.binary}"`,
    'install it (apt-get install tor) to run Tor on this machine; not needed if LEAKWATCH_TOR_SOCKS points at another proxy',
  );
}

export async function checkOcr(): Promise<CheckResult> {
  const languages = await outputOf('tesseract', ['--list-langs']);
  if (languages === null) {
    return warn(
      'tesseract',
      'tesseract not installed: scanned documents will be recorded as needs_ocr',
      'apt-get install tesseract-ocr tesseract-ocr-fra',
    );
  }
  const missing = ['eng', 'fra'].filter(
    (lang) =>
      !languages
        .split('\n')
        .map((line) => line.trim())
        .includes(lang),
  );
  return missing.length === 0
    ? ok('tesseract', 'tesseract with English and French data')
    : warn(
        'tesseract',
        `tesseract lacks language data: ${missing.join(', ')}`,
        `apt-get install ${missing.map((l) => `tesseract-ocr-${l}`).join(' ')}`,
      );
}

export async function checkPoppler(): Promise<CheckResult> {
  const version = await versionOf('pdftoppm', ['-v']);
  return version
    ? ok('pdftoppm', version)
    : warn(
        'pdftoppm',
        'pdftoppm not installed: scanned PDF pages cannot be rasterised for OCR',
        'apt-get install poppler-utils',
      );
}
