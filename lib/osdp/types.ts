/**
 * OSDP (SIA Open Supervised Device Protocol v2.2) types: command and reply codes, the typed
 * commands a control panel (CP) sends, the replies a peripheral device (PD) returns, and the
 * events a CP reports. Field names follow libosdp's structures, in camelCase.
 * Multi-byte integers on the wire are little-endian unless a field says otherwise.
 */

/** Command codes (CP -> PD). */
export const CommandCode = {
  POLL: 0x60,
  ID: 0x61,
  CAP: 0x62,
  LSTAT: 0x64,
  ISTAT: 0x65,
  OSTAT: 0x66,
  RSTAT: 0x67,
  OUT: 0x68,
  LED: 0x69,
  BUZ: 0x6a,
  TEXT: 0x6b,
  COMSET: 0x6e,
  KEYSET: 0x75,
  CHLNG: 0x76,
  SCRYPT: 0x77,
  ACURXSIZE: 0x7b,
  FILETRANSFER: 0x7c,
  MFG: 0x80,
  ABORT: 0xa2,
  KEEPACTIVE: 0xa7,
} as const;
export type CommandCode = (typeof CommandCode)[keyof typeof CommandCode];

/** Reply codes (PD -> CP). */
export const ReplyCode = {
  ACK: 0x40,
  NAK: 0x41,
  PDID: 0x45,
  PDCAP: 0x46,
  LSTATR: 0x48,
  ISTATR: 0x49,
  OSTATR: 0x4a,
  RSTATR: 0x4b,
  RAW: 0x50,
  FMT: 0x51,
  KEYPAD: 0x53,
  COM: 0x54,
  CCRYPT: 0x76,
  RMAC_I: 0x78,
  BUSY: 0x79,
  FTSTAT: 0x7a,
  MFGREP: 0x90,
} as const;
export type ReplyCode = (typeof ReplyCode)[keyof typeof ReplyCode];

/** NAK reason codes (osdp_NAK data byte 0). */
export const NakCode = {
  NONE: 0,
  /** Message check character(s) error (bad CRC or checksum, or a check mode the PD does not support). */
  CHECK: 1,
  /** Command length error. */
  LENGTH: 2,
  /** Unknown or unsupported command code. */
  UNKNOWN_COMMAND: 3,
  /** Unexpected sequence number in the header. */
  SEQUENCE: 4,
  /** This PD does not support the security block received. */
  SC_UNSUPPORTED: 5,
  /** Encrypted communication required / secure channel conditions not met. */
  SC_CONDITIONS: 6,
  /** BIO_TYPE not supported. */
  BIO_TYPE: 7,
  /** BIO_FORMAT not supported. */
  BIO_FORMAT: 8,
  /** Unable to process the command record. */
  RECORD: 9,
} as const;
export type NakCode = (typeof NakCode)[keyof typeof NakCode];

export const NAK_TEXT: Record<number, string> = {
  0: 'no error',
  1: 'message check character error',
  2: 'command length error',
  3: 'unknown or unsupported command',
  4: 'unexpected sequence number',
  5: 'security block not supported',
  6: 'secure channel required or conditions not met',
  7: 'biometric type not supported',
  8: 'biometric format not supported',
  9: 'unable to process command record',
};

/** PDCAP function codes. */
export const CapabilityFunction = {
  CONTACT_STATUS_MONITORING: 1,
  OUTPUT_CONTROL: 2,
  CARD_DATA_FORMAT: 3,
  READER_LED_CONTROL: 4,
  READER_AUDIBLE_OUTPUT: 5,
  READER_TEXT_OUTPUT: 6,
  TIME_KEEPING: 7,
  CHECK_CHARACTER_SUPPORT: 8,
  COMMUNICATION_SECURITY: 9,
  RECEIVE_BUFFER_SIZE: 10,
  LARGEST_COMBINED_MESSAGE_SIZE: 11,
  SMART_CARD_SUPPORT: 12,
  READERS: 13,
  BIOMETRICS: 14,
  SECURE_PIN_ENTRY: 15,
  OSDP_VERSION: 16,
} as const;
export type CapabilityFunction = (typeof CapabilityFunction)[keyof typeof CapabilityFunction];

