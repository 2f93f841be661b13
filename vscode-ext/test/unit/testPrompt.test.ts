import './stubs';
import { strict as assert } from 'assert';
import { test } from 'node:test';
import { PromptRunner, readModelSettings, resolveApiKey, sendArgs } from '../../src/testPrompt';

const config = (values: Record<string, unknown>) => ({ get: <T>(k: string) => values[k] as T | undefined });

test('settings become poml send flags; empty optional ones are left out', () => {
  const s = readModelSettings(
    config({ 'languageModel.provider': 'anthropic', 'languageModel.model': 'claude-x', 'languageModel.baseUrl': ' ', 'languageModel.maxTokens': null }),
  );
  assert.deepEqual(sendArgs(['py'], '/p/a.poml', s), ['py', '-m', 'poml', 'send', '/p/a.poml', '--provider', 'anthropic', '--model', 'claude-x', '--stream']);
  const full = readModelSettings(
    config({ 'languageModel.model': 'm', 'languageModel.baseUrl': 'http://127.0.0.1:8000/v1', 'languageModel.temperature': 0, 'languageModel.maxTokens': 64.7 }),
  );
  assert.deepEqual(sendArgs(['py'], 'f.poml', full).slice(5), [
    '--provider', 'openai', '--model', 'm', '--base-url', 'http://127.0.0.1:8000/v1', '--temperature', '0', '--max-tokens', '64', '--stream',
  ]);
});

test('the API key: environment first, then secret storage, none for ollama', async () => {
  const secrets = new Map([['poml.apiKey.openai', 'sk-stored'], ['poml.apiKey.anthropic', 'ak-stored']]);
  const store = { get: async (k: string) => secrets.get(k) };
  assert.deepEqual(await resolveApiKey('openai', { OPENAI_API_KEY: 'sk-env' }, store), {
    variable: 'OPENAI_API_KEY', value: 'sk-env', from: 'environment',
  });
  assert.deepEqual(await resolveApiKey('anthropic', {}, store), { variable: 'ANTHROPIC_API_KEY', value: 'ak-stored', from: 'secret-storage' });
  assert.equal(await resolveApiKey('openai-compatible', {}, { get: async () => undefined }), undefined);
  assert.equal(await resolveApiKey('ollama', { OPENAI_API_KEY: 'x' }, store), undefined);
});

test('the runner streams output and a second run stops the first (real processes)', async () => {
  const runner = new PromptRunner();
  let text = '';
  const sink = { append: (t: string) => (text += t), appendLine: (t: string) => (text += `${t}\n`) };
  const slow = runner.run([process.execPath, '-e', 'setTimeout(() => console.log("late"), 5000)'], process.env, sink);
  assert.equal(runner.running, true);
  const fast = await runner.run([process.execPath, '-e', 'process.stdout.write("chunk1 "); console.error("warn")'], process.env, sink);
  assert.equal(fast, 0);
  assert.notEqual(await slow, 0);
  assert.match(text, /chunk1 /);
  assert.match(text, /warn/);
  assert.doesNotMatch(text, /late/);
  assert.equal(runner.running, false);
  const missing = await runner.run(['/nonexistent/python'], process.env, sink);
  assert.equal(missing, null);
  assert.match(text, /could not start \/nonexistent\/python/);
});
