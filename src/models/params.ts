/**
 * Validation shared by every classifier factory: hyper-parameters merged over the defaults, and the kind and state of
 * an artifact checked before a model is rebuilt from it. Errors name the kind and the offending field.
 */
import { z } from 'zod';
import type { ClassifierKind, ClassifierState, Params } from './classifier.ts';

/** Merges `params` over the defaults and validates them. */
export function parseParams<S extends z.ZodType<Params>>(
  kind: ClassifierKind, schema: S, defaults: Readonly<Params>, params: Partial<Params> | undefined,
): z.infer<S> {
  const parsed = schema.safeParse({ ...defaults, ...(params ?? {}) });
  if (!parsed.success) throw new Error(`${kind}: invalid parameters: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Checks that an artifact holds a model of `kind` and validates its state. */
export function parseArtifactState<S extends z.ZodType>(kind: ClassifierKind, state: ClassifierState, schema: S): z.infer<S> {
  if (state.kind !== kind) throw new Error(`${kind}: cannot load an artifact of kind ${state.kind}`);
  const parsed = schema.safeParse(state.state);
  if (!parsed.success) throw new Error(`${kind}: invalid artifact state: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
