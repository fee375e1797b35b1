/** Why a SPEC connection attempt failed, in a few words for a node status. */
export function reason(error: Error, specName?: string): string {
  const text = `${(error as { code?: string }).code ?? ''} ${error.message} ${(error.cause as Error | undefined)?.message ?? ''}`;
  if (/ENOTFOUND|EAI_AGAIN/.test(text) && /getaddrinfo/.test(text)) return 'unknown host';
  if ((error as { code?: string }).code === 'ENOTFOUND') {
    // SPEC servers answered, none with the name; or nothing answered at all.
    return /\(found /.test(error.message) ? `no SPEC named ${specName ?? '?'}` : 'no server';
  }
  if (/ECONNREFUSED/.test(text)) return 'refused';
  if (/EHOSTUNREACH|ENETUNREACH/.test(text)) return 'unreachable';
  if (/ETIMEDOUT|ETIMEOUT|timed out/.test(text)) return 'no answer';
  return error.message.length > 18 ? error.message.slice(0, 17) + '…' : error.message;
}
