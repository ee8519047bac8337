import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { installSignalHandlers } from '../../jobs/scheduler.ts';

function harness() {
  const target = new EventEmitter();
  const exits: number[] = [];
  let onExit: () => void = () => {};
  const exited = new Promise<void>((resolve) => { onExit = resolve; });
  const exit = (code: number) => { exits.push(code); onExit(); };
  return { target, exits, exit, exited };
}

describe('installSignalHandlers', () => {
  test('SIGTERM runs the stop steps in order, then exits 0', async () => {
    const h = harness();
    const stopped: string[] = [];
    installSignalHandlers([
      async () => { await new Promise((r) => setTimeout(r, 20)); stopped.push('scheduler'); },
      async () => { stopped.push('http'); },
      async () => { stopped.push('store'); },
    ], { timeoutMs: 1000, exit: h.exit, target: h.target });
    h.target.emit('SIGTERM', 'SIGTERM');
    await h.exited;
    assert.deepEqual(stopped, ['scheduler', 'http', 'store'], 'the store closes last, after everything that writes to it');
    assert.deepEqual(h.exits, [0]);
  });

  test('a stop step that hangs cannot delay the exit past the deadline', async () => {
    const h = harness();
    installSignalHandlers([() => new Promise(() => {})], { timeoutMs: 100, exit: h.exit, target: h.target });
    const started = performance.now();
    h.target.emit('SIGINT', 'SIGINT');
    await h.exited;
    const ms = performance.now() - started;
    assert.deepEqual(h.exits, [1]);
    assert.ok(ms >= 90 && ms < 1000, `exited after ${ms} ms`);
  });

  test('a failing stop step does not skip the next ones, and exits 1', async () => {
    const h = harness();
    let otherDone = false;
    installSignalHandlers([
      async () => { throw new Error('store close failed'); },
      async () => { await new Promise((r) => setTimeout(r, 20)); otherDone = true; },
    ], { timeoutMs: 1000, exit: h.exit, target: h.target });
    h.target.emit('SIGTERM', 'SIGTERM');
    await h.exited;
    assert.deepEqual(h.exits, [1]);
    assert.ok(otherDone);
  });

  test('a second signal exits at once', async () => {
    const h = harness();
    installSignalHandlers([() => new Promise(() => {})], { timeoutMs: 60_000, exit: h.exit, target: h.target });
    h.target.emit('SIGTERM', 'SIGTERM');
    h.target.emit('SIGINT', 'SIGINT');
    await h.exited;
    assert.deepEqual(h.exits, [1]);
  });

  test('the returned function removes the handlers', () => {
    const h = harness();
    const uninstall = installSignalHandlers([], { timeoutMs: 100, exit: h.exit, target: h.target });
    assert.equal(h.target.listenerCount('SIGTERM'), 1);
    uninstall();
    assert.equal(h.target.listenerCount('SIGTERM'), 0);
    assert.equal(h.target.listenerCount('SIGINT'), 0);
  });
});

describe('a real process receiving SIGTERM', () => {
  const child = fileURLToPath(new URL('./fixtures/graceful-child.ts', import.meta.url));

  /** Starts the child, sends SIGTERM once its job runs, resolves with its exit code, output and shutdown time. */
  function runChild(mode: string): Promise<{ code: number | null; stdout: string; shutdownMs: number }> {
    return new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', child, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let signalledAt = 0;
      const guard = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`child did not finish; stderr: ${stderr}`)); }, 30_000);
      proc.stderr.on('data', (c) => { stderr += c; });
      proc.stdout.on('data', (c) => {
        stdout += c;
        if (!signalledAt && stdout.includes('READY\n')) {
          signalledAt = performance.now();
          proc.kill('SIGTERM');
        }
      });
      proc.on('exit', (code) => {
        clearTimeout(guard);
        resolve({ code, stdout, shutdownMs: performance.now() - signalledAt });
      });
    });
  }

  const records = (stdout: string) => JSON.parse(stdout.split('\n').find((l) => l.startsWith('[')) ?? 'null');

  test('a job that honours the abort: exit 0 quickly, run recorded ABANDONED', async () => {
    const { code, stdout, shutdownMs } = await runChild('cooperative');
    assert.equal(code, 0);
    assert.ok(shutdownMs < 1500, `took ${shutdownMs} ms`);
    assert.deepEqual(records(stdout), [{ status: 'ABANDONED', error: 'aborted by shutdown: the scheduler is stopping' }]);
  });

  test('a job that ignores the abort: abandoned after the scheduler timeout, still exit 0 within the bound', async () => {
    const { code, stdout, shutdownMs } = await runChild('stubborn');
    assert.equal(code, 0);
    assert.ok(shutdownMs >= 250 && shutdownMs < 1500, `took ${shutdownMs} ms`);
    assert.equal(records(stdout)[0].status, 'ABANDONED');
    assert.match(records(stdout)[0].error, /still running 300 ms after shutdown began/);
  });

  test('a stop step that hangs: exit 1 at the deadline', async () => {
    const { code, shutdownMs } = await runChild('hung-stop');
    assert.equal(code, 1);
    assert.ok(shutdownMs >= 1400 && shutdownMs < 3000, `took ${shutdownMs} ms`);
  });
});
