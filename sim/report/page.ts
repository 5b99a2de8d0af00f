// The shell shared by the HTML pages: one self-contained document, styles and
// script inline, nothing fetched (the report must open on a laptop in a train,
// or as a CI artifact behind a login). Fonts are the system's.
import { esc } from './markup.ts';

export const PAGE_CSS = `
body{font:13px/1.4 "DejaVu Sans","Liberation Sans",Arial,sans-serif;margin:10px 14px;color:#111;background:#fff}
h1{font-size:17px;margin:0 0 4px}h1 small{font-weight:normal;color:#555;font-size:13px}
h2{font-size:14px;margin:10px 0 4px}
.badge{padding:1px 8px;border-radius:3px;color:#fff;font-size:14px}.b-fail{background:#c62828}.b-pass{background:#2e7d32}.b-error{background:#b26a00}
.facts{color:#333}.mono,pre.options,code{font-family:"DejaVu Sans Mono","Liberation Mono",monospace}
pre.options{font-size:11.5px;line-height:1.35;color:#444;margin:4px 0;white-space:pre-wrap}
code{font-size:12px;background:#f3f3f3;padding:2px 6px;border:1px solid #ddd;border-radius:3px}
button{font:inherit;font-size:12px;padding:1px 8px;cursor:pointer}
.note{color:#555;margin:2px 0}
.violations{border-left:4px solid #d50000;background:#fff5f5;padding:3px 10px;margin:6px 0;max-height:190px;overflow:auto}
.violations ol{margin:2px 0;padding-left:22px}.violations li{margin:3px 0;cursor:pointer}.violations li:hover{background:#ffe3e3}
.violations b{color:#b00000}.where{color:#555}
table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #dde;padding:2px 8px;text-align:left;vertical-align:top}th{background:#f3f5f8}
td.n{text-align:right;font-variant-numeric:tabular-nums}.bar{display:inline-block;height:10px;background:#c62828;vertical-align:middle}
a{color:#0b57d0}
`;

export function page(title: string, css: string, body: string, script = ''): string {
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${esc(title)}</title><style>${css}</style></head>\n<body>\n${body}\n` +
    (script === '' ? '' : `<script>${script}</script>\n`) +
    `</body></html>\n`
  );
}
