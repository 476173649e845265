/**
 * compose.yaml, the Dockerfile and config/torrc are not run here (no container engine on the build machines), so
 * they are checked by parsing: every value leakwatch is given must pass its configuration schema, and the ports,
 * paths and names that the three files share must agree.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ENV_BINDINGS, OTHER_KNOWN_VARIABLES } from '../../src/config/env-map.ts';
import { loadConfig } from '../../src/config/load-config.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

type Tree = Record<string, unknown>;

interface Service {
  image?: string;
  build?: { context?: string; target?: string; dockerfile?: string } | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | Tree>;
  expose?: Array<string | number>;
  secrets?: Array<string | { source: string; target?: string }>;
  volumes?: Array<string | Tree>;
  networks?: string[] | Record<string, unknown>;
  network_mode?: string;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
}

interface Compose {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string; environment?: string }>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { internal?: boolean; ipam?: { config?: Array<{ subnet?: string }> } } | null>;
}

const composeText = read('compose.yaml');
const compose = parseYaml(composeText) as Compose;
const dockerfile = parseDockerfile(read('Dockerfile'));
const torrc = parseTorrc(read('config/torrc'));
const TOR_HEALTHCHECK_PATH = '/usr/local/bin/tor-healthcheck';
/** V8's young generation for every leakwatch process and the benchmarks (see bin/leakwatch.js). */
const YOUNG_GENERATION = '--max-semi-space-size=64';

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`compose.yaml has no service ${name}`);
  return found;
}

/** Compose interpolation as compose would apply it with nothing set: `${X:-default}` gives the default. */
function interpolate(value: string, where: string): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name, op, fallback, bare) => {
      if (match === '$$') return '$';
      if (op !== undefined) return fallback as string;
      throw new Error(
        `${where}: \${${name ?? bare}} has no default, so no literal value can be checked; write \${${name ?? bare}:-value}`,
      );
    },
  );
}

