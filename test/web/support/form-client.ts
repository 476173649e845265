/**
 * A small HTTP client for the UI's forms, over real HTTP to a listening server: it keeps cookies like a browser,
 * reads the forms a page offers, and posts them with whatever headers a test chooses (node:http, so Host and Origin
 * are exactly what the test says).
 */
import { request } from 'node:http';
import * as cheerio from 'cheerio';

export interface HttpResult {
  status: number;
  location: string | undefined;
  body: string;
}

export interface Form {
  action: string;
  fields: Record<string, string>;
}

export class FormClient {
  readonly cookies = new Map<string, string>();

  /** base: the server's origin, e.g. http://127.0.0.1:4321. */
  constructor(readonly base: string) {}

  async send(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<HttpResult> {
    const url = new URL(path, this.base);
    const payload = options.body ? new URLSearchParams(options.body).toString() : undefined;
    const headers: Record<string, string> = {
      ...(this.cookies.size
        ? { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
        : {}),
      ...(payload !== undefined
        ? {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': String(Buffer.byteLength(payload)),
          }
        : {}),
      ...options.headers,
    };
    return new Promise((resolve, reject) => {
      const outgoing = request(url, { method, headers }, (response) => {
        for (const cookie of [response.headers['set-cookie'] ?? []].flat()) {
          const [pair = '', ...attributes] = cookie.split(';');
          const at = pair.indexOf('=');
          const name = pair.slice(0, at).trim();
          if (attributes.some((attribute) => attribute.trim() === 'Max-Age=0')) this.cookies.delete(name);
          else this.cookies.set(name, pair.slice(at + 1).trim());
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            location: response.headers.location,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  get(path: string): Promise<HttpResult> {
    return this.send('GET', path);
  }

  /** The forms of a page whose action matches, with their hidden and pre-filled fields. */
  async forms(path: string, action: RegExp): Promise<Form[]> {
    const page = await this.get(path);
    if (page.status !== 200) throw new Error(`GET ${path}: ${page.status}`);
    const $ = cheerio.load(page.body);
    return $('form[method=post]')
      .toArray()
      .map((element) => ({
        action: $(element).attr('action') ?? '',
        fields: Object.fromEntries(
          $(element)
            .find('input[name]')
            .toArray()
            .map((input) => [$(input).attr('name') ?? '', $(input).attr('value') ?? '']),
        ),
      }))
      .filter((form) => action.test(form.action));
  }

  /** Posts a form as a browser on this UI's page would: with the UI's own Origin. */
  submit(form: Form, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
    return this.send('POST', form.action, {
      body: { ...form.fields, ...extra },
      headers: { origin: this.base, ...headers },
    });
  }
}
