// "Test prompt against a model": runs `<python> -m poml send FILE ... --stream` and streams its output.
import { ChildProcess, spawn } from 'child_process';

export interface ModelSettings {
  provider: string;
  model: string;
  baseUrl: string;
  temperature: number | undefined;
  maxTokens: number | undefined;
}

interface ConfigLike {
  get<T>(section: string): T | undefined;
}

export function readModelSettings(config: ConfigLike): ModelSettings {
  const num = (key: string): number | undefined => {
    const value = config.get<number | null>(key);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  return {
    provider: config.get<string>('languageModel.provider') || 'openai',
    model: config.get<string>('languageModel.model') || '',
    baseUrl: (config.get<string>('languageModel.baseUrl') || '').trim(),
    temperature: num('languageModel.temperature'),
    maxTokens: num('languageModel.maxTokens'),
  };
}

export function sendArgs(python: readonly string[], file: string, s: ModelSettings): string[] {
  const args = [...python, '-m', 'poml', 'send', file, '--provider', s.provider, '--model', s.model];
  if (s.baseUrl) {
    args.push('--base-url', s.baseUrl);
  }
  if (s.temperature !== undefined) {
    args.push('--temperature', String(s.temperature));
  }
  if (s.maxTokens !== undefined) {
    args.push('--max-tokens', String(Math.trunc(s.maxTokens)));
  }
  args.push('--stream');
  return args;
}

/** The environment variable the backends read the key from; undefined for keyless providers. */
export function apiKeyVariable(provider: string): string | undefined {
  switch (provider) {
    case 'anthropic':
      return 'ANTHROPIC_API_KEY';
    case 'ollama':
      return undefined;
    default:
      return 'OPENAI_API_KEY';
  }
}

export const secretKey = (provider: string): string => `poml.apiKey.${provider}`;

export interface SecretsLike {
  get(key: string): PromiseLike<string | undefined>;
}

/**
 * The key comes from the process environment first, then VS Code's SecretStorage. It is only
 * ever handed to the child in its environment, never written to settings or argv.
 */
export async function resolveApiKey(
  provider: string,
  env: NodeJS.ProcessEnv,
  secrets: SecretsLike,
): Promise<{ variable: string; value: string; from: 'environment' | 'secret-storage' } | undefined> {
  const variable = apiKeyVariable(provider);
  if (!variable) {
    return undefined;
  }
  if (env[variable]) {
    return { variable, value: env[variable] as string, from: 'environment' };
  }
  const stored = await secrets.get(secretKey(provider));
  return stored ? { variable, value: stored, from: 'secret-storage' } : undefined;
}

export interface Sink {
  append(text: string): void;
  appendLine(text: string): void;
}

/** Owns at most one running `poml send`; starting another stops the previous one. */
export class PromptRunner {
  private child: ChildProcess | undefined;

  constructor(private readonly spawner: typeof spawn = spawn) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  run(argv: readonly string[], env: NodeJS.ProcessEnv, sink: Sink): Promise<number | null> {
    this.abort();
    const [file, ...args] = argv;
    const child = this.spawner(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => sink.append(chunk));
    child.stderr?.on('data', (chunk: string) => sink.append(chunk));
    return new Promise((resolve) => {
      child.on('error', (error) => {
        sink.appendLine(`\n[POML] could not start ${file}: ${error.message}`);
        if (this.child === child) this.child = undefined;
        resolve(null);
      });
      child.on('close', (code) => {
        if (this.child === child) this.child = undefined;
        sink.appendLine(code === 0 ? '\n[POML] done.' : `\n[POML] poml send exited with code ${code}.`);
        resolve(code);
      });
    });
  }

  abort(): boolean {
    const child = this.child;
    this.child = undefined;
    return child ? child.kill() : false;
  }
}
