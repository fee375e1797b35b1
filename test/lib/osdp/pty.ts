// A pseudo-terminal pair made with socat, for tests and the bench: two device paths wired together.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface PtyPair {
  a: string;
  b: string;
  close(): Promise<void>;
}

/** True when socat is on the PATH. */
export function haveSocat(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Starts `socat pty pty`; resolves once both links exist. */
export async function ptyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(path.join(tmpdir(), 'osdp-pty-'));
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const child: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const onExit = (): void => reject(new Error(`socat exited: ${stderr}`));
    child.once('exit', onExit);
    child.stderr?.on('data', () => {
      if (/starting data transfer loop/.test(stderr) && existsSync(a) && existsSync(b)) {
        child.off('exit', onExit);
        resolve();
      }
    });
  });
  return {
    a,
    b,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          rmSync(dir, { recursive: true, force: true });
          return resolve();
        }
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
