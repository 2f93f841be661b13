// Entry point: resolves Python, starts the server, registers the commands.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createClient } from './client';
import { EVALUATE_COMMAND, PREVIEW_REQUEST, PreviewParams, PreviewResponse } from './protocol';
import { PreviewManager } from './preview/panel';
import { probeServer, resolveInterpreter, ResolvedInterpreter, installCommand } from './python';
import { addResource, removeResource, ResourceKind } from './resources';
import { PromptRunner, readModelSettings, resolveApiKey, secretKey, sendArgs, apiKeyVariable } from './testPrompt';

export const COMMANDS = {
  preview: 'poml.showPreviewToSide',
  evaluate: 'poml.evaluate',
  addContext: 'poml.addContextFile',
  removeContext: 'poml.removeContextFile',
  addStylesheet: 'poml.addStylesheetFile',
  removeStylesheet: 'poml.removeStylesheetFile',
  test: 'poml.test',
  setApiKey: 'poml.setApiKey',
  clearApiKey: 'poml.clearApiKey',
  restart: 'poml.restartServer',
} as const;

type PythonApi = typeof import('@vscode/python-extension');

/** The Python extension's active environment, when that extension is installed. */
async function activeEnvironment(resource: vscode.Uri | undefined): Promise<string | undefined> {
  const { PythonExtension } = require('@vscode/python-extension') as PythonApi;
  const api = await PythonExtension.api();
  const envPath = api.environments.getActiveEnvironmentPath(resource);
  const env = await api.environments.resolveEnvironment(envPath);
  return env?.executable.uri?.fsPath;
}

