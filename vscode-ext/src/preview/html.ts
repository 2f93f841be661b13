// The preview's HTML, as pure functions: the webview panel and the screenshot script share them.
import type { PreviewMessage, PreviewResponse, PreviewSection } from '../protocol';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const SPEAKERS = new Set(['system', 'human', 'ai', 'tool']);

function renderPart(part: unknown): string {
  if (typeof part === 'string') {
    return `<div class="text">${escapeHtml(part)}</div>`;
  }
  if (part && typeof part === 'object') {
    const p = part as Record<string, unknown>;
    const type = typeof p.type === 'string' ? p.type : '';
    if (typeof p.base64 === 'string' && type.startsWith('image/') && /^[A-Za-z0-9+/=\s]*$/.test(p.base64)) {
      const alt = typeof p.alt === 'string' ? p.alt : '';
      return `<img class="image" alt="${escapeHtml(alt)}" src="data:${escapeHtml(type)};base64,${p.base64.replace(/\s/g, '')}">`;
    }
    if (typeof p.text === 'string') {
      return `<div class="text">${escapeHtml(p.text)}</div>`;
    }
    if (typeof p.alt === 'string') {
      return `<div class="text placeholder">[${escapeHtml(type || 'media')}: ${escapeHtml(p.alt)}]</div>`;
    }
    return `<pre class="text json">${escapeHtml(JSON.stringify(part, null, 2))}</pre>`;
  }
  return `<div class="text">${escapeHtml(String(part))}</div>`;
}

function renderContent(content: unknown): string {
  return Array.isArray(content) ? content.map(renderPart).join('') : renderPart(content);
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

export function renderMessage(message: PreviewMessage): string {
  const speaker = SPEAKERS.has(message.speaker) ? message.speaker : 'other';
  return (
    `<section class="message speaker-${speaker}">` +
    `<header><span class="speaker">${escapeHtml(message.speaker)}</span>` +
    `<span class="tokens">${plural(message.tokens, 'token')}</span></header>` +
    `${renderContent(message.content)}</section>`
  );
}

function renderSections(sections: readonly PreviewSection[]): string {
  const rows = sections
    .filter((s) => typeof s.tokens === 'number')
    .map((s) => `<tr><td>${escapeHtml(String(s.name ?? ''))}</td><td class="num">${(s.tokens as number).toLocaleString('en-US')}</td></tr>`);
  if (rows.length === 0) {
    return '';
  }
  return `<details class="sections"><summary>Sections</summary><table><tr><th>Section</th><th class="num">Tokens</th></tr>${rows.join('')}</table></details>`;
}

/** The part of the page that changes as the user types (sent to the webview as a string). */
export function renderPreviewBody(response: PreviewResponse, title = ''): string {
  const summary =
    `<div class="summary"><span class="title">${escapeHtml(title)}</span>` +
    `<span>${plural(response.messages.length, 'message')} · ${plural(response.totalTokens, 'token')}</span></div>`;
  const error = response.error ? `<div class="error" role="alert">${escapeHtml(response.error)}</div>` : '';
  const messages =
    response.messages.length > 0
      ? response.messages.map(renderMessage).join('')
      : response.error
        ? ''
        : '<div class="empty">This prompt renders no messages.</div>';
  return summary + error + messages + renderSections(response.sections ?? []);
}

const STYLE = `
:root { color-scheme: light dark; }
body { font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: var(--vscode-font-size, 13px);
  color: var(--vscode-foreground, #1f2328); background: var(--vscode-editor-background, #ffffff); margin: 0; padding: 12px 16px; }
.summary { display: flex; justify-content: space-between; opacity: .8; margin-bottom: 10px; font-size: .92em; }
.summary .title { font-weight: 600; }
.message { border: 1px solid var(--vscode-panel-border, #d0d7de); border-left-width: 4px; border-radius: 6px; margin: 0 0 10px; padding: 8px 12px; }
.message header { display: flex; justify-content: space-between; margin-bottom: 6px; font-size: .85em; text-transform: uppercase; letter-spacing: .04em; }
.message .speaker { font-weight: 700; }
.message .tokens { opacity: .7; text-transform: none; font-variant-numeric: tabular-nums; }
.speaker-system { border-left-color: #8250df; } .speaker-human { border-left-color: #0969da; }
.speaker-ai { border-left-color: #1a7f37; } .speaker-tool { border-left-color: #bf8700; } .speaker-other { border-left-color: #6e7781; }
.text { white-space: pre-wrap; word-wrap: break-word; font-family: var(--vscode-editor-font-family, ui-monospace, monospace); line-height: 1.45; }
.placeholder { opacity: .7; font-style: italic; }
.image { max-width: 100%; border-radius: 4px; }
.error { border: 1px solid #cf222e; background: rgba(207, 34, 46, .08); color: var(--vscode-errorForeground, #cf222e);
  border-radius: 6px; padding: 8px 12px; margin-bottom: 10px; white-space: pre-wrap; }
.empty { opacity: .7; font-style: italic; }
.sections table { border-collapse: collapse; margin-top: 6px; } .sections td, .sections th { padding: 2px 12px 2px 0; text-align: left; }
.num { text-align: right !important; font-variant-numeric: tabular-nums; }
`;

export interface PageOptions {
  title?: string;
  /** Set for the live webview: allows its update script; omitted for a static, script-free page. */
  nonce?: string;
  cspSource?: string;
}

/** A whole HTML document. Without a nonce it is static (a file a browser can screenshot). */
export function renderPreviewHtml(response: PreviewResponse, options: PageOptions = {}): string {
  const title = options.title ?? '';
  const scriptSrc = options.nonce ? `'nonce-${options.nonce}'` : "'none'";
  const csp =
    `default-src 'none'; img-src data: ${options.cspSource ?? ''}; style-src 'unsafe-inline'; script-src ${scriptSrc};`;
  const script = options.nonce
    ? `<script nonce="${options.nonce}">
const root = document.getElementById('root');
window.addEventListener('message', (event) => {
  const data = event.data;
  if (data && data.type === 'update' && typeof data.body === 'string') { root.innerHTML = data.body; }
});
</script>`
    : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title ? `Preview: ${title}` : 'POML preview')}</title>
<style>${STYLE}</style></head>
<body><main id="root">${renderPreviewBody(response, title)}</main>${script}</body></html>
`;
}
