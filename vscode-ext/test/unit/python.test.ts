import './stubs';
import { strict as assert } from 'assert';
import { test } from 'node:test';
import { installCommand, probeServer, resolveInterpreter, shellJoin } from '../../src/python';

const never = async (): Promise<string | undefined> => {
  throw new Error('must not be asked');
};

test('the setting wins over the Python extension, blank entries dropped', async () => {
  const r = await resolveInterpreter(['', '/opt/py/bin/python', ' '], never);
  assert.deepEqual(r, { command: ['/opt/py/bin/python'], source: 'setting' });
});

test('an empty setting falls back to the Python extension, then python3', async () => {
  assert.deepEqual(await resolveInterpreter([], async () => '/venv/bin/python'), {
    command: ['/venv/bin/python'],
    source: 'python-extension',
  });
  assert.deepEqual(await resolveInterpreter(undefined, async () => undefined), { command: ['python3'], source: 'default' });
  const missingExtension = async (): Promise<string | undefined> => {
    throw new Error('Python extension not installed');
  };
  assert.deepEqual(await resolveInterpreter([''], missingExtension), { command: ['python3'], source: 'default' });
});

test('a missing package names the interpreter and the install command', async () => {
  const run = (_f: string, args: string[], cb: (e: Error | null, o: string, s: string) => void) => {
    assert.deepEqual(args, ['run', 'python', '-c', 'import poml.lsp']);
    cb(new Error('exit 1'), '', "Traceback...\nModuleNotFoundError: No module named 'poml'\n");
  };
  const result = await probeServer(['uv', 'run', 'python'], run);
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.match(result.message, /uv run python -m pip install 'poml-native\[lsp\]'/);
    assert.match(result.message, /No module named 'poml'/);
  }
});

test('an interpreter that does not exist gets its own message (real process)', async () => {
  const result = await probeServer(['/nonexistent/bin/python3']);
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.message, /no Python found at "\/nonexistent\/bin\/python3"/);
});

test('a working probe (real process) is ok', async () => {
  const result = await probeServer([process.execPath, `${__dirname}/../../../test/fixtures/fake-python.js`]);
  assert.deepEqual(result, { ok: true });
});

test('shellJoin quotes what a shell would split or expand', () => {
  assert.equal(shellJoin(['/a b/python', "it's", 'plain-1.0']), `'/a b/python' 'it'\\''s' plain-1.0`);
  assert.equal(installCommand(['python3']), "python3 -m pip install 'poml-native[lsp]'");
});
