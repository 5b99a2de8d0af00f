// A FIFO mutex for the embedded database. PGlite is one Postgres session: two
// callers that each sent BEGIN would end up in ONE shared transaction, and a
// plain statement issued while another caller's transaction is open would run
// inside it. Every top-level call therefore holds this mutex for its duration.
//
// It sits on every statement's path, so the uncontended case allocates nothing
// beyond the caller's own promise (measured: a promise-chain mutex cost about
// as much as parsing the result).

export class Mutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#locked) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    } else {
      this.#locked = true;
    }
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  /** Hands the lock straight to the next waiter (FIFO), so no newcomer can overtake it. */
  #release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#locked = false;
    else next();
  }
}
