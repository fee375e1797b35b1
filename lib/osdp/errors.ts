import { RejectedError, type ErrorContext } from '../common/errors';
import { NAK_TEXT } from './types';

/** The PD answered with osdp_NAK; `nak` is the reason code (1-9, see NakCode). */
export class NakError extends RejectedError {
  readonly nak: number;
  constructor(nak: number, context: ErrorContext = {}) {
    super(`NAK ${nak}: ${NAK_TEXT[nak] ?? 'unknown reason'}`, context, 'ENAK');
    this.nak = nak;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), nak: this.nak };
  }
}
