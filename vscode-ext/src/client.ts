// The language client: `<python> -m poml.lsp` over stdio.
import type * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

export const CLIENT_ID = 'poml';
export const CLIENT_NAME = 'POML Language Server';

export function serverOptions(python: readonly string[], extraArgs: readonly string[], cwd?: string): ServerOptions {
  const [command, ...prefix] = python;
  const executable = {
    command,
    args: [...prefix, '-m', 'poml.lsp', ...extraArgs],
    transport: TransportKind.stdio,
    options: { cwd, env: { ...process.env, PYTHONUNBUFFERED: '1' } },
  };
  return { run: executable, debug: executable };
}

export function clientOptions(output: vscode.OutputChannel): LanguageClientOptions {
  return {
    documentSelector: [
      { scheme: 'file', language: 'poml' },
      { scheme: 'untitled', language: 'poml' },
    ],
    outputChannel: output,
    traceOutputChannel: output,
  };
}

export function createClient(
  python: readonly string[],
  extraArgs: readonly string[],
  output: vscode.OutputChannel,
  cwd?: string,
): LanguageClient {
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions(python, extraArgs, cwd), clientOptions(output));
}
