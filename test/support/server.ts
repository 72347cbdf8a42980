import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The repository root (tests run from dist/test/...). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface RunningServer {
  port: number;
  process: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Resolves when the server exits by itself: its exit code, or the signal that killed it. */
  exit(): Promise<number | string | null>;
}

const running = new Set<ChildProcess>();
const dataDirs: string[] = [];
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** A new empty data directory, removed when the test process exits. */
export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sabot-test-'));
  dataDirs.push(dir);
  return join(dir, 'data');
}

/**
 * Starts `sabot serve` as a user would, on a free port, and resolves once it prints
 * its ready line. Extra arguments go to `serve`; without `--data-dir` it gets a new
 * temporary data directory (internal streams live there even with `--catalog`).
 */
export function startServer(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const where = args.includes('--data-dir') ? [] : ['--data-dir', tempDataDir()];
  const child = spawn(process.execPath, [`${repoRoot}bin/sabot.js`, 'serve', '--port', '0', ...where, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  // Once ready, a server does not keep the test process alive on its own, so a test that
  // fails before stopping it cannot hang the run: the exit handler kills it.
  const holdProcess = (hold: boolean) => {
    for (const handle of [child, child.stdout, child.stderr] as unknown as { ref?(): void; unref?(): void }[]) {
      if (hold) handle.ref?.();
      else handle.unref?.();
    }
  };
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => {
    running.delete(child);
    resolve(code ?? signal);
  }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not get ready in 20 s:\n${out}`));
    }, 20_000);
    const onData = () => {
      const m = /ready.*:(\d+)\s*$/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      holdProcess(false);
      resolve({
        port: Number(m[1]),
        process: child,
        output: () => out,
        stop: async () => {
          holdProcess(true);
          if (child.exitCode === null) child.kill('SIGTERM');
          const code = await exited;
          return typeof code === 'string' ? null : code;
        },
        exit: () => {
          holdProcess(true);
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${out}`));
    });
  });
}

/** Runs SQL on a server over a connection of its own, and returns the rows as arrays of text-decoded values. */
export async function sql(server: RunningServer, text: string): Promise<unknown[][]> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', database: 'd' });
  await c.connect();
  try {
    return (await c.query({ text, rowMode: 'array' })).rows;
  } finally {
    await c.end();
  }
}
