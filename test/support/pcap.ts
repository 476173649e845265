/**
 * A reader for the classic pcap format tcpdump writes with `-w`: enough of Ethernet, Linux cooked capture, ARP, IPv4,
 * IPv6, TCP and UDP to say who talked to whom over which protocol and port. Nothing is skipped silently: a frame the
 * reader does not understand is reported as `other` with its EtherType, so a leak check can count it against the run.
 */
export interface CapturedPacket {
  protocol: 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'arp' | 'other';
  /** The IP version, for tcp/udp/icmp; absent for arp and other. */
  ip?: 4 | 6;
  source?: string;
  destination?: string;
  sourcePort?: number;
  destinationPort?: number;
  /** TCP flags byte (0x02 SYN, 0x10 ACK…), for tcp. */
  tcpFlags?: number;
  /** For `other`: the EtherType or IP protocol number that was not understood. */
  detail?: string;
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;

export function parsePcap(data: Buffer): CapturedPacket[] {
  if (data.length === 0) return [];
  if (data.length < 24) throw new Error(`pcap: ${data.length} bytes is shorter than the file header`);
  const magic = data.readUInt32LE(0);
  let littleEndian: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) littleEndian = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) littleEndian = false;
  else throw new Error(`pcap: unknown magic 0x${magic.toString(16)}`);
  const u32 = (offset: number) => (littleEndian ? data.readUInt32LE(offset) : data.readUInt32BE(offset));
  const linkType = u32(20) & 0x0fffffff;
  const packets: CapturedPacket[] = [];
  let offset = 24;
  while (offset + 16 <= data.length) {
    const capturedLength = u32(offset + 8);
    const start = offset + 16;
    const end = start + capturedLength;
    if (end > data.length) break; // the last record was cut when tcpdump stopped
    packets.push(parseFrame(data.subarray(start, end), linkType));
    offset = end;
  }
  return packets;
}

function parseFrame(frame: Buffer, linkType: number): CapturedPacket {
  let etherType: number;
  let payload: Buffer;
  if (linkType === LINKTYPE_ETHERNET) {
    if (frame.length < 14) return { protocol: 'other', detail: 'short ethernet frame' };
    etherType = frame.readUInt16BE(12);
    let headerLength = 14;
    if (etherType === 0x8100 && frame.length >= 18) {
      etherType = frame.readUInt16BE(16);
      headerLength = 18;
    }
    payload = frame.subarray(headerLength);
  } else if (linkType === LINKTYPE_LINUX_SLL) {
    if (frame.length < 16) return { protocol: 'other', detail: 'short SLL frame' };
    etherType = frame.readUInt16BE(14);
    payload = frame.subarray(16);
  } else if (linkType === LINKTYPE_LINUX_SLL2) {
    if (frame.length < 20) return { protocol: 'other', detail: 'short SLL2 frame' };
    etherType = frame.readUInt16BE(0);
    payload = frame.subarray(20);
  } else {
    return { protocol: 'other', detail: `link type ${linkType}` };
  }
  if (etherType === 0x0806) return parseArp(payload);
  if (etherType === 0x0800) return parseIpv4(payload);
  if (etherType === 0x86dd) return parseIpv6(payload);
  return { protocol: 'other', detail: `ethertype 0x${etherType.toString(16).padStart(4, '0')}` };
}

function parseArp(arp: Buffer): CapturedPacket {
  if (arp.length < 28) return { protocol: 'arp' };
  return { protocol: 'arp', source: ipv4(arp.subarray(14, 18)), destination: ipv4(arp.subarray(24, 28)) };
}

function parseIpv4(ip: Buffer): CapturedPacket {
  if (ip.length < 20) return { protocol: 'other', detail: 'short IPv4 header' };
  const headerLength = ((ip[0] ?? 0) & 0x0f) * 4;
  const source = ipv4(ip.subarray(12, 16));
  const destination = ipv4(ip.subarray(16, 20));
  return transport(ip[9] ?? 0, ip.subarray(headerLength), 4, source, destination);
}

function parseIpv6(ip: Buffer): CapturedPacket {
  if (ip.length < 40) return { protocol: 'other', detail: 'short IPv6 header' };
  const source = ipv6(ip.subarray(8, 24));
  const destination = ipv6(ip.subarray(24, 40));
  // Extension headers are not walked: anything but TCP/UDP/ICMPv6 right after the header is reported as other.
  return transport(ip[6] ?? 0, ip.subarray(40), 6, source, destination);
}

function transport(
  protocolNumber: number,
  segment: Buffer,
  version: 4 | 6,
  source: string,
  destination: string,
): CapturedPacket {
  const ports =
    segment.length >= 4
      ? { sourcePort: segment.readUInt16BE(0), destinationPort: segment.readUInt16BE(2) }
      : {};
  if (protocolNumber === 6) {
    const flags = segment.length >= 14 ? { tcpFlags: segment[13] ?? 0 } : {};
    return { protocol: 'tcp', ip: version, source, destination, ...ports, ...flags };
  }
  if (protocolNumber === 17) return { protocol: 'udp', ip: version, source, destination, ...ports };
  if (protocolNumber === 1) return { protocol: 'icmp', ip: version, source, destination };
  if (protocolNumber === 58) return { protocol: 'icmpv6', ip: version, source, destination };
  return { protocol: 'other', ip: version, source, destination, detail: `IP protocol ${protocolNumber}` };
}

function ipv4(bytes: Buffer): string {
  return [...bytes].join('.');
}

function ipv6(bytes: Buffer): string {
  return Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':');
}
