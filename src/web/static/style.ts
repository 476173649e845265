/**
 * The UI's only stylesheet, served as /static/style.css. Kept in a module rather than a .css file so the compiled
 * build carries it without a copy step; the Content-Security-Policy allows styles from 'self' only, never inline.
 */
export const STYLESHEET = `
:root { --fg: #1d232a; --muted: #5b6670; --line: #d7dde3; --bg: #f6f8fa; --accent: #1f5f9e;
  --low: #5b6670; --medium: #b7791f; --high: #c05621; --critical: #b42318; --ok: #2f7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #17212b; }
header.top, header.top a { color: #e6edf3; text-decoration: none; }
header.top a.current { font-weight: 700; border-bottom: 2px solid #e6edf3; }
header.top .brand { font-weight: 700; margin-right: 1rem; }
header.top form { margin-left: auto; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
h1 { font-size: 1.4rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
a { color: var(--accent); }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
/* Short words never break; long unbroken captured strings (hashes, URLs, hostile titles) may, anywhere. */
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top;
  overflow-wrap: break-word; }
td code, td a { overflow-wrap: anywhere; }
th { background: #eef2f5; font-weight: 600; overflow-wrap: normal; white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff;
  border: 1px solid var(--line); padding: .8rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
pre.post-text { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid var(--line);
  padding: .8rem; max-height: 40rem; overflow: auto; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: 1rem; }
form.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
form.filters select { max-width: 16rem; }
input, select, button { font: inherit; padding: .25rem .4rem; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .6rem; font-size: .8rem; background: #e6ebef;
  white-space: nowrap; overflow-wrap: normal; }
.sev-low { color: var(--low); } .sev-medium { color: var(--medium); } .sev-high { color: var(--high); }
.sev-critical { color: var(--critical); font-weight: 700; }
.health-up, .state-delivered { color: var(--ok); }
.health-down, .health-seized, .health-layout_broken, .health-captcha, .health-tor_unavailable, .state-failed {
  color: var(--critical); }
.pager { margin-top: 1rem; display: flex; gap: 1rem; }
.error { color: var(--critical); }
img.screenshot { max-width: 100%; border: 1px solid var(--line); }
/* Alert actions: small forms side by side; mutes fold away behind a summary (no script needed). */
.actions { display: flex; flex-wrap: wrap; gap: .3rem; align-items: start; }
form.action { display: inline-flex; gap: .3rem; margin: 0; }
.actions details form.action { margin-top: .3rem; }
.actions input[name=reason] { width: 10rem; }
.login { max-width: 28rem; margin: 3rem auto; background: #fff; border: 1px solid var(--line); padding: 1.2rem; }
.login input { width: 100%; margin: .4rem 0 .8rem; }
`;
