/** A progress bar on stderr for long CLI work; plain periodic lines when stderr is not a terminal (CI, pipes). */
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number, label: string): void;
  update(done: number, label: string): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const bar = new cliProgress.SingleBar(
    { stream, format: '{bar} {value}/{total} {label} ({duration_formatted})', noTTYOutput: true, notTTYSchedule: 5000, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, label) => bar.start(total, 0, { label }),
    update: (done, label) => bar.update(done, { label }),
    stop: () => bar.stop(),
  };
}
