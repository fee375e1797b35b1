/**
 * File transfer (SIA OSDP v2.2 osdp_FILETRANSFER 0x7C / osdp_FTSTAT 0x7A): the CP sends a file in
 * fragments sized to the PD's receive buffer; the PD answers each with its status.
 */

/** FTSTAT status codes (signed 16-bit). */
export const FtStatus = {
  /** Proceed with the next fragment. */
  PROCEED: 0,
  /** File contents processed; transfer done. */
  DONE: 1,
  /** Done; the PD is rebooting (expect it offline for a while). */
  REBOOTING: 2,
  /** Finishing: keep sending empty FILETRANSFER (keep-alive) until a final status. */
  KEEP_ALIVE: 3,
  /** The PD aborted the transfer. */
  ABORT: -1,
  /** File type (id) not recognised. */
  UNRECOGNISED: -2,
  /** File data or message malformed / invalid. */
  INVALID: -3,
} as const;

/** FTSTAT control bits. */
export const FtControl = {
  /** Interleaved commands (polls) allowed during the transfer. */
  INTERLEAVE: 0x01,
  /** The PD asks to continue outside the secure channel (fieldlink never does). */
  LEAVE_SECURE: 0x02,
  /** The CP should poll (send POLL instead of the next fragment). */
  POLL_RESPONSE: 0x04,
} as const;

export const FT_CODE = { FILETRANSFER: 0x7c, FTSTAT: 0x7a, ABORT: 0xa2, POLL: 0x60, NAK: 0x41, ACK: 0x40 } as const;

/** The FILETRANSFER header: file id u8, total size u32, offset u32, fragment length u16. */
export const FILETRANSFER_HEADER = 11;
export const FTSTAT_LENGTH = 7;

export interface FileTransferFragment {
  /** File type / id (vendor defined, e.g. 1 = firmware). */
  fileId: number;
  totalSize: number;
  offset: number;
  /** Fragment data; empty = keep-alive. */
  data: Buffer;
}

export interface FtStat {
  control: number;
  /** Delay before the next fragment, ms. */
  delayMs: number;
  status: number;
  /** New maximum fragment size; 0 = keep. */
  rxSize: number;
}

/** How a transfer ended, with libosdp's outcome names. */
export type FileTxOutcome = 'ok' | 'ok-rebooting' | 'aborted' | 'unrecognised' | 'invalid';

export type FileTxState = 'idle' | 'in-progress' | 'finishing' | 'done';

/** get_file_tx_status: where a transfer stands. */
export interface FileTxStatus {
  fileId: number;
  size: number;
  offset: number;
  state: FileTxState;
  outcome?: FileTxOutcome;
}

export interface FileTxProgress {
  fileId: number;
  offset: number;
  size: number;
  /** 0..100, integer. */
  percent: number;
}

export function outcomeForStatus(status: number): FileTxOutcome | undefined {
  switch (status) {
    case FtStatus.DONE:
      return 'ok';
    case FtStatus.REBOOTING:
      return 'ok-rebooting';
    case FtStatus.ABORT:
      return 'aborted';
    case FtStatus.UNRECOGNISED:
      return 'unrecognised';
    case FtStatus.INVALID:
      return 'invalid';
    default:
      return status < 0 ? 'invalid' : undefined;
  }
}

export function percentOf(offset: number, size: number): number {
  return size > 0 ? Math.floor((offset * 100) / size) : 100;
}

/**
 * The largest fragment that keeps a whole FILETRANSFER frame (mark, header, SCB, code, 11-byte
 * file header, data, encryption padding, MAC, CRC) within the PD's receive buffer (capability 10 /
 * its FTSTAT rx size).
 */
export function maxFragmentFor(rxBufferSize: number, secure: boolean): number {
  if (secure) {
    // 1 mark + 5 header + 2 SCB + 1 code + ciphertext + 4 MAC + 2 CRC; ciphertext = pad16(11 + n + 1)
    const cipher = Math.floor((rxBufferSize - 15) / 16) * 16;
    return Math.max(0, cipher - FILETRANSFER_HEADER - 1);
  }
  // 1 mark + 5 header + 1 code + 11 + n + 2 CRC
  return Math.max(0, rxBufferSize - 9 - FILETRANSFER_HEADER);
}
