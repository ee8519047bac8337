import type { Matrix } from './matrix.ts';
import type { TreeEnsemble } from './tree/tree.ts';

/** The ten kinds of the pool. The names are stable: they are stored on runs and model versions. */
export const CLASSIFIER_KINDS = [
  'RandomForest',
  'SupportVectorMachine',
  'XGBoost',
  'HistGradientBoosting',
  'AdaBoost',
  'Ridge',
  'KNeighbors',
  'MLP',
  'LightGBM',
  'NeuralNet',
] as const;
export type ClassifierKind = (typeof CLASSIFIER_KINDS)[number];

/** The eight kinds scikit-learn also has (used by the benchmark). */
export const SKLEARN_KINDS: readonly ClassifierKind[] = [
  'RandomForest', 'SupportVectorMachine', 'XGBoost', 'HistGradientBoosting', 'AdaBoost', 'Ridge', 'KNeighbors', 'MLP',
];

/**
 * Models assembled from fitted pool members rather than fitted themselves: a probability calibration around a model,
 * and a soft-voting ensemble of models. They are stored and loaded like any classifier.
 */
export const COMPOSITE_KINDS = ['Calibrated', 'Ensemble'] as const;
export type CompositeKind = (typeof COMPOSITE_KINDS)[number];
/** Every kind a stored model can have. */
export type ModelKind = ClassifierKind | CompositeKind;

export function isClassifierKind(value: unknown): value is ClassifierKind {
  return typeof value === 'string' && (CLASSIFIER_KINDS as readonly string[]).includes(value);
}

/** JSON-safe hyper-parameters. */
export type Params = Record<string, string | number | boolean | null>;

export interface FitOptions {
  /** Seed for every random choice (bootstrap, feature sampling, weight init, shuffles). */
  readonly seed: number;
  /** Per-class weights, e.g. balanced n/(2*n_class). When absent the classifier applies its own default. */
  readonly classWeight?: { readonly 0: number; readonly 1: number };
  /** Per-row weights, multiplied with class weights. */
  readonly sampleWeight?: Float64Array;
}

/** What a classifier serialises to. `state` must be JSON-safe (numbers, strings, arrays, plain objects). */
export interface ClassifierState {
  readonly kind: ModelKind;
  readonly params: Params;
  readonly state: unknown;
}

export interface Classifier {
  readonly kind: ModelKind;
  readonly params: Readonly<Params>;
  fit(X: Matrix, y: Uint8Array, options: FitOptions): Promise<void>;
  /** P(class 1) for each row. */
  predictProba(X: Matrix): Float64Array;
  /**
   * 0/1 decisions used for the seed's metrics: P(1) > 0.5 strictly, except Ridge, which uses the sign of
   * its decision function (the seed scored Ridge with its own `predict`).
   */
  predict(X: Matrix): Uint8Array;
  toJSON(): ClassifierState;
  /** Tree-based kinds expose their trees so TreeSHAP can read them. */
  treeEnsemble?(): TreeEnsemble;
}

export interface ClassifierFactory {
  readonly kind: ClassifierKind;
  readonly defaultParams: Readonly<Params>;
  create(params?: Partial<Params>): Classifier;
  fromJSON(state: ClassifierState): Classifier;
}

/** Default decision rule shared by every kind but Ridge. */
export function thresholdProba(p: Float64Array): Uint8Array {
  const out = new Uint8Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = p[i]! > 0.5 ? 1 : 0;
  return out;
}

/** Balanced class weights, scikit-learn's n_samples / (n_classes * count(class)). */
export function balancedClassWeight(y: Uint8Array): { 0: number; 1: number } {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i]!;
  const neg = y.length - pos;
  return { 0: neg > 0 ? y.length / (2 * neg) : 1, 1: pos > 0 ? y.length / (2 * pos) : 1 };
}

/** Combines class weights and optional per-row weights into one weight per row. */
export function rowWeights(y: Uint8Array, options: FitOptions, defaultBalanced: boolean): Float64Array {
  const cw = options.classWeight ?? (defaultBalanced ? balancedClassWeight(y) : { 0: 1, 1: 1 });
  const w = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) w[i] = (y[i] ? cw[1] : cw[0]) * (options.sampleWeight ? options.sampleWeight[i]! : 1);
  return w;
}
