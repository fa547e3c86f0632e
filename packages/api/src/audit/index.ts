export { type AuditOptions, audit, FINDING_KINDS, type Finding, type FindingKind } from './checks.ts';
export { fixFindings } from './fix.ts';
