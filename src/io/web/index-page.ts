/** The page at `/`: every page the server's users registered, as links. */
export interface IndexEntry {
  readonly path: string;
  readonly title: string;
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * A route path (stored decoded: `/plot/my node/`) as it goes into a link, each segment
 * encoded, so that a node name with `#`, `?` or a space still leads to its page.
 */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function indexPage(entries: readonly IndexEntry[]): string {
  const items =
    entries.length === 0
      ? '<li>Nothing is served yet.</li>'
      : entries
          .map(
            (e) =>
              `<li><a href="${escapeHtml(encodePath(e.path))}">${escapeHtml(e.title)}</a></li>`,
          )
          .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>datalogd</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem; background: #111; color: #ddd; }
a { color: #8cf; }
</style>
</head>
<body>
<h1>datalogd</h1>
<ul id="pages">
${items}
</ul>
</body>
</html>
`;
}
