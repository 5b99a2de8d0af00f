// The guarded adapter: the engine author's adapter with every call put under the
// watchdog and every answer the simulator does not already validate checked with
// zod. The simulator validates session results itself (sim/recording-session.ts);
// what is left is the session's shape, the rows of observe() and the ids of
// checkState(), and the time every call may take. A fault becomes an
// AdapterError naming the operation: "adapter error", exit 3, no verdict.
//
// Wrapping adds no scheduling point and draws nothing, so a guarded run has the
// same trace hash as an unguarded one (test/conformance/guard.test.ts).
import { z } from 'zod';
import type { Database, Queryable, QueryResult, Statement } from '../src/db/database.ts';
import { formatPath } from '../spec/parse.ts';
import { StateSchema, type State, type StateContext } from '../spec/state.ts';
import type { EngineAdapter, EngineSession, ProcessContext } from '../sim/adapter/contract.ts';
import { AdapterError } from '../sim/errors.ts';
import { currentBudget, withDeadline, withOwnTimeBudget, type OperationBudget } from './watchdog.ts';

export interface GuardOptions {
  /** Limit on one adapter call, ms of real time. */
  timeoutMs: number;
  /**
   * 'own-time' (simulated lane): session calls are charged only for the time the
   * adapter's code runs, not for waiting on the scheduler. 'real-time'
   * (Postgres lane): everything counts, database waits included.
   */
  budget: 'own-time' | 'real-time';
}

/** Schema and migration work (install, reset, setup) gets this many times the per-call limit. */
const SCHEMA_WORK_FACTOR = 6;

const SESSION_METHODS = ['startup', 'enqueue', 'claim', 'heartbeat', 'complete', 'fail', 'release', 'reap', 'shutdown'] as const;
const OPTIONAL_SESSION_METHODS = ['tryCompleteGroup', 'sanitize'] as const;
type SessionMethod = (typeof SESSION_METHODS)[number] | (typeof OPTIONAL_SESSION_METHODS)[number];

const CheckStateResultSchema = z.array(z.string());

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A thrown error as an AdapterError of `operation` (kept as is when it already is one). */
function asAdapterError(operation: string, error: unknown): AdapterError {
  if (error instanceof AdapterError) return error;
  return new AdapterError(operation, `it threw: ${message(error)}`, { cause: error });
}

function malformed(operation: string, raw: unknown, error: z.ZodError): AdapterError {
  const issue = error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? '(result)' : formatPath('result', issue.path);
  const shown = JSON.stringify(raw)?.slice(0, 200) ?? String(raw);
  return new AdapterError(operation, `it returned ${shown}, which does not fit the contract at ${path}: ${issue?.message ?? 'invalid'}`);
}

export function guardAdapter(adapter: EngineAdapter, options: GuardOptions): EngineAdapter {
  const { timeoutMs } = options;
  const schemaMs = timeoutMs * SCHEMA_WORK_FACTOR;
  const guarded: EngineAdapter = {
    name: adapter.name,
    capabilities: adapter.capabilities,
    // A declaration, not a call: nothing to guard.
    ...(adapter.retryBackoffMaxMs === undefined ? {} : { retryBackoffMaxMs: adapter.retryBackoffMaxMs }),
    // The harness wraps what install and reset throw; only the deadline is added here.
    install: (db) => withDeadline('install', schemaMs, () => adapter.install(db)),
    async setup(db, now, world) {
      try {
        await withDeadline('setup', schemaMs, () => adapter.setup(db, now, world));
      } catch (error) {
        throw asAdapterError('setup', error);
      }
    },
    async open(ctx: ProcessContext) {
      const timed: ProcessContext = options.budget === 'own-time' ? { ...ctx, db: new BudgetPausingDatabase(ctx.db) } : ctx;
      const call = options.budget === 'own-time' ? withOwnTimeBudget : withDeadline;
      let session: unknown;
      try {
        session = await call('open', timeoutMs, () => adapter.open(timed));
      } catch (error) {
        throw asAdapterError('open', error);
      }
      return guardSession(checkSessionShape(session), options);
    },
  };
  const reset = adapter.reset;
  if (reset !== undefined) guarded.reset = (db) => withDeadline('reset', schemaMs, () => reset.call(adapter, db));
  const observe = adapter.observe;
  if (observe !== undefined) {
    guarded.observe = async (db: Database, now: number): Promise<State> => {
      let raw: unknown;
      try {
        raw = await withDeadline('observe', timeoutMs, () => observe.call(adapter, db, now));
      } catch (error) {
        throw asAdapterError('observe', error);
      }
      const parsed = StateSchema.safeParse(raw);
      if (!parsed.success) throw malformed('observe', raw, parsed.error);
      return parsed.data;
    };
  }
  const checkState = adapter.checkState;
  if (checkState !== undefined) {
    guarded.checkState = async (db: Database, now: number, context: StateContext): Promise<string[]> => {
      let raw: unknown;
      try {
        raw = await withDeadline('checkState', timeoutMs, () => checkState.call(adapter, db, now, context));
      } catch (error) {
        throw asAdapterError('checkState', error);
      }
      const parsed = CheckStateResultSchema.safeParse(raw);
      if (!parsed.success) throw malformed('checkState', raw, parsed.error);
      return parsed.data;
    };
  }
  const unchangedBy = adapter.unchangedBy;
  if (unchangedBy !== undefined) {
    // Synchronous and pure: no deadline, but a throw or a non-boolean is the adapter's error, not a skipped check.
    guarded.unchangedBy = (statements, context) => {
      let raw: unknown;
      try {
        raw = unchangedBy.call(adapter, statements, context);
      } catch (error) {
        throw asAdapterError('unchangedBy', error);
      }
      if (typeof raw !== 'boolean') throw new AdapterError('unchangedBy', `it returned ${JSON.stringify(raw) ?? String(raw)}; unchangedBy() must return true or false`);
      return raw;
    };
  }
  return guarded;
}

