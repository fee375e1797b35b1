/**
 * Typed errors of the record-level UHPPOTE calls, on top of lib/common errors. A flow can switch on
 * `code`; `device` is the controller serial and `operation` the call.
 */
import { NotFoundError, type ErrorContext } from '../common/errors';

/** get-card (by number or index) found no card: the controller answered with card number 0. */
export class CardNotFound extends NotFoundError {
  constructor(message = 'card not found', context: ErrorContext = {}) {
    super(message, context, 'ECARDNOTFOUND');
  }
}

/** The card slot holds a deleted card: the controller answered with card number 0xFFFFFFFF. */
export class CardDeleted extends NotFoundError {
  constructor(message = 'card deleted', context: ErrorContext = {}) {
    super(message, context, 'ECARDDELETED');
  }
}

/** get-event found no event at that index: event type 0. */
export class EventNotFound extends NotFoundError {
  constructor(message = 'event not found', context: ErrorContext = {}) {
    super(message, context, 'EEVENTNOTFOUND');
  }
}

/** The event at that index has been overwritten (the log wrapped around): event type 0xFF. */
export class EventOverwritten extends NotFoundError {
  constructor(message = 'event overwritten', context: ErrorContext = {}) {
    super(message, context, 'EEVENTOVERWRITTEN');
  }
}

/** get-time-profile found no profile with that id: the controller answered with profile id 0. */
export class TimeProfileNotFound extends NotFoundError {
  constructor(message = 'time profile not found', context: ErrorContext = {}) {
    super(message, context, 'ETIMEPROFILENOTFOUND');
  }
}
