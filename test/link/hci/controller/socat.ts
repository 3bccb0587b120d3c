/** Whether socat can be run here (tests that need pty pairs skip without it). */
import { spawnSync } from 'node:child_process';

export function socatAvailable(): boolean {
  const probe = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}