/** One PDCAP entry. For RECEIVE_BUFFER_SIZE and LARGEST_COMBINED_MESSAGE_SIZE the 16-bit size is compliance (LSB) + numItems (MSB). */
export interface Capability {
  function: number;
  compliance: number;
  numItems: number;
}

/** osdp_PDID. */
export interface PdId {
  /** IEEE OUI, 3 bytes little-endian on the wire. */
  vendorCode: number;
  model: number;
  version: number;
  /** 32-bit serial number (little-endian on the wire). */
  serialNumber: number;
  /** Firmware version, 3 bytes major, minor, build on the wire. */
  firmware: { major: number; minor: number; build: number };
}

/** LED colours of osdp_LED. */
export const LedColor = { BLACK: 0, RED: 1, GREEN: 2, AMBER: 3, BLUE: 4, MAGENTA: 5, CYAN: 6, WHITE: 7 } as const;
export type LedColorName = 'black' | 'red' | 'green' | 'amber' | 'blue' | 'magenta' | 'cyan' | 'white';

/** One half of an LED record (temporary or permanent state). Times are in units of 100 ms. */
export interface LedParams {
  /** Temporary: 0 NOP, 1 cancel temporary, 2 set temporary and start timer. Permanent: 0 NOP, 1 set. */
  controlCode: number;
  onCount: number;
  offCount: number;
  onColor: number;
  offColor: number;
}
export interface LedTemporaryParams extends LedParams {
  /** Duration of the temporary state, units of 100 ms (u16). */
  timer: number;
}

// ---------------------------------------------------------------------------------------------
// Commands (what a CP sends; what a PD's command handler receives). One record per command:
// a multi-record OUT or LED payload decodes to several commands.
// ---------------------------------------------------------------------------------------------

export interface PollCommand { command: 'poll' }
export interface IdCommand { command: 'id'; /** Reply type requested, 0 = standard. */ request?: number }
export interface CapCommand { command: 'cap'; request?: number }
/** LSTAT/ISTAT/OSTAT/RSTAT. */
export interface StatusCommand { command: 'status'; type: StatusType }
export type StatusType = 'local' | 'input' | 'output' | 'reader';
export interface OutputCommand {
  command: 'output';
  /** Output number, 0 = first. */
  output: number;
  /** 0 NOP, 1 permanent off (abort timed), 2 permanent on (abort timed), 3 permanent off (allow timed), 4 permanent on (allow timed), 5 temporary on then off, 6 temporary off then on. */
  controlCode: number;
  /** Units of 100 ms (u16), for control codes 5 and 6. */
  timer: number;
}
export interface LedCommand {
  command: 'led';
  reader: number;
  led: number;
  temporary: LedTemporaryParams;
  permanent: LedParams;
}
export interface BuzzerCommand {
  command: 'buzzer';
  reader: number;
  /** Tone code: 0 no tone, 1 off, 2 default tone. */
  controlCode: number;
  onCount: number;
  offCount: number;
  /** 0 = repeat until told otherwise. */
  repeat: number;
}
export interface TextCommand {
  command: 'text';
  reader: number;
  /** 1 permanent no wrap, 2 permanent wrap, 3 temporary no wrap, 4 temporary wrap. */
  controlCode: number;
  /** Seconds for temporary text. */
  tempTime: number;
  row: number;
  column: number;
  /** Printable ASCII, up to 32 characters (libosdp's limit). */
  text: string;
}
export interface ComsetCommand { command: 'comset'; address: number; baudRate: number }
export interface KeysetCommand { command: 'keyset'; /** 1 = SCBK. */ keyType: number; key: Buffer }
export interface ChallengeCommand { command: 'chlng'; /** RND.A, 8 bytes. */ random: Buffer }
export interface ScryptCommand { command: 'scrypt'; /** Server cryptogram, 16 bytes. */ cryptogram: Buffer }
export interface AcuRxSizeCommand { command: 'acurxsize'; size: number }
export interface FileTransferCommand {
  command: 'filetransfer';
  fileId: number;
  totalSize: number;
  offset: number;
  /** The fragment (length 0 = keep alive). */
  data: Buffer;
}
export interface MfgCommand { command: 'mfg'; vendorCode: number; data: Buffer }
export interface AbortCommand { command: 'abort' }
export interface KeepActiveCommand { command: 'keepactive'; /** Milliseconds (u16). */ time: number }

