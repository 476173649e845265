/** Limits on every fetch: captured pages are hostile input, and Tor is slow but not that slow. */
export interface FetchLimits {
  /** SOCKS negotiation including Tor's circuit to the onion service. */
  connectTimeoutMs: number;
  /** From the request until the response headers. */
  firstByteTimeoutMs: number;
  /** From the request until the last byte. */
  totalTimeoutMs: number;
  /** Decoded (decompressed) body size; a larger page is rejected, not truncated. */
  maxBodyBytes: number;
  maxRedirects: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  connectTimeoutMs: 60_000,
  firstByteTimeoutMs: 90_000,
  totalTimeoutMs: 180_000,
  maxBodyBytes: 20 * 1024 * 1024,
  maxRedirects: 5,
};

/** A normal browser's user agent (Tor Browser's), so leak sites serve what they serve to visitors. */
export const USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0';
