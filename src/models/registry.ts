/**
 * Kind → factory for the pool. The pipeline, the artifact loader and the CLI only go through here, so adding a
 * classifier kind means one new file plus one line below.
 */
import { CLASSIFIER_KINDS, type Classifier, type ClassifierFactory, type ClassifierKind, type ClassifierState, type Params, isClassifierKind } from './classifier.ts';
import { randomForestFactory } from './random-forest.ts';
import { supportVectorMachineFactory } from './svm.ts';
import { xgboostFactory } from './xgboost.ts';
import { histGradientBoostingFactory } from './hist-gradient-boosting.ts';
import { adaBoostFactory } from './adaboost.ts';
import { ridgeFactory } from './ridge.ts';
import { kNeighborsFactory } from './knn.ts';
import { mlpFactory } from './mlp.ts';
import { lightGbmFactory } from './lightgbm.ts';
import { neuralNetFactory } from './neural-net.ts';
import { calibratedFromJSON, ensembleFromJSON } from './composite.ts';

const FACTORIES: Record<ClassifierKind, ClassifierFactory> = {
  RandomForest: randomForestFactory,
  SupportVectorMachine: supportVectorMachineFactory,
  XGBoost: xgboostFactory,
  HistGradientBoosting: histGradientBoostingFactory,
  AdaBoost: adaBoostFactory,
  Ridge: ridgeFactory,
  KNeighbors: kNeighborsFactory,
  MLP: mlpFactory,
  LightGBM: lightGbmFactory,
  NeuralNet: neuralNetFactory,
};

export function factoryFor(kind: ClassifierKind): ClassifierFactory {
  return FACTORIES[kind];
}

export function createClassifier(kind: ClassifierKind, params?: Partial<Params>): Classifier {
  return FACTORIES[kind].create(params);
}

export function classifierFromState(state: ClassifierState): Classifier {
  if (state.kind === 'Calibrated') return calibratedFromJSON(state, classifierFromState);
  if (state.kind === 'Ensemble') return ensembleFromJSON(state, classifierFromState);
  if (!isClassifierKind(state.kind)) throw new Error(`Unknown classifier kind "${String(state.kind)}" in artifact`);
  return FACTORIES[state.kind].fromJSON(state);
}

/**
 * Parses a user's list of kinds (case-insensitive, e.g. "rf,svm,XGBoost"). Short aliases save typing on the CLI.
 * Throws with the list of valid names on an unknown entry.
 */
const ALIASES: Record<string, ClassifierKind> = {
  rf: 'RandomForest', svm: 'SupportVectorMachine', svc: 'SupportVectorMachine', xgb: 'XGBoost', hgb: 'HistGradientBoosting',
  histgb: 'HistGradientBoosting', ada: 'AdaBoost', knn: 'KNeighbors', lgbm: 'LightGBM', lightgbm: 'LightGBM', nn: 'NeuralNet',
};

export function parseClassifierKinds(list: readonly string[]): ClassifierKind[] {
  const out: ClassifierKind[] = [];
  for (const raw of list) {
    const key = raw.trim().toLowerCase();
    if (!key) continue;
    const kind = ALIASES[key] ?? CLASSIFIER_KINDS.find((k) => k.toLowerCase() === key);
    if (!kind) throw new Error(`Unknown classifier "${raw}". Valid: ${CLASSIFIER_KINDS.join(', ')}`);
    if (!out.includes(kind)) out.push(kind);
  }
  return out;
}
