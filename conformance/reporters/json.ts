// The JSON report: the report structure as is (conformance/report.ts documents
// every field), with a format version so CI scripts can rely on it.
import type { ConformanceReport } from '../report.ts';

export function renderJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
