import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { MeshMailboxes } from './mesh/mailboxes.js';
import { Signalling } from './mesh/signalling.js';
import { API_PREFIX } from '../src/lib/protocol/version.js';
import { NonceCache } from './auth/nonce-cache.js';
import type { RelayConfig } from './config.js';
import type { RelayContext } from './context.js';
import { JobEvents } from './events/job-events.js';
import { allowedOrigins } from './origins.js';
import { loadAppRoutes } from './app-routes.js';
import { DomainError } from './domain-error.js';
import { mountRoutes } from './api/mount-routes.js';
import { openDb } from './store/open-db.js';
import { startMaintenance } from './store/maintenance.js';
import { startUnstakeReleaser } from './ledger/unstake-releaser.js';
import { startReconciler } from './ledger/reconciler.js';
import { startDisputeSweeper } from './disputes/dispute-sweeper.js';
import { SubmissionBatcher } from './tasks/submission-batcher.js';
import { Presence } from './tasks/presence.js';
import { openFsBlobStore } from './blobs/fs-blob-store.js';
import { refusalOf, sendError } from './api/send-error.js';
import { RelayLimiter } from './limits/relay-limiter.js';
import { dbBlobStore } from './blobs/db-blob-store.js';

export interface Relay {
	ctx: RelayContext;
	server: Server;
	url: string;
	close(): Promise<void>;
}

/** How long shutdown waits for in-flight requests before cutting connections. */
const SHUTDOWN_GRACE_MS = 5_000;

/**
 * The built PWA. Mounted after the API and signalling, so only the app's files are compressed
 * (gzip or brotli as the browser asks; Lighthouse counted 110+ KiB saved on a first visit), never
 * an event stream.
 */
function mountStatic(app: express.Express, dir: string): void {
	app.use(compression());
	app.use(
		express.static(dir, {
			index: 'index.html',
			setHeaders(res, file) {
				// The service worker and the shell must revalidate so updates reach installed apps.
				if (/(sw\.js|workbox-[^/]*\.js|index\.html|manifest\.webmanifest)$/.test(file)) res.setHeader('cache-control', 'no-cache');
				else if (file.includes(`${join('_app', 'immutable')}`)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
			}
		})
	);
	// Client-side routes get the app shell; a path no page matches gets it with a 404 status.
	const isAppPage = loadAppRoutes(dir);
	app.get(/^(?!\/api\/|\/peerjs).*/, (req, res) =>
		res
			.status(isAppPage(req.path) ? 200 : 404)
			.setHeader('cache-control', 'no-cache')
			.sendFile(join(dir, 'index.html'))
	);
}

/** Starts the relay: API, live events, PeerJS signalling and the PWA, all on one port. */
export async function startRelay(config: RelayConfig): Promise<Relay> {
	const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
	const blobs = db.kind === 'pglite' && config.dataDir ? await openFsBlobStore(join(config.dataDir, 'blobs'), db, (m) => console.error(`[relay] ${m}`)) : dbBlobStore(db);
	const ctx = { config, db, blobs, events: new JobEvents(), nonces: new NonceCache({ perKeyMax: config.limits.noncesPerKey }), limiter: new RelayLimiter(config.limits), mailboxes: new MeshMailboxes(), presence: new Presence(), startedAt: Date.now() } as RelayContext;
	ctx.submissions = new SubmissionBatcher(ctx);
	const maintenance = startMaintenance(db, (m) => console.error(`[relay] ${m}`));
	ctx.maintenance = maintenance;
	const releaser = startUnstakeReleaser(db, (m) => console.error(`[relay] ${m}`));
	const disputes = startDisputeSweeper(ctx, (m) => console.error(`[relay] ${m}`));
	ctx.reconciler = startReconciler(db, config.reconcileIntervalMs, (m) => console.error(`[relay] ${m}`));
	const app = express();
	app.disable('x-powered-by');
	const server = createServer(app);
	// Upgraded sockets (PeerJS signalling) are not closed by server.close(): track them for shutdown.
	const upgraded = new Set<Duplex>();
	server.on('upgrade', (_req, socket: Duplex) => {
		upgraded.add(socket);
		socket.once('close', () => upgraded.delete(socket));
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	const origins = allowedOrigins(config.publicOrigin, config.host, port);

	mountRoutes(app, ctx, origins);
	app.use(API_PREFIX, (req, _res, next) => next(new DomainError('not_found', `no API route ${req.method} ${req.originalUrl}`)));
	const signalling = new Signalling({ server, origins, nonces: ctx.nonces, startedAt: ctx.startedAt, trustProxy: config.trustProxy, socketsMax: config.signalSocketsMax, socketsPerAddressMax: config.signalSocketsPerAddressMax });
	signalling.mount(app);
	if (config.staticDir && existsSync(join(config.staticDir, 'index.html'))) mountStatic(app, config.staticDir);
	else app.get('/', (_req, res) => res.type('text').send('Mycelia relay: the PWA is not built (run `npm run build`).'));
	app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
		if (res.headersSent) return void res.end();
		sendError(res, refusalOf(err));
	});

	const displayHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
	let closing: Promise<void> | null = null;
	return {
		ctx,
		server,
		url: `http://${displayHost.includes(':') ? `[${displayHost}]` : displayHost}:${port}`,
		close() {
			closing ??= (async () => {
				ctx.events.closeAll();
				ctx.mailboxes.closeAll();
				signalling.close();
				const closed = new Promise<void>((resolve) => server.close(() => resolve()));
				for (const socket of upgraded) socket.destroy();
				server.closeIdleConnections();
				const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
				await closed;
				clearTimeout(timer);
				await maintenance.stop();
				await releaser.stop();
				await disputes.stop();
				await ctx.reconciler.stop();
				await db.close();
			})();
			return closing;
		}
	};
}