function environmentOf(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  const entries: Array<[string, string]> = Array.isArray(env)
    ? env.map((line) => {
        const at = line.indexOf('=');
        if (at < 0)
          throw new Error(`${name}: "${line}" takes its value from the operator's shell; give it one`);
        return [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(
    entries.map(([key, value]) => [key, interpolate(value, `${name}.environment.${key}`)]),
  );
}

function listOf(value: string[] | Record<string, unknown> | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : Object.keys(value);
}

function secretNames(name: string): string[] {
  return (service(name).secrets ?? []).map((secret) => (typeof secret === 'string' ? secret : secret.source));
}

interface PublishedPort {
  hostIp: string | undefined;
  published: number | undefined;
  target: number;
}

/** Short syntax `[HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]` or `CONTAINER_PORT`, or the long syntax. */
function publishedPorts(name: string): PublishedPort[] {
  return (service(name).ports ?? []).map((port) => {
    if (typeof port === 'object') {
      return {
        hostIp: port.host_ip as string | undefined,
        published: port.published === undefined ? undefined : Number(port.published),
        target: Number(port.target),
      };
    }
    const spec = String(port).replace(/\/(tcp|udp)$/, '');
    const match = /^(?:(?:\[([^\]]+)\]|([^:]+)):)??(?:(\d+):)?(\d+)$/.exec(spec);
    if (!match) throw new Error(`${name}: cannot read port "${spec}"`);
    return {
      hostIp: match[1] ?? match[2],
      published: match[3] === undefined ? undefined : Number(match[3]),
      target: Number(match[4]),
    };
  });
}

function healthcheckCommand(name: string): string[] {
  const test = service(name).healthcheck?.test;
  if (test === undefined) return [];
  return typeof test === 'string' ? ['CMD-SHELL', test] : test;
}

/** The target path of the named volume mounted on a service. */
function volumeTarget(name: string, volume: string): string | undefined {
  for (const entry of service(name).volumes ?? []) {
    if (typeof entry === 'string') {
      const [source, target] = entry.split(':');
      if (source === volume) return target;
    } else if (entry.source === volume) {
      return entry.target as string;
    }
  }
  return undefined;
}

const KNOWN_VARIABLES = new Set<string>([
  ...OTHER_KNOWN_VARIABLES,
  ...ENV_BINDINGS.map((binding) => binding.variable),
  ...ENV_BINDINGS.filter((binding) => binding.fileVariant).map((binding) => `${binding.variable}_FILE`),
]);

/** A plausible content for each secret that compose gives as a file, keyed by configuration key. */
const SAMPLE_SECRET_VALUES: Record<string, string> = {
  'database.url': 'postgres://leakwatch:0123456789abcdef@postgres:5432/leakwatch',
  secretKey: 'c2FtcGxlLWtleS1tYXRlcmlhbC1mb3ItdGVzdHMtb25seQ==',
  'tor.controlPassword': 'sample-control-password',
};

describe('compose.yaml', () => {
  it('runs exactly the services postgres, tor and leakwatch', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['leakwatch', 'postgres', 'tor']);
  });

  it('sets on leakwatch only variables that leakwatch reads', () => {
    const unknown = Object.keys(environmentOf('leakwatch')).filter((name) => !KNOWN_VARIABLES.has(name));
    expect(unknown).toEqual([]);
  });

  describe('the configuration it gives leakwatch', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'lw-compose-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** The leakwatch environment, with each `_FILE` path (a compose secret) replaced by a temp file. */
    function leakwatchEnv(): Record<string, string> {
      const env = environmentOf('leakwatch');
      for (const binding of ENV_BINDINGS.filter((b) => b.fileVariant)) {
        const variable = `${binding.variable}_FILE`;
        const path = env[variable];
        if (path === undefined) continue;
        const sample = SAMPLE_SECRET_VALUES[binding.key];
        if (sample === undefined) throw new Error(`no sample value for ${binding.key}: add one to the test`);
        const file = join(dir, variable);
        writeFileSync(file, `${sample}\n`);
        env[variable] = file;
      }
      return env;
    }

    it('passes the configuration schema, every value taken where compose says', () => {
      const { config, sources } = loadConfig({ env: leakwatchEnv(), cwd: dir });
      expect(config.database.url).toBe(SAMPLE_SECRET_VALUES['database.url']);
      expect(sources.get('database.url')).toMatch(/^DATABASE_URL_FILE /);
      expect(config.secretKey).toBe(SAMPLE_SECRET_VALUES.secretKey);
      expect(sources.get('secretKey')).toMatch(/^LEAKWATCH_SECRET_KEY_FILE /);
      expect(config.tor.mode).toBe('external');
      expect(config.web.host).toBe('0.0.0.0');
      // Links in alerts must not point at 0.0.0.0.
      expect(config.web.publicUrl).not.toBeNull();
      expect(new URL(config.web.publicUrl as string).hostname).not.toBe('0.0.0.0');
    });

    it('rejects a value that breaks the schema (the check above can fail)', () => {
      const env = { ...leakwatchEnv(), LEAKWATCH_TOR_SOCKS: 'socks5://tor:9050' };
      expect(() => loadConfig({ env, cwd: dir })).toThrow(/tor\.socks/);
    });

    it('keeps the data directory on the leakwatch-data volume', () => {
      const { config } = loadConfig({ env: leakwatchEnv(), cwd: dir });
      expect(config.dataDir).toBe(volumeTarget('leakwatch', 'leakwatch-data'));
      expect(Object.keys(compose.volumes ?? {})).toContain('leakwatch-data');
    });

    it('reads site definitions from the ./sites folder, mounted read-only', () => {
      const { config } = loadConfig({ env: leakwatchEnv(), cwd: dir });
      const mount = (service('leakwatch').volumes ?? []).find(
        (entry) => typeof entry === 'string' && entry.startsWith('./sites:'),
      );
      expect(mount).toBe(`./sites:${config.crawl.sitesDir}:ro`);
    });
  });

  it('takes every credential from a secret file, never from a literal', () => {
    const secretish = /PASSWORD|SECRET|TOKEN|DATABASE_URL|_KEY$/;
    for (const name of Object.keys(compose.services)) {
      const env = environmentOf(name);
      for (const [variable, value] of Object.entries(env)) {
        if (!secretish.test(variable)) continue;
        expect(variable, `${name}.${variable}`).toMatch(/_FILE$/);
        const secret = /^\/run\/secrets\/([\w.-]+)$/.exec(value)?.[1];
        expect(secret, `${name}.${variable}=${value}`).toBeDefined();
        expect(secretNames(name), `${name} mounts the secret ${secret}`).toContain(secret);
      }
      for (const value of Object.values(env)) expect(value).not.toMatch(/^postgres(ql)?:\/\/[^@]*:[^@]*@/);
    }
    const secrets = Object.entries(compose.secrets ?? {});
    expect(secrets.length).toBeGreaterThan(0);
    for (const [name, secret] of secrets) expect(secret.file, name).toMatch(/^\.\/secrets\/[\w.-]+$/);
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toContain('secrets');
  });

  it('documents a database_url one-liner that matches the postgres service', () => {
    const postgres = environmentOf('postgres');
    const url = /postgres:\/\/([\w-]+):%s@([\w.-]+):(\d+)\/([\w-]+)/.exec(composeText);
    expect(url, 'the printf one-liner that writes secrets/database_url').not.toBeNull();
    const [, user, host, port, database] = url as RegExpExecArray;
    expect(user).toBe(postgres.POSTGRES_USER);
    expect(database).toBe(postgres.POSTGRES_DB);
    expect(host).toBe('postgres');
    expect(port).toBe('5432');
    expect(postgres.POSTGRES_PASSWORD_FILE).toBe('/run/secrets/postgres_password');
    expect(composeText).toMatch(/> secrets\/postgres_password/);
    expect(composeText).toMatch(/> secrets\/database_url/);
    expect(composeText).toMatch(/> secrets\/secret_key/);
  });

  it('publishes the UI on the host loopback only, on LEAKWATCH_PORT', () => {
    const port = Number(environmentOf('leakwatch').LEAKWATCH_PORT);
    expect(port).toBeGreaterThan(0);
    expect(publishedPorts('leakwatch')).toEqual([{ hostIp: '127.0.0.1', published: port, target: port }]);
  });

  it('publishes neither Tor nor PostgreSQL, nor joins the host network', () => {
    expect(publishedPorts('tor')).toEqual([]);
    expect(publishedPorts('postgres')).toEqual([]);
    for (const name of Object.keys(compose.services)) {
      expect(service(name).network_mode, name).toBeUndefined();
      for (const port of publishedPorts(name)) expect([9050, 9051, 5432]).not.toContain(port.target);
    }
  });

  it('has a health check on every service', () => {
    for (const name of Object.keys(compose.services)) {
      expect(service(name).healthcheck?.disable, name).not.toBe(true);
      const command = healthcheckCommand(name);
      expect(command.length, name).toBeGreaterThan(1);
      for (const word of command) expect(typeof word, `${name}: ${JSON.stringify(word)}`).toBe('string');
    }
    expect(healthcheckCommand('postgres')).toContain('pg_isready');
    const port = environmentOf('leakwatch').LEAKWATCH_PORT;
    expect(healthcheckCommand('leakwatch').join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    expect(healthcheckCommand('tor')).toEqual(['CMD', TOR_HEALTHCHECK_PATH]);
  });

  it('runs a leakwatch health check that passes on 200 from /healthz and fails otherwise', async () => {
    const [kind, program, ...args] = healthcheckCommand('leakwatch');
    expect([kind, program]).toEqual(['CMD', 'node']);
    let status = 200;
    const paths: string[] = [];
    const server = createHttpServer((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const published = environmentOf('leakwatch').LEAKWATCH_PORT;
    const local = args.map((arg) => arg.replace(`127.0.0.1:${published}`, `127.0.0.1:${port}`));
    const exitCode = () =>
      promisify(execFile)(process.execPath, local, { timeout: 15_000 }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    try {
      expect(await exitCode()).toBe(0);
      status = 503;
      expect(await exitCode()).toBe(1);
      expect(paths).toEqual(['/healthz', '/healthz']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await exitCode()).toBe(1); // nothing listens
  });

  it('starts leakwatch after a healthy PostgreSQL and after Tor', () => {
    const dependsOn = service('leakwatch').depends_on;
    expect(dependsOn).toBeDefined();
    expect(Array.isArray(dependsOn)).toBe(false);
    const conditions = dependsOn as Record<string, { condition?: string }>;
    expect(conditions.postgres?.condition).toBe('service_healthy');
    expect(Object.keys(conditions)).toContain('tor');
  });

  it('reaches Tor over a network that has no way out, and the SOCKS port accepts only that network', () => {
    const socks = new URL(environmentOf('leakwatch').LEAKWATCH_TOR_SOCKS as string);
    expect(socks.protocol).toBe('socks5h:');
    expect(socks.hostname).toBe('tor');
    // `tor` must resolve to its address on the shared network only, the one SocksPolicy accepts.
    const shared = listOf(service('leakwatch').networks).filter((n) =>
      listOf(service('tor').networks).includes(n),
    );
    expect(shared).toHaveLength(1);
    const network = compose.networks?.[shared[0] as string];
    expect(network?.internal).toBe(true);
    const subnets = (network?.ipam?.config ?? []).map((entry) => entry.subnet);
    expect(subnets).toHaveLength(1);
    expect(torrc.socksPolicy).toEqual([`accept ${subnets[0]}`, 'reject *']);
    expect(listOf(service('postgres').networks)).toEqual(shared);
  });
});

describe('config/torrc', () => {
  it('listens for SOCKS on the port of LEAKWATCH_TOR_SOCKS', () => {
    const socks = new URL(environmentOf('leakwatch').LEAKWATCH_TOR_SOCKS as string);
    expect(torrc.values('SocksPort')).toEqual([`0.0.0.0:${socks.port}`]);
  });

  it('binds its control port to the container loopback only, with cookie authentication', () => {
    const control = torrc.values('ControlPort');
    expect(control).toHaveLength(1);
    expect(control[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(torrc.values('CookieAuthentication')).toEqual(['1']);
    expect(torrc.values('ORPort')).toEqual([]);
    expect(torrc.values('HiddenServiceDir')).toEqual([]);
  });

  it('keeps its state on the tor-data volume', () => {
    expect(torrc.values('DataDirectory')).toEqual([volumeTarget('tor', 'tor-data')]);
  });
});

describe('Dockerfile', () => {
  const runtime = () => dockerfile.stage('runtime');
  const tor = () => dockerfile.stage('tor');

  it('builds the targets compose.yaml names, leakwatch from the last stage', () => {
    for (const [name, target] of [
      ['leakwatch', 'runtime'],
      ['tor', 'tor'],
    ] as const) {
      const build = service(name).build;
      expect(typeof build === 'object' ? build.target : undefined, name).toBe(target);
      expect(dockerfile.stages.map((stage) => stage.name)).toContain(target);
    }
    expect(dockerfile.stages.at(-1)?.name).toBe('runtime');
  });

  it('builds with npm ci and runs with production dependencies on node:20-bookworm-slim', () => {
    expect(dockerfile.stage('build').from).toBe('node:20-bookworm-slim');
    expect(dockerfile.stage('build').runs().join('\n')).toMatch(/npm ci\b[\s\S]*npm run build/);
    expect(runtime().from).toBe('node:20-bookworm-slim');
    expect(runtime().runs().join('\n')).toMatch(/npm ci --omit=dev/);
    const copied = runtime().all('COPY').join('\n');
    expect(copied).toMatch(/--from=build \/app\/dist/);
  });

  it('installs Debian chromium, tesseract with French and poppler-utils in the runtime image', () => {
    const installed = aptInstalled(runtime().runs());
    for (const name of ['chromium', 'tesseract-ocr', 'tesseract-ocr-fra', 'poppler-utils']) {
      expect(installed, name).toContain(name);
    }
    expect(runtime().env().LEAKWATCH_CHROMIUM_PATH ?? '/usr/bin/chromium').toBe('/usr/bin/chromium');
  });

  it('runs leakwatch start as a non-root user', () => {
    const user = runtime().all('USER').at(-1);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user?.split(':')[0]);
    expect(runtime().json('CMD')).toEqual(['node', YOUNG_GENERATION, 'bin/leakwatch.js', 'start']);
  });

  it('runs leakwatch with the young generation the benchmarks measured, however it is started', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    for (const script of ['start', 'leakwatch', 'bench'])
      expect(pkg.scripts[script]?.split(' ').slice(0, 2), script).toEqual(['node', YOUNG_GENERATION]);
    expect(read('bin/leakwatch.js').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${YOUNG_GENERATION}`);
  });

  it('exposes and health-checks the port compose publishes', () => {
    const port = environmentOf('leakwatch').LEAKWATCH_PORT;
    expect(runtime().all('EXPOSE')).toEqual([port]);
    expect(runtime().healthcheck().join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    expect(runtime().healthcheck()).toEqual(healthcheckCommand('leakwatch').slice(1));
  });

  it('sets only known variables, with the values compose gives', () => {
    const imageEnv = Object.entries(runtime().env()).filter(([name]) =>
      /^(LEAKWATCH_|DATABASE_URL)/.test(name),
    );
    expect(imageEnv.length).toBeGreaterThan(0);
    const composeEnv = environmentOf('leakwatch');
    for (const [name, value] of imageEnv) {
      expect(KNOWN_VARIABLES.has(name), name).toBe(true);
      if (composeEnv[name] !== undefined) expect(composeEnv[name], name).toBe(value);
    }
    expect(runtime().all('VOLUME').join(' ')).toContain(runtime().env().LEAKWATCH_DATA_DIR as string);
  });

  it('builds the tor image from Debian slim with Debian tor and config/torrc', () => {
    expect(tor().from).toMatch(/^debian:[\w.-]*-slim$/);
    expect(aptInstalled(tor().runs())).toContain('tor');
    expect(tor().all('COPY')).toContain('config/torrc /etc/tor/torrc');
    expect(tor().json('CMD')).toEqual(['tor', '-f', '/etc/tor/torrc']);
    const socksPort = torrc.values('SocksPort')[0]?.split(':').at(-1);
    expect(tor().all('EXPOSE')).toEqual([socksPort]);
    expect(tor().healthcheck()).toEqual([TOR_HEALTHCHECK_PATH]);
    const user = tor().all('USER').at(-1);
    expect(['root', '0', undefined]).not.toContain(user);
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['secrets', '**/.env', 'data', 'node_modules', '.git'])
      expect(ignored).toContain(entry);
  });
});

describe('the tor health check script', () => {
  const script = () => {
    const copy = dockerfile.stage('tor').heredocs.get(TOR_HEALTHCHECK_PATH);
    if (!copy) throw new Error(`the tor stage writes no ${TOR_HEALTHCHECK_PATH}`);
    return copy;
  };
  const cookie = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
  let dir: string;
  let server: Server;
  let port: number;
  let progress = 100;
  const received: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lw-torhc-'));
    writeFileSync(join(dir, 'tor-healthcheck'), script());
    writeFileSync(join(dir, 'cookie'), cookie);
    // Answers like tor's control port (control-spec: AUTHENTICATE, GETINFO status/bootstrap-phase, QUIT).
    server = createServer((socket) => {
      let buffer = '';
      let authenticated = false;
      socket.on('data', (chunk) => {
        buffer += chunk.toString('latin1');
        for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          received.push(line);
          if (line.startsWith('AUTHENTICATE ')) {
            authenticated = line.slice('AUTHENTICATE '.length) === cookie.toString('hex');
            if (!authenticated) {
              socket.end('515 Authentication failed: Wrong length on authentication cookie.\r\n');
              return;
            }
            socket.write('250 OK\r\n');
          } else if (line === 'GETINFO status/bootstrap-phase' && authenticated) {
            const tag =
              progress === 100 ? 'TAG=done SUMMARY="Done"' : 'TAG=loading_descriptors SUMMARY="Loading"';
            socket.write(
              `250-status/bootstrap-phase=NOTICE BOOTSTRAP PROGRESS=${progress} ${tag}\r\n250 OK\r\n`,
            );
          } else if (line === 'QUIT') {
            socket.end('250 closing connection\r\n');
            return;
          } else {
            socket.end('514 Authentication required.\r\n');
            return;
          }
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function runCheck(cookieFile: string, controlPort = port): Promise<{ code: number; stderr: string }> {
    try {
      const { stderr } = await promisify(execFile)('bash', [join(dir, 'tor-healthcheck')], {
        env: { PATH: process.env.PATH, TOR_CONTROL_PORT: String(controlPort), TOR_COOKIE_FILE: cookieFile },
        timeout: 15_000,
      });
      return { code: 0, stderr };
    } catch (error) {
      const failure = error as { code?: number; stderr?: string };
      return { code: typeof failure.code === 'number' ? failure.code : -1, stderr: failure.stderr ?? '' };
    }
  }

  it('asks the control port that config/torrc opens, with the cookie file tor writes', () => {
    const controlPort = torrc.values('ControlPort')[0]?.split(':')[1];
    expect(script()).toContain(`TOR_CONTROL_PORT:-${controlPort}}`);
    expect(script()).toContain(`TOR_COOKIE_FILE:-${torrc.values('CookieAuthFile')[0]}}`);
    expect(script().startsWith('#!/bin/bash\n')).toBe(true);
  });

  it('is healthy when tor has bootstrapped to 100 %', async () => {
    progress = 100;
    received.length = 0;
    const result = await runCheck(join(dir, 'cookie'));
    expect(result).toEqual({ code: 0, stderr: '' });
    expect(received).toEqual([
      `AUTHENTICATE ${cookie.toString('hex')}`,
      'GETINFO status/bootstrap-phase',
      'QUIT',
    ]);
  });

  it.each([0, 10, 85, 99])('is unhealthy while tor is still bootstrapping (%i %%)', async (percent) => {
    progress = percent;
    const result = await runCheck(join(dir, 'cookie'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`PROGRESS=${percent} `);
  });

  it('is unhealthy when the control port refuses the cookie', async () => {
    progress = 100;
    writeFileSync(join(dir, 'wrong-cookie'), Buffer.alloc(32, 7));
    const result = await runCheck(join(dir, 'wrong-cookie'));
    expect(result.code).not.toBe(0);
  });

  it('is unhealthy when tor has not written its cookie yet', async () => {
    const result = await runCheck(join(dir, 'missing-cookie'));
    expect(result.code).not.toBe(0);
  });

  it('is unhealthy when nothing listens on the control port', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runCheck(join(dir, 'cookie'), closedPort);
    expect(result.code).not.toBe(0);
  });
});

// --- small parsers ------------------------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
  heredocs: Map<string, string>;
  all(keyword: string): string[];
  runs(): string[];
  json(keyword: string): unknown;
  env(): Record<string, string>;
  healthcheck(): string[];
}

/** Enough of the Dockerfile grammar for these files: continuations, comments, heredocs, global ARGs, stages. */
function parseDockerfile(text: string): { stages: Stage[]; stage(name: string): Stage } {
  const lines = text.split('\n');
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  const isComment = (line: string) => /^\s*#/.test(line);
  let i = 0;
  while (i < lines.length) {
    let line = lines[i++] as string;
    if (line.trim() === '' || isComment(line)) continue;
    while (line.endsWith('\\') && i < lines.length) {
      const next = lines[i++] as string;
      if (isComment(next)) continue; // comment lines inside a continuation are dropped
      line = `${line.slice(0, -1)} ${next.trim()}`;
    }
    const [, keyword = '', rest = ''] = /^\s*(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest.trim() };
    const heredocNames = [...instruction.args.matchAll(/<<(-?)(['"]?)([A-Za-z_]\w*)\2/g)].map(
      (m) => m[3] as string,
    );
    const bodies: string[] = [];
    for (const name of heredocNames) {
      const body: string[] = [];
      while (i < lines.length && (lines[i] as string).trim() !== name) body.push(lines[i++] as string);
      i++;
      bodies.push(body.length ? `${body.join('\n')}\n` : '');
    }
    if (instruction.keyword === 'FROM') {
      const [image = '', , name] = instruction.args.split(/\s+/);
      const from = image.replace(/\$\{?(\w+)\}?/g, (_, arg: string) => globalArgs[arg] ?? '');
      stages.push(makeStage(name ?? String(stages.length), from));
      continue;
    }
    const current = stages.at(-1);
    if (!current) {
      if (instruction.keyword === 'ARG') {
        const [name = '', value = ''] = instruction.args.split('=');
        globalArgs[name] = value;
      }
      continue;
    }
    current.instructions.push(instruction);
    if (instruction.keyword === 'COPY' && heredocNames.length === 1) {
      const destination = instruction.args.split(/\s+/).at(-1) as string;
      current.heredocs.set(destination, bodies[0] as string);
    }
  }
  return {
    stages,
    stage(name: string) {
      const found = stages.find((stage) => stage.name === name);
      if (!found) throw new Error(`the Dockerfile has no stage ${name}`);
      return found;
    },
  };
}

function makeStage(name: string, from: string): Stage {
  const stage: Stage = {
    name,
    from,
    instructions: [],
    heredocs: new Map(),
    all: (keyword) => stage.instructions.filter((x) => x.keyword === keyword).map((x) => x.args),
    runs: () => stage.all('RUN'),
    json: (keyword) => {
      const args = stage.all(keyword).at(-1);
      return args === undefined ? undefined : JSON.parse(args);
    },
    env: () => {
      const env: Record<string, string> = {};
      for (const args of stage.all('ENV')) {
        for (const match of args.matchAll(/([A-Za-z_]\w*)=("[^"]*"|\S*)/g)) {
          env[match[1] as string] = (match[2] as string).replace(/^"(.*)"$/, '$1');
        }
      }
      return env;
    },
    healthcheck: () => {
      const args = stage.all('HEALTHCHECK').at(-1) ?? '';
      const command = /\bCMD\s+(\[.*\])\s*$/.exec(args)?.[1];
      return command ? (JSON.parse(command) as string[]) : [];
    },
  };
  return stage;
}

/** Package names given to `apt-get install` in RUN instructions. */
function aptInstalled(runs: string[]): string[] {
  const names: string[] = [];
  for (const run of runs) {
    for (const command of run.split(/&&|;/)) {
      const words = command.trim().split(/\s+/);
      const at = words.indexOf('install');
      if (!words.includes('apt-get') || at < 0) continue;
      names.push(...words.slice(at + 1).filter((word) => !word.startsWith('-') && !word.includes('=')));
    }
  }
  return names;
}

function parseTorrc(text: string): { values(option: string): string[]; socksPolicy: string[] } {
  const options: Array<[string, string]> = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [, key = '', value = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    options.push([key.toLowerCase(), value.trim()]);
  }
  const values = (option: string) =>
    options.filter(([key]) => key === option.toLowerCase()).map(([, v]) => v);
  return { values, socksPolicy: values('SocksPolicy').flatMap((v) => v.split(',').map((p) => p.trim())) };
}
