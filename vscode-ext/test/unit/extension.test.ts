import { makeContext, recorded, reset, Uri, Position } from './stubs';
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { beforeEach, test } from 'node:test';
import { activate, COMMANDS, deactivate, PomlExtension } from '../../src/extension';

const root = path.resolve(__dirname, '../../..');
const fakePython = [process.execPath, path.join(root, 'test/fixtures/fake-python.js')];
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

beforeEach(async () => {
  await deactivate();
  reset();
  delete process.env.FAKE_PYTHON_MISSING;
  recorded.config['poml.python.interpreter'] = fakePython;
});

function tempPrompt(text = '<p>{{ name }}</p>\n'): Uri {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poml-ext-'));
  const file = path.join(dir, 'hello.poml');
  fs.writeFileSync(file, text);
  return Uri.file(file);
}

test('every command in package.json is registered, and nothing else', async () => {
  await activate(makeContext() as any);
  const declared = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual([...recorded.commands.keys()].sort(), declared);
  assert.deepEqual(Object.values(COMMANDS).sort(), declared);
});

test('the server starts as `<python> -m poml.lsp` over stdio with the configured args', async () => {
  recorded.config['poml.server.args'] = ['--log-level', 'debug'];
  const ext = await activate(makeContext() as any);
  assert.equal(recorded.clients.length, 1);
  const client = recorded.clients[0];
  assert.ok(client.started);
  assert.equal(ext.getClient(), client as any);
  assert.equal(client.server.run.command, process.execPath);
  assert.deepEqual(client.server.run.args, [fakePython[1], '-m', 'poml.lsp', '--log-level', 'debug']);
  assert.equal(client.server.run.transport, 0);
  assert.deepEqual(client.options.documentSelector[0], { scheme: 'file', language: 'poml' });
  assert.match(recorded.output.get('POML') ?? '', /Python \(setting\)/);
});

test('without the package: no client, an error with the install command, copyable', async () => {
  process.env.FAKE_PYTHON_MISSING = '1';
  const ext = await activate(makeContext() as any);
  assert.equal(ext.getClient(), undefined);
  const error = recorded.messages.find((m) => m.level === 'error');
  assert.ok(error, 'an error message is shown');
  assert.match(error.text, /-m pip install 'poml-native\[lsp\]'/);
  assert.match(error.text, /No module named 'poml.lsp'/);
  assert.deepEqual(error.items, ['Copy install command', 'Open Settings']);
});

test('the Python extension supplies the interpreter when the setting is empty', async () => {
  recorded.config['poml.python.interpreter'] = [];
  // An executable "python" the Python extension could report: a wrapper around the fake.
  const venvPython = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'poml-venv-')), 'python');
  fs.writeFileSync(venvPython, `#!/bin/sh\nexec "${fakePython[0]}" "${fakePython[1]}" "$@"\n`, { mode: 0o755 });
  const changed: (() => void)[] = [];
  recorded.pythonExtension = {
    isActive: true,
    exports: {
      environments: {
        onDidChangeActiveEnvironmentPath: (l: () => void) => (changed.push(l), { dispose() {} }),
        getActiveEnvironmentPath: () => ({ id: 'x', path: fakePython[0] }),
        resolveEnvironment: async () => ({ executable: { uri: Uri.file(venvPython) } }),
      },
    },
    activate: async () => undefined,
  };
  await activate(makeContext() as any);
  assert.ok((recorded.output.get('POML') ?? '').includes(`Python (python-extension): ${venvPython}`));
  assert.equal(recorded.clients.length, 1);
  assert.equal(recorded.clients[0].server.run.command, venvPython);
  assert.equal(changed.length, 1, 'listens for interpreter changes');
  changed[0]();
  changed[0](); // two quick changes: restarts run one after the other
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(recorded.clients.length, 3, 'a new interpreter restarts the server');
  assert.deepEqual(recorded.clients.map((c) => c.stopped), [true, true, false], 'only the last server runs');
});

test('preview: a webview beside the editor with the messages, updated after an edit', async () => {
  const ext = await activate(makeContext() as any);
  const client = recorded.clients[0];
  let calls = 0;
  client.replies['poml/preview'] = (params) => {
    calls++;
    return { messages: [{ speaker: 'human', content: `render ${calls} of ${params.uri}`, tokens: 5 * calls }], totalTokens: 5 * calls, sections: [], error: null };
  };
  recorded.config['poml.preview.debounceMs'] = 10;
  const uri = tempPrompt();
  await recorded.commands.get(COMMANDS.preview)!(uri);
  assert.equal(recorded.panels.length, 1);
  const panel = recorded.panels[0];
  assert.match(panel.html, /Content-Security-Policy/);
  assert.deepEqual(client.requests[0], { method: 'poml/preview', params: { uri: uri.toString(), context: null, chat: true } });
  assert.match(panel.posted[0].body, /render 1 of file:\/\/.*hello\.poml/);
  assert.match(panel.posted[0].body, /5 tokens/);
  recorded.docChange.fire({ document: { uri: Uri.file(uri.fsPath.replace(/\.poml$/, '.context.json')) } });
  recorded.docChange.fire({ document: { uri } }); // debounced into one refresh
  recorded.docChange.fire({ document: { uri: Uri.file('/elsewhere/other.poml') } });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(calls, 2);
  assert.match(panel.posted[1].body, /10 tokens/);
  client.replies['poml/preview'] = () => {
    throw new Error('server crashed');
  };
  await recorded.commands.get(COMMANDS.preview)!(uri); // same document: the same panel
  assert.equal(recorded.panels.length, 1);
  assert.match(panel.posted[2].body, /Preview failed: server crashed/);
  client.replies['poml/preview'] = () => ({ messages: [], totalTokens: 0, sections: [], error: null });
  panel.show(); // shown again after being hidden: rendered again
  await new Promise((r) => setTimeout(r, 20));
  assert.match(panel.posted[3].body, /renders no messages/);
  panel.dispose(); // closed: edits no longer ask the server
  const before = client.requests.length;
  recorded.docChange.fire({ document: { uri } });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(client.requests.length, before);
  await recorded.commands.get(COMMANDS.preview)!(uri); // and the next preview opens a new panel
  assert.equal(recorded.panels.length, 2);
  void ext;
});