export type OsdpCommand =
  | PollCommand
  | IdCommand
  | CapCommand
  | StatusCommand
  | OutputCommand
  | LedCommand
  | BuzzerCommand
  | TextCommand
  | ComsetCommand
  | KeysetCommand
  | ChallengeCommand
  | ScryptCommand
  | AcuRxSizeCommand
  | FileTransferCommand
  | MfgCommand
  | AbortCommand
  | KeepActiveCommand;
export type OsdpCommandName = OsdpCommand['command'];

/** Commands an application may submit with ControlPanel.sendCommand (POLL, ID, CAP, CHLNG, SCRYPT belong to the engine). */
export type AppCommand = Exclude<OsdpCommand, PollCommand | IdCommand | CapCommand | ChallengeCommand | ScryptCommand>;

// ---------------------------------------------------------------------------------------------
// Replies (PD -> CP)
// ---------------------------------------------------------------------------------------------

export interface AckReply { reply: 'ack' }
export interface NakReply { reply: 'nak'; code: number; /** Extra bytes some NAKs carry (e.g. the SC type for code 5). */ data?: Buffer }
export interface PdIdReply extends PdId { reply: 'pdid' }
export interface PdCapReply { reply: 'pdcap'; capabilities: Capability[] }
export interface LocalStatusReply { reply: 'lstatr'; tamper: boolean; power: boolean }
export interface InputStatusReply { reply: 'istatr'; inputs: number[] }
export interface OutputStatusReply { reply: 'ostatr'; outputs: number[] }
export interface ReaderStatusReply { reply: 'rstatr'; readers: number[] }
export interface RawCardReply {
  reply: 'raw';
  reader: number;
  /** 0 = unspecified raw bits, 1 = Wiegand. */
  format: number;
  bitCount: number;
  /** The bits, MSB first, padded to whole bytes. */
  data: Buffer;
}
export interface FormattedCardReply { reply: 'fmt'; reader: number; /** 0 forward, 1 reverse. */ direction: number; data: string }
export interface KeypadReply { reply: 'keypad'; reader: number; /** One byte per key: ASCII '0'-'9', 0x7F '*', 0x0D '#'. */ keys: Buffer }
export interface ComReply { reply: 'com'; address: number; baudRate: number }
export interface CcryptReply { reply: 'ccrypt'; clientUid: Buffer; random: Buffer; cryptogram: Buffer }
export interface RmacIReply { reply: 'rmac-i'; rmac: Buffer }
export interface BusyReply { reply: 'busy' }
export interface FtStatReply {
  reply: 'ftstat';
  /** Bit 0 interleaved polls allowed, bit 1 leave SC, bit 2 CP should poll. */
  control: number;
  /** Milliseconds to wait before the next fragment. */
  delay: number;
  /** 0 proceed, 1 done, 2 rebooting, 3 keep-alive, -1 abort, -2 unrecognised, -3 malformed. */
  status: number;
  /** New maximum fragment size, 0 = unchanged. */
  rxSize: number;
}
export interface MfgReply { reply: 'mfgrep'; vendorCode: number; data: Buffer }

export type OsdpReply =
  | AckReply
  | NakReply
  | PdIdReply
  | PdCapReply
  | LocalStatusReply
  | InputStatusReply
  | OutputStatusReply
  | ReaderStatusReply
  | RawCardReply
  | FormattedCardReply
  | KeypadReply
  | ComReply
  | CcryptReply
  | RmacIReply
  | BusyReply
  | FtStatReply
  | MfgReply;
export type OsdpReplyName = OsdpReply['reply'];

// ---------------------------------------------------------------------------------------------
// Events (what a CP reports; what a PD queues for its next POLL)
// ---------------------------------------------------------------------------------------------

