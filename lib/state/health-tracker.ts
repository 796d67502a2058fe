import {
  asapScheduler,
  asyncScheduler,
  auditTime,
  defer,
  distinctUntilChanged,
  map,
  merge,
  of,
  Subject,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { requireInteger } from '../validate.js';
import type { ConnectionStates, NodeConnectionStates } from './connection-status.js';
import { DEFAULT_LAST_PINGED_STALE_MS, nodeVerdict, type HealthMap, type NodeHealth, type NodeHealthInput, type SatelliteContact } from './node-verdict.js';
import type { Component, ConnectionRegistry, Transition } from './registry.js';
import {
  reputationAlertsBetween,
  reputationThresholds,
  reputationWarnings,
  type ReputationAlert,
  type ReputationThresholds,
  type ReputationWarning,
  type SatelliteScores,
} from './reputation.js';

/**
 * One reading of a node's per-satellite scores (`GET /api/sno/satellites` `audits`).
 *
 * @example
 * ```ts
 * tracker.record({ node: 'node1', satellites: [{ satellite: 'us1.storj.io:7777', audit: 1, suspension: 1, online: 0.97 }] });
 * ```
 */
export interface NodeReputation {
  readonly node: string;
  readonly satellites: readonly SatelliteScores[];
}

/** Options of {@link NodeHealthTracker}. */
export interface NodeHealthTrackerOptions {
  /** Warning thresholds per score. Defaults to `REPUTATION_WARNING_THRESHOLDS` (audit 0.99, suspension 0.9, online 0.9). */
  readonly reputationThresholds?: Partial<ReputationThresholds>;
  /** `lastPinged` older than this is stale, in ms. Defaults to 7200000 (2 h). */
  readonly lastPingedStaleMs?: number;
  /** The clock of the verdicts. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Where changes are coalesced before `health$` emits. Defaults to `asapScheduler` (same tick). */
  readonly coalesceScheduler?: SchedulerLike;
}

/** What a node's verdict is made of besides its statuses. */
interface NodeFacts {
  degradedReasons: Partial<Record<Component, string>>;
  contact: SatelliteContact | undefined;
  warnings: readonly ReputationWarning[];
  satellites: readonly SatelliteScores[];
  /** Something besides the statuses changed since the verdict was made. */
  dirty: boolean;
  /** The statuses the verdict was made from, and the verdict. */
  judged: NodeConnectionStates | undefined;
  health: NodeHealth | undefined;
}

/**
 * One verdict per node ({@link nodeVerdict}), kept up to date from a registry's
 * transitions (statuses, degradation reasons, the satellite contact of healthy health
 * checks) and the reputation readings given to {@link NodeHealthTracker.record}, which
 * also make the `reputation` and `reputation_recovered` alerts. A node's verdict is made
 * again only when something of it changed, so a big fleet costs little per check.
 *
 * @example
 * ```ts
 * const tracker = new NodeHealthTracker(registry);
 * tracker.health$.subscribe((health) => console.log(health.node1?.verdict, health.node1?.reasons));
 * tracker.alerts$.subscribe((alert) => console.log(alert.type, alert.satellite, alert.score));
 * ```
 */
export class NodeHealthTracker {
  /** The verdicts now, then after each tick that changed one. */
  readonly health$: Observable<HealthMap>;
  /** A score crossing its warning threshold, either way. */
  readonly alerts$: Observable<ReputationAlert>;

  private readonly facts = new Map<string, NodeFacts>();
  private readonly changes = new Subject<void>();
  private readonly alertsSubject = new Subject<ReputationAlert>();
  private readonly thresholds: ReputationThresholds;
  private readonly lastPingedStaleMs: number;
  private readonly scheduler: SchedulerLike;
  private readonly subscription: Subscription;
  private latest: HealthMap = {};
  /** The map `latest` was made from, and whether a reading or an event changed facts since. */
  private judgedStates: ConnectionStates | undefined;
  private factsChanged = true;

  constructor(
    private readonly registry: ConnectionRegistry,
    options: NodeHealthTrackerOptions = {},
  ) {
    this.thresholds = reputationThresholds(options.reputationThresholds);
    this.lastPingedStaleMs = requireInteger('lastPingedStaleMs', options.lastPingedStaleMs ?? DEFAULT_LAST_PINGED_STALE_MS, 1);
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.subscription = registry.transitions$.subscribe((transition) => this.apply(transition));
    this.health$ = defer(() => merge(of(undefined), this.changes.pipe(auditTime(0, options.coalesceScheduler ?? asapScheduler)))).pipe(
      map(() => this.snapshot()),
      distinctUntilChanged(),
    );
    this.alerts$ = this.alertsSubject.asObservable();
  }

  /** Takes a reading of a node's scores: its warnings now, and an alert per crossing. */
  record(reading: NodeReputation): void {
    const facts = this.factsOf(reading.node);
    const warnings = reputationWarnings(reading.satellites, this.thresholds);
    const alerts = reputationAlertsBetween(reading.node, facts.warnings, warnings, reading.satellites, this.thresholds);
    facts.warnings = warnings;
    facts.satellites = reading.satellites;
    facts.dirty = this.factsChanged = true;
    this.changes.next();
    for (const alert of alerts) this.alertsSubject.next(alert);
  }

  /** Each node's latest per-satellite scores (what `storj_monitor_satellite_score` shows). */
  scores(): ReadonlyMap<string, readonly SatelliteScores[]> {
    return new Map([...this.facts].filter(([, facts]) => facts.satellites.length > 0).map(([node, facts]) => [node, facts.satellites]));
  }

  /** Every node's verdict now, synchronously; the same object as long as none changed. */
  snapshot(): HealthMap {
    const states = this.registry.snapshot();
    if (states === this.judgedStates && !this.factsChanged) return this.latest;
    this.judgedStates = states;
    this.factsChanged = false;
    const now = this.scheduler.now();
    let changed = Object.keys(this.latest).length !== Object.keys(states).length;
    const next: Array<[string, NodeHealth]> = [];
    for (const [node, statuses] of Object.entries(states)) {
      const facts = this.factsOf(node);
      let health = facts.health;
      if (facts.dirty || facts.judged !== statuses || health === undefined) {
        const judged = this.judge(statuses, facts, now);
        // The same verdict keeps its object, so that an unchanged map stays the same map.
        if (health === undefined || !sameHealth(judged, health)) health = facts.health = judged;
        facts.judged = statuses;
        facts.dirty = false;
      }
      changed ||= this.latest[node] !== health;
      next.push([node, health]);
    }
    for (const node of this.facts.keys()) if (!Object.hasOwn(states, node)) this.facts.delete(node);
    // fromEntries defines own properties, so a node named `__proto__` is a node like any other.
    if (changed) this.latest = Object.fromEntries(next);
    return this.latest;
  }

  /** Stops following the registry; `health$` and `alerts$` complete. */
  stop(): void {
    this.subscription.unsubscribe();
    this.changes.complete();
    this.alertsSubject.complete();
  }

  private apply({ node, component, event }: Transition): void {
    // Counted lines and the time of the last request never change a verdict.
    if (event.type === 'lines_received' || event.type === 'lines_dropped' || event.type === 'request_succeeded') return;
    const facts = this.factsOf(node);
    if (event.type === 'degradation') {
      if (event.reason === null) delete facts.degradedReasons[component];
      else facts.degradedReasons[component] = event.reason;
      facts.dirty = this.factsChanged = true;
    } else if (event.type === 'health_checked' && event.contact) {
      facts.contact = event.contact;
      facts.dirty = this.factsChanged = true;
    }
    this.changes.next();
  }

  private judge(statuses: NodeConnectionStates, facts: NodeFacts, now: number): NodeHealth {
    // Each field by name, not a spread with new keys (a hidden class per object: see
    // `withFields`): a node is judged again in the first snapshot after each of its health checks.
    const input: NodeHealthInput = {
      log_reader: statuses.log_reader,
      api_client: statuses.api_client,
      degradedReasons: facts.degradedReasons,
      contact: facts.contact,
      warnings: facts.warnings,
    };
    return nodeVerdict(input, now, this.lastPingedStaleMs);
  }

  private factsOf(node: string): NodeFacts {
    let facts = this.facts.get(node);
    if (!facts) {
      facts = { degradedReasons: {}, contact: undefined, warnings: [], satellites: [], dirty: true, judged: undefined, health: undefined };
      this.facts.set(node, facts);
    }
    return facts;
  }
}

function sameHealth(a: NodeHealth, b: NodeHealth | undefined): boolean {
  return b !== undefined && a.verdict === b.verdict && a.reasons.length === b.reasons.length && a.reasons.every((reason, index) => reason === b.reasons[index]);
}
