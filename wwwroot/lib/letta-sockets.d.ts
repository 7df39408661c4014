// Types of letta-sockets.js, the LettaSockets client (docs/CLIENTS.md; the wire is docs/PROTOCOL.md).

export declare const PROTOCOL: 'letta-sockets.v1';

// ——— server frames ———

/** Fields every frame of a turn carries. */
export interface TurnFrameBase {
  id: string;
  agent_id?: string;
  run_id?: string;
  /** Letta's sequence number, in resumable turns. */
  seq?: number;
  /** True on a frame the client made itself (a lost connection, a closed client), never on the server's. */
  client?: true;
  /** True on the frames of a turn this socket follows (docs/PROTOCOL.md, "Following"). */
  followed?: true;
}

export interface ReadyFrame {
  type: 'ready';
  protocol: string;
  connection_id: string;
  agent_id?: string | null;
  resumable: boolean;
  /** Whether the agents have several conversations (conversation_id, history by conversation). */
  conversations?: boolean;
  limits: { max_frame_bytes: number; max_content_chars: number; max_active_turns: number };
  server: { name: string; version: string; instance?: string };
}

export interface StatusFrame extends TurnFrameBase {
  type: 'status';
  status: 'thinking' | 'running' | 'tool_running' | 'working' | (string & {});
  tool_call_id?: string;
  elapsed_ms?: number;
}

export interface ReasoningFrame extends TurnFrameBase {
  type: 'reasoning';
  message_id?: string;
  content: string;
  hidden?: boolean;
}

export interface ChunkFrame extends TurnFrameBase {
  type: 'chunk';
  message_id?: string;
  content: string;
}

export interface ToolCallFrame extends TurnFrameBase {
  type: 'tool_call';
  tool_call_id: string;
  /** On the first frame of a call only. */
  name?: string;
  /** A delta. */
  arguments?: string;
}

export interface ToolResultFrame extends TurnFrameBase {
  type: 'tool_result';
  tool_call_id: string;
  name?: string;
  status: 'success' | 'error';
  result?: string | null;
  stdout?: string[] | null;
  stderr?: string[] | null;
}

export interface ApprovalRequestFrame extends TurnFrameBase {
  type: 'approval_request';
  tool_call_id: string;
  name?: string;
  /** The whole arguments (JSON text). */
  arguments?: string;
}

export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  step_count?: number;
  [name: string]: number | undefined;
}

export interface Metrics {
  ttft_ms: number | null;
  tokens_per_second: number | null;
  duration_ms: number;
  chunks: number;
  frames: number;
  output_chars: number;
}

export interface DoneFrame extends TurnFrameBase {
  type: 'done';
  stop_reason: 'end_turn' | 'max_steps' | 'tool_rule' | 'requires_approval' | 'cancelled' | (string & {});
  cancelled_by?: 'client' | 'disconnect' | 'shutdown' | 'upstream' | 'slow_consumer';
  usage?: Usage;
  metrics?: Metrics;
}

/**
 * Server codes are docs/PROTOCOL.md's "Errors". The client adds, on frames with `client: true`:
 * `connection_lost` (the socket dropped and the turn cannot be resumed: send it again),
 * `not_connected` (sent while no socket was live), `closed` (the client was closed),
 * `aborted` (the signal was aborted before the request was sent).
 */
export interface ErrorFrame extends Omit<TurnFrameBase, 'id'> {
  type: 'error';
  id?: string;
  code: string;
  message: string;
  retryable?: boolean;
  retry_after_ms?: number;
  stop_reason?: string;
  detail?: string;
}

export interface PongFrame { type: 'pong'; id?: string }

/** The answer to a `history` request (it ends the request). `messages` are shaped as live frames, plus `user_message`. */
export interface HistoryFrame {
  type: 'history';
  id: string;
  agent_id?: string;
  conversation_id?: string | null;
  messages: Array<{ type: string; message_id?: string; run_id?: string; [field: string]: unknown }>;
  has_more: boolean;
  before?: string | null;
}

/** A `follow` was accepted (it ends the follow request). */
export interface FollowingFrame { type: 'following'; id: string; agent_id?: string; conversation_id?: string | null }

export interface ResumeCursor { id: string; run_id?: string | null; after_seq: number; agent_id?: string | null; conversation_id?: string | null }

export interface ShutdownFrame { type: 'shutdown'; reason: string; resume?: ResumeCursor[] }

/** A frame type this client does not know yet (a newer server). */
export interface OtherFrame { type: string; id?: string; [field: string]: unknown }

export type TurnFrame =
  | StatusFrame | ReasoningFrame | ChunkFrame | ToolCallFrame | ToolResultFrame
  | ApprovalRequestFrame | DoneFrame | ErrorFrame;

export type TerminalFrame = DoneFrame | ErrorFrame | HistoryFrame | FollowingFrame;

export type ServerFrame = ReadyFrame | TurnFrame | PongFrame | ShutdownFrame;

// ——— client ———

export declare class LettaSocketsEvent<T = unknown> extends Event {
  constructor(type: string, detail: T);
  readonly detail: T;
}

export declare class LettaSocketsError extends Error {
  constructor(frame: Partial<ErrorFrame>);
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly frame: ErrorFrame | null;
}

/** ws(s)://…/ws[/{agentId}][?access_token=key] from a gateway address. */
export declare function socketUrl(base: string | URL, options?: { agentId?: string; key?: string }): string;

