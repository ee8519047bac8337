/** Saving and loading trained classifiers through the store's artifact format (checksummed, feature names checked). */
import type { Classifier, ClassifierState } from '../models/classifier.ts';
import { classifierFromState } from '../models/registry.ts';
import { decodeArtifact, encodeArtifact } from '../store/artifact-format.ts';
import type { ArtifactStore } from '../store/ports.ts';

/** A classifier's state in the artifact format, with the feature order it was trained on. */
export function encodeModel(state: ClassifierState, featureNames: readonly string[]): Uint8Array {
  return encodeArtifact({ kind: state.kind, params: state.params, featureNames: [...featureNames], state: state.state });
}

export async function saveModel(store: ArtifactStore, model: Classifier, featureNames: readonly string[]): Promise<string> {
  return store.putArtifact(encodeModel(model.toJSON(), featureNames), { kind: model.kind });
}

/**
 * Stores a trained pool member's model: the bytes a worker thread already encoded (with the dataset's feature names)
 * when there are some, so the model is neither loaded nor encoded again here.
 */
export async function saveMemberModel(store: ArtifactStore, member: { kind: string; model: Classifier; artifact?: Uint8Array }, featureNames: readonly string[]): Promise<string> {
  return member.artifact ? store.putArtifact(member.artifact, { kind: member.kind }) : saveModel(store, member.model, featureNames);
}

/** The classifier in an encoded artifact (checksum verified). */
export function decodeModel(bytes: Uint8Array, expectedFeatureNames?: readonly string[]): Classifier {
  const a = decodeArtifact(bytes, expectedFeatureNames ? { expectedFeatureNames: [...expectedFeatureNames] } : {});
  return classifierFromState({ kind: a.kind as Classifier['kind'], params: a.params as Classifier['params'], state: a.state });
}

/** Throws a clear error on a corrupt artifact or when its features differ from `expectedFeatureNames`. */
export async function loadModel(store: ArtifactStore, artifactId: string, expectedFeatureNames: readonly string[]): Promise<Classifier> {
  return decodeModel(await store.getArtifact(artifactId), expectedFeatureNames);
}
