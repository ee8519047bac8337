/** Saving and loading trained classifiers through the store's artifact format (checksummed, feature names checked). */
import type { Classifier } from '../models/classifier.ts';
import { classifierFromState } from '../models/registry.ts';
import { decodeArtifact, encodeArtifact } from '../store/artifact-format.ts';
import type { ArtifactStore } from '../store/ports.ts';

export async function saveModel(store: ArtifactStore, model: Classifier, featureNames: readonly string[]): Promise<string> {
  const s = model.toJSON();
  const bytes = encodeArtifact({ kind: s.kind, params: s.params, featureNames: [...featureNames], state: s.state });
  return store.putArtifact(bytes, { kind: s.kind });
}

/** Throws a clear error on a corrupt artifact or when its features differ from `expectedFeatureNames`. */
export async function loadModel(store: ArtifactStore, artifactId: string, expectedFeatureNames: readonly string[]): Promise<Classifier> {
  const bytes = await store.getArtifact(artifactId);
  const a = decodeArtifact(bytes, { expectedFeatureNames: [...expectedFeatureNames] });
  return classifierFromState({ kind: a.kind as Classifier['kind'], params: a.params as Classifier['params'], state: a.state });
}
