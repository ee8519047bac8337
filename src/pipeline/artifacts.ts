/** Saving and loading trained classifiers through the store's artifact format (checksummed, feature names checked). */
import type { Classifier, ClassifierState } from '../models/classifier.ts';
import { classifierFromState } from '../models/registry.ts';
import { decodeArtifact, encodeArtifact } from '../store/artifact-format.ts';
import type { ArtifactStore } from '../store/ports.ts';

/** A classifier's state in the artifact format, with the feature order it was trained on. */
export function encodeModel(state: ClassifierState, featureNames: readonly string[]): Uint8Array {
  return encodeArtifact({ kind: state.kind, params: state.params, featureNames: [...featureNames], state: state.state });
}

/**
 * Stores a model. `encoded` (from encodeModel with the same feature names) saves encoding it again here; it is
 * what worker threads hand back with each trained model.
 */
export async function saveModel(store: ArtifactStore, model: Classifier, featureNames: readonly string[], encoded?: Uint8Array): Promise<string> {
  return store.putArtifact(encoded ?? encodeModel(model.toJSON(), featureNames), { kind: model.kind });
}

/** Throws a clear error on a corrupt artifact or when its features differ from `expectedFeatureNames`. */
export async function loadModel(store: ArtifactStore, artifactId: string, expectedFeatureNames: readonly string[]): Promise<Classifier> {
  const bytes = await store.getArtifact(artifactId);
  const a = decodeArtifact(bytes, { expectedFeatureNames: [...expectedFeatureNames] });
  return classifierFromState({ kind: a.kind as Classifier['kind'], params: a.params as Classifier['params'], state: a.state });
}
