/**
 * What an osdp-bus config node owns at runtime: one engine ControlPanel for its channel and PDs,
 * the link and per-PD state pushed to every node that uses the bus (SharedStatus), the events fanned
 * out to osdp-event nodes, and the requests of osdp-command nodes. Pure adapter: no bytes here.
 */
import {
  AbortedError, FieldlinkError, NotConnectedError, RejectedError, toFieldlinkError, withTimeout,
} from '../../../lib/common';
import {
  ControlPanel, CpSecureChannel, rotateKey, startFileTransfer, type ChannelOptions, type ControlPanelOptions, type CpEventRecord,
  type FileTransferHandle, type FileTxProgress, type LinkStatus, type OsdpEvent, type PdFlagName, type PdInfo,
} from '../../../lib/osdp';
import { SharedStatus, type LinkState } from '../../common/status';
import { pdIdToJson, replyToJson, type Request } from './commands';
import { findPd, type PdConfig } from './pds';

export interface BusOptions {
  channel: ChannelOptions;
  pollInterval: number;
  /** Milliseconds an offline PD waits before it is tried again. */
  offlineBackoff: number;
  pds: PdConfig[];
  /** Extra engine options (Secure Channel session factory, reconnect back-off). */
  engine?: Partial<ControlPanelOptions>;
  /** Deadline for one command in ms (default 30 s). */
  commandTimeout?: number;
  /** A PD got a new Secure Channel key by KEYSET (install-mode provisioning or a rotation): persist it. */
  onKeyChange?: (pd: PdConfig, key: Buffer) => void;
}

/** A file transfer's progress or outcome, reported to osdp-event nodes like the engine's events. */
export interface FileEvent {
  event: 'file';
  fileId: number;
  size: number;
  offset: number;
  percent: number;
  /** Set once the transfer ended: ok, ok-rebooting, aborted, unrecognised, invalid. */
  outcome?: string;
  error?: string;
}
export type BusEvent = OsdpEvent | FileEvent;

export type BusEventListener = (pd: PdConfig, event: BusEvent, time: number, info: PdInfo | undefined) => void;
export type ProgressListener = (progress: Record<string, unknown>) => void;

/** An error to show instead of a bus (bad configuration): every request fails with it. */
export class BrokenBus {
  readonly status = new SharedStatus();
  constructor(readonly error: FieldlinkError) {
    this.status.set('error', `config: ${error.message}`);
  }
}

export class OsdpBus {
  readonly cp: ControlPanel;
  readonly sc: CpSecureChannel;
  readonly pds: PdConfig[];
  private readonly transfers = new Set<FileTransferHandle>();
  /** All PDs together: "2/3 online", or the link state. */
  readonly status = new SharedStatus();
  private readonly pdStatus = new Map<string, SharedStatus>();
  private readonly listeners = new Set<BusEventListener>();
  private link: LinkStatus | undefined;
  private readonly commandTimeout: number;
  private closed = false;
  /** PDs the CP has tried at least once (before that, 'offline' just means 'not started yet'). */
  private readonly tried = new Set<string>();
  /** PDs that went offline and have not been online since: retries keep showing 'offline'. */
  private readonly failed = new Set<string>();
  private started: Promise<void> | undefined;

  constructor(options: BusOptions, private readonly warn: (message: string) => void = () => undefined) {
    this.pds = options.pds;
    this.commandTimeout = options.commandTimeout ?? 30_000;
    for (const pd of this.pds) this.pdStatus.set(pd.name, new SharedStatus());
    this.sc = new CpSecureChannel({
      onKeyChange: (p, key) => {
        const pd = this.pds.find((x) => x.name === p.name);
        if (pd) {
          pd.scbk = Buffer.from(key);
          try {
            options.onKeyChange?.(pd, Buffer.from(key));
          } catch (err) {
            this.warn(`storing the new key of ${pd.name} failed: ${(err as Error).message}`);
          }
        }
        this.refresh();
      },
      onStatus: () => this.refresh(),
    });
    this.cp = new ControlPanel({
      session: this.sc.factory,
      ...options.engine,
      channel: options.channel,
      pollInterval: options.pollInterval,
      offlineBackoff: options.offlineBackoff,
      pds: this.pds.map((pd) => {
        const flags: PdFlagName[] = ['EnableNotification'];
        if (pd.enforceSecure) flags.push('EnforceSecure');
        if (pd.installMode) flags.push('InstallMode');
        return { address: pd.address, name: pd.name, flags, ...(pd.scbk ? { scbk: pd.scbk } : {}), ...(pd.disabled ? { disabled: true } : {}) };
      }),
    });
    this.cp.on('channel', (s: LinkStatus) => {
      this.link = s;
      this.refresh();
    });
    this.cp.on('state', (info: PdInfo) => {
      if (info.state === 'id') this.tried.add(info.name);
      if (info.state === 'offline' && this.tried.has(info.name)) this.failed.add(info.name);
      if (info.state === 'online' || info.state === 'disabled') this.failed.delete(info.name);
      this.refresh();
    });
    this.sc.attach(this.cp);
    this.cp.on('event', (rec: CpEventRecord) => this.dispatch(rec));
    this.cp.on('warning', (err: FieldlinkError) => {
      if (err.code !== 'ELOG') this.warn(err.message);
    });
    this.refresh();
  }

