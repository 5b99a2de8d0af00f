// The reporters: human (chalk table), JSON, JUnit XML, HTML — all of one ConformanceReport.
export { renderHuman } from './human.ts';
export { renderJson } from './json.ts';
export { renderJunit } from './junit.ts';
export { renderHtml } from './html.ts';
export { escapeAttribute, escapeMarkup } from './escape.ts';
