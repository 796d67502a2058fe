import { asapScheduler, BehaviorSubject, defer, Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { ApiClientStatus, ConnectionStates, LogReaderStatus, NodeConnectionStates } from './connection-status.js';
import { keyedRecord } from '../keyed-record.js';
import { apiClientTransition, logReaderTransition, type ApiClientEvent, type LogReaderEvent } from './transitions.js';

/** The kinds of connection a node can have, as keyed in the connection map. */
export type Component = 'log_reader' | 'api_client';

interface ComponentTypes {
  readonly log_reader: { readonly status: LogReaderStatus; readonly event: LogReaderEvent };
  readonly api_client: { readonly status: ApiClientStatus; readonly event: ApiClientEvent };
}

type StatusOf<C extends Component> = ComponentTypes[C]['status'];
type EventOf<C extends Component> = ComponentTypes[C]['event'];

const REDUCERS: { readonly [C in Component]: (status: StatusOf<C>, event: EventOf<C>) => StatusOf<C> } = {
  log_reader: logReaderTransition,
  api_client: apiClientTransition,
};

/**
 * One applied transition, as seen on {@link ConnectionRegistry.transitions$}.
 *
 * @example
 * ```ts
 * registry.transitions$.subscribe(({ node, component, status }) => console.log(node, component, status.state));
 * ```
 */
export interface Transition {
  readonly node: string;
  readonly component: Component;
  readonly event: LogReaderEvent | ApiClientEvent;
  readonly status: LogReaderStatus | ApiClientStatus;
}

/**
 * A source added to the map ({@link ConnectionRegistry.track}) or taken out of it
 * ({@link ConnectionRegistry.remove}), as seen on {@link ConnectionRegistry.membership$}:
 * what followers of the registry (metrics, alerts, history) need to start and forget a
 * source. A source replaced by `track` is `tracked` again, never `removed`.
 *
 * @example
 * ```ts
 * registry.membership$.subscribe(({ type, node, component }) => console.log(type, node, component));
 * ```
 */
export interface MembershipChange {
  readonly type: 'tracked' | 'removed';
  readonly node: string;
  readonly component: Component;
  /** The source's status then: its initial one when tracked, its last one when removed. */
  readonly status: LogReaderStatus | ApiClientStatus;
}

/** Options of {@link ConnectionRegistry}. */
export interface ConnectionRegistryOptions {
  /** Where coalesced `states$` emissions are scheduled. Defaults to `asapScheduler` (same tick). */
  readonly scheduler?: SchedulerLike;
}

/** One tracked source; `live` goes false when it is removed, so its late events are ignored. */
interface Slot<C extends Component> {
  status: StatusOf<C>;
  live: boolean;
}

interface NodeSlots {
  log_reader?: Slot<'log_reader'>;
  api_client?: Slot<'api_client'>;
}

/**
 * The one map of every node's connection statuses (SPEC §3.4 shape), fed by sources
 * through the sinks that {@link ConnectionRegistry.track} returns and folded by the pure
 * reducers of `transitions.ts`.
 *
 * Cost at scale: a transition is O(1) (one reducer call, one slot write). A new
 * immutable snapshot (a shallow copy of the map with the changed nodes replaced) is
 * built at most once per scheduler tick while `states$` has subscribers, and otherwise
 * only when `snapshot()` is called. So 20,000 sources changing state in one tick cost
 * 20,000 reducer calls and one snapshot, and `states$` subscribers see one coalesced
 * update. Every single transition is still observable on `transitions$`.
 *
 * @example
 * ```ts
 * import { ConnectionRegistry, initialLogReaderStatus } from 'storj-monitor-rx';
 *
 * const registry = new ConnectionRegistry();
 * const report = registry.track('node1', 'log_reader', initialLogReaderStatus('10.0.0.2', 9001));
 * report({ type: 'connecting' });
 * registry.snapshot().node1?.log_reader?.state; // 'connecting'
 * registry.states$.subscribe((states) => render(states));
 * ```
 */
export class ConnectionRegistry {
  /** The current map on subscribe, then the map after each tick that changed it. */
  readonly states$: Observable<ConnectionStates>;
  /** Every event as it is applied (also those that leave the status as it was), uncoalesced. */
  readonly transitions$: Observable<Transition>;
  /** Every source added to or removed from the map, as it happens. */
  readonly membership$: Observable<MembershipChange>;

  private readonly nodes = new Map<string, NodeSlots>();
  private readonly dirtyNodes = new Set<string>();
  private readonly statesSubject = new BehaviorSubject<ConnectionStates>(keyedRecord());
  private readonly transitionsSubject = new Subject<Transition>();
  private readonly membershipSubject = new Subject<MembershipChange>();
  private readonly scheduler: SchedulerLike;
  private pendingFlush: Subscription | undefined;
  private latest: ConnectionStates = keyedRecord();

  constructor(options: ConnectionRegistryOptions = {}) {
    this.scheduler = options.scheduler ?? asapScheduler;
    this.states$ = defer(() => {
      this.flush();
      return this.statesSubject;
    });
    this.transitions$ = this.transitionsSubject.asObservable();
    this.membership$ = this.membershipSubject.asObservable();
  }

  /**
   * Adds a source to the map (replacing any earlier one of that node and component)
   * and returns the sink its events go to. The sink returns the source's status after
   * the event, so a source needs no fold of its own. Events of a replaced or removed
   * source still fold into the status the sink returns, but the map and `transitions$`
   * no longer show them.
   */
  track(node: string, component: 'log_reader', initial: LogReaderStatus): (event: LogReaderEvent) => LogReaderStatus;
  track(node: string, component: 'api_client', initial: ApiClientStatus): (event: ApiClientEvent) => ApiClientStatus;
  track<C extends Component>(node: string, component: C, initial: StatusOf<C>): (event: EventOf<C>) => StatusOf<C> {
    const slots = this.nodes.get(node) ?? {};
    const previous = slots[component];
    if (previous) previous.live = false;
    const slot: Slot<C> = { status: initial, live: true };
    (slots as { [K in C]?: Slot<C> })[component] = slot;
    this.nodes.set(node, slots);
    this.markDirty(node);
    if (this.membershipSubject.observed) this.membershipSubject.next({ type: 'tracked', node, component, status: initial });
    const reduce = REDUCERS[component] as (status: StatusOf<C>, event: EventOf<C>) => StatusOf<C>;
    return (event) => {
      const next = reduce(slot.status, event);
      const changed = next !== slot.status;
      slot.status = next;
      if (!slot.live) return next;
      if (changed) this.markDirty(node);
      if (this.transitionsSubject.observed) {
        this.transitionsSubject.next({ node, component, event, status: next });
      }
      return next;
    };
  }

  /** Removes one source of a node, or the whole node when `component` is omitted; each removed source is on `membership$`. */
  remove(node: string, component?: Component): void {
    const slots = this.nodes.get(node);
    if (!slots) return;
    for (const key of component ? [component] : (['log_reader', 'api_client'] as const)) {
      const slot = slots[key];
      if (!slot) continue;
      slot.live = false;
      delete slots[key];
      this.membershipSubject.next({ type: 'removed', node, component: key, status: slot.status });
    }
    if (!slots.log_reader && !slots.api_client) this.nodes.delete(node);
    this.markDirty(node);
  }

  /** The current map, synchronously, including changes not yet emitted on `states$`. */
  snapshot(): ConnectionStates {
    this.flush();
    return this.latest;
  }

  /** Completes `states$`, `transitions$` and `membership$`; later events are still folded into `snapshot()`. */
  complete(): void {
    this.flush();
    this.statesSubject.complete();
    this.transitionsSubject.complete();
    this.membershipSubject.complete();
  }

  /**
   * Nobody watching `states$`: nothing is built until `snapshot()` asks, so a quiet
   * registry of many nodes costs O(1) per transition and no snapshots at all.
   */
  private markDirty(node: string): void {
    this.dirtyNodes.add(node);
    if (this.statesSubject.observed) this.pendingFlush ??= this.scheduler.schedule(() => this.flush());
  }

  /** Builds the next immutable snapshot from the last one, copying only the changed nodes. */
  private flush(): void {
    this.pendingFlush?.unsubscribe();
    this.pendingFlush = undefined;
    if (this.dirtyNodes.size === 0) return;
    const next = Object.assign(keyedRecord<NodeConnectionStates>(), this.latest);
    for (const node of this.dirtyNodes) {
      const slots = this.nodes.get(node);
      if (slots) next[node] = nodeStates(slots);
      else delete next[node];
    }
    this.dirtyNodes.clear();
    this.latest = next;
    this.statesSubject.next(next);
  }
}

function nodeStates(slots: NodeSlots): NodeConnectionStates {
  if (slots.log_reader && slots.api_client) {
    return { log_reader: slots.log_reader.status, api_client: slots.api_client.status };
  }
  if (slots.log_reader) return { log_reader: slots.log_reader.status };
  return slots.api_client ? { api_client: slots.api_client.status } : {};
}
