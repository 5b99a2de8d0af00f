// The public surface of the reports: the timeline picture, the HTML report of a
// run, the campaign summary page, and the CLI's writers.
export { buildTimelineModel, LEASE_OUTCOMES, type LeaseBar, type LeaseOutcome, type TimelineModel } from './timeline-model.ts';
export { buildTimelineParts, renderTimelineSvg, type TimelineOptions } from './timeline-svg.ts';
export { renderHtmlReport, type HtmlReportInput, type ReportRun } from './html-report.ts';
export { renderCampaignHtml, summarizeCampaign, type CampaignSummary } from './campaign-html.ts';
export { deriveResourceKeys } from './resource-keys.ts';
export { reportPathsProblem, runsFromShrink, selectRun, seedReportPath, writeCampaignReports, writeRunReports, type RunsToReport } from './cli-reports.ts';
export { reportPathProblem, writeFileAtomic, ReportPathError } from './write.ts';