export type ConnectionState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface ClientOptions {
  /** The agent the socket is bound to (`/ws/{agentId}`); without it, the server's default. */
  agentId?: string;
  /** A client key, sent as `?access_token=` (the one way browsers can send it). */
  key?: string;
  /** Ask for resumable turns: `'auto'` when the server offers them, true/false always; unset = the server's default. */
  resumable?: 'auto' | boolean;
  /** Backoff between attempts (equal jitter), or false to stay closed after a loss. */
  reconnect?: { baseDelayMs?: number; maxDelayMs?: number } | false;
  /** Application ping interval; an unanswered ping drops the socket. 0 turns it off. Default 25 000. */
  heartbeatMs?: number;
  /** Default bound of ping(). */
  pingTimeoutMs?: number;
  /** A WebSocket constructor (default: the global one). */
  WebSocket?: new (url: string, protocols?: string | string[]) => WebSocket;
  /** Prefix of the ids the client assigns. */
  idPrefix?: string;
}

export interface RequestOptions {
  /** The request id (default: one the client assigns). */
  id?: string;
  /** Aborting sends `cancel` for the turn. */
  signal?: AbortSignal;
  /** False: frames only as 'frame' events, none kept for an iterator. Default true. */
  iterable?: boolean;
}

export interface SendOptions extends RequestOptions {
  agentId?: string;
  conversationId?: string;
  resumable?: 'auto' | boolean;
  maxCharsPerSecond?: number;
}

export interface ApproveOptions extends RequestOptions {
  reason?: string;
  agentId?: string;
}

export type TurnState = 'pending' | 'streaming' | 'interrupted' | 'resuming' | 'ended';

export declare class Turn<F extends { type: string } = TurnFrame> extends EventTarget implements AsyncIterable<F> {
  readonly id: string;
  readonly request: Record<string, unknown> & { type: string; id: string };
  readonly agentId: string | null;
  readonly conversationId: string | null;
  readonly runId: string | null;
  readonly lastSeq: number | null;
  readonly resumedAfter: number | null;
  readonly resumable: boolean;
  readonly accepted: boolean;
  readonly cancelRequested: boolean;
  readonly state: TurnState;
  readonly active: boolean;
  readonly canResume: boolean;
  readonly cursor: ResumeCursor;
  /** The terminal frame once ended. */
  readonly terminal: TerminalFrame | null;
  /** Resolves with the terminal frame (never rejects). */
  readonly result: Promise<TerminalFrame>;
  /** Sends `cancel`; false when the turn has ended. */
  cancel(): boolean;
  /** Answers an approval_request of this turn (a new turn on its agent). */
  approve(toolCallId: string, approve: boolean, reason?: string, options?: RequestOptions): Turn;
  /** The answer's text; rejects with LettaSocketsError when the turn ends with an error. */
  text(): Promise<string>;
  /** Every frame once, the terminal frame last. Leaving the loop early cancels the turn. */
  [Symbol.asyncIterator](): AsyncIterator<F>;
  addEventListener(type: 'frame', listener: (event: LettaSocketsEvent<F>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: 'state', listener: (event: LettaSocketsEvent<{ state: TurnState; turn: Turn<F> }>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}

export declare class LettaSocketsClient extends EventTarget {
  /** Opens a client; resolves once `ready` arrived, rejects (`connect_failed`) if the first attempt fails. */
  static connect(url: string | URL | (() => string), options?: ClientOptions): Promise<LettaSocketsClient>;
  constructor(url: string | URL | (() => string), options?: ClientOptions);
  readonly ready: ReadyFrame | null;
  readonly state: ConnectionState;
  readonly isLive: boolean;
  readonly limits: ReadyFrame['limits'] | null;
  readonly resumable: boolean;
  readonly turns: Map<string, Turn>;
  open(): this;
  whenLive(): Promise<this>;
  reconnectNow(): void;
  send(content: string, options?: SendOptions): Turn;
  approve(toolCallId: string, approve: boolean, options?: ApproveOptions): Turn;
  resume(cursor: ResumeCursor | { id: string; runId?: string | null; afterSeq?: number; agentId?: string | null; conversationId?: string | null }, options?: RequestOptions): Turn;
  /** Any request answered by frames of its id and one terminal frame (done, error, history, following): message, approve, resume, history, follow, later kinds. */
  request<F extends { type: string } = TurnFrame | OtherFrame>(frame: { type: string; id?: string; [field: string]: unknown }, options?: RequestOptions): Turn<F>;
  /** `cancel` for one turn, or for every turn of the socket. */
  cancel(id?: string): boolean;
  /** `unfollow` for the follow request `followId` (not answered); false when not live. */
  unfollow(followId: string): boolean;
  /** Round trip in ms. */
  ping(options?: { timeoutMs?: number }): Promise<number>;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'state', listener: (event: LettaSocketsEvent<{ state: ConnectionState; retryInMs: number | null }>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: 'ready', listener: (event: LettaSocketsEvent<ReadyFrame>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: 'shutdown', listener: (event: LettaSocketsEvent<ShutdownFrame>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: 'lost', listener: (event: LettaSocketsEvent<{ code: number; reason: string }>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: 'notice', listener: (event: LettaSocketsEvent<ErrorFrame>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: 'frame', listener: (event: LettaSocketsEvent<ServerFrame | OtherFrame>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}
