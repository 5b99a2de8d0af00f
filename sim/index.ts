// The simulator's public surface (`wf-sim/sim`): run a seed or a campaign
// against any adapter, shrink a failure, replay a shrunk run, draw pictures.
export type { EngineAdapter, EngineSession, ProcessContext, EngineSettings, JobSpec, ClaimedJob, WorldSetup } from './adapter/contract.ts';
export { loadAdapter, AdapterNotFoundError } from './adapter/load.ts';
export { AdapterError } from './errors.ts';
export { runSeed, type RunRequest, type RunResult, type RunStats, type Outcome } from './run.ts';
export { Harness } from './harness.ts';
export { runCampaign, type CampaignRequest, type CampaignResult, type DeterminismCheck } from './campaign.ts';
export { shrinkRun, relevantLength, type ShrinkRequest, type ShrinkResult } from './shrink.ts';
export { encodeChoices, decodeChoices, ChoicesFormatError } from './choices-codec.ts';
export { streamsFromSeed, streamsFromChoices, SEED_MAX, type RecordedChoices, type Streams } from './random/choices.ts';
export { drawOptions, healBudgetFor, orphanBoundMs, type WorldOptions, type OptionOverrides, type QueueOption, type FaultRates } from './world/options.ts';
export { FAULT_KINDS, FAULT_DESCRIPTIONS, parseFaultSelection, type FaultKind, type FaultSelection } from './world/faults.ts';
export { EPOCH_MS } from './world/world.ts';
export { traceHash, traceLines } from './trace.ts';
export { eventLineCount, formatEvent, shrunkTimeline, textTimeline, type TimelineOptions } from './timeline-text.ts';
export * from './report/index.ts';
