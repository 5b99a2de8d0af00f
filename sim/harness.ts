// A harness owns one database for one adapter and runs seeds on it one after
// another: install once (a PGlite initdb costs ~2.5 s), reset between seeds
// (~7 ms), CHECKPOINT now and then because PGlite keeps its WAL in memory.
// One harness per thread; `--parallel N` makes N of them.
import { createPGliteDatabase, type PGliteDatabase } from '../src/db/pglite.ts';
import type { EngineAdapter } from './adapter/contract.ts';
import { AdapterError } from './errors.ts';
import { runSeed, type RunRequest, type RunResult } from './run.ts';

/** Seeds between two CHECKPOINTs: keeps PGlite's in-memory WAL (≈ +16 MB per 200 seeds) flat. */
const CHECKPOINT_EVERY_SEEDS = 200;

export class Harness {
  private db: PGliteDatabase | null = null;
  private dirty = false;
  private seedsSinceCheckpoint = 0;

  constructor(readonly adapter: EngineAdapter) {}

  async run(request: Omit<RunRequest, 'adapter' | 'db'>): Promise<RunResult> {
    const db = await this.database();
    this.dirty = true;
    this.seedsSinceCheckpoint += 1;
    return runSeed({ ...request, adapter: this.adapter, db });
  }

  async close(): Promise<void> {
    await this.db?.close();
    this.db = null;
  }

  private async database(): Promise<PGliteDatabase> {
    if (this.db !== null && this.dirty) {
      if (this.adapter.reset === undefined) {
        // Without a reset the only clean database is a new one.
        await this.db.close();
        this.db = null;
      } else {
        await guard('reset', () => this.adapter.reset!(this.db!));
        if (this.seedsSinceCheckpoint >= CHECKPOINT_EVERY_SEEDS) {
          await this.db.checkpoint();
          this.seedsSinceCheckpoint = 0;
        }
      }
    }
    if (this.db === null) {
      const db = await createPGliteDatabase();
      await guard('install', () => this.adapter.install(db));
      this.db = db;
    }
    this.dirty = false;
    return this.db;
  }
}

async function guard(operation: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    throw new AdapterError(operation, `it threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
