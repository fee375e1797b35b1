import { RejectedError, type ErrorContext } from '../common';

/**
 * SPEC answered with an ERROR reply (unknown property, failed command, refused write). `code` is
 * `ESPEC`; `specErr` is the header's err number (0 before header version 3); `output` holds the
 * console text a failed `run()` printed.
 */
export class SpecError extends RejectedError {
  readonly specErr: number;
  output?: string;

  constructor(message: string, specErr = 0, context: ErrorContext = {}) {
    super(message, context, 'ESPEC');
    this.specErr = specErr;
  }

  override toJSON(): Record<string, unknown> {
    const out = super.toJSON();
    out.specErr = this.specErr;
    if (this.output) out.output = this.output;
    return out;
  }
}

/** A move stopped on a limit switch or was refused because the target is beyond a limit. */
export class SpecLimitError extends RejectedError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context, 'ELIMIT');
  }
}
