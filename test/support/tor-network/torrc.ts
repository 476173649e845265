/**
 * torrc text for the nodes of a private Tor network on loopback. The options and the reasons for them are the
 * measured ones of /work/shared/DESIGN.md ("Real Tor"). Every node gets `TestingTorNetwork 1` and only the private
 * DirAuthority lines, so none of them can find or reach the public Tor network.
 */

export interface AuthorityInfo {
  nickname: string;
  orPort: number;
  dirPort: number;
  /** v3 identity fingerprint (from tor-gencert's authority_certificate). */
  v3Ident: string;
  /** Relay identity fingerprint (from `tor --list-fingerprint`). */
  fingerprint: string;
}

export interface CommonNodeOptions {
  dataDir: string;
  /** A path that does not exist: no GeoIP database is loaded (~35 MB less per tor). */
  missingFile: string;
  authorities: AuthorityInfo[];
  /** The harness's pid: tor exits when it is gone. */
  ownerPid: number;
  /** Also write an info-level log, `<dataDir>/info.log` (the service always has one). */
  infoLog?: boolean;
}

export function dirAuthorityLine(a: AuthorityInfo): string {
  return `DirAuthority ${a.nickname} orport=${a.orPort} v3ident=${a.v3Ident} 127.0.0.1:${a.dirPort} ${a.fingerprint}`;
}

function commonLines(options: CommonNodeOptions): string[] {
  return [
    'TestingTorNetwork 1',
    `DataDirectory ${options.dataDir}`,
    'RunAsDaemon 0',
    `__OwningControllerProcess ${options.ownerPid}`,
    'AssumeReachable 1',
    'PathsNeededToBuildCircuits 0.25',
    'V3AuthNIntervalsValid 2',
    'TestingDirAuthVoteExit *',
    'TestingDirAuthVoteGuard *',
    'TestingDirAuthVoteHSDir *',
    'TestingMinExitFlagThreshold 0',
    'ShutdownWaitLength 0',
    `GeoIPFile ${options.missingFile}`,
    `GeoIPv6File ${options.missingFile}`,
    'ClientUseIPv6 0',
    // Belt and braces: with DirAuthority set tor already ignores its built-in fallback directories.
    'UseDefaultFallbackDirs 0',
    'SafeLogging 0',
    'LogTimeGranularity 1',
    `Log notice file ${options.dataDir}/notice.log`,
    ...(options.infoLog ? [`Log info file ${options.dataDir}/info.log`] : []),
    ...options.authorities.map(dirAuthorityLine),
  ];
}

export interface AuthorityTorrcOptions extends CommonNodeOptions {
  self: AuthorityInfo;
  /** TestingV3AuthVotingStartOffset: places the first vote after every authority has started. */
  votingStartOffset: number;
}

/** A directory authority that is also a (non-exit) relay. */
export function authorityTorrc(options: AuthorityTorrcOptions): string {
  const { self } = options;
  return `${[
    ...commonLines(options),
    `Nickname ${self.nickname}`,
    `ContactInfo ${self.nickname}@leakwatch.test`,
    'Address 127.0.0.1',
    `ORPort 127.0.0.1:${self.orPort}`,
    `DirPort 127.0.0.1:${self.dirPort}`,
    'SocksPort 0',
    'ExitRelay 0',
    'ServerDNSResolvConfFile /dev/null',
    // The key fix: without it one relay soon holds all the consensus weight and is picked twice in one circuit.
    'TestingMinTimeToReportBandwidth 1 day',
    'AuthoritativeDirectory 1',
    'V3AuthoritativeDirectory 1',
    'TestingV3AuthInitialVotingInterval 5',
    'TestingV3AuthInitialVoteDelay 2',
    'TestingV3AuthInitialDistDelay 2',
    `TestingV3AuthVotingStartOffset ${options.votingStartOffset}`,
    'V3AuthVotingInterval 10',
    'V3AuthVoteDelay 2',
    'V3AuthDistDelay 2',
  ].join('\n')}\n`;
}

export interface ServiceTorrcOptions extends CommonNodeOptions {
  socksPort: number;
  controlPort: number;
  hiddenServiceDir: string;
  /** 127.0.0.1 port the onion's port 80 forwards to. */
  targetPort: number;
}

/** One tor that is both the onion service and the SOCKS client of the tests. Not a relay. */
export function serviceTorrc(options: ServiceTorrcOptions): string {
  return `${[
    // The descriptor upload results ("finished with status 200") are logged at info level only.
    ...commonLines({ ...options, infoLog: true }),
    `SocksPort 127.0.0.1:${options.socksPort}`,
    'SocksPolicy accept 127.0.0.1',
    'SocksPolicy reject *',
    `ControlPort 127.0.0.1:${options.controlPort}`,
    'CookieAuthentication 1',
    `HiddenServiceDir ${options.hiddenServiceDir}`,
    `HiddenServicePort 80 127.0.0.1:${options.targetPort}`,
  ].join('\n')}\n`;
}

/** The minimal torrc used only to make `tor --list-fingerprint` create a relay's keys: tor exits at once. */
export function fingerprintTorrc(options: { dataDir: string; nickname: string; orPort: number }): string {
  return `${[
    'TestingTorNetwork 1',
    `DataDirectory ${options.dataDir}`,
    `Nickname ${options.nickname}`,
    'Address 127.0.0.1',
    `ORPort 127.0.0.1:${options.orPort}`,
    // A placeholder authority so tor never falls back to the public ones (it does not connect anywhere here).
    'DirAuthority placeholder 127.0.0.1:1 ffffffffffffffffffffffffffffffffffffffff',
    'Log err stderr',
  ].join('\n')}\n`;
}
