/**
 * The measured process of extract.dump_1gb_*: downloads the dump through the SOCKS harness (the parent process) into
 * an encrypted evidence store, then extracts it twice — to a counting consumer, and to the matcher (ContentAnalysis
 * with 40 000 registered e-mail hashes, the seed case) — and prints one JSON line. Peak RSS is the kernel's
 * high-water mark (VmHWM), reset between phases through /proc/self/clear_refs.
 */

import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { extractDocument } from '../../src/extract/extract-document.ts';
import { download } from '../../src/fetch/download.ts';
import { LocalEvidenceStore } from '../../src/store/evidence-store.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { emailOf } from './dump-csv.ts';

const [socksUrl, url, directory, registered] = process.argv.slice(2) as [string, string, string, string];
const MB = 1024 * 1024;

function peakMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}
function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    /* not Linux, or not allowed: the peak then covers every phase */
  }
}

const startRss = Math.round(process.memoryUsage().rss / MB);
const evidence = new LocalEvidenceStore(directory, randomBytes(32));
const agents = new SocksAgentPool(socksUrl, 10_000);
const host = new URL(url).hostname;

resetPeak();
let started = performance.now();
const upload = await evidence.openUpload('dump');
await download(
  agents,
  {
    url,
    siteId: 'bench',
    allowedHosts: new Set([host]),
    maxBytes: 4 * 1024 * MB,
    limits: {
      connectTimeoutMs: 10_000,
      firstByteTimeoutMs: 30_000,
      idleTimeoutMs: 60_000,
      maxRedirects: 0,
      maxResumes: 2,
      resumeDelayMs: 0,
      minBytesPerWindow: 0,
      rateWindowMs: 60_000,
      maxDurationMs: 600_000,
    },
  },
  upload,
);
const stored = await upload.commit();
const downloadS = (performance.now() - started) / 1000;
const downloadPeak = peakMb();
agents.close();

resetPeak();
started = performance.now();
const reader = await evidence.openReader(stored.sha256);
const extraction = extractDocument({ name: 'clients.csv', access: reader });
let counted = 0;
for await (const _record of extraction.records) counted++;
const countingS = (performance.now() - started) / 1000;
const countingPeak = peakMb();
const summary = extraction.summary();
await reader.close();

/** The matcher phase; undefined when the matcher cannot be loaded (it is another module, built in parallel). */
async function matcherPhase(): Promise<
  { seconds: number; peakRssMb: number; records: number; registeredFound: number } | { error: string }
> {
  let matcher: {
    ContentAnalysis: typeof import('../../src/match/analyse.ts').ContentAnalysis;
    HashSet: typeof import('../../src/match/hash-set.ts').HashSet;
    createHasher: typeof import('../../src/match/hasher.ts').createHasher;
    normalise: typeof import('../../src/match/identifiers/normalise.ts');
    CompiledTerms: typeof import('../../src/match/terms.ts').CompiledTerms;
  };
  try {
    matcher = {
      ContentAnalysis: (await import('../../src/match/analyse.ts')).ContentAnalysis,
      HashSet: (await import('../../src/match/hash-set.ts')).HashSet,
      createHasher: (await import('../../src/match/hasher.ts')).createHasher,
      normalise: await import('../../src/match/identifiers/normalise.ts'),
      CompiledTerms: (await import('../../src/match/terms.ts')).CompiledTerms,
    };
  } catch (error) {
    return { error: `matcher not loadable: ${(error as Error).message.split('\n')[0]}` };
  }
  resetPeak();
  const hasher = matcher.createHasher(randomBytes(32).toString('hex'));
  const set = new matcher.HashSet(Number(registered));
  for (let i = 0; i < Number(registered); i++) {
    const email = matcher.normalise.normaliseEmail(emailOf(i * 97));
    if (email.ok) set.add(hasher.hash(`${matcher.normalise.NAMESPACE.email}${email.value}`), 1, 'email');
  }
  const analysis = new matcher.ContentAnalysis({
    terms: new matcher.CompiledTerms([]),
    registry: { set, wanted: new Set(['email']), patientPatterns: [], otherKeyOrgs: [] },
    hasher,
    detect: { regions: ['FR'], dateOrder: 'dmy' },
    samples: 5,
    locations: 20,
  });
  const begun = performance.now();
  const matchReader = await evidence.openReader(stored.sha256);
  const matched = extractDocument({ name: 'clients.csv', access: matchReader });
  for await (const record of matched.records) analysis.addRecord(record);
  const result = analysis.result();
  const seconds = (performance.now() - begun) / 1000;
  await matchReader.close();
  return {
    seconds,
    peakRssMb: peakMb(),
    records: result.records,
    registeredFound: result.orgs[0]?.identifiers.get('email')?.size ?? 0,
  };
}
const matcherReport = await matcherPhase();
await evidence.delete(stored.sha256);

process.stdout.write(
  `${JSON.stringify({
    bytes: stored.size,
    startRssMb: startRss,
    download: { seconds: downloadS, peakRssMb: downloadPeak },
    counting: {
      seconds: countingS,
      peakRssMb: countingPeak,
      records: counted,
      status: summary.status,
      dialect: summary.dialect,
      encoding: summary.encoding,
    },
    matcher: matcherReport,
  })}\n`,
);
