import type { Rule } from 'eslint';

export const BOUNDARIES: readonly { from: string; why: string; forbidden?: string[]; allowed?: string[]; skip?: (file: string) => boolean }[];
export function resolveImport(source: string, fromFile: string): string | null;
export function boundaryViolation(source: string, fromFile: string): string | null;
export const importBoundaries: Rule.RuleModule;
