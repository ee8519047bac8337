/**
 * The HTML document shell: inline CSS and a Content-Security-Policy that forbids every network fetch, so a report
 * stays self-contained even if some data string were to smuggle in a URL.
 */
import { esc } from './markup.ts';

const CSS = `
:root { --ink:#222; --muted:#666; --line:#ddd; --cell:#fafafa; --ok:#1a7f37; --bad:#c62828; --accent:#f58518; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 980px;
  padding: 24px 20px 60px; line-height: 1.45; font-size: 14px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 6px; }
.meta { color: var(--muted); font-size: 13px; margin-bottom: 18px; }
nav a, a { color: #1f5fa8; }
.cell { margin: 14px 0; }
.prose p { margin: 4px 0; }
.output { display: flex; gap: 10px; border-left: 3px solid var(--line); padding-left: 8px; }
.gutter { color: #b5523b; font-family: "DejaVu Sans Mono", monospace; font-size: 12px; min-width: 56px; padding-top: 4px; }
.content { flex: 1; min-width: 0; }
.content svg { max-width: 100%; height: auto; display: block; }
figure { margin: 0; }
table.features { font-size: 11.5px; }
table.features th, table.features td { padding: 2px 5px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12.5px; margin: 4px 0; }
caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; white-space: nowrap; }
th { background: #f2f2f2; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.chosen td { background: #fff4e5; font-weight: bold; }
.na { color: #aaa; }
.pass { color: var(--ok); font-weight: bold; }
.fail { color: var(--bad); font-weight: bold; }
.notice { padding: 8px 10px; border-radius: 4px; background: #eef4fb; }
.notice.warn { background: #fdecea; }
.page { page-break-after: always; }
.page:last-child { page-break-after: auto; }
code { background: #f2f2f2; padding: 0 3px; border-radius: 3px; }
@media print { body { max-width: none; padding: 0; } .output { border-left-color: #eee; } .table-wrap { overflow: visible; } }
`;

/** No fetches of any kind: inline styles and inline SVG are all a report uses. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";

export function htmlDocument(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
