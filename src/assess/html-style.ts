/**
 * The report's only stylesheet, inlined: the page must open from a USB stick or an e-mail
 * attachment with no network. Status colours carry a symbol too (✗ ✓ –), so the matrix reads
 * without colour vision and in print.
 */
export const REPORT_CSS = `
:root { color-scheme: light; --exposed: #b3261e; --exposed-bg: #fde7e5; --mitigated: #1e6b34;
  --mitigated-bg: #e3f4e7; --muted: #5f6368; --muted-bg: #f1f3f4; --partly: #8a5a00; --partly-bg: #fff3d6;
  --line: #d0d4d9; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 1rem 1.25rem 3rem; font: 15px/1.5 system-ui,
  -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #fff; }
h1 { font-size: 1.7rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .8rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.12rem; margin: 1.8rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
h2, h3, h4 { scroll-margin-top: .5rem; }
:target { outline: 3px solid #f2c94c; outline-offset: 2px; }
a { color: #0b57d0; }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { background: var(--muted-bg); padding: .05rem .3rem; border-radius: 4px; overflow-wrap: anywhere; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem;
  overflow-x: auto; white-space: pre; max-height: 32rem; }
pre code { background: none; padding: 0; overflow-wrap: normal; }
blockquote { margin: .5rem 0; padding: .3rem .9rem; border-left: 4px solid var(--line); color: var(--muted); }
.scroll { overflow-x: auto; margin: .5rem 0 1rem; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; min-width: 100%; }
th, td { border: 1px solid var(--line); padding: .35rem .55rem; text-align: left; vertical-align: top; }
th { background: var(--muted-bg); white-space: nowrap; }
table.matrix td, table.matrix th { text-align: center; white-space: nowrap; }
table.matrix td:first-child { text-align: left; }
table.matrix td a { display: block; text-decoration: none; font-weight: 700; color: inherit; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0 1rem; }
dt { font-weight: 600; }
dd { margin: 0; min-width: 0; }
.m-exposed, .m-succeeded, .m-fails { color: var(--exposed); }
td.m-exposed, td.m-succeeded, td.m-fails { background: var(--exposed-bg); }
.m-mitigated, .m-blocked, .m-holds { color: var(--mitigated); }
td.m-mitigated, td.m-blocked, td.m-holds { background: var(--mitigated-bg); }
.m-partly { color: var(--partly); }
td.m-partly { background: var(--partly-bg); }
.m-not-tested, .m-not-applicable, .m-unchecked { color: var(--muted); }
td.m-not-tested, td.m-not-applicable, td.m-unchecked { background: var(--muted-bg); }
span[class^="m-"] { font-weight: 600; }
@media (max-width: 640px) {
  body { padding: .75rem; font-size: 14px; }
  dl { grid-template-columns: 1fr; }
  dd { margin-bottom: .4rem; }
  th, td { padding: .3rem .4rem; }
}
@media print { .scroll { overflow: visible; } pre { max-height: none; white-space: pre-wrap; } }
`;
