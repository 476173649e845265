import { load } from 'cheerio';

export type WallKind = 'captcha' | 'login' | 'seized' | 'js_shell';

const SEIZED =
  /(this (hidden )?site has been seized|has been seized by|seized by (the )?(fbi|europol|nca|law enforcement|police)|operation cronos|domain has been seized)/i;
const CAPTCHA =
  /(captcha|human verif|verify (that )?you are (a )?human|are you a robot|ddos protection|prove you are human|enter the (code|characters))/i;
const LOGIN = /(sign in|log ?in|password)/i;

/**
 * Recognises pages that list no posts but something else: seizure banners, captcha and login walls, and JavaScript
 * shells. Used so such a page is reported as what it is, never parsed into invented posts or "no news".
 */
export function detectWall(html: string): WallKind | undefined {
  const $ = load(html);
  const scripts = $('script').length;
  $('script, style, noscript').remove();
  const text = $('body').text().replace(/\s+/g, ' ').trim();
  const title = $('title').text();
  if (SEIZED.test(`${title} ${text}`)) return 'seized';
  const links = $('a[href]').length;
  const short = text.length < 1500;
  if (short && CAPTCHA.test(`${title} ${text}`)) return 'captcha';
  if (short && $('input[type="password"]').length > 0 && LOGIN.test(`${title} ${text}`) && links < 10)
    return 'login';
  if (text.length < 200 && scripts > 0 && links < 3) return 'js_shell';
  return undefined;
}