test('add then remove the paired context and stylesheet files', async () => {
  await activate(makeContext() as any);
  const uri = tempPrompt();
  const context = uri.fsPath.replace(/\.poml$/, '.context.json');
  const stylesheet = uri.fsPath.replace(/\.poml$/, '.stylesheet.json');
  await recorded.commands.get(COMMANDS.addContext)!(uri);
  assert.equal(fs.readFileSync(context, 'utf8'), '{}\n');
  fs.writeFileSync(context, '{"name": "Ada"}');
  await recorded.commands.get(COMMANDS.addContext)!(uri); // existing content is kept
  assert.equal(fs.readFileSync(context, 'utf8'), '{"name": "Ada"}');
  await recorded.commands.get(COMMANDS.addStylesheet)!(uri);
  assert.ok(fs.existsSync(stylesheet));
  recorded.warningAnswer = undefined; // user cancels
  assert.equal(await recorded.commands.get(COMMANDS.removeContext)!(uri), false);
  assert.ok(fs.existsSync(context));
  recorded.warningAnswer = 'Delete';
  assert.equal(await recorded.commands.get(COMMANDS.removeContext)!(uri), true);
  assert.ok(!fs.existsSync(context));
  assert.equal(await recorded.commands.get(COMMANDS.removeStylesheet)!(uri), true);
  assert.ok(!fs.existsSync(stylesheet));
  const notPoml = Uri.file('/tmp/notes.txt');
  await recorded.commands.get(COMMANDS.addContext)!(notPoml);
  assert.ok(recorded.messages.some((m) => m.level === 'error' && /open a \.poml file/.test(m.text)));
});

test('evaluate sends the {{ }} under the cursor to poml.evaluateExpression', async () => {
  await activate(makeContext() as any);
  const client = recorded.clients[0];
  client.replies['workspace/executeCommand'] = () => 'Ada';
  const uri = tempPrompt();
  const line = 'Hello {{ user.name }} and {{ other }}';
  recorded.activeEditor = {
    document: { uri, languageId: 'poml', lineAt: () => ({ text: line }), getText: (r: any) => line.slice(r.start.character, r.end.character) },
    selection: { isEmpty: true, active: new Position(0, 12) },
  };
  assert.equal(await recorded.commands.get(COMMANDS.evaluate)!(), 'Ada');
  const sent = client.requests.at(-1)!;
  assert.equal(sent.params.command, 'poml.evaluateExpression');
  assert.deepEqual(sent.params.arguments[0].expression, 'user.name');
  assert.deepEqual(sent.params.arguments[0].range.start, new Position(0, 6));
  assert.match(recorded.output.get('POML') ?? '', /\{\{ user\.name \}\} = "Ada"/);
  recorded.activeEditor.selection = { isEmpty: true, active: new Position(0, 2) };
  assert.equal(await recorded.commands.get(COMMANDS.evaluate)!(), undefined);
});

test('the API key goes to secret storage and reaches poml send only through its environment', async () => {
  const context = makeContext();
  await activate(context as any);
  recorded.config['poml.languageModel.model'] = 'gpt-test';
  recorded.inputBoxAnswer = ' sk-secret ';
  assert.equal(await recorded.commands.get(COMMANDS.setApiKey)!(), true);
  assert.equal(context.secretValues.get('poml.apiKey.openai'), 'sk-secret');
  const box = JSON.parse(recorded.messages.find((m) => m.level === 'input')!.text);
  assert.equal(box.password, true);
  assert.ok(!Object.keys(recorded.config).some((k) => /apiKey/i.test(k)), 'nothing written to settings');
  const saved = process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_API_KEY;
  try {
    const code = await recorded.commands.get(COMMANDS.test)!(tempPrompt());
    assert.equal(code, 0);
  } finally {
    if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
  }
  const out = recorded.output.get('POML Test') ?? '';
  const echoed = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!);
  assert.equal(echoed.key, 'sk-secret');
  assert.ok(!echoed.argv.includes('sk-secret'));
  assert.deepEqual(echoed.argv.slice(0, 3), ['-m', 'poml', 'send']);
  assert.ok(echoed.argv.includes('gpt-test'));
  assert.doesNotMatch(out.split('\n')[0], /sk-secret/);
  assert.match(out, /OPENAI_API_KEY from secret-storage/);
  assert.match(out, /streamed reply/);
  await recorded.commands.get(COMMANDS.clearApiKey)!();
  assert.equal(context.secretValues.has('poml.apiKey.openai'), false);
});

test('without a key or a base URL, testing asks for a key instead of sending', async () => {
  await activate(makeContext() as any);
  recorded.config['poml.languageModel.model'] = 'gpt-test';
  const saved = process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_API_KEY;
  try {
    assert.equal(await recorded.commands.get(COMMANDS.test)!(tempPrompt()), undefined);
  } finally {
    if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
  }
  assert.ok(recorded.messages.some((m) => m.level === 'warning' && /no API key for openai: set OPENAI_API_KEY/.test(m.text)));
  assert.equal(recorded.output.get('POML Test'), '');
});

void PomlExtension;
