import type { Rule } from 'eslint';

export const importBoundaries: Rule.RuleModule;