export class PomlExtension implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('POML');
  readonly testOutput = vscode.window.createOutputChannel('POML Test');
  private client: LanguageClient | undefined;
  private interpreter: ResolvedInterpreter | undefined;
  private readonly runner = new PromptRunner();
  private readonly previews: PreviewManager;
  private restarting: Promise<boolean> = Promise.resolve(false);

  constructor(private readonly context: vscode.ExtensionContext) {
    this.previews = new PreviewManager(
      (params) => this.preview(params),
      () => this.config().get<number>('preview.debounceMs') ?? 150,
    );
    context.subscriptions.push(this, this.output, this.testOutput, this.previews);
  }

  private config(resource?: vscode.Uri): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('poml', resource);
  }

  getClient(): LanguageClient | undefined {
    return this.client;
  }

  registerCommands(): void {
    const reg = (id: string, fn: (...args: any[]) => unknown) =>
      this.context.subscriptions.push(vscode.commands.registerCommand(id, fn));
    reg(COMMANDS.preview, (uri?: vscode.Uri) => this.withPrompt(uri, (u) => this.previews.show(u)));
    reg(COMMANDS.evaluate, () => this.evaluate());
    const resource = (kind: ResourceKind, add: boolean) => (uri?: vscode.Uri) =>
      this.withPrompt<unknown>(uri, (u) => (add ? addResource(u, kind) : removeResource(u, kind)));
    reg(COMMANDS.addContext, resource('context', true));
    reg(COMMANDS.removeContext, resource('context', false));
    reg(COMMANDS.addStylesheet, resource('stylesheet', true));
    reg(COMMANDS.removeStylesheet, resource('stylesheet', false));
    reg(COMMANDS.test, (uri?: vscode.Uri) => this.withPrompt(uri, (u) => this.testPrompt(u)));
    reg(COMMANDS.setApiKey, () => this.setApiKey());
    reg(COMMANDS.clearApiKey, () => this.clearApiKey());
    reg(COMMANDS.restart, () => this.restart());
  }

  /** Runs `fn` on the given `.poml` file or the active editor's; says so when there is none. */
  private async withPrompt<T>(uri: vscode.Uri | undefined, fn: (uri: vscode.Uri) => Promise<T>): Promise<T | undefined> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target || !/\.poml$/i.test(target.path)) {
      void vscode.window.showErrorMessage('POML: open a .poml file first.');
      return undefined;
    }
    return fn(target);
  }

  /** Restarts one at a time, so overlapping triggers never leave two servers running. */
  restart(): Promise<boolean> {
    const next = this.restarting.then(
      () => this.startServer(),
      () => this.startServer(),
    );
    this.restarting = next;
    return next;
  }

  private async startServer(): Promise<boolean> {
    await this.stopClient();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    this.interpreter = await resolveInterpreter(this.config(folder).get<string[]>('python.interpreter'), () =>
      activeEnvironment(folder),
    );
    const python = this.interpreter.command;
    this.output.appendLine(`Python (${this.interpreter.source}): ${python.join(' ')}`);
    const probe = await probeServer(python);
    if (!probe.ok) {
      this.output.appendLine(probe.message);
      const copy = 'Copy install command';
      void vscode.window.showErrorMessage(probe.message, copy, 'Open Settings').then((choice) => {
        if (choice === copy) {
          void vscode.env.clipboard.writeText(installCommand(python));
        } else if (choice === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'poml.python.interpreter');
        }
      });
      return false;
    }
    this.client = createClient(python, this.config(folder).get<string[]>('server.args') ?? [], this.output, folder?.fsPath);
    await this.client.start();
    return true;
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.stop().catch((e: unknown) => this.output.appendLine(`stopping the server: ${String(e)}`));
    }
  }

  private requireClient(): LanguageClient {
    if (!this.client) {
      throw new Error('the POML language server is not running (see the "POML" output)');
    }
    return this.client;
  }

  private preview(params: PreviewParams): Promise<PreviewResponse> {
    return Promise.resolve(this.requireClient().sendRequest<PreviewResponse>(PREVIEW_REQUEST, params));
  }

  /** Evaluates the selection, or the `{{ }}` expression under the cursor, with the paired context. */
  async evaluate(): Promise<unknown> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'poml') {
      void vscode.window.showErrorMessage('POML: open a .poml file first.');
      return undefined;
    }
    const range = editor.selection.isEmpty ? expressionRangeAt(editor.document, editor.selection.active) : editor.selection;
    if (!range) {
      void vscode.window.showInformationMessage('POML: place the cursor inside {{ }} or select an expression.');
      return undefined;
    }
    const expression = editor.document.getText(range).replace(/^\{\{|\}\}$/g, '').trim();
    try {
      const result = await this.requireClient().sendRequest('workspace/executeCommand', {
        command: EVALUATE_COMMAND,
        arguments: [{ uri: editor.document.uri.toString(), expression, range: { start: range.start, end: range.end } }],
      });
      this.output.appendLine(`{{ ${expression} }} = ${JSON.stringify(result)}`);
      this.output.show(true);
      return result;
    } catch (error) {
      void vscode.window.showErrorMessage(`POML: evaluating {{ ${expression} }} failed: ${String(error)}`);
      return undefined;
    }
  }

  async testPrompt(uri: vscode.Uri): Promise<number | null | undefined> {
    const settings = readModelSettings(this.config(uri));
    if (!settings.model) {
      void vscode.window.showErrorMessage('POML: set "poml.languageModel.model" first.');
      return undefined;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty) {
      await doc.save();
    }
    const key = await resolveApiKey(settings.provider, process.env, this.context.secrets);
    const variable = apiKeyVariable(settings.provider);
    if (variable && !key && !settings.baseUrl) {
      const choice = await vscode.window.showWarningMessage(
        `POML: no API key for ${settings.provider}: set ${variable} or run "POML: Set API Key".`,
        'Set API Key',
      );
      if (choice === 'Set API Key') {
        await this.setApiKey();
      }
      return undefined;
    }
    const python = this.interpreter?.command ?? ['python3'];
    const argv = sendArgs(python, uri.fsPath, settings);
    const env = { ...process.env, ...(key ? { [key.variable]: key.value } : {}) };
    this.testOutput.clear();
    this.testOutput.show(true);
    this.testOutput.appendLine(`$ ${argv.join(' ')}${key ? `   (${key.variable} from ${key.from})` : ''}\n`);
    return this.runner.run(argv, env, this.testOutput);
  }

  async setApiKey(): Promise<boolean> {
    const provider = readModelSettings(this.config()).provider;
    const value = await vscode.window.showInputBox({
      title: `API key for ${provider}`,
      prompt: 'Stored in VS Code secret storage (the OS keychain), not in settings.json.',
      password: true,
      ignoreFocusOut: true,
    });
    if (!value) {
      return false;
    }
    await this.context.secrets.store(secretKey(provider), value.trim());
    void vscode.window.showInformationMessage(`POML: API key for ${provider} saved to secret storage.`);
    return true;
  }

  async clearApiKey(): Promise<void> {
    const provider = readModelSettings(this.config()).provider;
    await this.context.secrets.delete(secretKey(provider));
    void vscode.window.showInformationMessage(`POML: API key for ${provider} removed from secret storage.`);
  }

  dispose(): void {
    this.runner.abort();
    void this.stopClient();
  }
}

/** The `{{ ... }}` span on the cursor's line that contains the cursor. */
export function expressionRangeAt(document: vscode.TextDocument, position: vscode.Position): vscode.Range | undefined {
  const line = document.lineAt(position.line).text;
  const pattern = /\{\{[\s\S]*?\}\}/g;
  for (let m = pattern.exec(line); m; m = pattern.exec(line)) {
    if (position.character >= m.index && position.character <= m.index + m[0].length) {
      return new vscode.Range(position.line, m.index, position.line, m.index + m[0].length);
    }
  }
  return undefined;
}

/** Restart when the user picks another interpreter in the Python extension (if installed). */
async function watchPythonExtension(context: vscode.ExtensionContext, restart: () => void): Promise<void> {
  try {
    const { PythonExtension } = require('@vscode/python-extension') as PythonApi;
    const api = await PythonExtension.api();
    context.subscriptions.push(api.environments.onDidChangeActiveEnvironmentPath(restart));
  } catch {
    // No Python extension: the setting or python3 is used.
  }
}

let extension: PomlExtension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<PomlExtension> {
  extension = new PomlExtension(context);
  extension.registerCommands();
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('poml.python') || e.affectsConfiguration('poml.server')) {
        void extension?.restart();
      }
    }),
  );
  void watchPythonExtension(context, () => void extension?.restart());
  await extension.restart();
  return extension;
}

export async function deactivate(): Promise<void> {
  extension?.dispose();
  extension = undefined;
}
