/**
 * A first-come, first-served async mutex. The embedded store runs every read-modify-write of one journal inside it,
 * so two concurrent calls (say, two registerVersion calls for the same model) can never both read "latest is 3" and
 * both write version 4.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn);
    // The next caller waits for this one to settle, whether it succeeded or failed.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