  /** Opens the channel (retrying in the background) and starts polling. */
  start(): Promise<void> {
    this.started ??= this.cp.start().catch((err: unknown) => {
      this.status.set('error', toFieldlinkError(err).message);
    });
    return this.started;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.transfers) t.cancel();
    await Promise.all([...this.transfers].map((t) => t.done));
    this.listeners.clear();
    await this.started;
    await this.cp.stop();
  }

  /** The status a node should follow: one PD's, or the whole bus's. */
  statusFor(pd: PdConfig | undefined): SharedStatus {
    return (pd && this.pdStatus.get(pd.name)) ?? this.status;
  }

  /** Subscribes to the events of every PD; returns the unsubscribe function. */
  subscribe(listener: BusEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  find(which: unknown): PdConfig {
    return findPd(this.pds, which);
  }

  info(pd: PdConfig): PdInfo | undefined {
    try {
      return this.cp.pdInfo(pd.name);
    } catch {
      return undefined;
    }
  }

  /** Runs one osdp-command request against a PD; resolves with the JSON for msg.payload. */
  async run(pd: PdConfig, request: Request, progress?: ProgressListener): Promise<Record<string, unknown>> {
    if (this.closed) throw new AbortedError('the bus is closed', { device: pd.name, operation: request.operation });
    const base = { pd: pd.name, address: pd.address, operation: request.operation };
    const info = this.info(pd);
    switch (request.kind) {
      case 'command': {
        const result = await withTimeout(this.cp.sendCommand(pd.name, request.command), this.commandTimeout, { device: pd.name, operation: request.operation });
        if (result.status !== 'ok') throw result.error ?? new FieldlinkError(`${request.operation} ${result.status}`, 'EFAILED', { device: pd.name, operation: request.operation });
        return { ...base, ok: true, ...replyToJson(result.reply) };
      }
      case 'id': {
        const id = this.cp.getPdId(pd.name);
        if (!id || !info?.online) throw new NotConnectedError(`${pd.name} is ${info?.state ?? 'unknown'}: no identification yet`, { device: pd.name, operation: 'id' });
        return { ...base, ok: true, id: pdIdToJson(id) };
      }
      case 'cap': {
        if (!info?.online) throw new NotConnectedError(`${pd.name} is ${info?.state ?? 'unknown'}`, { device: pd.name, operation: 'cap' });
        return { ...base, ok: true, ...replyToJson({ reply: 'pdcap', capabilities: this.cp.getCapabilities(pd.name) }) };
      }
      case 'comset': {
        const address = request.address ?? info?.address ?? pd.address;
        const baudRate = request.baud ?? info?.baudRate ?? this.cp.channels[0]?.baudRate ?? 9600;
        const result = await withTimeout(this.cp.sendCommand(pd.name, { command: 'comset', address, baudRate }), this.commandTimeout, { device: pd.name, operation: 'comset' });
        if (result.status !== 'ok') throw result.error ?? new FieldlinkError(`comset ${result.status}`, 'EFAILED', { device: pd.name, operation: 'comset' });
        const reply = replyToJson(result.reply);
        if (typeof reply.address === 'number') pd.address = reply.address;
        return { ...base, ok: true, ...reply };
      }
      case 'keyset':
      case 'file':
        return this.runSecure(pd, request, base, progress);
    }
  }

  /** KEYSET (only under Secure Channel) and file transfer. */
  private async runSecure(pd: PdConfig, request: Request, base: Record<string, unknown>, progress?: ProgressListener): Promise<Record<string, unknown>> {
    if (request.kind === 'keyset') {
      if (!this.info(pd)?.online) throw new NotConnectedError(`${pd.name} is not online`, { device: pd.name, operation: 'keyset' });
      await withTimeout(rotateKey(this.cp, pd.name, request.key ? { key: request.key } : {}), this.commandTimeout, { device: pd.name, operation: 'keyset' });
      // The key itself never goes into a message: the bus keeps it (credentials and key store).
      return { ...base, ok: true, keyChanged: true };
    }
    if (request.kind !== 'file') throw new FieldlinkError(`unexpected ${request.operation}`, 'EINVAL');
    if (!this.info(pd)?.online) throw new NotConnectedError(`${pd.name} is not online`, { device: pd.name, operation: 'file' });
    let lastPercent = -1;
    const report = (p: FileTxProgress): void => {
      if (p.percent === lastPercent) return;
      lastPercent = p.percent;
      const event: FileEvent = { event: 'file', fileId: p.fileId, size: p.size, offset: p.offset, percent: p.percent };
      progress?.({ sent: p.offset, size: p.size, percent: p.percent });
      this.emitLocal(pd, event);
    };
    const handle = await startFileTransfer(this.cp, pd.name, { fileId: request.fileId, source: request.file, onProgress: report });
    this.transfers.add(handle);
    const result = await handle.done.finally(() => this.transfers.delete(handle));
    const percent = result.size > 0 ? Math.floor((result.offset / result.size) * 100) : 100;
    const event: FileEvent = { event: 'file', fileId: result.fileId, size: result.size, offset: result.offset, percent, outcome: result.outcome };
    if (result.error) event.error = result.error.message;
    this.emitLocal(pd, event);
    const context = { device: pd.name, operation: 'file' };
    switch (result.outcome) {
      case 'ok':
      case 'ok-rebooting':
        return { ...base, ok: true, fileId: result.fileId, size: result.size, outcome: result.outcome };
      case 'aborted':
        throw new AbortedError(`file transfer aborted at ${result.offset} of ${result.size} bytes${result.error ? ': ' + result.error.message : ''}`, context);
      case 'unrecognised':
        throw new RejectedError(`the reader does not recognise file type ${result.fileId}`, context, 'EUNRECOGNISED');
      default:
        throw new RejectedError(`the reader refused the file (${result.outcome}${result.error ? ': ' + result.error.message : ''})`, context, 'EINVALIDFILE');
    }
  }

  /** Reports an event that did not come from the engine (file transfer progress) to the listeners. */
  private emitLocal(pd: PdConfig, event: BusEvent): void {
    const info = this.info(pd);
    for (const listener of this.listeners) {
      try {
        listener(pd, event, Date.now(), info);
      } catch (err) {
        this.warn(`event listener failed: ${(err as Error).message}`);
      }
    }
  }

  // ------------------------------------------------------------------ status

  private dispatch(rec: CpEventRecord): void {
    const pd = this.pds.find((p) => p.name === rec.name);
    if (!pd) return;
    if (rec.event.event === 'notification') {
      if (rec.event.type === 'command') return; // completions go to the osdp-command node that sent them
      this.refresh();
    }
    const info = this.info(pd);
    for (const listener of this.listeners) {
      try {
        listener(pd, rec.event, rec.time, info);
      } catch (err) {
        this.warn(`event listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** Recomputes the link and per-PD states and pushes them to every attached node. */
  refresh(): void {
    if (this.closed) return;
    const link = this.link;
    const linkDown = link && link.state !== 'open';
    let linkText: [LinkState, string] | undefined;
    if (!link || link.state === 'connecting' || link.state === 'closed') linkText = ['connecting', 'connecting'];
    else if (link.state === 'waiting') {
      linkText = ['error', linkDownText(link)];
    }
    const infos = this.pds.map((pd) => ({ pd, info: this.info(pd) }));
    for (const { pd, info } of infos) {
      const status = this.pdStatus.get(pd.name)!;
      if (linkDown || !link) status.set(...linkText!);
      else status.set(...pdState(pd, info, this.tried.has(pd.name), this.failed.has(pd.name)));
    }
    if (linkDown || !link) {
      this.status.set(...linkText!);
      return;
    }
    const enabled = infos.filter(({ info }) => info && info.state !== 'disabled');
    const online = enabled.filter(({ info }) => info?.online);
    const starting = enabled.some(({ pd, info }) => info && !this.failed.has(pd.name) && (['id', 'cap', 'secure'].includes(info.state) || !this.tried.has(pd.name)));
    if (enabled.length === 0) this.status.set('disconnected', 'all readers disabled');
    else if (enabled.length === 1) this.status.set(...pdState(enabled[0].pd, enabled[0].info, this.tried.has(enabled[0].pd.name), this.failed.has(enabled[0].pd.name)));
    else if (online.length === enabled.length) this.status.set('connected', `${online.length}/${enabled.length} online`);
    else if (online.length === 0 && !starting) this.status.set('error', `0/${enabled.length} online`);
    else this.status.set('waiting', `${online.length}/${enabled.length} online`);
  }
}

/** `link down (ECONNREFUSED), retry in 4 s`: short enough for a node's status. */
export function linkDownText(link: LinkStatus): string {
  const code = link.error?.code;
  const reason = !link.error ? '' : code === 'ENOTCONN' ? ' (closed)' : code && code !== 'EFIELDLINK' ? ` (${code})` : ` (${link.error.message})`;
  const retry = link.retryIn !== undefined ? `, retry in ${Math.max(1, Math.round(link.retryIn / 1000))} s` : '';
  return `link down${reason}${retry}`;
}

function pdState(pd: PdConfig, info: PdInfo | undefined, tried: boolean, failed: boolean): [LinkState, string] {
  if (!info) return ['connecting', 'connecting'];
  switch (info.state) {
    case 'online':
      if (info.secure) return ['connected', 'online, secure'];
      if (pd.scbk || pd.enforceSecure || pd.installMode) return ['waiting', 'online, not secure'];
      return ['connected', 'online'];
    case 'id':
    case 'cap':
      return failed ? ['error', 'offline'] : ['connecting', 'identifying'];
    case 'secure':
      return failed ? ['error', 'offline'] : ['connecting', 'securing'];
    case 'disabled':
      return ['disconnected', 'disabled'];
    case 'offline':
      return tried ? ['error', 'offline'] : ['connecting', 'connecting'];
  }
  return ['connecting', info.state];
}
