/**
 * Runtime helpers for the editor: httpAdmin endpoints under /fieldlink/<protocol>/..., guarded by
 * the node type's read permission, answering JSON and never crashing the runtime.
 */
import type { NodeAPI } from 'node-red';

export function adminGet(
  RED: NodeAPI,
  path: string,
  permission: string,
  handler: (query: Record<string, string>) => Promise<unknown>,
): void {
  if (!path.startsWith('/fieldlink/')) throw new Error(`admin endpoints live under /fieldlink/: ${path}`);
  RED.httpAdmin.get(path, RED.auth.needsPermission(permission), (req, res) => {
    handler(req.query as Record<string, string>).then(
      (body) => res.json(body),
      (err: Error) => res.status(500).json({ error: err.message }),
    );
  });
}
