// Weekly compliance report: figures, rendering, the activities the weekly workflow calls and its Schedule.
export * from './complianceFigures';
export * from './complianceReportActivities';
export * from './renderComplianceReport';
export * from './loadReportData';
export * from './printLatest';
export * from './schedule';
export { loadSatisfactionFigures } from './loadSatisfactionData';
export { renderSatisfactionText } from './renderSatisfaction';
