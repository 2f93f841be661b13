// Finding the Python that runs the language server, and checking poml.lsp is importable there.
import { execFile } from 'child_process';

export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface ResolvedInterpreter {
  /** argv prefix that starts Python, e.g. ["/usr/bin/python3"] or ["uv", "run", "python"]. */
  command: string[];
  source: InterpreterSource;
}

export const DEFAULT_PYTHON = 'python3';
export const INSTALL_SPEC = 'poml-native[lsp]';

/**
 * Order: the `poml.python.interpreter` setting, then the Python extension's active
 * environment, then `python3` on PATH. `activeEnvironment` may throw or return nothing when
 * the Python extension is absent; that only moves us to the next source.
 */
export async function resolveInterpreter(
  configured: readonly string[] | undefined,
  activeEnvironment: () => Promise<string | undefined>,
): Promise<ResolvedInterpreter> {
  const fromSetting = (configured ?? []).filter((part) => part.trim() !== '');
  if (fromSetting.length > 0) {
    return { command: fromSetting, source: 'setting' };
  }
  try {
    const path = await activeEnvironment();
    if (path) {
      return { command: [path], source: 'python-extension' };
    }
  } catch {
    // The Python extension is optional: fall through to the default.
  }
  return { command: [DEFAULT_PYTHON], source: 'default' };
}

/** Quote an argv for a shell the user will paste into. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function installCommand(python: readonly string[]): string {
  return shellJoin([...python, '-m', 'pip', 'install', INSTALL_SPEC]);
}

export function missingPackageMessage(python: readonly string[], detail: string): string {
  const reason = detail.trim().split('\n').pop() ?? '';
  return (
    `POML: the language server (poml.lsp) cannot be imported by ${shellJoin(python)}` +
    (reason ? ` (${reason})` : '') +
    `. Install it with: ${installCommand(python)} — or pick another interpreter in the ` +
    `"poml.python.interpreter" setting.`
  );
}

export type ProbeResult = { ok: true } | { ok: false; message: string };

export type Runner = (
  file: string,
  args: string[],
  callback: (error: Error | null, stdout: string, stderr: string) => void,
) => void;

const defaultRunner: Runner = (file, args, callback) => {
  execFile(file, args, { timeout: 20000 }, (error, stdout, stderr) =>
    callback(error, String(stdout), String(stderr)),
  );
};

/** Runs `<python> -c "import poml.lsp"`; a failure becomes a message naming the install command. */
export function probeServer(python: readonly string[], run: Runner = defaultRunner): Promise<ProbeResult> {
  const [file, ...rest] = python;
  return new Promise((resolve) => {
    run(file, [...rest, '-c', 'import poml.lsp'], (error, _stdout, stderr) => {
      if (!error) {
        resolve({ ok: true });
      } else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        resolve({
          ok: false,
          message:
            `POML: no Python found at "${file}". Set "poml.python.interpreter" to your Python, ` +
            `then install the server with: ${installCommand(python)}`,
        });
      } else {
        resolve({ ok: false, message: missingPackageMessage(python, stderr || error.message) });
      }
    });
  });
}
