// The wire contract shared by the relay and the browser. Import from here, never redefine.
export * from './version.js';
export * from './limits.js';
export * from './errors.js';
export * from './auth.js';
export * from './jobs.js';
export * from './leases.js';
export * from './accounts.js';
export * from './health.js';
export * from './stakes.js';
export * from './ledger.js';
export * from './trust.js';
export * from './verification.js';
export * from './disputes.js';
export * from './devices.js';
export * from './training.js';
export * from './mesh-mailbox.js';
export * from './signalling.js';
