/**
 * Child process of the store bench's contention measurement: writes deployment records and a day of predictions
 * (40) into the embedded store in argv[2], as fast as it can, until killed; prints the number of deployments done.
 * A store-only writer: no training, so what it measures is contention on the store, not on the CPU.
 */
import { openEmbeddedStore } from '../src/store/embedded/embedded-store.ts';
import { benchArtifact, predictions, recordDeployment, SYMBOLS } from './store-records.ts';

const store = await openEmbeddedStore({ dataDir: process.argv[2]! });
const artifact = benchArtifact();
for (let i = 0; ; i++) {
  await recordDeployment(store, SYMBOLS[i % SYMBOLS.length]!, artifact, i % 2 === 0 ? 'uptrend' : 'downtrend');
  await store.savePredictions(predictions(1, Date.UTC(2030, 0, 1) + i * 86_400_000));
  process.stdout.write(`${i + 1}\n`);
}
