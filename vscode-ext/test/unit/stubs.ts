// A recording stand-in for the `vscode` module and `vscode-languageclient/node` (VS Code itself
// cannot be downloaded here). Importing this file installs both into Node's module loader.
import * as fs from 'fs';
import * as nodePath from 'path';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Module = require('module');

type Listener = (e: any) => void;
class Emitter {
  listeners: Listener[] = [];
  event = (l: Listener) => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: any) {
    this.listeners.forEach((l) => l(e));
  }
}

export class Uri {
  private constructor(readonly scheme: string, readonly path: string) {}
  static file(p: string) {
    return new Uri('file', nodePath.resolve(p));
  }
  get fsPath() {
    return this.path;
  }
  with(change: { path?: string }) {
    return new Uri(this.scheme, change.path ?? this.path);
  }
  toString() {
    return `${this.scheme}://${this.path}`;
  }
}

export class Position {
  constructor(readonly line: number, readonly character: number) {}
}
export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number, b: number, c: number, d: number) {
    this.start = new Position(a, b);
    this.end = new Position(c, d);
  }
}

export interface Recorded {
  commands: Map<string, (...args: any[]) => any>;
  messages: { level: string; text: string; items: string[] }[];
  output: Map<string, string>;
  panels: { title: string; html: string; posted: any[]; dispose: () => void; show: () => void }[];
  config: Record<string, unknown>;
  inputBoxAnswer: string | undefined;
  warningAnswer: string | undefined;
  activeEditor: any;
  clients: FakeLanguageClient[];
  pythonExtension: any;
  clipboard: string;
  docChange: Emitter;
}

export const recorded: Recorded = {
  commands: new Map(),
  messages: [],
  output: new Map(),
  panels: [],
  config: {},
  inputBoxAnswer: undefined,
  warningAnswer: undefined,
  activeEditor: undefined,
  clients: [],
  pythonExtension: undefined,
  clipboard: '',
  docChange: new Emitter(),
};

export function reset(): void {
  recorded.commands.clear();
  recorded.messages = [];
  recorded.output.clear();
  recorded.panels = [];
  recorded.config = {};
  recorded.inputBoxAnswer = undefined;
  recorded.warningAnswer = undefined;
  recorded.activeEditor = undefined;
  recorded.clients = [];
  recorded.pythonExtension = undefined;
  recorded.docChange = new Emitter();
}

const message = (level: string) => (text: string, ...items: any[]) => {
  recorded.messages.push({ level, text, items: items.filter((i) => typeof i === 'string') });
  return Promise.resolve(level === 'warning' ? recorded.warningAnswer : undefined);
};

export function makeContext() {
  const secrets = new Map<string, string>();
  return {
    subscriptions: [] as { dispose(): any }[],
    secretValues: secrets,
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void secrets.set(k, v),
      delete: async (k: string) => void secrets.delete(k),
    },
  };
}

const vscodeStub = {
  Uri,
  Range,
  Position,
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  EventEmitter: Emitter,
  window: {
    createOutputChannel(name: string) {
      recorded.output.set(name, '');
      const add = (t: string) => recorded.output.set(name, recorded.output.get(name) + t);
      return {
        name,
        append: add,
        appendLine: (t: string) => add(`${t}\n`),
        clear: () => recorded.output.set(name, ''),
        show() {},
        dispose() {},
      };
    },
    createWebviewPanel(_type: string, title: string) {
      const dispose = new Emitter();
      const viewState = new Emitter();
      const record = {
        title,
        html: '',
        posted: [] as any[],
        dispose: () => dispose.fire(undefined),
        show: () => viewState.fire({ webviewPanel: { visible: true } }),
      };
      recorded.panels.push(record);
      return {
        webview: {
          cspSource: 'vscode-resource:',
          set html(v: string) {
            record.html = v;
          },
          get html() {
            return record.html;
          },
          postMessage: async (m: any) => {
            record.posted.push(m);
            return true;
          },
        },
        reveal() {},
        onDidChangeViewState: viewState.event,
        onDidDispose: dispose.event,
      };
    },
    showErrorMessage: message('error'),
    showInformationMessage: message('info'),
    showWarningMessage: message('warning'),
    showInputBox: async (opts: any) => {
      recorded.messages.push({ level: 'input', text: JSON.stringify(opts), items: [] });
      return recorded.inputBoxAnswer;
    },
    showTextDocument: async () => ({}),
    get activeTextEditor() {
      return recorded.activeEditor;
    },
  },
  workspace: {
    getConfiguration: (section: string) => ({
      get: (key: string) => recorded.config[`${section}.${key}`],
    }),
    onDidChangeTextDocument: (l: Listener) => recorded.docChange.event(l),
    onDidSaveTextDocument: new Emitter().event,
    onDidChangeConfiguration: new Emitter().event,
    workspaceFolders: undefined,
    textDocuments: [],
    asRelativePath: (u: Uri) => nodePath.basename(u.fsPath),
    openTextDocument: async (u: Uri) => ({ uri: u }),
    fs: {
      stat: async (u: Uri) => fs.promises.stat(u.fsPath),
      writeFile: async (u: Uri, data: Uint8Array) => fs.promises.writeFile(u.fsPath, data),
      delete: async (u: Uri) => fs.promises.unlink(u.fsPath),
    },
  },
  commands: {
    registerCommand(id: string, fn: (...a: any[]) => any) {
      if (recorded.commands.has(id)) throw new Error(`command ${id} registered twice`);
      recorded.commands.set(id, fn);
      return { dispose: () => recorded.commands.delete(id) };
    },
    executeCommand: async () => undefined,
  },
  env: {
    clipboard: {
      writeText: async (t: string) => void (recorded.clipboard = t),
    },
  },
  extensions: {
    getExtension: (id: string) => (id === 'ms-python.python' ? recorded.pythonExtension : undefined),
  },
};

export class FakeLanguageClient {
  started = false;
  stopped = false;
  requests: { method: string; params: any }[] = [];
  replies: Record<string, (params: any) => any> = {};
  constructor(readonly id: string, readonly name: string, readonly server: any, readonly options: any) {
    recorded.clients.push(this);
  }
  async start() {
    this.started = true;
  }
  async stop() {
    this.stopped = true;
  }
  async sendRequest(method: string, params: any) {
    this.requests.push({ method, params });
    const reply = this.replies[method];
    if (!reply) throw new Error(`no reply for ${method}`);
    return reply(params);
  }
}

const clientStub = { LanguageClient: FakeLanguageClient, TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 } };

const originalLoad = Module._load;
Module._load = function (request: string, ...rest: any[]) {
  if (request === 'vscode') return vscodeStub;
  if (request === 'vscode-languageclient/node') return clientStub;
  return originalLoad.call(this, request, ...rest);
};
