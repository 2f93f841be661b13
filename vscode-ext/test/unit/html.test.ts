import { strict as assert } from 'assert';
import { test } from 'node:test';
import { renderPreviewBody, renderPreviewHtml } from '../../src/preview/html';
import type { PreviewResponse } from '../../src/protocol';

const sample: PreviewResponse = {
  messages: [
    { speaker: 'system', content: 'You are <b>terse</b> & "exact".', tokens: 9 },
    { speaker: 'human', content: ['Describe:', { type: 'image/png', base64: 'iVBORw0KGgo=', alt: 'a chart' }], tokens: 1234 },
    { speaker: 'ai', content: 'Ünïcödé 🎉', tokens: 1 },
  ],
  totalTokens: 1244,
  sections: [{ name: 'task', tokens: 7 }],
  error: null,
};

test('messages show speaker, content and token counts, HTML escaped', () => {
  const body = renderPreviewBody(sample, 'a.poml');
  assert.match(body, /3 messages · 1,244 tokens/);
  assert.match(body, /speaker-system[\s\S]*9 tokens[\s\S]*You are &lt;b&gt;terse&lt;\/b&gt; &amp; &quot;exact&quot;\./);
  assert.match(body, /1,234 tokens/);
  assert.match(body, /1 token</);
  assert.match(body, /<img class="image" alt="a chart" src="data:image\/png;base64,iVBORw0KGgo=">/);
  assert.match(body, /Ünïcödé 🎉/);
  assert.match(body, /<td>task<\/td><td class="num">7<\/td>/);
  assert.doesNotMatch(body, /<b>/);
});

test('an error is shown instead of messages; content never injects markup', () => {
  const body = renderPreviewBody({ messages: [], totalTokens: 0, sections: [], error: 'line 3: unknown tag <foo>' });
  assert.match(body, /role="alert">line 3: unknown tag &lt;foo&gt;</);
  assert.doesNotMatch(body, /renders no messages/);
  const hostile = renderPreviewBody({
    messages: [{ speaker: '"><script>alert(1)</script>', content: { type: 'image/png" onerror="x', base64: 'AA==' }, tokens: 0 }],
    totalTokens: 0,
    sections: [],
    error: null,
  });
  assert.doesNotMatch(hostile, /<script>/);
  assert.doesNotMatch(hostile, /onerror="x/);
  assert.match(hostile, /speaker-other/);
});

test('the standalone page has no script; the webview page only its nonce script', () => {
  const page = renderPreviewHtml(sample, { title: 'a.poml' });
  assert.doesNotMatch(page, /<script/);
  assert.match(page, /script-src 'none'/);
  const live = renderPreviewHtml(sample, { title: 'a.poml', nonce: 'abc123', cspSource: 'vscode-resource:' });
  assert.match(live, /script-src 'nonce-abc123'/);
  assert.match(live, /<script nonce="abc123">/);
  assert.ok(live.includes(renderPreviewBody(sample, 'a.poml')));
});

// Seeded random strings over the characters that matter for HTML (no property-testing package
// needed): whatever the text, the page shows it verbatim and adds no markup of its own.
function randomText(next: () => number): string {
  const alphabet = ['<', '>', '&', '"', "'", '/', '=', ' ', '\n', 'a', 'Z', '#lt;', '&amp;', 'ü', '🎉', '<script>', '{{ x }}'];
  let out = '';
  for (let i = Math.floor(next() * 12); i > 0; i--) out += alphabet[Math.floor(next() * alphabet.length)];
  return out;
}

function unescapeHtml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

test('any speaker or content text round-trips through the page unchanged', () => {
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 300; i++) {
    const speaker = randomText(next);
    const content = randomText(next);
    const html = renderPreviewBody({ messages: [{ speaker, content, tokens: i }], totalTokens: i, sections: [], error: null });
    const shownSpeaker = /<span class="speaker">([^<]*)<\/span>/.exec(html);
    const shownContent = /<div class="text">([^<]*)<\/div>/.exec(html);
    assert.ok(shownSpeaker && shownContent, html);
    assert.equal(unescapeHtml(shownSpeaker[1]), speaker);
    assert.equal(unescapeHtml(shownContent[1]), content);
    assert.equal((html.match(/<section/g) ?? []).length, 1);
  }
});
