// Worker threads do not inherit the parent's module hooks on Node 20, and `--import tsx` in execArgv runs too late
// for the worker's own entry file. This plain-JS entry registers tsx first, then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./train-worker.ts');
