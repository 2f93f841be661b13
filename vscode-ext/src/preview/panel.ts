// A webview beside the editor that re-renders the document's messages as the user types.
import * as vscode from 'vscode';
import { randomBytes } from 'crypto';
import * as path from 'path';
import type { PreviewParams, PreviewResponse } from '../protocol';
import { renderPreviewBody, renderPreviewHtml } from './html';

export type PreviewSource = (params: PreviewParams) => Promise<PreviewResponse>;

function failure(error: unknown): PreviewResponse {
  const text = error instanceof Error ? error.message : String(error);
  return { messages: [], totalTokens: 0, sections: [], error: `Preview failed: ${text}` };
}

export class PreviewPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sequence = 0; // drops replies that arrive after a newer request was sent

  constructor(
    private readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
    private readonly source: PreviewSource,
    private readonly debounceMs: number,
  ) {
    const title = path.basename(uri.fsPath);
    panel.webview.html = renderPreviewHtml(
      { messages: [], totalTokens: 0, sections: [], error: null },
      { title, nonce: randomBytes(16).toString('hex'), cspSource: panel.webview.cspSource },
    );
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.affects(e.document.uri)) {
          this.schedule();
        }
      }),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (this.affects(d.uri)) {
          this.schedule();
        }
      }),
      // A hidden webview is reloaded from its initial HTML when shown again: re-render then.
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.visible) {
          void this.refresh();
        }
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The prompt itself, or its paired context/stylesheet file. */
  private affects(changed: vscode.Uri): boolean {
    const base = this.uri.toString().replace(/\.poml$/, '');
    const other = changed.toString();
    return other === this.uri.toString() || other === `${base}.context.json` || other === `${base}.stylesheet.json`;
  }

  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), this.debounceMs);
  }

  async refresh(): Promise<void> {
    const mine = ++this.sequence;
    let response: PreviewResponse;
    try {
      response = await this.source({ uri: this.uri.toString(), context: null, chat: true });
    } catch (error) {
      response = failure(error);
    }
    if (mine === this.sequence) {
      await this.panel.webview.postMessage({
        type: 'update',
        body: renderPreviewBody(response, path.basename(this.uri.fsPath)),
      });
    }
  }

  reveal(): void {
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.sequence++;
    while (this.disposables.length) {
      this.disposables.pop()?.dispose();
    }
  }
}

/** One panel per document; asking again reveals it. */
export class PreviewManager implements vscode.Disposable {
  private readonly panels = new Map<string, PreviewPanel>();

  constructor(
    private readonly source: PreviewSource,
    private readonly debounceMs: () => number,
  ) {}

  async show(uri: vscode.Uri): Promise<PreviewPanel> {
    const key = uri.toString();
    const existing = this.panels.get(key);
    if (existing) {
      existing.reveal();
      await existing.refresh();
      return existing;
    }
    const webview = vscode.window.createWebviewPanel(
      'poml.preview',
      `Preview ${path.basename(uri.fsPath)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [] },
    );
    const panel = new PreviewPanel(webview, uri, this.source, this.debounceMs());
    this.panels.set(key, panel);
    webview.onDidDispose(() => this.panels.delete(key));
    await panel.refresh();
    return panel;
  }

  dispose(): void {
    for (const panel of this.panels.values()) {
      panel.dispose();
    }
    this.panels.clear();
  }
}