export type CardFormat = 'raw' | 'wiegand' | 'ascii';

export interface CardReadEvent {
  event: 'card';
  reader: number;
  /** raw/wiegand come from osdp_RAW, ascii from osdp_FMT. */
  format: CardFormat;
  /** osdp_FMT read direction (0 forward, 1 reverse); 0 for raw cards. */
  direction: number;
  /** Number of bits (raw/wiegand) or characters (ascii). */
  bitCount: number;
  /** Raw: the bits MSB first, padded to bytes. ASCII: the characters. */
  data: Buffer;
}
export interface KeypressEvent { event: 'keypress'; reader: number; keys: Buffer }
export interface StatusEvent {
  event: 'status';
  type: StatusType;
  /** local: [tamper, power]; input/output/reader: one entry per point. */
  report: number[];
}
export interface MfgReplyEvent { event: 'mfgrep'; vendorCode: number; data: Buffer }

export type NotificationType = 'command' | 'pd-status' | 'sc-status';
export interface NotificationEvent {
  event: 'notification';
  type: NotificationType;
  /** command: the command name; pd-status: 'online' | 'offline'; sc-status: 'active' | 'inactive'. */
  what: string;
  /** command: the completion status. */
  status?: CommandStatus;
  detail?: string;
}

/** What a PD can report to its CP. */
export type PdEvent = CardReadEvent | KeypressEvent | StatusEvent | MfgReplyEvent;
/** What a CP reports to its application. */
export type OsdpEvent = PdEvent | NotificationEvent;

// ---------------------------------------------------------------------------------------------
// Control panel
// ---------------------------------------------------------------------------------------------

/** Per-PD flags (libosdp names). */
export const PdFlag = {
  /** Refuse SCBK-D and plaintext (Secure Channel issue). */
  EnforceSecure: 0x0001,
  /** PD side: accept SCBK-D and a KEYSET (Secure Channel issue). */
  InstallMode: 0x0002,
  /** CP: drop card/keypad/mfg replies that arrive in answer to anything but a POLL. */
  IgnoreUnsolicited: 0x0004,
  /** CP: report notification events (command completions, online/offline, SC status) via 'event' and getEvent. */
  EnableNotification: 0x0008,
  /** Emit every frame as a 'packet' event (pcap capture). */
  CapturePackets: 0x0010,
  /** Accept an encrypted data block with no data (Secure Channel issue). */
  AllowEmptyEncryptedDataBlock: 0x0020,
} as const;
export type PdFlagName = keyof typeof PdFlag;

export type CommandStatus = 'ok' | 'failed' | 'flushed' | 'aborted';

/** How a submitted command ended. `reply` is set for 'ok' (ACK or the data reply), `error` otherwise. */
export interface CommandResult {
  status: CommandStatus;
  command: OsdpCommandName;
  reply?: OsdpReply;
  error?: import('../common/errors').FieldlinkError;
}

/** CP-side life cycle of one PD. */
export type PdState = 'disabled' | 'offline' | 'id' | 'cap' | 'secure' | 'online';

export interface PdMetrics {
  framesSent: number;
  framesReceived: number;
  /** Retransmissions (same SQN) after a missed or bad reply. */
  retries: number;
  timeouts: number;
  /** Bad check, unexpected reply, decode failures. */
  errors: number;
  naks: number;
  busy: number;
  commandsOk: number;
  commandsFailed: number;
  /** Times the PD went offline. */
  offlineCount: number;
  /** Command-to-reply latency in ms. */
  latency: { last: number; average: number; max: number; count: number };
}

export interface ChannelMetrics {
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
  /** Bytes skipped while looking for a frame (not counting 0xFF marks). */
  junkBytes: number;
  badFrames: number;
  reopens: number;
}

/** A frame seen on the wire, for capture (CapturePackets). */
export interface PacketCapture {
  /** 'tx' = written by this side, 'rx' = received. */
  direction: 'tx' | 'rx';
  /** Frame bytes from SOM to the check (no mark). */
  bytes: Buffer;
  /** Epoch milliseconds. */
  time: number;
  /** PD index (CP) or address (PD). */
  pd: number;
}
