// Writes the preview page for a sample (or a JSON file with a poml/preview response) to a
// standalone HTML file, for screenshots:
//   node out/scripts/renderPreview.js [response.json] out.html [title]
import * as fs from 'fs';
import { renderPreviewHtml } from '../src/preview/html';
import type { PreviewResponse } from '../src/protocol';

export const SAMPLE: PreviewResponse = {
  messages: [
    {
      speaker: 'system',
      content: 'You are a patient teacher who explains science to 10-year-olds.\nKeep answers under 120 words.',
      tokens: 21,
    },
    {
      speaker: 'human',
      content: '# Task\n\nExplain why the sky is blue.\n\n# Hints\n\n- Mention sunlight and air.\n- Use one everyday comparison.',
      tokens: 27,
    },
    {
      speaker: 'ai',
      content: 'Sunlight looks white, but it is a mix of every colour. Air scatters the short, blue waves far more than the red ones…',
      tokens: 28,
    },
  ],
  totalTokens: 76,
  sections: [
    { name: 'role', tokens: 13 },
    { name: 'task', tokens: 9 },
    { name: 'hint', tokens: 15 },
  ],
  error: null,
};

function main(argv: string[]): void {
  const [first, second, title] = argv;
  const out = second ?? first ?? 'preview.html';
  const response: PreviewResponse = second ? JSON.parse(fs.readFileSync(first, 'utf8')) : SAMPLE;
  fs.writeFileSync(out, renderPreviewHtml(response, { title: title ?? 'teacher.poml' }));
  process.stdout.write(`${out}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2));
}
