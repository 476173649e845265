import { describe, expect, it } from 'vitest';
import { detectWall } from './page-kind.ts';

describe('detectWall', () => {
  it.each([
    [
      'seized',
      '<html><title>Seized</title><body><h1>This hidden site has been seized</h1><p>by the FBI and Europol as part of a coordinated action.</p></body></html>',
    ],
    [
      'captcha',
      '<html><title>Human Verify</title><body><form><img src="data:image/png;base64,AAAA"><input name="c"><button>Verify</button></form></body></html>',
    ],
    [
      'login',
      '<html><body><h2>Sign in</h2><form><input name="u"><input type="password" name="p"></form></body></html>',
    ],
    [
      'js_shell',
      '<html><head><script src="/static/app.js"></script></head><body><div id="root"></div></body></html>',
    ],
  ])('recognises a %s page', (kind, html) => {
    expect(detectWall(html)).toBe(kind);
  });

  it('leaves a real listing alone, even one that mentions passwords and has scripts', () => {
    const posts = Array.from(
      { length: 12 },
      (_, i) =>
        `<div class="post"><a href="/p/${i}">Victim ${i} Ltd</a><p>Archive password: [REDACTED]. Data of employees and customers.</p></div>`,
    );
    expect(detectWall(`<html><body><script>var x=1</script>${posts.join('')}</body></html>`)).toBeUndefined();
  });

  it.each([
    [
      'seized',
      `<html><title>Blog</title><body><h1>This site is now under the control of the National Crime Agency</h1>${'<div class="post"><a href="/p">Press release</a><p>Statement text.</p></div>'.repeat(40)}</body></html>`,
    ],
    [
      'captcha',
      '<html><title>One moment</title><body><h2>Checking your browser before accessing</h2><p>DDoS protection</p></body></html>',
    ],
    [
      'js_shell',
      '<html><body><noscript>Please enable JavaScript to view the leaks.</noscript><div id="app"></div></body></html>',
    ],
  ])('also recognises a %s page written differently', (kind, html) => {
    expect(detectWall(html)).toBe(kind);
  });

  it('does not call a listing seized because a post far down the page mentions a seizure', () => {
    const posts = Array.from(
      { length: 30 },
      (_, i) =>
        `<div class="post"><h3><a href="/p/${i}">Company ${i}</a></h3><p>Industrial supplies, logistics and warehousing for the region.</p></div>`,
    ).join('');
    const late =
      '<div class="post"><h3>Old news</h3><p>Another group: this site has been seized by the FBI.</p></div>';
    expect(detectWall(`<html><body>${posts}${late}</body></html>`)).toBeUndefined();
  });

  it('survives a page nested twenty thousand levels deep', () => {
    const deep = `<html><body>${'<div>'.repeat(20000)}x${'</div>'.repeat(20000)}<script>1</script></body></html>`;
    expect(detectWall(deep)).toBe('js_shell');
  });
});
