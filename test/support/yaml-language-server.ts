/**
 * A client of the real yaml-language-server (the npm package editors embed: VS Code's YAML extension,
 * Neovim, Helix...) over the language-server protocol on stdio: it opens a file as an editor does and
 * returns the diagnostics the server publishes for it. The file's own modeline
 * (`# yaml-language-server: $schema=...`) picks the schema, as it does in an editor.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ROOT } from './cli.js';

export interface Diagnostic {
  /** 0-based, as the protocol counts */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  severity?: number;
  source?: string;
}

export interface CompletionItem {
  label: string;
  documentation?: string | { kind: string; value: string };
}

interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { message: string };
}

const SERVER = createRequire(import.meta.url).resolve('yaml-language-server/bin/yaml-language-server');

/** What the server asks of its client's settings: validation on, and nothing fetched from the network. */
const SETTINGS = {
  yaml: {
    validate: true,
    hover: false,
    completion: true,
    schemaStore: { enable: false },
    kubernetesCRDStore: { enable: false },
    schemas: {},
  },
  http: { proxyStrictSSL: true },
};

export class YamlLanguageServer {
  private nextId = 1;
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly waiting = new Map<string, (diagnostics: Diagnostic[]) => void>();
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.receive(chunk));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static async start(): Promise<YamlLanguageServer> {
    const child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const server = new YamlLanguageServer(child);
    await server.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(ROOT).href,
      workspaceFolders: [{ uri: pathToFileURL(ROOT).href, name: 'faultline' }],
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { relatedInformation: false } },
      },
    });
    server.notify('initialized', {});
    server.notify('workspace/didChangeConfiguration', { settings: SETTINGS });
    return server;
  }

  /** The diagnostics the server publishes for `file` once opened with `text` (default: the file's content). */
  diagnostics(file: string, text = readFileSync(file, 'utf8')): Promise<Diagnostic[]> {
    const uri = pathToFileURL(file).href;
    return new Promise<Diagnostic[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(uri);
        reject(new Error(`no diagnostics for ${file} within 20s; server said: ${this.stderr.slice(-2000)}`));
      }, 20_000);
      this.waiting.set(uri, (diagnostics) => {
        clearTimeout(timer);
        // closed again, so that the next test may open the same file afresh
        this.notify('textDocument/didClose', { textDocument: { uri } });
        resolve(diagnostics);
      });
      this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    });
  }

  /**
   * What the server offers to complete at `line` and `character` (0-based) of `text`, opened as `file`
   * (which need not exist: the modeline is read from `text`, relative to the file's folder). Each call
   * must use a file name of its own: a file is opened once.
   */
  async completions(file: string, text: string, line: number, character: number): Promise<CompletionItem[]> {
    const uri = pathToFileURL(file).href;
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const result = (await this.request('textDocument/completion', { textDocument: { uri }, position: { line, character } })) as
      | { items: CompletionItem[] }
      | CompletionItem[]
      | null;
    this.notify('textDocument/didClose', { textDocument: { uri } });
    return Array.isArray(result) ? result : (result?.items ?? []);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request('shutdown', null).catch(() => undefined);
    this.notify('exit', null);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  private request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ id, method, params });
    });
  }

  private notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  private send(message: Message): void {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    this.child.stdin?.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  /** Frames of `Content-Length: N\r\n\r\n` + N bytes of JSON. */
  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
      const start = headerEnd + 4;
      if (this.buffer.length < start + length) return;
      const message = JSON.parse(this.buffer.subarray(start, start + length).toString('utf8')) as Message;
      this.buffer = this.buffer.subarray(start + length);
      this.handle(message);
    }
  }

  private handle(message: Message): void {
    if (message.method && message.id !== undefined) {
      // a request of the server to its client: the settings, or registrations the client accepts
      const result =
        message.method === 'workspace/configuration'
          ? (message.params as { items: { section?: string }[] }).items.map((item) =>
              item.section ? ((SETTINGS as Record<string, unknown>)[item.section] ?? null) : SETTINGS,
            )
          : null;
      this.send({ id: message.id, result });
      return;
    }
    if (message.method === 'textDocument/publishDiagnostics') {
      const { uri, diagnostics } = message.params as { uri: string; diagnostics: Diagnostic[] };
      const waiter = this.waiting.get(uri);
      this.waiting.delete(uri);
      waiter?.(diagnostics);
      return;
    }
    if (message.id !== undefined) {
      const pending = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) pending?.reject(new Error(message.error.message));
      else pending?.resolve(message.result);
    }
  }
}
