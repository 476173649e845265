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
});