function checkSessionShape(session: unknown): EngineSession {
  if (typeof session !== 'object' || session === null) {
    throw new AdapterError('open', `it returned ${JSON.stringify(session) ?? String(session)}; open() must return an EngineSession object`);
  }
  const methods = session as Record<string, unknown>;
  for (const name of SESSION_METHODS) {
    if (typeof methods[name] !== 'function') throw new AdapterError('open', `the session it returned has no method ${name}() (every EngineSession needs ${SESSION_METHODS.join(', ')})`);
  }
  for (const name of OPTIONAL_SESSION_METHODS) {
    const value = methods[name];
    if (value !== undefined && typeof value !== 'function') throw new AdapterError('open', `the session's ${name} is ${typeof value}; leave it out or make it a method`);
  }
  return session as EngineSession;
}

/** The same session with every call under the watchdog. Optional methods stay absent when the engine lacks them. */
function guardSession(session: EngineSession, options: GuardOptions): EngineSession {
  const call = options.budget === 'own-time' ? withOwnTimeBudget : withDeadline;
  const wrap = <M extends SessionMethod>(name: M) => {
    const method = session[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (method === undefined) return undefined;
    return (...args: unknown[]) => call(name, options.timeoutMs, () => method.apply(session, args));
  };
  const guarded: Record<string, unknown> = {};
  for (const name of [...SESSION_METHODS, ...OPTIONAL_SESSION_METHODS]) {
    const wrapped = wrap(name);
    if (wrapped !== undefined) guarded[name] = wrapped;
  }
  return guarded as unknown as EngineSession;
}

/**
 * The process's database with the watchdog's clock stopped while a call is in
 * flight (waiting for the turn is the scheduler's time, not the adapter's). The
 * body of a transaction is the adapter's code again, so the clock runs there
 * between its statements.
 */
class BudgetPausingDatabase implements Database {
  readonly kind: string;
  /** Forwarded: engines choose their statements by it, and a guarded run must issue exactly the statements an unguarded one does. */
  readonly singleSession: boolean | undefined;
  constructor(private readonly inner: Database) {
    this.kind = inner.kind;
    this.singleSession = inner.singleSession;
  }

  query<Row = Record<string, unknown>>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return waiting(currentBudget.getStore(), () => this.inner.query<Row>(statement, params));
  }

  exec(sql: string): Promise<void> {
    return waiting(currentBudget.getStore(), () => this.inner.exec(sql));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const budget = currentBudget.getStore();
    return waiting(budget, () =>
      this.inner.transaction(async (tx) => {
        budget?.waitEnd();
        try {
          return await fn({ query: (statement, params) => waiting(budget, () => tx.query(statement, params)) });
        } finally {
          budget?.waitBegin();
        }
      }),
    );
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

async function waiting<T>(budget: OperationBudget | undefined, run: () => Promise<T>): Promise<T> {
  if (budget === undefined) return run();
  budget.waitBegin();
  try {
    return await run();
  } finally {
    budget.waitEnd();
  }
}
