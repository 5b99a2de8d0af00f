// wf-sim/conformance: everything an engine author needs to hold an engine to
// wf-sim's invariants — the adapter contract (types and the zod schemas every
// answer is validated with), capabilities, the reference adapter as the worked
// example, the runner, the vitest suite and the reporters. The guide is
// docs/write-an-adapter.md.
export type {
  ClaimedJob,
  EngineAdapter,
  EngineSession,
  FailResult,
  GroupResult,
  JobSpec,
  LeaseRef,
  ProcessContext,
  ReapResult,
  SanitizeResult,
  ShutdownResult,
  StartupResult,
  WorldSetup,
} from '../sim/adapter/contract.ts';
export {
  AdapterShapeSchema,
  BooleanResultSchema,
  ClaimResultSchema,
  ClaimedJobSchema,
  EnqueueResultSchema,
  FailResultSchema,
  GroupResultSchema,
  JobSpecSchema,
  ReapResultSchema,
  SanitizeResultSchema,
  ShutdownResultSchema,
  StartupResultSchema,
} from '../sim/adapter/contract.ts';
export { loadAdapter, AdapterNotFoundError } from '../sim/adapter/load.ts';
export { AdapterError } from '../sim/errors.ts';
export { ALL_CAPABILITIES, CapabilitiesSchema, type Capabilities, type Capability } from '../spec/capabilities.ts';
export { StateSchema, type State, type StateContext, type JobState, type WorkerState, type LockState, type GroupState, type QueueState } from '../spec/state.ts';
export { CATALOG, INVARIANT_IDS, type InvariantId } from '../spec/catalog.ts';

export { referenceAdapter, createReferenceAdapter, ReferenceSession, snapshotToState, type ReferenceAdapterOptions } from './reference/adapter.ts';

export { runConformance, replayLine, SEEDS_DEFAULT, type ConformanceOptions } from './run-conformance.ts';
export { conformanceSuite, ConformanceFailure, type ConformanceSuiteOptions } from './vitest.ts';
export { runPostgresLane, countDamage, LaneEnvironmentError, REAL_TIME_TOLERANCE_MS, type PostgresLaneOptions, type PostgresLaneRun, type PostgresLaneFigures } from './postgres-lane.ts';
export { runSimulatedLane, type SimulatedLaneOptions, type SimulatedLaneRun } from './simulated-lane.ts';
export { guardAdapter, type GuardOptions } from './guard.ts';
export { OPERATION_TIMEOUT_MS_DEFAULT, OPERATION_TIMEOUT_ENV } from './watchdog.ts';
export { buildReport, EXIT_CODES, VERDICT_LABELS, type ConformanceReport, type InvariantRow, type InvariantVerdict, type SuiteVerdict, type LaneName } from './report.ts';
export { faultLine, type AdapterFault } from './adapter-fault.ts';
export type { SeedOutcome } from './seed-outcome.ts';
export { renderHuman, renderJson, renderJunit, renderHtml } from './reporters/index.ts';
export { conformanceCommand } from './cli.ts';
